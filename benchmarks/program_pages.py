"""Gantt chart and responsibility matrix of a program of 2,000 tasks: p95 latency as a ratio to the
"hello" and home pages measured in the same run (goal: p95 under 300 ms).

    .venv/bin/python benchmarks/program_pages.py                  # 5 runs x 30 requests per page
    .venv/bin/python benchmarks/program_pages.py --runs 3 --requests 20 --tasks 2000

In-process (Django's test client, DEBUG off, logged in as the program's editor so the matrix renders its
editable grid): the server-side time of each page, which is what grows with the plan. The pages are
interleaved in a rotating order, run after run, so a shared machine's noise falls on all alike; the
reported figure is the median over runs of each run's p95. Peak memory is the growth of the process's
VmHWM while rendering the big pages, and tracemalloc's peak for one request of each.

Uses its own database (``khooshe_bench_programs`` on the local PostgreSQL, created if missing) and data
folder; the program is built once and reused by later runs (``--rebuild`` to build it again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_description, median, today  # noqa: E402

os.environ.setdefault("KHOOSHE_DATA_DIR", "/tmp/khooshe-bench-programs")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/khooshe_bench_programs")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("KHOOSHE_PAGE_CACHE_SECONDS", "0")
os.environ.setdefault("KHOOSHE_LOG_LEVEL", "ERROR")

TITLE = "برنامه آزمون کارایی ۲۰۰۰ فعالیت"


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _depth(task) -> int:
    depth = 0
    while task.parent is not None:
        task, depth = task.parent, depth + 1
    return depth


def build_program(n_tasks: int, n_actors: int, rebuild: bool):
    """A program of ``n_tasks`` tasks: 20 top-level tasks, each with subtasks and sub-subtasks, siblings
    chained finish-to-start, top-level tasks chained too; ``n_actors`` actors and 2 roles per task."""
    from django.db import transaction

    from khooshe.programs import models as pm
    from khooshe.programs import services
    from khooshe.registry.models import Cluster

    existing = pm.Program.objects.filter(title_fa=TITLE).first()
    if existing and not rebuild and existing.tasks.count() == n_tasks:
        return existing
    if existing:
        existing.delete()
    rng = random.Random(7)
    start = dt.date(2025, 3, 21)
    with transaction.atomic():
        cluster = Cluster.objects.create(name_fa="خوشه آزمون کارایی", type="local", stage="formed", tech_level="low")
        program = pm.Program.objects.create(cluster=cluster, title_fa=TITLE, start_date=start,
                                            status=pm.Program.Status.ACTIVE)
        top_n, mid_n = 20, 10
        under_each = (n_tasks - top_n) // top_n
        tasks, links = [], []
        for i in range(top_n):
            day = 100 * i
            top = pm.Task(program=program, position=i + 1, title_fa=f"فعالیت اصلی {i + 1}",
                          start_date=start + dt.timedelta(days=day), end_date=start + dt.timedelta(days=day + 99))
            tasks.append(top)
            under = under_each if i < top_n - 1 else n_tasks - top_n - under_each * (top_n - 1)
            leaves = under - mid_n
            for j in range(mid_n):
                mid = pm.Task(program=program, parent=top, position=j + 1, title_fa=f"فعالیت {i + 1}-{j + 1}",
                              start_date=top.start_date + dt.timedelta(days=10 * j),
                              end_date=top.start_date + dt.timedelta(days=10 * j + 9))
                tasks.append(mid)
                for k in range(leaves // mid_n + (1 if j < leaves % mid_n else 0)):
                    leaf_day = rng.randint(0, 9)
                    leaf = pm.Task(program=program, parent=mid, position=k + 1,
                                   title_fa=f"زیرفعالیت {i + 1}-{j + 1}-{k + 1}",
                                   start_date=mid.start_date + dt.timedelta(days=leaf_day),
                                   end_date=mid.start_date + dt.timedelta(days=min(9, leaf_day + rng.randint(0, 3))),
                                   mechanism=rng.choice(["interview", "workshop", "study", ""]),
                                   percent_done=rng.randint(0, 100))
                    tasks.append(leaf)
        for t in tasks:
            t.refresh_search_text()
        for level in range(3):  # parents first: a subtask needs its parent's id
            pm.Task.objects.bulk_create([t for t in tasks if _depth(t) == level], batch_size=500)
        by_parent: dict = {}
        for t in tasks:
            by_parent.setdefault(t.parent_id, []).append(t)
        for siblings in by_parent.values():  # mids in a chain, tops in a chain
            if siblings[0].parent_id is None or siblings[0].parent.parent_id is None:
                for a, b in zip(siblings, siblings[1:], strict=False):
                    if b.start_date > a.end_date:
                        links.append(pm.TaskDependency(predecessor=a, successor=b))
        pm.TaskDependency.objects.bulk_create(links, batch_size=500)
        actors = pm.Actor.objects.bulk_create([pm.Actor(program=program, position=i + 1, name=f"بازیگر {i + 1}")
                                               for i in range(n_actors)])
        cells = []
        for t in tasks:
            a, b = rng.sample(actors, 2)
            cells += [pm.MatrixCell(task=t, actor=a, role="R"), pm.MatrixCell(task=t, actor=b, role="C")]
        pm.MatrixCell.objects.bulk_create(cells, batch_size=1000)
        services.renumber(program_id=program.pk)
    return program


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30, help="requests per page per run")
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--actors", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    ensure_database()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khooshe.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed static names
    t0 = time.perf_counter()
    program = build_program(args.tasks, args.actors, args.rebuild)
    build_s = time.perf_counter() - t0
    user, _ = get_user_model().objects.get_or_create(username="bench-programs", defaults={"is_superuser": True,
                                                                                           "is_staff": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = {
        "hello": "/hello/",
        "home": "/",
        "gantt": f"/programs/programs/{program.pk}/gantt/",
        "matrix": f"/programs/programs/{program.pk}/matrix/",
    }
    sizes = {}
    for name, url in pages.items():  # warm up, check
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        sizes[name] = len(response.content)
    rss_before = peak_rss_mib()
    alloc_peak = {}
    for name, url in pages.items():
        tracemalloc.start()
        client.get(url)
        alloc_peak[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    p95s: dict[str, list[float]] = {n: [] for n in pages}
    medians: dict[str, list[float]] = {n: [] for n in pages}
    cpu: dict[str, list[float]] = {n: [] for n in pages}  # process CPU time: less hurt by a busy machine
    names = list(pages)
    for run in range(args.runs):
        times = {n: [] for n in pages}
        cpu_times = {n: [] for n in pages}
        order = names[run % len(names):] + names[:run % len(names)]
        for _ in range(args.requests):
            for name in order:
                t, c = time.perf_counter(), time.process_time()
                client.get(pages[name])
                times[name].append((time.perf_counter() - t) * 1000)
                cpu_times[name].append((time.process_time() - c) * 1000)
        for name, values in times.items():
            values.sort()
            p95s[name].append(values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))])
            medians[name].append(values[len(values) // 2])
            cpu[name].append(median(cpu_times[name]))
    rss_after = peak_rss_mib()
    tasks = program.tasks.count()
    print(f"# Program pages, {tasks} tasks, {args.actors} actors, "
          f"{args.runs} runs x {args.requests} requests per page, in-process client ({today()})")
    print(f"machine: {machine_description()}")
    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}; program built in {build_s:.1f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':8} {'median ms':>10} {'p95 ms':>8} {'p95/hello':>10} {'p95/home':>9} {'cpu ms':>7} "
          f"{'cpu/hello':>10} {'KiB':>7} {'alloc MiB':>10}")
    base_hello, base_home = median(p95s["hello"]), median(p95s["home"])
    for name in pages:
        p95 = median(p95s[name])
        print(f"{name:8} {median(medians[name]):10.1f} {p95:8.1f} {p95 / base_hello:10.1f} {p95 / base_home:9.2f} "
              f"{median(cpu[name]):7.1f} {median(cpu[name]) / median(cpu['hello']):10.1f} "
              f"{sizes[name] / 1024:7.0f} {alloc_peak[name]:10.1f}")
    print(f"process peak RSS: {rss_after:.0f} MiB (grew {rss_after - rss_before:.0f} MiB while measuring)")
    goal = all(median(p95s[n]) < 300 for n in ("gantt", "matrix"))
    print(f"goal p95 < 300 ms for gantt and matrix: {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
