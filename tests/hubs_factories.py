"""Record makers for the hubs app's tests (plain functions, as tests/factories.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from factories import make_org, make_user, seq

from khooshe.hubs import models as hm
from khooshe.hubs import services
from khooshe.registry.models import OrganizationKind

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def make_hub(**kw):
    return make_org(kind=OrganizationKind.INNOVATION_FACTORY, **kw)


def make_site(**kw) -> hm.Site:
    n = seq()
    defaults = {"name": f"کارخانه نوآوری {n}", "address": f"خیابان آزادی {n}", "area_m2": 1000 + n}
    defaults.update(kw)
    if "operator" not in defaults:
        defaults["operator"] = make_hub()
    site = hm.Site.objects.create(**defaults)
    services.add_default_opening_hours(site=site)
    return site


def make_sites(n: int = 3) -> list[hm.Site]:
    return [make_site(area_m2=500 * (i + 1)) for i in range(n)]


def make_space(**kw) -> hm.Space:
    n = seq()
    defaults = {"name": f"اتاق جلسه {n}", "kind": hm.SpaceKind.MEETING_ROOM, "capacity": 4 + n % 5,
                "min_minutes": 30, "max_minutes": 8 * 60, "bookable_by": hm.Audience.PUBLIC}
    defaults.update(kw)
    if "site" not in defaults:
        defaults["site"] = defaults["parent"].site if defaults.get("parent") else make_site()
    return hm.Space.objects.create(**defaults)


def make_spaces(n: int = 3) -> list[hm.Space]:
    site = make_site()
    kinds = [hm.SpaceKind.MEETING_ROOM, hm.SpaceKind.STUDIO, hm.SpaceKind.LAB]
    return [make_space(site=site, name=f"فضای {seq()}", kind=kinds[i % 3], capacity=2 + i,
                       price_per_hour=1000 * (i + 1)) for i in range(n)]


def open_day(site: hm.Site | None = None, days_ahead: int = 3) -> dt.date:
    """A day at least ``days_ahead`` days from now on which the site is open (not Friday, not a holiday)."""
    from khooshe.hubs import selectors

    day = timezone.now().astimezone(TEHRAN).date() + dt.timedelta(days=days_ahead)
    while True:
        if day.weekday() != 4 and (site is None or selectors.closed_reason(site, day) is None):
            return day
        day += dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN)


def make_booking(**kw) -> hm.Booking:
    space = kw.pop("space", None) or make_space()
    day = kw.pop("day", None) or open_day(space.site)
    hour = kw.pop("hour", 10)
    user = kw.pop("user", None) or make_user(superuser=True)
    return services.create_booking(user=user, space=space, start=kw.pop("start", at(day, hour)),
                                   end=kw.pop("end", at(day, hour + 1)), **kw)


def open_days(site: hm.Site, n: int, days_ahead: int = 3) -> list[dt.date]:
    days = [open_day(site, days_ahead)]
    while len(days) < n:
        days.append(open_day(site, (days[-1] - days[0]).days + days_ahead + 1))
    return days


def make_bookings(n: int = 3) -> list[hm.Booking]:
    """``n`` bookings of one space, five a day, whose times and titles differ."""
    space = make_space()
    days = open_days(space.site, (n + 4) // 5)
    user = make_user(superuser=True)
    return [make_booking(space=space, day=days[i // 5], hour=9 + 2 * (i % 5), user=user,
                         title=f"Meeting-{seq()}-x") for i in range(n)]


def make_opening_hours(n: int = 3) -> list[hm.OpeningHours]:
    """Friday hours of ``n`` sites (a new site has Saturday to Thursday)."""
    return [hm.OpeningHours.objects.create(site=make_site(), weekday=hm.Weekday.FRIDAY, opens=dt.time(8 + i),
                                           closes=dt.time(12 + i)) for i in range(n)]


def make_residencies(n: int = 3) -> list[hm.Residency]:
    site = make_site()
    return [hm.Residency.objects.create(site=site, organization=make_org(), plan=f"Plan {seq()}",
                                        start_date=dt.date(2025, 1, 1 + i), monthly_price=100 * (i + 1))
            for i in range(n)]


def make_closed_days(n: int = 3) -> list[hm.ClosedDay]:
    site = make_site()
    return [hm.ClosedDay.objects.create(site=site, date=dt.date(2030, 1, 1 + i), name=f"Closure {seq()}")
            for i in range(n)]
