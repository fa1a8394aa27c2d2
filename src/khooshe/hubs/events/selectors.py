"""Reads of events: who may register, registration windows, counts and the figures for dashboards."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from khooshe.registry.access import access_for

from ..models import Site
from ..selectors import is_site_staff, resident_organization_ids
from .models import Event, EventAudience, EventRegistration


def resident_site_ids(user, on: dt.date | None = None) -> set[int]:
    """The sites where an organization of ``user`` has a current residency."""
    from ..models import Residency

    own = access_for(user).organization_ids
    if not own:
        return set()
    on = on or timezone.localdate()
    return set(Residency.objects.filter(organization__in=own, start_date__lte=on)
               .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).values_list("site_id", flat=True))


def member_site_ids(user, on: dt.date | None = None) -> set[int]:
    """The sites whose "members" events ``user`` may attend: the rule of ``hubs.selectors.may_book`` for
    ``Audience.LINKED`` — residents of the site, users with a role at a hub the site links to, members
    of organizations resident at a site of such a hub — plus the site's own staff."""
    acc = access_for(user)
    resident = resident_site_ids(user, on)
    hubs = set(acc.hub_ids) | set(acc.organization_ids)
    hubs |= set(Site.objects.filter(pk__in=resident).values_list("operator_id", flat=True))
    linked = set(Site.objects.filter(linked_hubs__in=hubs).values_list("pk", flat=True)) if hubs else set()
    staff = set(Site.objects.filter(operator__in=acc.hub_ids).values_list("pk", flat=True)) if acc.hub_ids else set()
    return resident | linked | staff


def is_event_staff(user, event: Event) -> bool:
    return is_site_staff(user, event.site)


def may_attend(user, event: Event) -> bool:
    """Whether ``user`` (possibly anonymous) is in the event's audience."""
    if event.audience == EventAudience.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if is_event_staff(user, event):
        return True
    on = timezone.localdate()
    if event.audience == EventAudience.RESIDENTS:
        return bool(set(access_for(user).organization_ids) & resident_organization_ids([event.site_id], on))
    if event.site_id in resident_site_ids(user, on):
        return True
    from khooshe.hubs.network.selectors import guest_rights

    rights = guest_rights(user, event.site, on)
    if rights.governed:  # a member of a linked house attends under the house's link rule
        return rights.can_attend_events
    return event.site_id in member_site_ids(user, on)


def registration_window(event: Event) -> tuple[dt.datetime | None, dt.datetime]:
    """(opens, closes): opens may be None (open since publication); closes defaults to the start."""
    return event.registration_opens, event.registration_closes or event.start


def registration_is_open(event: Event, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    opens, closes = registration_window(event)
    return event.status == Event.Status.PUBLISHED and (opens is None or opens <= now) and now < closes


def counts(event: Event) -> dict[str, int]:
    """Confirmed, waitlisted and checked-in registrations of one event."""
    rows = dict(event.registrations.values_list("status").annotate(n=Count("pk")).order_by())
    return {"confirmed": rows.get(EventRegistration.Status.CONFIRMED, 0),
            "waitlisted": rows.get(EventRegistration.Status.WAITLISTED, 0),
            "attended": event.registrations.filter(checked_in_at__isnull=False).count()}


def waiting_list(event: Event):
    """The waiting list in its order (first come, first served: the primary key, assigned under the lock)."""
    return event.registrations.filter(status=EventRegistration.Status.WAITLISTED).order_by("pk")


def own_registration(user, event: Event) -> EventRegistration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.filter(user=user).exclude(status=EventRegistration.Status.CANCELLED).first()


def event_figures(*, site_ids: list[int] | None, first: dt.date, last: dt.date) -> dict:
    """Figures of the published events of ``site_ids`` (None: every site) that start on a date in
    [``first``, ``last``] (both included; the date is the start's date in UTC+03:30, Asia/Tehran, the
    default time zone of sites):

    - ``events``: the number of such events;
    - ``registrations``: their confirmed registrations (not waitlisted, not cancelled);
    - ``attended``: their registrations that were checked in;
    - ``capacity``: the sum of their capacities;
    - ``waitlisted``: their registrations on a waiting list now.

    Cancelled and draft events are not counted. Example: one event of capacity 10 with 10 confirmed
    registrations of which 7 were checked in and 3 waitlisted gives
    ``{"events": 1, "registrations": 10, "attended": 7, "capacity": 10, "waitlisted": 3}``.
    """
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Tehran")
    since = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    events = Event.objects.filter(status=Event.Status.PUBLISHED, start__gte=since, start__lt=until)
    if site_ids is not None:
        events = events.filter(site_id__in=site_ids)
    totals = events.aggregate(events=Count("pk"), capacity=Sum("capacity"))
    regs = EventRegistration.objects.filter(event__in=events.values("pk")).aggregate(
        registrations=Count("pk", filter=Q(status=EventRegistration.Status.CONFIRMED)),
        attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
        waitlisted=Count("pk", filter=Q(status=EventRegistration.Status.WAITLISTED)))
    return {"events": totals["events"] or 0, "registrations": regs["registrations"] or 0,
            "attended": regs["attended"] or 0, "capacity": totals["capacity"] or 0,
            "waitlisted": regs["waitlisted"] or 0}
