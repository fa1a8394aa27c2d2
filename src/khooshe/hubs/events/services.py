"""Writes of events: publishing (books the space), registration that never oversells, the waiting list,
cancellation with automatic move-up, check-in. Every write is keyword-only and runs in one transaction.

How the capacity is never oversold (pretix's pattern: lock late, then recount): ``register`` checks the
rules first, then, inside the transaction, takes a lock on the event — ``SELECT ... FOR UPDATE`` on the
event's row under PostgreSQL, SQLite's database write lock (an UPDATE) under SQLite — and only then
counts the confirmed registrations. Two registrations of one event are therefore serialised, and the
second one sees the first one's row. Registrations of different events never wait for each other under
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core.jalali import format_date
from khooshe.core.text import normalize

from .. import services as hub_services
from . import selectors
from .models import CODE_ALPHABET, Event, EventRegistration


class EventError(hub_services.BookingError):
    """A refusal the user can fix; ``field`` names the input at fault, ``code`` says why
    ("closed", "full", "duplicate", "audience", ...) for the API."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid"):
        super().__init__(message, field)
        self.code = code


# -- events ---------------------------------------------------------------------------------------------
def _require_staff(user, event: Event) -> None:
    if not selectors.is_event_staff(user, event):
        raise PermissionDenied(_("Only the staff of %(site)s may change this event.") % {"site": event.site})


def _book_space(*, user, event: Event) -> None:
    """Book the event's space for its time (the room is then blocked for others)."""
    try:
        event.booking = hub_services.create_booking(user=user, space=event.space, start=event.start,
                                                    end=event.end, title=event.title)
    except hub_services.BookingError as exc:
        raise EventError(exc.message, "space", "space_taken") from exc


def _release_space(*, user, event: Event) -> None:
    if event.booking_id and event.booking.status in hub_services.Booking.ACTIVE:
        hub_services.cancel_booking(user=user, booking=event.booking)
    event.booking = None


@transaction.atomic
def save_event(*, user, event: Event) -> Event:
    """Create or change an event. A published event with a space keeps a booking of that space for its
    time: a new or moved time or space cancels the old booking and books again (refused with the booking
    conflict message when the room is taken); a raised capacity moves the waiting list up."""
    _require_staff(user, event)
    event.full_clean()
    if event.pk is None:
        event.created_by = user
    else:
        _lock(event)
        confirmed = _confirmed_count(event)
        if event.capacity < confirmed:
            raise EventError(_("%(n)s registrations are confirmed: the capacity cannot be lower. Cancel "
                               "registrations first.") % {"n": confirmed}, "capacity", "capacity")
    if event.status == Event.Status.PUBLISHED and event.space_id:
        booked = event.booking
        if booked is None or booked.status not in hub_services.Booking.ACTIVE or (
                booked.space_id, booked.start, booked.end) != (event.space_id, event.start, event.end):
            _release_space(user=user, event=event)
            _book_space(user=user, event=event)
    elif event.booking_id:
        _release_space(user=user, event=event)
    event.save()
    if event.status == Event.Status.PUBLISHED:
        _promote(event)
    return event


def publish_event(*, user, event: Event) -> Event:
    """Publish a draft: it appears in the event list and registration opens; its space is booked."""
    event.status = Event.Status.PUBLISHED
    return save_event(user=user, event=event)


@transaction.atomic
def cancel_event(*, user, event: Event) -> Event:
    """Cancel an event: its booking is released; registrations stay for the record."""
    _require_staff(user, event)
    event = Event.objects.select_related("booking", "site").get(pk=event.pk)
    _release_space(user=user, event=event)
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status", "booking", "updated_at"])
    return event


@transaction.atomic
def delete_events(*, user, objects, config) -> int:
    """The generic delete: the rooms booked for the events are released first (all or none)."""
    from khooshe.core.services import delete_objects

    objects = list(objects)
    for event in objects:
        if selectors.is_event_staff(user, event) and event.booking_id:
            _release_space(user=user, event=event)
    return delete_objects(user=user, objects=objects, config=config)


def save_event_from_form(*, user, form, config) -> Event:
    """The generic form's save: through ``save_event``; a refusal becomes the form's error."""
    event = form.save(commit=False)
    try:
        return save_event(user=user, event=event)
    except EventError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        raise PermissionDenied(_("The event was not saved; see the message above.")) from exc


# -- registration -------------------------------------------------------------------------------------------
def _lock(event: Event) -> None:
    """Serialise the registrations of one event (see the module docstring)."""
    if connection.vendor == "sqlite":
        Event.objects.filter(pk=event.pk).update(capacity=F("capacity"))
    else:
        list(Event.objects.select_for_update().filter(pk=event.pk).values_list("pk"))


def _confirmed_count(event: Event) -> int:
    return EventRegistration.objects.filter(event_id=event.pk, status=EventRegistration.Status.CONFIRMED).count()


def _check_can_register(*, event: Event, user, now: dt.datetime) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise EventError(_("Registration for “%(event)s” is closed: the event is %(status)s.")
                         % {"event": event, "status": event.get_status_display()}, None, "closed")
    opens, closes = selectors.registration_window(event)
    if opens is not None and now < opens:
        raise EventError(_("Registration for “%(event)s” opens on %(when)s.")
                         % {"event": event, "when": format_date(opens)}, None, "closed")
    if now >= closes:
        raise EventError(_("Registration for “%(event)s” closed on %(when)s.")
                         % {"event": event, "when": format_date(closes)}, None, "closed")
    if not selectors.may_attend(user, event):
        if not user.is_authenticated:
            raise EventError(_("“%(event)s” is open to members only: sign in to register.")
                             % {"event": event}, None, "audience")
        raise EventError(_("“%(event)s” is open to %(audience)s; you are not among them.")
                         % {"event": event, "audience": event.get_audience_display()}, None, "audience")


def register(*, event: Event, user=None, name: str = "", email: str = "",
             now: dt.datetime | None = None) -> EventRegistration:
    """Register for ``event``: a signed-in ``user`` for themselves, or the public with ``name`` and
    ``email``. Confirmed while seats are left, else on the waiting list (or refused as full when the
    event has no waiting list). One active registration per account and per email address."""
    from django.contrib.auth.models import AnonymousUser

    now = now or timezone.now()
    user = user if user is not None else AnonymousUser()
    event = Event.objects.select_related("site").get(pk=event.pk)
    _check_can_register(event=event, user=user, now=now)
    if user.is_authenticated:
        name = normalize(name) or user.get_full_name() or user.get_username()
        email = (email or user.email or "").strip().lower()
    else:
        name, email = normalize(name), (email or "").strip().lower()
        if not name:
            raise EventError(_("Enter your name."), "name")
        if not email:
            raise EventError(_("Enter your email address: the check-in code is sent to it."), "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise EventError(_("“%(value)s” is not a valid email address; check it and try again.")
                             % {"value": email}, "email") from None
    try:
        with transaction.atomic():
            _lock(event)  # late: after every check that needs no lock
            active = event.registrations.exclude(status=EventRegistration.Status.CANCELLED)
            if user.is_authenticated and active.filter(user=user).exists():
                raise EventError(_("You are already registered for “%(event)s”.") % {"event": event},
                                 None, "duplicate")
            if email and active.filter(email=email).exists():
                raise EventError(_("%(email)s is already registered for “%(event)s”.")
                                 % {"email": email, "event": event}, "email", "duplicate")
            if _confirmed_count(event) < event.capacity:
                status = EventRegistration.Status.CONFIRMED
            elif event.waiting_list:
                status = EventRegistration.Status.WAITLISTED
            else:
                raise EventError(_("“%(event)s” is full (%(n)s seats) and has no waiting list.")
                                 % {"event": event, "n": event.capacity}, None, "full")
            registration = EventRegistration.objects.create(
                event=event, user=user if user.is_authenticated else None, name=name[:200], email=email,
                status=status)
            if email and not user.is_authenticated:
                transaction.on_commit(lambda: _mail_registration(registration))
    except IntegrityError:  # the unique constraints, should a check above ever be bypassed
        raise EventError(_("This person is already registered for “%(event)s”.") % {"event": event},
                         "email", "duplicate") from None
    return registration


def _mail_registration(registration: EventRegistration) -> None:
    event = registration.event
    if registration.status == EventRegistration.Status.CONFIRMED:
        subject = _("Your place at “%(event)s”") % {"event": event}
        body = _("You are registered for “%(event)s” on %(when)s. Your check-in code: %(code)s") % {
            "event": event, "when": format_date(event.start), "code": registration.code}
    else:
        subject = _("On the waiting list of “%(event)s”") % {"event": event}
        body = _("“%(event)s” is full; you are on its waiting list and will be told when a seat frees up. "
                 "Your code: %(code)s") % {"event": event, "code": registration.code}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [registration.email], fail_silently=True)


def _notify_promoted(registration: EventRegistration) -> None:
    """Tell a person who moved up from the waiting list: in the app when they have an account, else by
    email (sent through Django's configured email backend after the commit)."""
    event = registration.event
    text = _("A seat at “%(event)s” freed up: your registration is now confirmed (code %(code)s).") % {
        "event": event, "code": registration.code}
    if registration.user_id:
        from khooshe.matching.models import Notification

        Notification.objects.create(user_id=registration.user_id, verb=text[:300], url=event.get_absolute_url())
    if registration.email and not registration.user_id:
        transaction.on_commit(lambda: send_mail(
            _("Your place at “%(event)s” is confirmed") % {"event": event}, text, settings.DEFAULT_FROM_EMAIL,
            [registration.email], fail_silently=True))


def _promote(event: Event, now: dt.datetime | None = None) -> list[EventRegistration]:
    """Move the first of the waiting list up while seats are free (the caller holds the event's lock)."""
    free = event.capacity - _confirmed_count(event)
    if free <= 0:
        return []
    moved = list(selectors.waiting_list(event)[:free])
    now = now or timezone.now()
    for registration in moved:
        registration.status = EventRegistration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        _notify_promoted(registration)
    return moved


def may_cancel(user, registration: EventRegistration, code: str | None = None) -> bool:
    """The registrant (signed in), the event's staff, or whoever holds the registration's code."""
    if code is not None and code == registration.code:
        return True
    if user.is_authenticated and registration.user_id == user.pk:
        return True
    return selectors.is_event_staff(user, registration.event)


@transaction.atomic
def cancel_registration(*, user, registration: EventRegistration, code: str | None = None,
                        now: dt.datetime | None = None) -> EventRegistration:
    """Cancel a registration; when it held a seat, the first of the waiting list moves up at once (in
    this transaction) and is notified."""
    now = now or timezone.now()
    registration = EventRegistration.objects.select_related("event__site").get(pk=registration.pk)
    if not may_cancel(user, registration, code):
        raise PermissionDenied(_("You may not cancel this registration."))
    event = registration.event
    _lock(event)
    registration.refresh_from_db(fields=["status", "checked_in_at"])
    if registration.status == EventRegistration.Status.CANCELLED:
        raise EventError(_("This registration is already cancelled."), None, "cancelled")
    if registration.checked_in_at is not None:
        raise EventError(_("%(name)s has already checked in; the registration cannot be cancelled.")
                         % {"name": registration.name}, None, "checked_in")
    registration.status = EventRegistration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    if event.status == Event.Status.PUBLISHED:
        _promote(event, now)
    return registration


def normalize_code(code: str) -> str:
    """Codes are typed from paper or a phone: ignore case, spaces and dashes, read Persian digits."""
    return "".join(c for c in normalize(code or "").upper() if c in CODE_ALPHABET or c.isdigit())


@transaction.atomic
def check_in(*, user, event: Event, code: str, now: dt.datetime | None = None) -> EventRegistration:
    """Check the holder of ``code`` in at ``event`` (staff only); a second check-in is refused with the
    time of the first."""
    _require_staff(user, event)
    now = now or timezone.now()
    clean = normalize_code(code)
    if not clean:
        raise EventError(_("Enter the check-in code."), "code", "invalid")
    registration = (EventRegistration.objects.select_for_update().filter(event=event, code=clean).first())
    if registration is None:
        raise EventError(_("No registration for “%(event)s” has the code %(code)s; check the code.")
                         % {"event": event, "code": clean}, "code", "not_found")
    if registration.checked_in_at is not None:
        raise EventError(_("%(name)s (%(code)s) was already checked in at %(when)s.")
                         % {"name": registration.name, "code": clean,
                            "when": format_date(registration.checked_in_at)}, "code", "already")
    if registration.status != EventRegistration.Status.CONFIRMED:
        raise EventError(_("%(name)s (%(code)s) is %(status)s, not confirmed: do not let them in on this code.")
                         % {"name": registration.name, "code": clean,
                            "status": registration.get_status_display()}, "code", registration.status)
    registration.checked_in_at = now
    registration.checked_in_by = user
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return registration
