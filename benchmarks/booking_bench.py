"""Bookings on PostgreSQL: throughput and latency through the HTTP API, and the calendar of a big site.

    .venv/bin/python benchmarks/booking_bench.py                   # 3 runs, 8 clients x 150 bookings
    .venv/bin/python benchmarks/booking_bench.py --runs 1 --per-client 50 --calendar-runs 10

1. **Booking throughput**: 8 client threads (keep-alive HTTP, token authentication) POST
   ``/api/hubs/book/`` for non-conflicting times of 200 rooms (each inside a floor inside a building, so
   every booking writes three slots) to a gunicorn server (2 workers x 4 threads, DJANGO_DEBUG=false).
   Baseline in the same run: 8 threads insert *the same rows* (booking + its three slots, one
   transaction per booking) with plain psycopg INSERTs into the same tables, so the ratio is the cost of
   the HTTP API, the rules and the overlap check over the bare writes. Medians over the runs of bookings
   per second and of the per-request p50/p95; the server workers' peak memory (VmHWM).
2. **Calendar**: a site of 500 spaces (5 buildings x 3 floors x 32 rooms/desks) with 50,000 bookings in
   one month (inserted directly, checked by the exclusion constraint), requested from the same server by
   one client signed in as a platform admin (session cookie), in Persian: the day view and the week view,
   p50/p95 over ``--calendar-runs`` requests, interleaved with ``/hello/`` as the baseline measured in
   the same run (goal: p95 < 200 ms).

Needs PostgreSQL (DATABASE_URL; default a database of its own, created and migrated on first use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import ROOT, VENV_BIN, machine_description, setup_environment

HERE = Path(__file__).resolve().parent
os.environ.setdefault("KHOOSHE_DATA_DIR", "/tmp/khooshe-hubs-bench")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/khooshe_hubs_bench")
PORT = int(os.environ.get("KHOOSHE_BENCH_PORT", "8657"))


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup():
    env = setup_environment()
    ensure_database(os.environ["DATABASE_URL"])
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):  # the server runs DEBUG=false
        subprocess.run([str(VENV_BIN / "python"), "-m", "django", *command, "-v", "0"],
                       env={**env, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789"},
                       check=True, cwd=ROOT)
    import django

    django.setup()
    return env


# -- data ------------------------------------------------------------------------------------------------
def make_site(name: str):
    from khooshe.hubs import models as hm
    from khooshe.hubs import services
    from khooshe.registry.models import Organization, OrganizationKind

    hm.Site.objects.filter(name=name).delete()
    operator, _ = Organization.objects.get_or_create(
        name_fa="کارخانه نوآوری سنجه", defaults={"kind": OrganizationKind.INNOVATION_FACTORY})
    site = hm.Site.objects.create(name=name, operator=operator)
    services.add_default_opening_hours(site=site)
    return site


def make_tree(site, buildings: int, floors: int, rooms: int) -> list:
    """buildings x floors x rooms; returns the rooms (leaves). Paths are set as save() would."""
    from khooshe.hubs import models as hm

    leaves = []
    for b in range(buildings):
        building = hm.Space.objects.create(site=site, name=f"ساختمان {b + 1}", kind=hm.SpaceKind.BUILDING)
        for f in range(floors):
            floor = hm.Space.objects.create(site=site, parent=building, name=f"طبقه {b + 1}-{f + 1}",
                                            kind=hm.SpaceKind.FLOOR)
            for r in range(rooms):
                kind = hm.SpaceKind.MEETING_ROOM if r % 4 == 0 else hm.SpaceKind.HOT_DESK
                leaves.append(hm.Space(site=site, parent=floor, name=f"فضای {b + 1}-{f + 1}-{r + 1}", kind=kind,
                                       max_minutes=600, bookable_by=hm.Audience.PUBLIC))
    created = []
    for space in leaves:  # save() sets the materialised path
        space.save()
        created.append(space)
    return created


def open_days(site, first: dt.date, count: int) -> list[dt.date]:
    from khooshe.hubs import selectors

    hours = selectors.weekly_hours(site)
    closed = selectors.closed_dates(site, first, first + dt.timedelta(days=count * 2 + 30))
    days, day = [], first
    while len(days) < count:
        if day.weekday() in hours and day not in closed:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# -- 1. booking throughput --------------------------------------------------------------------------------
def start_server(env: dict, log: Path) -> subprocess.Popen:
    import urllib.request

    env = {**env, "DJANGO_DEBUG": "false", "KHOOSHE_LOG_LEVEL": "ERROR", "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p),
           "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY", "benchmark-secret-key-not-for-production-0123456789"),
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    cmd = [str(VENV_BIN / "gunicorn"), "khooshe.config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2",
           "--threads", "4", "--worker-class", "gthread", "--error-logfile", str(log), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/hello/", timeout=2).read()
            time.sleep(1.0)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_peak_mib(master: int) -> float:
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return total


def jobs_for(rooms, days, clients: int, per_client: int, tz) -> list[list[tuple]]:
    """(room id, start, end) per client, all different rooms or hours: no two conflict."""
    slots = [(room.pk, dt.datetime.combine(day, dt.time(8 + 2 * h), tzinfo=tz))
             for day in days for h in range(6) for room in rooms]
    need = clients * per_client
    if len(slots) < need:
        raise SystemExit(f"not enough free slots ({len(slots)}) for {need} bookings")
    chosen = slots[:need]
    return [[(pk, start, start + dt.timedelta(hours=1)) for pk, start in chosen[c::clients]]
            for c in range(clients)]


def run_clients(jobs, token: str) -> tuple[float, list[float], list[int]]:
    latencies, statuses, lock = [], [], threading.Lock()
    gate = threading.Barrier(len(jobs) + 1)

    def client(work):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        mine_lat, mine_st = [], []
        gate.wait()
        for pk, start, end in work:
            body = json.dumps({"space": pk, "start": start.isoformat(), "end": end.isoformat()})
            t0 = time.perf_counter()
            conn.request("POST", "/api/hubs/book/", body, headers)
            response = conn.getresponse()
            response.read()
            mine_lat.append(time.perf_counter() - t0)
            mine_st.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine_lat)
            statuses.extend(mine_st)

    threads = [threading.Thread(target=client, args=(w,)) for w in jobs]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, statuses


def run_plain_inserts(jobs, user_id: int, paths: dict[int, list[int]]) -> tuple[float, list[float]]:
    """The same rows with plain INSERTs (booking + one slot per space on the path), one transaction each."""
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    latencies, lock = [], threading.Lock()
    gate = threading.Barrier(len(jobs) + 1)

    def client(work):
        mine = []
        with psycopg.connect(url) as conn:
            gate.wait()
            for pk, start, end in work:
                t0 = time.perf_counter()
                with conn.transaction():
                    booking_id = conn.execute(
                        "INSERT INTO hubs_booking (space_id, booked_by_id, title, start, \"end\", blocked_until, "
                        "status, price, credits, cancellation_fee, note, created_at, updated_at) VALUES "
                        "(%s, %s, '', %s, %s, %s, 'confirmed', 0, 0, 0, '', now(), now()) RETURNING id",
                        [pk, user_id, start, end, end]).fetchone()[0]
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO hubs_bookingslot (booking_id, space_id, start, blocked_until, tag, active) "
                            "VALUES (%s, %s, %s, %s, %s, true)",
                            [(booking_id, sp, start, end, None if sp == pk else booking_id) for sp in paths[pk]])
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(w,)) for w in jobs]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies


def clear_bookings(site) -> None:
    from khooshe.hubs import models as hm

    hm.Booking.objects.filter(space__site=site).delete()


def throughput(server, runs: int, clients: int, per_client: int) -> dict:
    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    site = make_site("سنجه نرخ رزرو")
    rooms = make_tree(site, 2, 2, 50)  # 200 rooms, each with floor and building: three slots per booking
    paths = {room.pk: room.path_ids for room in rooms}
    user, _ = get_user_model().objects.get_or_create(username="bench-hub-admin",
                                                      defaults={"is_superuser": True, "is_staff": True})
    token, _ = Token.objects.get_or_create(user=user)
    days = open_days(site, dt.date.today() + dt.timedelta(days=2), 3)
    jobs = jobs_for(rooms, days, clients, per_client, site.tzinfo)
    api, base = [], []
    try:
        for run in range(runs):
            clear_bookings(site)
            elapsed, lat, statuses = run_clients(jobs, token.key)
            bad = [s for s in statuses if s != 201]
            if bad:
                raise SystemExit(f"run {run + 1}: {len(bad)} requests were not 201 (e.g. {bad[:5]})")
            api.append((len(lat) / elapsed, pct(lat, 50), pct(lat, 95)))
            clear_bookings(site)
            elapsed, lat = run_plain_inserts(jobs, user.pk, paths)
            base.append((len(lat) / elapsed, pct(lat, 50), pct(lat, 95)))
            print(f"  run {run + 1}: API {api[-1][0]:.0f}/s p95 {api[-1][2] * 1000:.1f} ms; "
                  f"plain INSERT {base[-1][0]:.0f}/s p95 {base[-1][2] * 1000:.1f} ms", flush=True)
    finally:
        clear_bookings(site)
        LogEntry.objects.filter(actor=user).delete()
    med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
    return {"bookings": clients * per_client, "api_rate": med(api, 0), "api_p50": med(api, 1),
            "api_p95": med(api, 2), "base_rate": med(base, 0), "base_p50": med(base, 1), "base_p95": med(base, 2)}


# -- 2. calendar of a big site -------------------------------------------------------------------------------
def fill_calendar_site(total: int = 50_000):
    from django.db import transaction

    from khooshe.hubs import models as hm

    site = hm.Site.objects.filter(name="سنجه تقویم").first()
    if site is not None and hm.Booking.objects.filter(space__site=site).count() == total:
        return site
    site = make_site("سنجه تقویم")
    leaves = make_tree(site, 5, 3, 32)  # 5 + 15 + 480 = 500 spaces
    first = dt.date.today().replace(day=1) + dt.timedelta(days=32)
    first = first.replace(day=1)  # next month
    days = open_days(site, first, 31)
    days = [d for d in days if d.month == first.month]
    user = hm.Booking._meta.get_field("booked_by").related_model.objects.filter(is_superuser=True).first()
    if user is None:
        user = hm.Booking._meta.get_field("booked_by").related_model.objects.create(
            username="bench-hub-cal", is_superuser=True)
    tz = site.tzinfo
    per_day_slots = [(8 + 2 * h) for h in range(6)]  # 08-10, 10-12, ..., 18-20
    cells = [(space, day, hour) for day in days for hour in per_day_slots for space in leaves]
    step = len(cells) / total
    chosen = [cells[int(i * step)] for i in range(total)]
    with transaction.atomic():
        bookings = [hm.Booking(space=space, booked_by=user, title=f"رزرو {i}", start=dt.datetime.combine(
            day, dt.time(hour), tzinfo=tz), end=dt.datetime.combine(day, dt.time(hour + 1, 30), tzinfo=tz),
            blocked_until=dt.datetime.combine(day, dt.time(hour + 1, 30), tzinfo=tz))
            for i, (space, day, hour) in enumerate(chosen)]
        hm.Booking.objects.bulk_create(bookings, batch_size=5000)
        slots = [hm.BookingSlot(booking=b, space_id=pk, start=b.start, blocked_until=b.blocked_until,
                                tag=None if pk == b.space_id else b.pk)
                 for b in bookings for pk in b.space.path_ids]
        hm.BookingSlot.objects.bulk_create(slots, batch_size=10000)  # the exclusion constraint checks them
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("ANALYZE hubs_booking; ANALYZE hubs_bookingslot; ANALYZE hubs_space")
    return site


def calendar(runs: int) -> dict:
    """The day and week calendar of the big site through the server, signed in as a platform admin (a
    session cookie), Persian UI; ``/hello/`` interleaved as the baseline."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from khooshe.hubs import models as hm

    site = fill_calendar_site()
    month_first = hm.Booking.objects.filter(space__site=site).order_by("start").first().start.date()
    busiest = month_first + dt.timedelta(days=7)
    while busiest.weekday() == 4:
        busiest += dt.timedelta(days=1)
    admin, _ = get_user_model().objects.get_or_create(username="bench-hub-admin",
                                                       defaults={"is_superuser": True, "is_staff": True})
    login = Client()
    login.force_login(admin)  # a session in the database, used by the server through its cookie
    cookie = f"{settings.SESSION_COOKIE_NAME}={login.cookies[settings.SESSION_COOKIE_NAME].value}; django_language=fa"
    urls = {"hello": "/hello/",
            "day": f"/hubs/sites/{site.pk}/calendar/?date={busiest.isoformat()}",
            "week": f"/hubs/sites/{site.pk}/calendar/?view=week&date={busiest.isoformat()}"}
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Cookie": cookie, "Accept-Language": "fa"}

    def get(url) -> tuple[int, bytes]:
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    counts, sizes = {}, {}
    for name, url in urls.items():  # warm-up and a check
        status, body = get(url)
        assert status == 200, (name, status)
        counts[name] = body.count(b"data-booking=")
        sizes[name] = len(body)
    times = {k: [] for k in urls}
    for _ in range(runs):
        for name, url in urls.items():  # interleaved, so noise falls on all alike
            t0 = time.perf_counter()
            get(url)
            times[name].append(time.perf_counter() - t0)
    conn.close()
    bookings = hm.Booking.objects.filter(space__site=site).count()
    spaces = hm.Space.objects.filter(site=site).count()
    return {"times": times, "counts": counts, "sizes": sizes, "bookings": bookings, "spaces": spaces}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=150)
    parser.add_argument("--calendar-runs", type=int, default=30)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-calendar", action="store_true")
    args = parser.parse_args(argv)
    env = setup()
    print(f"# booking_bench — {dt.date.today().isoformat()}\n{machine_description()}\n", flush=True)
    if not args.skip_calendar:
        fill_calendar_site()  # before the server starts (it takes a while the first time)
    log = Path(os.environ["KHOOSHE_DATA_DIR"]) / "bench-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(env, log)
    try:
        if not args.skip_throughput:
            print(f"Booking throughput: {args.clients} clients x {args.per_client} bookings, {args.runs} runs",
                  flush=True)
            r = throughput(server, args.runs, args.clients, args.per_client)
            print(f"  HTTP API    : {r['api_rate']:.0f} bookings/s, p50 {r['api_p50'] * 1000:.1f} ms, "
                  f"p95 {r['api_p95'] * 1000:.1f} ms")
            print(f"  plain INSERT: {r['base_rate']:.0f} bookings/s, p50 {r['base_p50'] * 1000:.1f} ms, "
                  f"p95 {r['base_p95'] * 1000:.1f} ms")
            print(f"  ratio       : throughput {r['api_rate'] / r['base_rate']:.3f} of plain inserts; "
                  f"p95 {r['api_p95'] / r['base_p95']:.1f}x\n", flush=True)
        if not args.skip_calendar:
            c = calendar(args.calendar_runs)
            print(f"Calendar: {c['spaces']} spaces, {c['bookings']} bookings in a month, "
                  f"{args.calendar_runs} requests each (interleaved), through the server")
            hello95 = pct(c["times"]["hello"], 95)
            for name in ("hello", "day", "week"):
                t = c["times"][name]
                shown = f", {c['counts'][name]} bookings placed" if name == "day" else ""
                print(f"  {name:5}: p50 {pct(t, 50) * 1000:7.1f} ms, p95 {pct(t, 95) * 1000:7.1f} ms, "
                      f"p95/hello {pct(t, 95) / hello95:6.1f}, {c['sizes'][name] / 1024:.0f} KiB{shown}")
    finally:
        peak = worker_peak_mib(server.pid)
        stop_server(server)
    print(f"  server workers' peak memory (VmHWM, largest worker): {peak:.0f} MiB; "
          f"benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
