"""iCal (RFC 5545) feeds of bookings: one per space and one per member, each behind a secret token."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Booking

PAST = dt.timedelta(days=30)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Khooshe//hubs//FA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tehran")
    return cal


def _event(booking: Booking, base_url: str, with_title: bool) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@khooshe")
    event.add("dtstamp", booking.updated_at or timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    summary = booking.title if with_title and booking.title else str(booking.space.name)
    event.add("summary", summary)
    event.add("location", f"{booking.space.site.name} — {booking.space.name}")
    event.add("status", "TENTATIVE" if booking.status == Booking.Status.HELD else "CONFIRMED")
    event.add("url", base_url.rstrip("/") + booking.get_absolute_url())
    return event


def space_feed(space, base_url: str) -> bytes:
    """The active bookings of a space (and of the spaces inside it and containing it, which block it) from
    30 days ago on; titles are not shown (the feed may be shared with people who are not the bookers)."""
    from django.db.models import Q

    cal = _calendar(str(space.name))
    path_ids = space.path_ids
    bookings = (Booking.objects.active().filter(end__gte=timezone.now() - PAST)
                .filter(Q(space__path__startswith=space.path) | Q(space_id__in=path_ids))
                .select_related("space__site").order_by("start"))
    for booking in bookings:
        cal.add_component(_event(booking, base_url, with_title=False))
    return cal.to_ical()


def member_feed(user, base_url: str) -> bytes:
    cal = _calendar(str(user.get_full_name() or user.username))
    bookings = (Booking.objects.active().filter(booked_by=user, end__gte=timezone.now() - PAST)
                .select_related("space__site").order_by("start"))
    for booking in bookings:
        cal.add_component(_event(booking, base_url, with_title=True))
    return cal.to_ical()
