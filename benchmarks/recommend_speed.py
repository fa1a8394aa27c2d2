"""Recommendation speed: one challenge over 100,000 organizations with all signals (issue 4 goal: p95 under
300 ms), against plain BM25 search (``search_organizations``) measured in the same run.

    .venv/bin/python benchmarks/recommend_speed.py                       # 100,000 orgs, 50 challenges
    .venv/bin/python benchmarks/recommend_speed.py --orgs 20000 --challenges 20

The registry (synthetic Persian and English profiles from ``_common.organization_rows``, ISIC class
sectors, Iranian counties with coordinates, relations with a skewed degree distribution, agreements) is
built once in its own data directory and SQLite file (``--data-dir``, default
/tmp/khooshe-recommend-speed; ``--rebuild`` starts again) and indexed with the product's ``reindex``.
Each challenge (Persian or English problem text from the same vocabulary, one or two sectors, a county,
an owner with relations) is ranked by ``recommend_solvers`` with every signal, as an admin and as a
member of the owner (visibility checks on); the first call, which builds the cached relation graph, is
reported apart (cold) and excluded from the percentiles. Dense retrieval is off (see the report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgs", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=300_000)
    ap.add_argument("--challenges", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per challenge and user")
    ap.add_argument("--data-dir", default="/tmp/khooshe-recommend-speed")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
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
    settings.KHOOSHE_SEARCH_DENSE = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(args, work: Path):
    from _common import ACTIVITIES, organization_rows
    from django.db import connection, transaction

    from khooshe.registry import models as m
    from khooshe.registry.reference import ensure_reference_data
    from khooshe.search.organizations import reindex

    ensure_reference_data()
    # The organization index's queryset loads each region's GeoJSON boundary with the organization
    # (43 ms of JSON decoding per organization with Iran's county boundaries): this benchmark database
    # does without boundaries so that indexing 100,000 organizations takes minutes, not an hour.
    m.Region.objects.update(boundary=None)
    counties = list(m.Region.objects.filter(kind="county").select_related("parent")
                    .values_list("code", "name_fa", "parent__name_fa", "pk"))
    region_pk = {c: pk for c, _n, _p, pk in counties}
    classes = dict(m.Sector.objects.filter(level=4).values_list("code", "pk"))
    rng = random.Random(args.seed)
    codes = sorted(rng.sample(sorted(classes), min(60, len(classes))))
    t0 = time.perf_counter()
    orgs, tags = [], []
    now = dt.datetime.now(dt.UTC)
    en = dict(ACTIVITIES)
    for pk, row in enumerate(organization_rows(args.orgs, seed=args.seed, regions=[(c, n, p) for c, n, p, _ in counties],
                                               sector_codes=codes), start=1):
        sectors = row.pop("sectors")
        region = row.pop("region")
        if rng.random() < 0.4:  # English profiles too
            row["capabilities"] += ". " + ", ".join(en.get(w.strip(), "") for w in row["capabilities"].split("،"))
        org = m.Organization(pk=pk, region_id=region_pk[region], **{k: v for k, v in row.items() if v is not None})
        org.national_id = None
        org.prepare_for_save()
        org.created_at = org.updated_at = now
        orgs.append(org)
        tags += [m.Organization.sectors.through(organization_id=pk, sector_id=classes[c]) for c in sectors]
    with transaction.atomic():
        m.Organization.objects.bulk_create(orgs, batch_size=2000)
        m.Organization.sectors.through.objects.bulk_create(tags, batch_size=5000)
    print(f"organizations: {len(orgs)} in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    types = [t.value for t in m.RelationType]
    rels = []
    seen = set()
    n = args.orgs
    while len(rels) < args.relations:
        s = min(int(rng.paretovariate(1.2)), n) if rng.random() < 0.2 else rng.randint(1, n)
        t = rng.randint(1, n)
        if s == t or (s, t) in seen:
            continue
        seen.add((s, t))
        kind = rng.choice(types)
        start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3600)) if rng.random() < 0.5 else None
        rels.append(m.Relation(source_id=s, target_id=t, type=kind, directed=kind not in m.UNDIRECTED_TYPES,
                               strength=rng.randint(1, 5), start_date=start, created_at=now, updated_at=now))
    with transaction.atomic():
        m.Relation.objects.bulk_create(rels, batch_size=5000)
        # Half public (they tie their parties in the graph), 2 to 12 parties (contracts to consortia).
        agreements = m.Agreement.objects.bulk_create([m.Agreement(title=f"تفاهم‌نامه {i}", created_at=now, updated_at=now,
                                                                  visibility="public" if i % 2 else "private",
                                                                  signed_on=dt.date(2018, 1, 1) + dt.timedelta(days=i % 2000))
                                                     for i in range(5000)])
        m.Agreement.parties.through.objects.bulk_create(
            [m.Agreement.parties.through(agreement_id=a.pk, organization_id=o) for a in agreements
             for o in rng.sample(range(1, n + 1), rng.choice((2, 2, 2, 3, 4, 6, 12)))], batch_size=5000)
    print(f"relations: {len(rels)}, agreements: 5000 (half public) in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    reindex()
    print(f"search index: {time.perf_counter() - t0:.1f} s", flush=True)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    (work / "built").write_text(str(args.orgs))


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    args = parse()
    work = Path(args.data_dir)
    if args.rebuild and work.exists():
        import shutil

        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    setup(args)
    if not (work / "built").exists():
        build(args, work)
    from _common import ACTIVITIES
    from django.contrib.auth import get_user_model

    from khooshe.matching.models import Challenge
    from khooshe.matching.recommend import clear_cache, recommend_solvers
    from khooshe.registry import models as m
    from khooshe.registry.models import Organization
    from khooshe.search.organizations import search_organizations

    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="speed-admin", defaults={"is_superuser": True})
    rng = random.Random(args.seed + 9)
    classes = list(m.Sector.objects.filter(level=4, organizations__isnull=False).distinct().values_list("pk", flat=True))
    counties = list(m.Region.objects.filter(kind="county").values_list("pk", flat=True))
    Challenge.objects.filter(title__startswith="[speed]").delete()
    challenges, members = [], []
    for i in range(args.challenges):
        owner = Organization.objects.get(pk=rng.randint(1, min(args.orgs, 2000)))  # hubs have relations
        words = rng.sample(ACTIVITIES, 4)
        if i % 2:
            text = ("We need a partner in " + ", ".join(w[1] for w in words) + " to cut costs and raise quality "
                    "of our production line; success means a working pilot within a year.")
        else:
            text = ("نیاز به همکار در " + "، ".join(w[0] for w in words) + " برای کاهش هزینه و افزایش کیفیت خط "
                    "تولید داریم؛ موفقیت یعنی یک نمونه آزمایشی در یک سال.")
        ch = Challenge.objects.create(owner=owner, title=f"[speed] {words[0][0]} {words[1][1]}", problem_statement=text,
                                      region_id=rng.choice(counties), budget_max=rng.choice([None, 10**9, 10**12]))
        ch.sectors.set(rng.sample(classes, rng.randint(1, 2)))
        challenges.append(ch)
        user, _ = User.objects.get_or_create(username=f"speed-member-{owner.pk}")
        m.Role.objects.get_or_create(user=user, kind=m.Role.Kind.MEMBER, organization=owner)
        members.append(user)

    clear_cache()
    t0 = time.perf_counter()
    recommend_solvers(challenges[0], user=admin)
    cold = time.perf_counter() - t0
    rows = {"BM25 search alone (search_organizations, limit 20, admin)": [],
            "recommend_solvers, all signals, admin": [],
            "recommend_solvers, all signals, member of the owner": []}
    cpu = {name: [] for name in rows}  # CPU time of the calling thread: less noisy on a shared machine
    loads = []
    for _r in range(args.repeat):
        for ch, member in zip(challenges, members, strict=True):
            text = f"{ch.title} {ch.problem_statement}"
            loads.append(os.getloadavg()[0])
            calls = [("BM25 search alone (search_organizations, limit 20, admin)",
                      lambda text=text: search_organizations(text, user=admin, limit=20, dense=False)),
                     ("recommend_solvers, all signals, admin", lambda ch=ch: recommend_solvers(ch, user=admin)),
                     ("recommend_solvers, all signals, member of the owner",
                      lambda ch=ch, member=member: recommend_solvers(ch, user=member))]
            for name, call in calls:
                t, c = time.perf_counter(), time.thread_time()
                res = call()
                rows[name].append(time.perf_counter() - t)
                cpu[name].append(time.thread_time() - c)
                if name.startswith("recommend"):
                    assert res.items, "no recommendation"
    base = statistics.median(rows["BM25 search alone (search_organizations, limit 20, admin)"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{Organization.objects.count()} organizations, {m.Relation.objects.count()} relations, "
          f"{len(challenges)} challenges x {args.repeat} runs; cold first call (builds the graph cache) "
          f"{cold * 1000:.0f} ms; peak RSS {peak:.0f} MiB; load average during the run "
          f"{min(loads):.1f} to {max(loads):.1f}")
    print("| what | p50 ms | p95 ms | max ms | p50 ratio to BM25 alone | CPU p50 ms | CPU p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values) * 1000:.1f} | {pct(values, 95) * 1000:.1f} | "
              f"{max(values) * 1000:.1f} | {statistics.median(values) / base:.1f}x | "
              f"{statistics.median(cpu[name]) * 1000:.1f} | {pct(cpu[name], 95) * 1000:.1f} |")
    Challenge.objects.filter(title__startswith="[speed]").delete()


if __name__ == "__main__":
    main()
