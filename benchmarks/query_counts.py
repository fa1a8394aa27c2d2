"""SQL queries per page: they must not grow with the page size (no N+1).

    .venv/bin/python benchmarks/query_counts.py            # on the load_data.py database
    .venv/bin/python benchmarks/query_counts.py --verbose  # also the most repeated statements per page

Requests go through Django's test client (the whole middleware stack, templates rendered), as an
anonymous visitor and as a platform admin, against the benchmark database (read only, except for the
admin account it creates once).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import tracemalloc
from collections import Counter
from urllib.parse import quote

from _common import machine_description, setup_django, today

SEARCH = quote("فناوری")


def pages(detail_id: int) -> list[tuple[str, str]]:
    rows = []
    for size in (25, 50, 100):
        rows.append((f"list, filter + search, per_page={size}",
                     f"/registry/organizations/?kind=startup&q={SEARCH}&per_page={size}"))
    for size in (25, 50, 100):
        rows.append((f"list, no filter, per_page={size}", f"/registry/organizations/?per_page={size}"))
    rows.append(("detail", f"/registry/organizations/{detail_id}/"))
    for size in (25, 50, 100):
        rows.append((f"API list, page_size={size}", f"/api/registry/organizations/?page_size={size}"))
    for size in (25, 50, 100):
        rows.append((f"relation list, per_page={size}", f"/registry/relations/?per_page={size}"))
    for size in (25, 50, 100):
        rows.append((f"API relations, page_size={size}", f"/api/registry/relations/?page_size={size}"))
    return rows


def shape(sql: str) -> str:
    """The statement with its literals removed, to see the same query repeated (N+1)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"IN \([?, ]+\)", "IN (...)", sql)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--memory", action="store_true", help="also trace peak Python memory (slower)")
    args = parser.parse_args(argv)
    # Measure rendering, not the anonymous page cache (core.page_cache) serving a stored copy.
    os.environ.setdefault("KHOOSHE_PAGE_CACHE_SECONDS", "0")
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from khooshe.core.models import User
    from khooshe.registry.models import Organization

    setup_test_environment()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", "bench-admin-pass-123")
    # A well-connected public organization: its detail page shows full related lists.
    detail_id = (Organization.objects.filter(visibility="public", relations_out__isnull=False)
                 .order_by("pk").values_list("pk", flat=True).first())
    print(f"Date {today()}; machine: {machine_description()}")
    print(f"{Organization.objects.count()} organizations; detail page of organization {detail_id}\n")
    print("| page | user | queries | time ms | peak Python memory MiB | HTTP | bytes |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for who in ("anonymous", "admin"):
        client = Client(HTTP_HOST="127.0.0.1")
        if who == "admin":
            client.force_login(admin)
        for label, url in pages(detail_id):
            client.get(url)  # warm caches (content types, templates) so the count is the steady state
            if args.memory:
                tracemalloc.start()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t0) * 1000
            peak = ""
            if args.memory:
                peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f}"
                tracemalloc.stop()
            print(f"| {label} | {who} | {len(ctx.captured_queries)} | {elapsed:.0f} | {peak} | "
                  f"{response.status_code} | {len(response.content)} |", flush=True)
            if args.verbose:
                for sql, n in Counter(shape(q["sql"]) for q in ctx.captured_queries).most_common(3):
                    print(f"|   {n} x | {sql[:160]} | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
