"""The organization list's search box through the whole Django page: the search index (ranked, every word
required, highlighted snippets) against the substring fallback (``search_text LIKE``, the baseline), in
the same run, on the same database.

Builds a throwaway SQLite database and data folder, ``--count`` synthetic organizations
(benchmarks/_common.organization_rows), the index (time and size), then requests
``/registry/organizations/?q=...`` as a logged-in admin (no page cache) for ``--queries`` queries in each
mode, ``--runs`` times; prints medians of the per-run p50/p95 and the ratio fallback / index, and the
peak memory of the process.

    .venv/bin/python benchmarks/search_lists.py --count 20000
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="khooshe-search-lists-"))
    os.environ.update(KHOOSHE_DATA_DIR=str(data), DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
                      KHOOSHE_SEARCH_DENSE="false", KHOOSHE_PAGE_CACHE_SECONDS="0")
    from _common import organization_rows, setup_django
    from search_speed import make_queries

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from khooshe.core.models import User
    from khooshe.registry.models import Organization
    from khooshe.search import documents, listing

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    batch = []
    for row in organization_rows(args.count, seed=1403, regions=[("x", "کرمان", "کرمان")], sector_codes=[]):
        org = Organization(kind=row["kind"], name_fa=row["name_fa"], name_en=row["name_en"],
                           description=row["description"], capabilities=row["capabilities"],
                           visibility=row["visibility"], founding_year=row["founding_year"])
        org.prepare_for_save()
        batch.append(org)
    Organization.objects.bulk_create(batch, batch_size=2000)
    print(f"{args.count:,} organizations written in {time.perf_counter() - t:.1f} s")
    doc = documents.document_for(Organization)
    t = time.perf_counter()
    documents.rebuild(doc)
    build = time.perf_counter() - t
    size = sum(f.stat().st_size for f in documents.index_dir(doc).rglob("*") if f.is_file())
    print(f"index built in {build:.1f} s, {size / 2**20:.1f} MiB")

    admin = User.objects.create_superuser("bench", "b@example.org", "x")
    client = Client()
    client.force_login(admin)
    queries = make_queries(args.queries)
    real_document_for = documents.document_for

    def run(mode: str) -> tuple[float, float, float]:
        listing.documents.document_for = real_document_for if mode == "index" else (lambda model: None)
        times, rows = [], 0
        for q in queries:
            t = time.perf_counter()
            response = client.get("/registry/organizations/", {"q": q})
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
            rows += response.content.count(b'name="pk"')
        times.sort()
        return statistics.median(times), times[int(0.95 * (len(times) - 1))], rows / len(queries)

    run("index"), run("substring")  # warm up (templates, caches)
    results = {"index": [], "substring": []}
    for _ in range(args.runs):
        for mode in results:
            results[mode].append(run(mode))
    listing.documents.document_for = real_document_for
    print()
    print(f"| list page ?q= ({args.count:,} organizations, SQLite) | p50 ms | p95 ms | rows shown | "
          "p50 ratio to index | p95 ratio to index |")
    print("|---|---:|---:|---:|---:|---:|")
    base = [statistics.median(r[i] for r in results["index"]) for i in range(3)]
    for mode, label in (("index", "search index (ranked, every word, snippets)"),
                        ("substring", "substring fallback (search_text LIKE, unranked)")):
        p50, p95, shown = (statistics.median(r[i] for r in results[mode]) for i in range(3))
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {shown:.1f} | {p50 / base[0]:.2f} | {p95 / base[1]:.2f} |")
    print(f"\npeak RSS of the process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
          f"{args.queries} queries x {args.runs} runs per mode; data in {data}")


if __name__ == "__main__":
    main()
