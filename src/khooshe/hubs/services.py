"""Writes of the hubs app: bookings (never overlapping), holds, recurring bookings, cancellation, public
holidays. Every write is keyword-only and runs in one transaction.

How a booking is made safe (pretix's pattern: lock late, then recount):

1. the rules are checked (opening hours, closed days, duration, lead time, who may book);
2. inside the transaction: under SQLite the database's write lock is taken first (an UPDATE), so no
   other writer can commit until this one is done; expired holds in the way are released; the
   overlapping active slots are counted: any -> ``BookingConflict`` with the next free slots;
3. the booking and one ``BookingSlot`` per space on its path are inserted. Under PostgreSQL the exclusion
   constraint refuses a slot that overlaps a concurrent booking committed after step 2's count; that
   refusal is turned into the same ``BookingConflict``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core.jalali import format_date, to_jalali
from khooshe.core.text import persian_digits

from . import selectors
from .holidays import public_holidays
from .models import (
    Booking,
    BookingSeries,
    BookingSlot,
    ClosedDay,
    MemberFeed,
    OpeningHours,
    PublicHolidayYear,
    Site,
    Space,
    Weekday,
    new_token,
)
from .residents.services import credit_decision, record_credit_charge

EXCLUSION_VIOLATION = "23P01"
EARLIEST, LATEST = 2000, 2099  # the years a booking may fall in (Gregorian)
DEADLOCK = "40P01"


class BookingError(Exception):
    """A booking refused for a reason the user can fix; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BookingConflict(BookingError):
    """The space (or a space containing it or inside it) is already booked at that time."""

    def __init__(self, message: str, next_free: list):
        super().__init__(message, "start")
        self.next_free = next_free


def format_time(value: dt.datetime) -> str:
    text = format_date(value)
    return text


def _sqlstate(exc: Exception) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


# -- public holidays --------------------------------------------------------------------------------
def ensure_public_holidays_for(day: dt.date) -> None:
    """Store the public holidays of the Jalali year of ``day`` once (staff may then edit them)."""
    year = to_jalali(day).year
    if not PublicHolidayYear.objects.filter(jalali_year=year).exists():
        ensure_public_holidays(jalali_year=year)


@transaction.atomic
def ensure_public_holidays(*, jalali_year: int) -> int:
    """Create the closed days of every public holiday of a Jalali year (see ``holidays``); returns how
    many were created (0 when the year was already stored)."""
    _marker, created = PublicHolidayYear.objects.get_or_create(jalali_year=jalali_year)
    if not created:
        return 0
    from django.utils.translation import get_language

    persian = (get_language() or "fa").startswith("fa")
    rows = [ClosedDay(site=None, date=h.date, name=h.name_fa if persian else h.name_en,
                      kind=ClosedDay.Kind.SOLAR if h.kind == "solar" else ClosedDay.Kind.LUNAR)
            for h in public_holidays(jalali_year)]
    ClosedDay.objects.bulk_create(rows)
    return len(rows)


# -- sites --------------------------------------------------------------------------------------------
DEFAULT_HOURS = (dt.time(8, 0), dt.time(20, 0))


def save_site(*, user, form, config) -> Site:
    """The generic form's save for a site: a new site gets opening hours Saturday to Thursday 8-20
    (Friday closed), which staff can change."""
    with transaction.atomic():
        site = form.save(commit=False)
        if not config.can_change(user, site):
            raise PermissionDenied(_("You may not save this record."))
        new = site.pk is None
        site.save()
        form.save_m2m()
        if new:
            add_default_opening_hours(site=site)
    return site


@transaction.atomic
def add_default_opening_hours(*, site: Site) -> None:
    OpeningHours.objects.bulk_create([
        OpeningHours(site=site, weekday=day, opens=DEFAULT_HOURS[0], closes=DEFAULT_HOURS[1])
        for day in Weekday.values if day != Weekday.FRIDAY
    ], ignore_conflicts=True)


# -- bookings -----------------------------------------------------------------------------------------
def _aware(value: dt.datetime, site: Site) -> dt.datetime:
    if timezone.is_naive(value):
        return value.replace(tzinfo=site.tzinfo)
    return value


def check_booking_rules(*, user, space: Space, start: dt.datetime, end: dt.datetime,
                        now: dt.datetime) -> None:
    """Raise ``BookingError`` naming the field when the booking breaks a rule of the space or site."""
    site = space.site
    staff = selectors.is_site_staff(user, site)
    if not space.bookable:
        raise BookingError(_("“%(space)s” cannot be booked; choose a room, desk or hall.") % {"space": space},
                           "space")
    if not selectors.may_book(user, space):
        from khooshe.hubs.network.selectors import booking_refusal

        raise BookingError(booking_refusal(user, space)
                           or _("“%(space)s” can be booked by: %(who)s. Ask the hub's staff for access.")
                           % {"space": space, "who": space.get_bookable_by_display()}, "space")
    if not (EARLIEST <= start.year and end.year <= LATEST):
        raise BookingError(_("Book a time between the years %(first)s and %(last)s.")
                           % {"first": EARLIEST, "last": LATEST}, "start")
    if end <= start:
        raise BookingError(_("The end time must be after the start time."), "end")
    minutes = (end - start).total_seconds() / 60
    if minutes < space.min_minutes:
        raise BookingError(_("“%(space)s” is booked for at least %(n)s minutes.")
                           % {"space": space, "n": persian_digits(space.min_minutes)}, "end")
    if minutes > space.max_minutes:
        raise BookingError(_("“%(space)s” is booked for at most %(n)s minutes at a time.")
                           % {"space": space, "n": persian_digits(space.max_minutes)}, "end")
    if start < now and not staff:
        raise BookingError(_("The start time %(start)s has already passed.") % {"start": format_time(start)},
                           "start")
    if not staff and start < now + dt.timedelta(minutes=space.lead_minutes):
        raise BookingError(_("“%(space)s” must be booked at least %(n)s minutes ahead.")
                           % {"space": space, "n": persian_digits(space.lead_minutes)}, "start")
    if not staff and start > now + dt.timedelta(days=space.horizon_days):
        raise BookingError(_("“%(space)s” can be booked at most %(n)s days ahead.")
                           % {"space": space, "n": persian_digits(space.horizon_days)}, "start")
    local_start = start.astimezone(site.tzinfo)
    local_end = end.astimezone(site.tzinfo)
    day = local_start.date()
    reason = selectors.closed_reason(site, day)
    if reason:
        raise BookingError(_("%(site)s is closed on %(day)s (%(reason)s); choose another day.")
                           % {"site": site, "day": format_date(day), "reason": reason}, "start")
    window = selectors.opening_window(site, day, closed=set())
    if window is None:
        raise BookingError(_("%(site)s is closed on %(weekday)s; choose another day.")
                           % {"site": site, "weekday": Weekday(day.weekday()).label}, "start")
    if local_start < window[0] or local_end > window[1]:
        raise BookingError(_("%(site)s is open from %(opens)s to %(closes)s that day; book within these hours.")
                           % {"site": site, "opens": persian_digits(f"{window[0]:%H:%M}"),
                              "closes": persian_digits(f"{window[1]:%H:%M}")}, "start")


def _write_lock(space: Space) -> None:
    """Under SQLite take the database's write lock now, before the overlap count (a deferred transaction
    would read an old snapshot and fail to upgrade). PostgreSQL needs no lock: its exclusion constraint
    refuses the overlapping row of a concurrent transaction."""
    if connection.vendor == "sqlite":
        Space.objects.filter(pk=space.path_ids[0] if space.path_ids else space.pk).update(depth=F("depth"))


def conflict_for(space: Space, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> BookingConflict:
    suggestions = selectors.next_free_slots(space, end - start, start, now=now)
    message = _("“%(space)s” is not free from %(start)s to %(end)s: it overlaps another booking of this space "
                "or of a space that contains it or is inside it.") % {
        "space": space, "start": format_time(start), "end": format_time(end)}
    if suggestions:
        message += " " + _("Next free times: %(times)s.") % {
            "times": "، ".join(f"{format_time(s.start)}–{persian_digits(f'{timezone.localtime(s.end):%H:%M}')}"
                              for s in suggestions)}
    else:
        message += " " + _("No free time of this length in the next two weeks.")
    return BookingConflict(message, suggestions)


def _count_conflicts(space: Space, start: dt.datetime, until: dt.datetime, now: dt.datetime) -> int:
    """The active bookings in the way (one query); expired holds among them are released first."""
    rows = list(BookingSlot.objects.filter(active=True, start__lt=until, blocked_until__gt=start)
                .filter(Q(space_id=space.pk) | Q(space_id__in=space.path_ids[:-1], tag__isnull=True))
                .values_list("booking_id", "booking__status", "booking__hold_expires_at"))
    stale = {pk for pk, status, expires in rows if status == Booking.Status.HELD and expires <= now}
    if stale:
        Booking.objects.filter(pk__in=stale, status=Booking.Status.HELD).update(status=Booking.Status.EXPIRED)
        BookingSlot.objects.filter(booking_id__in=stale).update(active=False)
    return len({pk for pk, _status, _expires in rows if pk not in stale})


def create_booking(*, user, space: Space, start: dt.datetime, end: dt.datetime, title: str = "",
                   organization=None, hold: bool = False, note: str = "", series: BookingSeries | None = None,
                   now: dt.datetime | None = None) -> Booking:
    """Book ``space`` from ``start`` to ``end`` for ``user`` (a hold when ``hold``: it expires unless
    confirmed). Raises ``BookingError`` (a rule) or ``BookingConflict`` (taken, with the next free slots)."""
    now = now or timezone.now()
    if not Space.site.is_cached(space):
        space = Space.objects.select_related("site").get(pk=space.pk)
    start, end = _aware(start, space.site), _aware(end, space.site)
    check_booking_rules(user=user, space=space, start=start, end=end, now=now)
    if organization is not None and not selectors.is_site_staff(user, space.site):
        from khooshe.registry.access import access_for

        if organization.pk not in access_for(user).editable_organization_ids():
            raise BookingError(_("You may book only for an organization you belong to."), "organization")
    blocked_until = end + space.buffer
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    from khooshe.hubs.network.selectors import booking_price_factor

    hours *= booking_price_factor(user, space)  # a guest from a linked house pays under the house's rule
    for attempt in range(3):
        try:
            # Outermost: one transaction (no savepoint); inside a caller's transaction: a savepoint. A
            # refusal by the exclusion constraint rolls it back, then the conflict is described.
            with transaction.atomic():
                _write_lock(space)
                if _count_conflicts(space, start, blocked_until, now):
                    raise conflict_for(space, start, end, now)
                # A resident's room booking is paid from its month's credits when they cover it.
                payment = credit_decision(
                    user=user, space=space, organization=organization, start=start,
                    credits=(hours * space.credits_per_hour).quantize(Decimal("0.01")),
                    price=int((hours * space.price_per_hour).to_integral_value()),
                    is_staff=selectors.is_site_staff(user, space.site))
                booking = Booking.objects.create(
                    space=space, booked_by=user, organization=organization, title=title, note=note, start=start,
                    end=end, blocked_until=blocked_until, series=series,
                    status=Booking.Status.HELD if hold else Booking.Status.CONFIRMED,
                    hold_expires_at=now + dt.timedelta(minutes=space.site.hold_minutes) if hold else None,
                    price=payment.price, credits=(hours * space.credits_per_hour).quantize(Decimal("0.01")))
                record_credit_charge(booking=booking, decision=payment)
                BookingSlot.objects.bulk_create([
                    BookingSlot(booking=booking, space_id=pk, start=start, blocked_until=blocked_until,
                                tag=None if pk == space.pk else booking.pk) for pk in space.path_ids])
            return booking
        except IntegrityError as exc:
            if _sqlstate(exc) != EXCLUSION_VIOLATION:
                raise
            raise conflict_for(space, start, end, now) from None
        except DatabaseError as exc:
            if _sqlstate(exc) != DEADLOCK or attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def create_recurring_booking(*, user, space: Space, start: dt.datetime, end: dt.datetime,
                             frequency: str, count: int, skip_conflicts: bool = False, title: str = "",
                             organization=None, note: str = "", now: dt.datetime | None = None
                             ) -> tuple[BookingSeries, list[Booking], list[tuple[dt.date, str]]]:
    """Book ``count`` occurrences (daily or weekly) as stored bookings of one series. An occurrence that
    conflicts or falls on a closed day refuses the whole series, or is skipped (and listed) when
    ``skip_conflicts``. Returns (series, bookings, skipped (date, reason))."""
    if frequency not in BookingSeries.Frequency.values:
        raise BookingError(_("Choose how the booking repeats: every day or every week."), "frequency")
    if not 1 <= count <= 200:
        raise BookingError(_("A recurring booking has 1 to 200 occurrences, not %(n)s.") % {"n": count}, "count")
    space = Space.objects.select_related("site").get(pk=space.pk)
    start, end = _aware(start, space.site), _aware(end, space.site)
    tz = space.site.tzinfo
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    for k in range(count):  # the holidays of every year the series touches, before the write lock
        step = dt.timedelta(days=k if frequency == BookingSeries.Frequency.DAILY else 7 * k)
        selectors.closed_reason(space.site, (local_start + step).date())
    _write_lock(space)
    series = BookingSeries.objects.create(space=space, booked_by=user, frequency=frequency, count=count)
    bookings, skipped = [], []
    for k in range(count):
        step = dt.timedelta(days=k if frequency == BookingSeries.Frequency.DAILY else 7 * k)
        occ_start = (local_start.replace(tzinfo=None) + step).replace(tzinfo=tz)
        occ_end = (local_end.replace(tzinfo=None) + step).replace(tzinfo=tz)
        try:
            bookings.append(create_booking(user=user, space=space, start=occ_start, end=occ_end, title=title,
                                           organization=organization, note=note, series=series, now=now))
        except BookingError as exc:
            if not skip_conflicts:
                raise BookingError(_("Occurrence of %(day)s: %(reason)s")
                                   % {"day": format_date(occ_start.date()), "reason": exc.message}, exc.field) from exc
            skipped.append((occ_start.date(), exc.message))
    if not bookings:
        raise BookingError(_("No occurrence could be booked: %(reason)s") % {"reason": skipped[0][1]}, "start")
    series.skipped = [{"date": d.isoformat(), "reason": r} for d, r in skipped]
    series.save(update_fields=["skipped", "updated_at"])
    return series, bookings, skipped


@transaction.atomic
def confirm_booking(*, user, booking: Booking, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("space__site").get(pk=booking.pk)
    if not booking.is_editable_by(user):
        raise PermissionDenied(_("You may not change this booking."))
    if booking.status == Booking.Status.CONFIRMED:
        return booking
    if booking.status != Booking.Status.HELD or booking.hold_expires_at <= now:
        raise BookingError(_("This hold has expired or was cancelled; book the space again."), "status")
    booking.status = Booking.Status.CONFIRMED
    booking.hold_expires_at = None
    booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
    return booking


@transaction.atomic
def cancel_booking(*, user, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking. Free until the space's ``free_cancellation_hours`` before the start; later the
    booker is charged the price as a cancellation fee (staff cancel without a fee)."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("space__site").get(pk=booking.pk)
    if not booking.is_editable_by(user):
        raise PermissionDenied(_("You may not cancel this booking."))
    if booking.status not in Booking.ACTIVE:
        raise BookingError(_("This booking is already %(status)s.") % {"status": booking.get_status_display()},
                           "status")
    staff = selectors.is_site_staff(user, booking.space.site)
    if booking.end <= now and not staff:
        raise BookingError(_("This booking has already ended; it cannot be cancelled."), "status")
    late = now > booking.start - dt.timedelta(hours=booking.space.free_cancellation_hours)
    booking.cancellation_fee = booking.price if late and not staff and booking.status == Booking.Status.CONFIRMED else 0
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at", "cancellation_fee", "updated_at"])
    BookingSlot.objects.filter(booking=booking).update(active=False)
    return booking


@transaction.atomic
def expire_holds(*, now: dt.datetime | None = None) -> int:
    """Release every hold past its expiry (also done lazily by each booking in its way)."""
    now = now or timezone.now()
    stale = list(Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
                 .values_list("pk", flat=True))
    Booking.objects.filter(pk__in=stale).update(status=Booking.Status.EXPIRED)
    BookingSlot.objects.filter(booking_id__in=stale).update(active=False)
    return len(stale)


# -- the generic UI's save for a booking -----------------------------------------------------------------
FORM_FIELDS = {"start": "start_time", "end": "end_time", "frequency": "repeat"}  # service field -> form field


def save_booking_from_form(*, user, form, config) -> Booking:
    """Create a booking from ``forms.BookingForm`` through ``create_booking`` (an edit changes the title
    and note only). A refused booking becomes the form's error (the generic view shows it)."""
    if form.instance.pk:
        with transaction.atomic():
            booking = form.save(commit=False)
            if not booking.is_editable_by(user):
                raise PermissionDenied(_("You may not change this booking."))
            booking.save(update_fields=["title", "note", "updated_at"])
            return booking
    data = form.cleaned_data
    try:
        return create_booking(user=user, space=data["space"], start=data["start"], end=data["end"],
                              title=data.get("title", ""), organization=data.get("organization"),
                              hold=data.get("hold", False), note=data.get("note", ""))
    except BookingError as exc:
        field = FORM_FIELDS.get(exc.field, exc.field)
        if field in form.fields:
            form.add_error(field, exc.message)
            raise PermissionDenied(_("The booking was not made; see the message above.")) from exc
        raise PermissionDenied(exc.message) from exc


@transaction.atomic
def renew_member_feed(*, user) -> MemberFeed:
    """Give ``user`` a new secret address for their calendar feed (the old one stops working)."""

    feed, created = MemberFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.save(update_fields=["token"])
    return feed
