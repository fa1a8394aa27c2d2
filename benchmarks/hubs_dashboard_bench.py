"""The dashboard of a big site: 500 bookable spaces and 50,000 bookings in one month.

    .venv/bin/python benchmarks/hubs_dashboard_bench.py                 # PostgreSQL (own database)
    KHOOSHE_BENCH_SQLITE=1 .venv/bin/python benchmarks/hubs_dashboard_bench.py   # SQLite file

Measures, over ``--runs`` repetitions (p50/p95): the figures (``network.dashboards.dashboard``: occupancy
by kind and month, bookings, cancellations, revenue, credits and the other areas' panels) and the whole
page (``/hubs/sites/<id>/dashboard/`` rendered through the test client, Persian, signed in as admin).
Baseline in the same run: a plain ``COUNT(*)`` of the month's bookings of the site, i.e. the cheapest
query that touches every row the occupancy needs. Data: 500 spaces of five kinds, 50,000 bookings of
1 to 3 hours spread over the open days of next month, one in ten cancelled (inserted directly).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time

from _common import ROOT, VENV_BIN, setup_environment

if os.environ.get("KHOOSHE_BENCH_SQLITE"):
    os.environ.setdefault("KHOOSHE_DATA_DIR", "/tmp/khooshe-dashboard-bench-sqlite")
    os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['KHOOSHE_DATA_DIR']}/khooshe.sqlite3"
else:
    os.environ.setdefault("KHOOSHE_DATA_DIR", "/tmp/khooshe-dashboard-bench")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/khooshe_dashboard_bench")
SITE_NAME = "سنجه داشبورد"


def setup():
    env = setup_environment()
    os.makedirs(os.environ["KHOOSHE_DATA_DIR"], exist_ok=True)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from booking_bench import ensure_database

        ensure_database(os.environ["DATABASE_URL"])
    subprocess.run([str(VENV_BIN / "python"), "-m", "django", "migrate", "--noinput", "-v", "0"], env=env,
                   check=True, cwd=ROOT)
    import django

    django.setup()


def fill(total: int = 50_000):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from khooshe.hubs import models as hm
    from khooshe.hubs import selectors, services
    from khooshe.registry.models import Organization, OrganizationKind

    site = hm.Site.objects.filter(name=SITE_NAME).first()
    user = get_user_model().objects.filter(username="bench-dashboard").first() or \
        get_user_model().objects.create_superuser("bench-dashboard", "bench@example.org", None)
    if site is not None and hm.Booking.objects.filter(space__site=site).count() == total:
        return site, user
    hub = Organization.objects.create(kind=OrganizationKind.CREATIVE_HOUSE, name_fa="خانه سنجه", name_en="Bench")
    site = hm.Site.objects.create(name=SITE_NAME, operator=hub)
    services.add_default_opening_hours(site=site)
    kinds = [hm.SpaceKind.MEETING_ROOM, hm.SpaceKind.HOT_DESK, hm.SpaceKind.STUDIO, hm.SpaceKind.LAB,
             hm.SpaceKind.PRIVATE_OFFICE]
    spaces = [hm.Space.objects.create(site=site, name=f"فضا {i}", kind=kinds[i % 5], price_per_hour=1000,
                                      credits_per_hour=1) for i in range(500)]
    today = dt.date.today()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    days = [first + dt.timedelta(days=i) for i in range(31)]
    days = [d for d in days if d.month == first.month and selectors.opening_window(site, d) is not None]
    tz = site.tzinfo
    cells = [(space, day, hour) for day in days for hour in range(8, 20, 3) for space in spaces]
    step = len(cells) / total
    rows = []
    for i in range(total):
        space, day, hour = cells[int(i * step)]
        length = 1 + i % 3
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        end = start + dt.timedelta(hours=length)
        cancelled = i % 10 == 0
        rows.append(hm.Booking(space=space, booked_by=user, start=start, end=end, blocked_until=end,
                               price=1000 * length, credits=length,
                               status=hm.Booking.Status.CANCELLED if cancelled else hm.Booking.Status.CONFIRMED))
    with transaction.atomic():
        hm.Booking.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hubs_booking; ANALYZE hubs_space")
    return site, user


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * (len(times) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from khooshe.hubs import models as hm
    from khooshe.hubs.network import dashboards

    site, user = fill()
    month = hm.Booking.objects.filter(space__site=site).order_by("start").values_list("start", flat=True)
    first = month.first().astimezone(site.tzinfo).date().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=site.tzinfo)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=site.tzinfo)
    client = Client()
    client.force_login(user)
    url = f"/hubs/sites/{site.pk}/dashboard/?first={first.isoformat()}&last={last.isoformat()}"

    def count():
        return hm.Booking.objects.filter(space__site=site, start__gte=since, start__lt=until).count()

    def figures():
        with translation.override("fa"):
            return dashboards.dashboard([site], first, last, persian=True)

    def page():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fa")
        assert response.status_code == 200, response.status_code

    page()  # warm up (templates, holidays of the year)
    result = figures()
    base = timed(count, args.runs)
    fig = timed(figures, args.runs)
    full = timed(page, args.runs)
    print(f"database: {connection.vendor}; bookings in the month: {count()}; spaces: "
          f"{hm.Space.objects.filter(site=site).count()}; occupancy {result.total.occupancy_pct}%")
    print(f"baseline COUNT(*)      p50 {base[0]:7.1f} ms  p95 {base[1]:7.1f} ms")
    print(f"dashboard figures      p50 {fig[0]:7.1f} ms  p95 {fig[1]:7.1f} ms  (x{fig[0] / base[0]:.1f})")
    print(f"dashboard page         p50 {full[0]:7.1f} ms  p95 {full[1]:7.1f} ms  (x{full[0] / base[0]:.1f})")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    main()
