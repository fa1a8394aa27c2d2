"""Search speed on synthetic organization profiles: Khooshe's tantivy index through the Python API
(``SearchIndex``) against SQLite FTS5 on a normalised column and against ``bm25s``, in the same run.

For each engine: index build time, index size on disk, single-query latency p50/p95 (one client, top 10,
Khooshe with highlighted snippets as the list pages show them), and throughput with 4 concurrent clients
(threads calling the Python API). Profiles come from benchmarks/_common.organization_rows (Persian names,
capabilities and descriptions of realistic length, English names for half; seed 1403); queries are 1 to 3
words drawn from the same vocabulary (Persian, English, mixed).

    .venv/bin/python benchmarks/search_speed.py --count 20000          # development
    .venv/bin/python benchmarks/search_speed.py --count 1000000        # the issue's size
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import ACTIVITIES, QUALIFIERS, organization_rows  # noqa: E402

from khooshe.core.text import fold  # noqa: E402
from khooshe.search.index import SearchIndex  # noqa: E402
from khooshe.search.tokenize import DEFAULT  # noqa: E402

CITIES = ["کرمان", "رفسنجان", "تهران", "اصفهان", "تبریز", "شیراز", "مشهد", "یزد", "رشت", "اهواز"]
REGIONS = [(f"R{i}", c, c) for i, c in enumerate(CITIES)]


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def profiles(count: int):
    # bench-local: no national ids needed (keeps Django out of the way)
    import _common

    _common.national_id = lambda index: ""
    for i, row in enumerate(organization_rows(count, seed=1403, regions=REGIONS, sector_codes=[])):
        yield i + 1, {"name": f"{row['name_fa']} {row['name_en']}".strip(), "capabilities": row["capabilities"],
                      "description": row["description"]}, {"kind": row["kind"], "region": row["region"]}


def make_queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = [a for a, _ in ACTIVITIES] + [q for q, _ in QUALIFIERS] + CITIES
    english = [e for _, e in ACTIVITIES]
    out = []
    for _ in range(n):
        k = rng.randint(1, 3)
        pool = english if rng.random() < 0.2 else words
        q = " ".join(rng.sample(pool, k))
        if rng.random() < 0.1:
            q += " " + rng.choice(english)  # mixed script
        out.append(q)
    return out


class Khooshe:
    name = "Khooshe (tantivy, Python API)"

    def __init__(self, path):
        self.path = path

    def build(self, docs):
        self.ix = SearchIndex(self.path, dense=False, writer_heap=512_000_000, writer_threads=2)
        for doc_id, texts, filters in docs:
            self.ix.add(doc_id, texts, filters, replace=False)
        self.ix.commit()

    def search(self, q):
        return self.ix.search(q, limit=10).ids

    def clone(self):
        return self


class Fts5:
    name = "SQLite FTS5 (normalised column)"

    def __init__(self, path):
        self.path = path

    def build(self, docs):
        con = sqlite3.connect(self.path)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("CREATE VIRTUAL TABLE orgs USING fts5(name, capabilities, description, "
                    "tokenize='unicode61 remove_diacritics 2')")
        batch = []
        for doc_id, texts, _ in docs:
            batch.append((doc_id, fold(texts["name"]), fold(texts["capabilities"]), fold(texts["description"])))
            if len(batch) >= 10000:
                con.executemany("INSERT INTO orgs(rowid, name, capabilities, description) VALUES (?,?,?,?)", batch)
                batch.clear()
        con.executemany("INSERT INTO orgs(rowid, name, capabilities, description) VALUES (?,?,?,?)", batch)
        con.execute("INSERT INTO orgs(orgs) VALUES('optimize')")
        con.commit()
        con.close()
        self.local = threading.local()

    def _con(self):
        con = getattr(self.local, "con", None)
        if con is None:
            con = self.local.con = sqlite3.connect(self.path, check_same_thread=False)
        return con

    def search(self, q):
        terms = [t for t in fold(q).split() if t]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._con().execute(
            "SELECT rowid, highlight(orgs, 0, '<mark>', '</mark>') FROM orgs WHERE orgs MATCH ? "
            "ORDER BY bm25(orgs, 3.0, 2.0, 1.0) LIMIT 10", (match,)).fetchall()
        return [r[0] for r in rows]


class Bm25s:
    name = "bm25s (same tokens, one field)"

    def __init__(self, path):
        self.path = path

    def build(self, docs):
        import bm25s

        corpus = [DEFAULT.analyze(f"{t['name']} {t['capabilities']} {t['description']}") for _, t, _ in docs]
        self.ids = [doc_id for doc_id, _, _ in docs] if isinstance(docs, list) else None
        self.r = bm25s.BM25()
        self.r.index(corpus, show_progress=False)
        self.r.save(str(self.path))

    def search(self, q):
        terms = DEFAULT.analyze(q) or ["\x00"]
        docs, _ = self.r.retrieve([terms], k=10, show_progress=False, n_threads=1)
        return docs[0].tolist()


def measure(engine, docs, queries, seconds: float):
    rss0 = rss_mib()
    t0 = time.perf_counter()
    engine.build(docs)
    build = time.perf_counter() - t0
    size = dir_size(Path(engine.path))
    rss_build = rss_mib() - rss0
    for q in queries[:20]:
        engine.search(q)  # warm up
    lat = []
    for q in queries:
        t = time.perf_counter()
        engine.search(q)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
    done = [0] * 4
    stop = time.perf_counter() + seconds

    def client(k):
        i = k
        while time.perf_counter() < stop:
            engine.search(queries[i % len(queries)])
            done[k] += 1
            i += 4

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    qps = sum(done) / (time.perf_counter() - t0)
    return {"build": build, "size": size, "rss": rss_build, "p50": p50, "p95": p95, "qps": qps}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of the 4-client throughput test")
    ap.add_argument("--engines", default="khooshe,fts5,bm25s")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    docs = list(profiles(args.count))
    avg = statistics.mean(len(t["name"]) + len(t["capabilities"]) + len(t["description"]) for _, t, _ in docs[:10000])
    print(f"{args.count:,} profiles generated in {time.perf_counter() - t0:.1f} s "
          f"(mean {avg:.0f} characters of text each); {args.queries} queries")
    queries = make_queries(args.queries)
    results = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("KHOOSHE_BENCH_TMP")) as tmp:
        tmp = Path(tmp)
        engines = {"khooshe": Khooshe(tmp / "khooshe"), "fts5": Fts5(tmp / "fts5.sqlite3"),
                   "bm25s": Bm25s(tmp / "bm25s")}
        for key in args.engines.split(","):
            engine = engines[key]
            results[engine.name] = measure(engine, docs, queries, args.seconds)
            print(f"  {engine.name}: {results[engine.name]}", flush=True)
            if key == "khooshe":
                hits = engine.ix.search(queries[0], limit=10)
                print(f"  sample query {queries[0]!r}: {hits.total:,} matches")
            del engine
            engines[key] = None
        shutil.rmtree(tmp, ignore_errors=True)
    base = results.get("Khooshe (tantivy, Python API)")
    print()
    print(f"| engine ({args.count:,} profiles) | build s | size MiB | RSS growth MiB | p50 ms | p95 ms | "
          "QPS (4 clients) | p95 ratio to Khooshe | QPS ratio to Khooshe |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        ratio95 = r["p95"] / base["p95"] if base else float("nan")
        ratioq = r["qps"] / base["qps"] if base else float("nan")
        print(f"| {name} | {r['build']:.1f} | {r['size'] / 2**20:.0f} | {r['rss']:.0f} | {r['p50']:.2f} | "
              f"{r['p95']:.2f} | {r['qps']:.0f} | {ratio95:.2f} | {ratioq:.2f} |")
    print(f"\npeak RSS of the process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
