"""Reads of the hubs app: opening windows, closed days, who may book, free slots, calendar grids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Func, Q
from django.utils import timezone

from khooshe.core.jalali import to_jalali
from khooshe.registry.access import access_for

from .models import (
    Audience,
    Booking,
    BookingSlot,
    ClosedDay,
    OpeningHours,
    PublicHolidayYear,
    Residency,
    Site,
    Space,
)

SLOT_STEP = dt.timedelta(minutes=15)


# -- opening hours and closed days --------------------------------------------------------------------
def closed_reason(site: Site, day: dt.date) -> str | None:
    """Why the site is closed on ``day`` (a local date), or None when it is open that day."""
    from .services import ensure_public_holidays_for

    if site.observe_public_holidays:
        ensure_public_holidays_for(day)
    condition = Q(site=site)
    if site.observe_public_holidays:
        condition |= Q(site__isnull=True)
    closed = ClosedDay.objects.filter(condition, date=day).values_list("name", flat=True).first()
    return closed


def opening_window(site: Site, day: dt.date, hours: dict | None = None,
                   closed: set | None = None) -> tuple[dt.datetime, dt.datetime] | None:
    """The aware (opens, closes) of a local date, or None when the site is closed that day.

    ``hours`` (weekday -> (opens, closes)) and ``closed`` (a set of closed dates) may be passed in when
    many days are looked at, to read them once.
    """
    if hours is None:
        hours = weekly_hours(site)
    window = hours.get(day.weekday())
    if window is None:
        return None
    if closed is not None:
        if day in closed:
            return None
    elif closed_reason(site, day):
        return None
    tz = site.tzinfo
    return (dt.datetime.combine(day, window[0], tzinfo=tz), dt.datetime.combine(day, window[1], tzinfo=tz))


def weekly_hours(site: Site) -> dict[int, tuple[dt.time, dt.time]]:
    rows = OpeningHours.objects.filter(site=site).order_by().values_list("weekday", "opens", "closes")
    return {w: (o, c) for w, o, c in rows}


def closed_dates(site: Site, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    from .services import ensure_public_holidays_for

    condition = Q(site=site)
    if site.observe_public_holidays:
        ensure_public_holidays_for(first)
        if to_jalali(last).year != to_jalali(first).year:
            ensure_public_holidays_for(last)
        condition |= Q(site__isnull=True)
    return dict(ClosedDay.objects.filter(condition, date__gte=first, date__lte=last).values_list("date", "name"))


def public_holiday_years() -> set[int]:
    return set(PublicHolidayYear.objects.values_list("jalali_year", flat=True))


# -- who may book -----------------------------------------------------------------------------------
def is_site_staff(user, site: Site) -> bool:
    acc = access_for(user)
    return acc.is_admin or site.operator_id in acc.hub_ids


def resident_organization_ids(site_ids, on: dt.date) -> set[int]:
    return set(Residency.objects.filter(site_id__in=site_ids, start_date__lte=on)
               .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).values_list("organization_id", flat=True))


def may_book(user, space: Space, on: dt.date | None = None) -> bool:
    """Whether ``user`` may book ``space`` under its "who may book" rule (staff may book every space)."""
    if not user.is_authenticated:
        return False
    site = space.site
    if is_site_staff(user, site):
        return True
    audience = space.bookable_by
    if audience == Audience.STAFF:
        return False
    if audience == Audience.PUBLIC:
        return True
    acc = access_for(user)
    on = on or timezone.localdate()
    own = set(acc.organization_ids)
    if own & resident_organization_ids([site.pk], on):
        return True
    if audience == Audience.LINKED:
        from khooshe.hubs.network.selectors import guest_may_book

        ruled = guest_may_book(user, space, on)  # the site's link rules decide when they cover the user
        if ruled is not None:
            return ruled
        linked = set(site.linked_hubs.values_list("pk", flat=True))
        if (own | set(acc.hub_ids)) & linked:
            return True
        linked_sites = Site.objects.filter(operator__in=linked).values_list("pk", flat=True)
        if own & resident_organization_ids(list(linked_sites), on):
            return True
    return False


# -- conflicts and free slots -------------------------------------------------------------------------
def blocking_slots(space: Space, start: dt.datetime, until: dt.datetime, now: dt.datetime | None = None):
    """Active slots that a booking of ``space`` blocking [start, until) would overlap: every slot of the
    space itself (its own bookings and those of spaces inside it) and the own-booking slots of the spaces
    that contain it."""
    now = now or timezone.now()
    ancestors = [pk for pk in space.path_ids if pk != space.pk]
    return (BookingSlot.objects.filter(active=True, start__lt=until, blocked_until__gt=start)
            .filter(Q(space_id=space.pk) | Q(space_id__in=ancestors, tag__isnull=True))
            .filter(Q(booking__status=Booking.Status.CONFIRMED) | Q(booking__hold_expires_at__gt=now)))


def _ceil(moment: dt.datetime, step: dt.timedelta = SLOT_STEP) -> dt.datetime:
    base = moment.replace(minute=0, second=0, microsecond=0)
    while base < moment:
        base += step
    return base


@dataclass(frozen=True)
class FreeSlot:
    start: dt.datetime
    end: dt.datetime


def next_free_slots(space: Space, duration: dt.timedelta, after: dt.datetime, count: int = 3, days: int = 14,
                    now: dt.datetime | None = None) -> list[FreeSlot]:
    """The first ``count`` start times at or after ``after`` when ``space`` is free for ``duration``
    (opening hours, closed days, lead time and buffer respected), on a 15-minute grid, within ``days``."""
    now = now or timezone.now()
    site = space.site
    tz = site.tzinfo
    earliest = max(after, now + dt.timedelta(minutes=space.lead_minutes))
    first_day = earliest.astimezone(tz).date()
    last_day = first_day + dt.timedelta(days=days)
    hours = weekly_hours(site)
    closed = set(closed_dates(site, first_day, last_day))
    horizon = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    busy = sorted(blocking_slots(space, earliest, horizon, now).values_list("start", "blocked_until"))
    buffer = space.buffer
    found: list[FreeSlot] = []
    day = first_day
    while day <= last_day and len(found) < count:
        window = opening_window(site, day, hours, closed)
        if window is not None:
            t = _ceil(max(window[0], earliest).astimezone(tz))
            for busy_start, busy_until in busy + [(horizon, horizon)]:
                if len(found) >= count or t + duration > window[1]:
                    break
                if busy_until <= t:
                    continue
                while len(found) < count and t + duration + buffer <= busy_start and t + duration <= window[1]:
                    found.append(FreeSlot(t, t + duration))
                    t = _ceil(t + duration + buffer)
                t = _ceil(max(t, busy_until).astimezone(tz))
        day += dt.timedelta(days=1)
    return found


# -- calendars --------------------------------------------------------------------------------------------
def spaces_of_site(site: Site, within: Space | None = None):
    qs = Space.objects.filter(site=site)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


class Epoch(Func):
    """Seconds since 1970 of a datetime column, computed by the database (an integer is read much faster
    than a datetime: the week calendar of a big site reads tens of thousands)."""

    # date_part (double precision) rather than EXTRACT, which returns numeric since PostgreSQL 14: the
    # numeric conversion of every row made reading a week of a big site about 15% slower (same whole seconds).
    template = "CAST(date_part('epoch', %(expressions)s) AS bigint)"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS integer)",
                           **extra)


CALENDAR_FIELDS = ("pk", "space_id", "s", "e", "title", "status", "booked_by_id")


def calendar_bookings(site: Site, within: Space | None, first: dt.datetime, last: dt.datetime,
                      fields: tuple[str, ...] = CALENDAR_FIELDS) -> list[tuple]:
    """Active bookings of the site's spaces (those inside ``within``) that overlap [first, last), as
    tuples of ``fields`` (``s``/``e``: start and end in seconds since 1970), by start. Read with the
    database cursor: the week of a big site has tens of thousands and the fields need no conversion."""
    now = timezone.now()
    # A booking lasts at most a day (Space.max_minutes), which bounds the index range on (space, start).
    qs = Booking.objects.active(now).filter(space__site=site, start__lt=last, end__gt=first,
                                            start__gt=first - dt.timedelta(days=1))
    if within is not None:
        qs = qs.filter(space__path__startswith=within.path)
    qs = qs.order_by("start").annotate(s=Epoch("start"), e=Epoch("end")).values_list(*fields)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
