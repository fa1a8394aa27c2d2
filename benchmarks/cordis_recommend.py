"""Partner recommendation on CORDIS (real Horizon Europe participants): Khooshe's recommender against the
popularity, BM25 and BM25+popularity baselines, measured in the same run, with an ablation.

    .venv/bin/python benchmarks/cordis_recommend.py --queries 500 --ablation-queries 50
    .venv/bin/python benchmarks/cordis_recommend.py --queries 500 --split contiguous --tune-queries 250 --no-ablation
    .venv/bin/python benchmarks/cordis_recommend.py --queries 50 --tune-queries 0 --no-ablation   # quick
    .venv/bin/python benchmarks/cordis_recommend.py --no-ablation --reimport

Held-out protocol (default): our weights (a grid over the track-record and network weights, searched
offline on every candidate's signals from ``recommend.candidate_signals``) and the BM25 + popularity
baseline's prior weight (a grid as fine) are tuned on the queries at even positions with the same
objective (nDCG@10 + recall@100 + MRR), and everything is reported on the queries at odd positions and
on all of them. The queries file is ordered (its first half holds mostly small projects: 4.1 participants
on average against 11.2 in the second half), so a contiguous split (``--split contiguous --tune-queries
250``) tunes on one kind of project and reports on another; it is kept as a second view. The ablation
(each signal removed in turn, and alone) runs on the first ``--ablation-queries`` held-out queries.

How the data set is mapped to product concepts (nothing of it is in the product):

* every CORDIS organisation is imported INTO Khooshe through the registry's tabular import
  (``khooshe.core.tabular.import_file`` with ``registry.tabular.ORGANIZATIONS``, the code behind
  ``khooshe import organizations``): PIC -> external_id, name -> name, activity type -> kind
  (HES university, REC research, PRC sme or large by the SME flag, PUB government, OTH ngo), SME flag ->
  size class (small; a non-SME company large), country -> region (a country region per ISO code, created
  here as reference data), profile text (titles and objectives of earlier projects) -> capabilities;
* their track record goes in through the agreements import (``registry.tabular.AGREEMENTS``): each
  earlier project is the grant agreement of the funder (the host organisation, "European Commission") and
  its participants (``profile_project_ids``), a public consortium agreement, which the track record counts
  and which ties its parties in the relation graph (network and trust signals); an organisation's projects
  beyond the 50 of its profile (``n_train_projects``) are agreements with the funder alone; no dates
  (CORDIS gives none here), so all agreements count as equally recent;
* each dev query (a 2025 project: title and objective) is posted as a challenge (title, problem
  statement) by the funder, the host, which is a party of every earlier project: its trust path (one tie)
  is the same for every organisation, so the main figure uses **no information about the problem owner**;
  the platform's ``recommend_solvers`` ranks the organisations and is scored against the project's real
  participants (qrels).
* owner variant (reported separately): the project's coordinator, when it is among the organisations,
  posts the challenge; it is removed from the ranking and from the relevant set, and the trust signal
  (path from the owner) can now act.

The benchmark uses its own data directory and SQLite file (``--data-dir``, default
/tmp/khooshe-recommend-bench) and keeps it between runs (``--reimport`` rebuilds it). Dense retrieval is
off unless ``--dense`` (embedding 27,731 long profiles takes long on two cores).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cordis"
KIND = {"HES": "university", "REC": "research", "PUB": "government", "OTH": "ngo"}
HOST = "KHOOSHE-BENCH-HOST"


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--data-dir", default="/tmp/khooshe-recommend-bench")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--skip", type=int, default=0, help="start at this query (e.g. 250: the held-out half)")
    ap.add_argument("--reimport", action="store_true")
    ap.add_argument("--dense", action="store_true")
    ap.add_argument("--no-ablation", action="store_true")
    ap.add_argument("--tune-queries", type=int, default=250,
                    help="contiguous split: tune the weights and the baseline's prior on the first N queries, "
                         "report on the rest (0: no tuning, the settings' weights)")
    ap.add_argument("--split", choices=("interleaved", "contiguous"), default="interleaved",
                    help="interleaved (default): tune on the queries at even positions, report on the odd ones; "
                         "contiguous: the first --tune-queries, then the rest")
    ap.add_argument("--ablation-queries", type=int, default=0,
                    help="run the ablation and the owner variant on the first N held-out queries only (0: all)")
    ap.add_argument("--no-owner-variant", action="store_true")
    ap.add_argument("--weights", default="", help='JSON, e.g. {"network": 0.8}')
    ap.add_argument("--params", default="", help='JSON, e.g. {"candidates": 600}')
    return ap.parse_args()


def setup(args):
    os.environ["KHOOSHE_DATA_DIR"] = args.data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "khooshe.config.settings"
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    django.setup()
    settings.KHOOSHE_SEARCH_DENSE = bool(args.dense)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(data: Path):
    orgs = [json.loads(line) for line in gzip.open(data / "orgs.jsonl.gz", "rt", encoding="utf-8")]
    queries = [json.loads(line) for line in (data / "dev_queries.jsonl").read_text(encoding="utf-8").splitlines()]
    qrels = defaultdict(set)
    for line in (data / "dev_qrels.tsv").read_text().splitlines():
        qid, _zero, pic, rel = line.split("\t")
        if int(rel) > 0:
            qrels[qid].add(pic)
    return orgs, queries, qrels


def import_data(orgs, work: Path):
    from django.db import connection

    from khooshe.registry.models import Organization, Region
    from khooshe.search.organizations import reindex

    for cc in sorted({o["country"] for o in orgs if o["country"]}):
        Region.objects.get_or_create(code=f"CC-{cc}", defaults={"kind": "country", "name_fa": cc, "name_en": cc})
    if (work / "organizations.done").exists():
        print("organizations already imported", flush=True)
    else:
        _import_organizations(orgs, work)
    _import_agreements(orgs, work)
    t = time.perf_counter()
    n = reindex()
    print(f"search index: {n} organizations in {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    (work / "imported.json").write_text(json.dumps({"orgs": Organization.objects.count()}))


class _Progress:
    def __init__(self):
        self.done, self.t0, self.last = 0, time.perf_counter(), 0.0

    def start(self, label, total):
        self.label, self.total, self.done = label, total, 0

    def advance(self, count):
        self.done += count
        now = time.perf_counter()
        if now - self.last > 30:
            self.last = now
            print(f"  {self.label}: {self.done} rows, {self.done / (now - self.t0):.0f} rows/s", flush=True)


def _import_organizations(orgs, work: Path):
    from khooshe.core.tabular import import_file
    from khooshe.registry.tabular import ORGANIZATIONS

    org_csv = work / "organizations.csv"
    with org_csv.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "name_fa", "name_en", "kind", "size_class", "region", "capabilities"])
        w.writerow([HOST, "کمیسیون اروپا (تأمین‌کننده مالی)", "European Commission (funder)", "government", "", "",
                    ""])
        for o in orgs:
            kind = KIND.get(o["activity_type"]) or ("sme" if o["sme"] else "large")
            size = "small" if o["sme"] else ("large" if o["activity_type"] == "PRC" else "")
            name = (o["name"] or o["short_name"] or o["id"])[:300]
            w.writerow([f"PIC-{o['id']}", name, name, kind, size, f"CC-{o['country']}" if o["country"] else "",
                        o["profile"]])
    t = time.perf_counter()
    report = import_file(ORGANIZATIONS, org_csv, user=None, source="cli", check_first=False, progress=_Progress())
    print(f"organizations import: {report.summary()} in {time.perf_counter() - t:.1f} s", flush=True)
    if not report.applied:
        for p in report.errors[:10]:
            print(p.as_text())
        raise SystemExit(1)
    (work / "organizations.done").write_text("1")


def _import_agreements(orgs, work: Path):
    """Each Horizon Europe project is a grant agreement signed by the funder and the participants: it is
    imported, through the agreements import, as a public consortium agreement whose parties are the funder
    (the host) and the participants listed in the profiles (``profile_project_ids``). An organisation's
    projects beyond the 50 its profile lists (``n_train_projects`` counts them all; 254 organisations) are
    agreements with the funder only, their partners being unknown. The track record counts them all; the
    parties are tied in the relation graph (network and trust signals). CORDIS gives no dates here, so every
    agreement counts as equally recent."""
    from khooshe.core.tabular import import_file
    from khooshe.registry.tabular import AGREEMENTS

    projects = defaultdict(set)
    for o in orgs:
        for pid in o["profile_project_ids"]:
            projects[pid].add(o["id"])
    agr_csv = work / "agreements.csv"
    with agr_csv.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "title", "kind", "parties", "visibility"])
        for pid in sorted(projects):
            w.writerow([f"HE-{pid}", f"Horizon Europe project {pid}", "consortium",
                        ";".join([HOST, *(f"PIC-{m}" for m in sorted(projects[pid]))]), "public"])
        for o in orgs:
            for k in range(o["n_train_projects"] - len(o["profile_project_ids"])):
                w.writerow([f"HE-{o['id']}-{k + 1}", f"Horizon Europe project {k + 1} of {o['id']} (not in the "
                            "profile)", "consortium", f"{HOST};PIC-{o['id']}", "public"])
    t = time.perf_counter()
    report = import_file(AGREEMENTS, agr_csv, user=None, source="cli", check_first=False, progress=_Progress())
    print(f"agreements import: {report.summary()} in {time.perf_counter() - t:.1f} s", flush=True)
    if not report.applied:
        for p in report.errors[:10]:
            print(p.as_text())
        raise SystemExit(1)


# -- metrics ---------------------------------------------------------------------------------------------------
def metrics(ranking: list[str], relevant: set[str]) -> tuple[float, float, float]:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:10]) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    recall = len(set(ranking[:100]) & relevant) / len(relevant)
    mrr = next((1 / (i + 1) for i, d in enumerate(ranking[:100]) if d in relevant), 0.0)
    return dcg / idcg if idcg else 0.0, recall, mrr


def evaluate(rankings: dict[str, list[str]], qrels) -> dict[str, float]:
    rows = [metrics(rankings[q], qrels[q]) for q in rankings if qrels.get(q)]
    return {"ndcg@10": statistics.mean(r[0] for r in rows), "recall@100": statistics.mean(r[1] for r in rows),
            "mrr": statistics.mean(r[2] for r in rows), "n": len(rows)}


TUNE_GRID = {  # weights tried on the tuning queries (text stays 1.0; the others keep their defaults)
    "track": (0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0),
    "network": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8),
}
ALPHA_GRID = tuple(round(0.1 * i, 1) for i in range(1, 31))  # the baseline's prior weight: as fine a grid


def objective(res: dict) -> float:
    """What tuning maximises, for the baseline's prior and our weights alike: all three measures."""
    return res["ndcg@10"] + res["recall@100"] + res["mrr"]


def tune_weights(tables, qrels, defaults: dict[str, float]):
    """Grid search of the weights on the tuning queries, offline: ``tables`` holds every candidate's
    signals (``candidate_signals``), which do not depend on the weights, so each weighting ranks exactly as
    ``recommend_solvers`` would with it (ties broken by id, as there)."""
    import itertools

    import numpy as np

    from khooshe.matching.recommend import SIGNALS

    mats = {}
    for q, table in tables.items():
        ids = sorted(table)
        mats[q] = (ids, np.array([[table[d].get(s, 0.0) for s in SIGNALS] for d in ids]).reshape(len(ids), -1))
    best = None
    for combo in itertools.product(*TUNE_GRID.values()):
        w = {**defaults, **dict(zip(TUNE_GRID, combo, strict=True))}
        vec = np.array([w[s] for s in SIGNALS])
        runs = {}
        for q, (ids, mat) in mats.items():
            score = mat @ vec if len(ids) else np.zeros(0)
            order = np.lexsort((np.array(ids), -score))[:100]  # ids are sorted: stable tie-break by id
            runs[q] = [ids[i] for i in order]
        res = evaluate(runs, qrels)
        if best is None or objective(res) > objective(best[1]):
            best = (w, res)
    return best


def main():
    args = parse()
    work = Path(args.data_dir)
    if args.reimport and work.exists():
        import shutil

        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    setup(args)
    orgs, queries, qrels = load(args.data)
    if not (work / "imported.json").exists():
        import_data(orgs, work)

    from django.contrib.auth import get_user_model

    from khooshe.matching.models import Challenge
    from khooshe.matching.recommend import (
        SIGNALS,
        candidate_signals,
        clear_cache,
        recommend_solvers,
        setting_weights,
    )
    from khooshe.registry.models import Organization

    pic_of = {pk: eid[4:] for pk, eid in Organization.objects.filter(external_id__startswith="PIC-")
              .values_list("pk", "external_id")}
    pk_of = {v: k for k, v in pic_of.items()}
    host = Organization.objects.get(external_id=HOST)
    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    queries = queries[args.skip: args.skip + args.queries]
    known = set(pk_of)
    qrels = {q["id"]: qrels[q["id"]] & known for q in queries}
    if args.tune_queries <= 0:
        tuning, held = [], queries
    elif args.split == "interleaved":
        tuning, held = queries[0::2], queries[1::2]
    else:
        tuning = queries[:min(args.tune_queries, len(queries) - 1)]
        held = queries[len(tuning):]
    tune_n = len(tuning)
    tune_ids = {q["id"] for q in tuning}
    held_ids = {q["id"] for q in held}
    if tune_n:
        where = ("the even positions" if args.split == "interleaved"
                 else f"positions {args.skip}-{args.skip + tune_n - 1}")
        print(f"held-out protocol ({args.split}): weights and the baseline's prior tuned on the {tune_n} queries "
              f"at {where}, reported on the other {len(held)} (and on all {len(queries)})", flush=True)

    Challenge.objects.filter(owner=host).delete()
    challenges = {q["id"]: Challenge.objects.create(owner=host, title=q["title"][:300], problem_statement=q["text"])
                  for q in queries}

    def split(runs, ids):
        return {q: r for q, r in runs.items() if q in ids}

    # -- baselines, same run ---------------------------------------------------------------------------------
    import bm25s

    popularity = {o["id"]: o["n_train_projects"] for o in orgs}
    pop_rank = sorted(popularity, key=lambda d: (-popularity[d], d))[:100]
    t = time.perf_counter()
    base_runs = {"popularity (most earlier projects first)": {q["id"]: pop_rank for q in queries}}
    ids = [o["id"] for o in orgs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([o["profile"] for o in orgs], stopwords="en", show_progress=False),
                    show_progress=False)
    qtok = bm25s.tokenize([q["text"] for q in queries], stopwords="en", show_progress=False)
    docs, scores = retriever.retrieve(qtok, k=1000, show_progress=False, n_threads=1)
    bm25_runs = {q["id"]: ([ids[i] for i in docs[j]], scores[j]) for j, q in enumerate(queries)}
    base_runs["BM25 (bm25s over the profiles)"] = {q: r[0][:100] for q, r in bm25_runs.items()}
    logpop = {d: math.log1p(n) for d, n in popularity.items()}
    maxlog = max(logpop.values())
    best = None
    for alpha in ALPHA_GRID:
        runs = {}
        for q, (ranked, sc) in bm25_runs.items():
            top = float(sc[0]) or 1.0
            comb = [(float(s) / top + alpha * logpop[d] / maxlog, d) for d, s in zip(ranked, sc, strict=True)]
            runs[q] = [d for _s, d in sorted(comb, key=lambda x: (-x[0], x[1]))][:100]
        res = evaluate(split(runs, tune_ids or held_ids), qrels)
        if best is None or objective(res) > objective(best[1]):
            best = (alpha, res, runs)
    base_runs[f"BM25 + popularity prior (alpha {best[0]}, tuned on the {'tuning' if tune_n else 'same'} "
              f"queries)"] = best[2]
    baseline_s = time.perf_counter() - t
    print(f"baselines in {baseline_s:.1f} s", flush=True)

    params = json.loads(args.params) if args.params else None
    weights = json.loads(args.weights) if args.weights else None
    if tune_n and weights is None:
        t = time.perf_counter()
        tables = {q["id"]: {pic_of.get(d): sig for d, sig in candidate_signals(
            challenges[q["id"]], user=admin, params=params).items()} for q in tuning}
        weights, tuned = tune_weights(tables, qrels, setting_weights())
        print(f"tuned weights on {tune_n} queries in {time.perf_counter() - t:.1f} s: {json.dumps(weights)} "
              f"(tuning queries: nDCG@10 {tuned['ndcg@10']:.4f} R@100 {tuned['recall@100']:.4f} "
              f"MRR {tuned['mrr']:.4f})", flush=True)

    times: list[float] = []
    cpu: list[float] = []

    def rank(signals=SIGNALS, subset=None, owner_variant=False):
        runs = {}
        for q in (subset if subset is not None else queries):
            ch = challenges[q["id"]]
            exclude = ()
            if owner_variant:
                ch, coord = owner_challenges.get(q["id"], (None, None))
                if ch is None:
                    continue
                exclude = (coord,)
            t0, c0 = time.perf_counter(), time.thread_time()
            res = recommend_solvers(ch, user=admin, limit=100, signals=signals, weights=weights, params=params,
                                    exclude=exclude,
                                    explain=False)  # the ranking only; explanations are timed in recommend_speed.py
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
            runs[q["id"]] = [pic_of.get(r.object.pk) for r in res.items]
        return runs

    results = {}

    def report(label, runs, rel=None, ids=None):
        res = evaluate(split(runs, ids) if ids is not None else runs, rel or qrels)
        results[label] = res
        print(f"{label:60s} nDCG@10 {res['ndcg@10']:.4f}  R@100 {res['recall@100']:.4f}  MRR {res['mrr']:.4f}  "
              f"n={res['n']}", flush=True)
        return res

    clear_cache()
    t = time.perf_counter()
    main_runs = rank()
    rec_s = time.perf_counter() - t
    main_times, main_cpu = list(times), list(cpu)
    text_runs = rank(("text",))
    scopes = [("held-out", held_ids)] if tune_n else []
    scopes.append((f"all {len(queries)}", None))
    for scope, ids_ in scopes:
        for name, runs in base_runs.items():
            report(f"[{scope}] {name}", runs, ids=ids_)
        report(f"[{scope}] Khooshe, text signal only", text_runs, ids=ids_)
        report(f"[{scope}] Khooshe recommend_solvers, all signals", main_runs, ids=ids_)

    sub = held[: args.ablation_queries] if args.ablation_queries else held
    sub_ids = {q["id"] for q in sub}
    tag = f"[ablation: {len(sub)} held-out queries]"
    if not args.no_ablation:
        for name, runs in base_runs.items():
            report(f"{tag} {name}", runs, ids=sub_ids)
        report(f"{tag} all signals", main_runs, ids=sub_ids)
        for s in SIGNALS:
            report(f"{tag} without {s}", rank(tuple(x for x in SIGNALS if x != s), subset=sub))
        for s in SIGNALS:
            report(f"{tag} {s} alone", text_runs if s == "text" else rank((s,), subset=sub), ids=sub_ids)

    owner_challenges, owner_pic = {}, {}
    if not args.no_owner_variant:
        for q in sub:
            roles = q["relevant_roles"]
            roles = json.loads(roles.replace("'", '"')) if isinstance(roles, str) else roles
            coord = next((pic for pic, r in roles.items() if "coordinator" in r and pic in pk_of), None)
            if coord is None:
                continue
            owner = Organization.objects.get(pk=pk_of[coord])
            ch = Challenge.objects.create(owner=owner, title=q["title"][:300], problem_statement=q["text"])
            owner_challenges[q["id"]] = (ch, pk_of[coord])
            owner_pic[q["id"]] = coord
        if owner_challenges:
            rel = {q: r - {owner_pic[q]} for q, r in qrels.items() if q in owner_pic}
            otag = f"[owner variant: coordinator posts, {len(owner_challenges)} queries]"
            report(f"{otag} all signals", rank(subset=sub, owner_variant=True), rel)
            report(f"{otag} without trust", rank(tuple(x for x in SIGNALS if x != "trust"), subset=sub,
                                                 owner_variant=True), rel)
            report(f"{otag} text only", rank(("text",), subset=sub, owner_variant=True), rel)
        Challenge.objects.filter(pk__in=[c.pk for c, _o in owner_challenges.values()]).delete()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n| ranking | nDCG@10 | recall@100 | MRR | queries |")
    print("|---|---|---|---|---|")
    for name, res in results.items():
        print(f"| {name} | {res['ndcg@10']:.4f} | {res['recall@100']:.4f} | {res['mrr']:.4f} | {res['n']} |")
    print(f"\nweights: {json.dumps(weights or setting_weights())}; params: {json.dumps(params or {})}")
    print(f"recommender time for {len(queries)} queries (all signals, no explanations): {rec_s:.1f} s, p50 "
          f"{statistics.median(main_times) * 1000:.0f} ms, CPU p50 {statistics.median(main_cpu) * 1000:.0f} ms; "
          f"baselines {baseline_s:.1f} s; peak RSS {peak:.0f} MiB; load average {os.getloadavg()[0]:.1f}; "
          f"dense {'on' if args.dense else 'off'}")


if __name__ == "__main__":
    main()
