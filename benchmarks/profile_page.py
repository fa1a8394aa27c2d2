"""Profile one page in-process (cProfile) to see where its time goes before optimising it.

    .venv/bin/python benchmarks/profile_page.py "/registry/organizations/?kind=startup&q=فناوری"
    .venv/bin/python benchmarks/profile_page.py /api/registry/organizations/ --requests 20 --sort tottime

Runs against the benchmark database (load_data.py) with DEBUG off, as an anonymous visitor.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from urllib.parse import quote

from _common import setup_django


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--time-only", action="store_true", help="no profiler: median time per request")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-secret-key-not-for-production-use-0123456789")
    # Measure rendering, not the anonymous page cache (core.page_cache) serving a stored copy.
    os.environ.setdefault("KHOOSHE_PAGE_CACHE_SECONDS", "0")
    setup_django()
    from django.test import Client

    url = quote(args.url, safe="/?&=%")
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get(url)
    print(f"{url}: HTTP {response.status_code}, {len(response.content)} bytes")
    if args.time_only:
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"median {times[len(times) // 2]:.1f} ms, min {times[0]:.1f} ms per request ({args.requests} requests)")
        return 0
    t0 = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(url)
    profiler.disable()
    print(f"{(time.perf_counter() - t0) / args.requests * 1000:.1f} ms per request (profiled)")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
