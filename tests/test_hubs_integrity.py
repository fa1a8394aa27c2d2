"""Bookings never overlap: a property test over random booking sequences (SQLite and PostgreSQL), the
PostgreSQL exclusion constraint on its own, and 200 concurrent attempts through the HTTP API."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from concurrency import crashed, run_together
from django.db import connection, transaction
from factories import make_user
from hubs_factories import at, make_site, make_space, open_day
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khooshe.hubs import models as hm
from khooshe.hubs import selectors, services

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")


def related(a: hm.Space, b: hm.Space) -> bool:
    """The same space, or one contains the other."""
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def overlapping_pairs(site) -> list[tuple[int, int]]:
    bookings = list(hm.Booking.objects.active().filter(space__site=site).select_related("space"))
    return [(x.pk, y.pk) for x, y in combinations(bookings, 2)
            if related(x.space, y.space) and x.start < y.blocked_until and y.start < x.blocked_until]


def build_tree(site):
    """hall > (floor A > rooms 1, 2 > desk), (floor B > room 3); returns the spaces."""
    hall = make_space(site=site, kind=hm.SpaceKind.BUILDING, name="hall")
    floor_a = make_space(parent=hall, kind=hm.SpaceKind.FLOOR, name="floor A")
    floor_b = make_space(parent=hall, kind=hm.SpaceKind.FLOOR, name="floor B", buffer_minutes=15)
    room1 = make_space(parent=floor_a, name="room 1", buffer_minutes=10)
    room2 = make_space(parent=floor_a, name="room 2")
    desk = make_space(parent=room1, kind=hm.SpaceKind.HOT_DESK, name="desk")
    room3 = make_space(parent=floor_b, name="room 3")
    return [hall, floor_a, floor_b, room1, room2, desk, room3]


operation = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 6), st.integers(0, 40), st.integers(1, 12)),  # space, 15-min slot, length
    st.tuples(st.just("cancel"), st.integers(0, 50), st.just(0), st.just(0)),
)


@pytest.fixture
def booking_day(db):
    site = make_site()
    day = open_day(site)
    return day


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_no_two_active_bookings_of_related_spaces_ever_overlap(booking_day, operations):
    day = booking_day
    with transaction.atomic():
        admin = make_user(superuser=True)
        site = make_site()
        spaces = build_tree(site)
        made = []
        for kind, a, b, c in operations:
            if kind == "book":
                start = at(day, 8) + dt.timedelta(minutes=15 * b)
                end = start + dt.timedelta(minutes=15 * c + 15)
                space = spaces[a]
                expected_free = not selectors.blocking_slots(space, start, end + space.buffer).exists()
                try:
                    made.append(services.create_booking(user=admin, space=space, start=start, end=end))
                    assert expected_free
                except services.BookingConflict:
                    assert not expected_free
                except services.BookingError as exc:
                    assert exc.field == "start" or exc.field == "end"  # outside opening hours / too long
            elif made:
                booking = made[a % len(made)]
                booking.refresh_from_db()
                if booking.status in hm.Booking.ACTIVE:
                    services.cancel_booking(user=admin, booking=booking)
            assert overlapping_pairs(site) == []
        transaction.set_rollback(True)


@postgres_only
@pytest.mark.django_db
def test_the_database_itself_refuses_an_overlap_postgres(monkeypatch):
    """Even with the service's count switched off, the exclusion constraint refuses overlapping slots
    (room vs room, room vs its floor), but not two rooms of one floor."""
    admin = make_user(superuser=True)
    site = make_site()
    hall, floor_a, _b, room1, room2, desk, _r3 = build_tree(site)
    day = open_day(site)
    services.create_booking(user=admin, space=room1, start=at(day, 10), end=at(day, 11))
    monkeypatch.setattr(selectors, "blocking_slots", lambda *a, **k: hm.BookingSlot.objects.none())
    for space in (room1, floor_a, hall, desk):
        with pytest.raises(services.BookingConflict):
            services.create_booking(user=admin, space=space, start=at(day, 10, 30), end=at(day, 11, 30))
    services.create_booking(user=admin, space=room2, start=at(day, 10, 30), end=at(day, 11, 30))
    assert overlapping_pairs(site) == []
    with pytest.raises(Exception) as exc, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO hubs_bookingslot (booking_id, space_id, start, blocked_until, tag, active) "
                           "SELECT booking_id, space_id, start, blocked_until, NULL, true FROM hubs_bookingslot "
                           "WHERE space_id = %s LIMIT 1", [room1.pk])
    assert "hubs_bookingslot_no_overlap" in str(exc.value)


@postgres_only
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_attempts_exactly_one_succeeds_postgres():
    """200 threads, each with its own database connection, ask the HTTP API at the same moment for
    overlapping times of one room (one in ten asks for the floor that contains it): exactly one 201,
    every other answer a 409 with the message, no 500. (The number of connections open at once is capped
    below the server's max_connections, which other clients share.)"""
    from rest_framework.test import APIClient

    admin = make_user(superuser=True)
    site = make_site()
    floor = make_space(site=site, kind=hm.SpaceKind.FLOOR, name="floor")
    room = make_space(parent=floor, name="room")
    day = open_day(site)
    attempts = 200

    def attempt(i: int):
        client = APIClient()
        client.force_authenticate(admin)
        start = at(day, 10) + dt.timedelta(minutes=5 * (i % 6))
        space = floor if i % 10 == 0 else room
        response = client.post("/api/hubs/book/", {"space": space.pk, "start": start.isoformat(),
                                                   "end": (start + dt.timedelta(hours=1)).isoformat()},
                               format="json")
        return response.status_code, response.json()

    results = run_together(attempts, attempt, on_error=crashed)
    codes = [code for code, _body in results]
    assert len(results) == attempts
    assert codes.count(201) == 1, sorted(set(codes))
    assert codes.count(409) == attempts - 1, [body for code, body in results if code not in (201, 409)][:3]
    assert all("next_free" in body and body["detail"] for code, body in results if code == 409)
    assert hm.Booking.objects.filter(space__in=[floor, room]).count() == 1
    assert overlapping_pairs(site) == []
