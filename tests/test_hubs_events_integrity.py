"""An event's capacity is never oversold: a property test over random register/cancel sequences (SQLite
and PostgreSQL) and 200 concurrent registrations for the last seat through the HTTP API (PostgreSQL)."""

from __future__ import annotations

import pytest
from concurrency import crashed, run_together
from django.db import connection, transaction  # noqa: F401 (connection: read by skipif)
from hubs_events_factories import make_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khooshe.hubs import models as hm
from khooshe.hubs.events import selectors, services

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")
Status = hm.EventRegistration.Status

operation = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 11)),  # a person (email) registers
    st.tuples(st.just("cancel"), st.integers(0, 11)),  # that person cancels (when registered)
    st.tuples(st.just("capacity"), st.integers(1, 4)),  # staff change the capacity
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(1, 4), operations=st.lists(operation, min_size=1, max_size=30))
def test_random_register_and_cancel_never_exceed_capacity_and_keep_the_waiting_order(capacity, operations):
    from factories import make_user

    with transaction.atomic():
        admin = make_user(superuser=True)
        event = make_event(capacity=capacity)
        expected_queue: list[int] = []  # the waiting list as a model: first come, first served
        for kind, value in operations:
            if kind == "register":
                email = f"p{value}@example.org"
                try:
                    reg = services.register(event=event, name=f"P{value}", email=email)
                except services.EventError as exc:
                    assert exc.code == "duplicate"
                    continue
                if reg.status == Status.WAITLISTED:
                    expected_queue.append(reg.pk)
            elif kind == "cancel":
                reg = event.registrations.exclude(status=Status.CANCELLED).filter(email=f"p{value}@example.org").first()
                if reg is None:
                    continue
                services.cancel_registration(user=admin, registration=reg)
                if reg.pk in expected_queue:
                    expected_queue.remove(reg.pk)
            else:
                event.refresh_from_db()
                event.capacity = value
                try:
                    services.save_event(user=admin, event=event)
                except services.EventError as exc:  # below the confirmed count: refused
                    assert exc.field == "capacity" and value < event.confirmed_count
            event.refresh_from_db()
            confirmed = event.confirmed_count
            waiting = list(selectors.waiting_list(event).values_list("pk", flat=True))
            assert confirmed <= event.capacity
            # nobody waits while a seat is free, and the order of the waiting list is kept
            assert not waiting or confirmed == event.capacity
            promoted = len(expected_queue) - len(waiting)
            assert waiting == expected_queue[promoted:]
            expected_queue = waiting
        transaction.set_rollback(True)


@postgres_only
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("waiting_list", [True, False])
def test_200_concurrent_registrations_for_the_last_seat_postgres(waiting_list):
    """200 threads, each with its own database connection, register at the same moment through the HTTP
    API for an event with one seat left: exactly one is confirmed; the others are waitlisted (or get a
    clear 409 "full" when the event has no waiting list); no 500; never more confirmed than the capacity.
    (Connections open at once are capped below the server's max_connections, which others share.)"""
    from rest_framework.test import APIClient

    event = make_event(capacity=5, waiting_list=waiting_list)
    for i in range(4):
        services.register(event=event, name=f"Early {i}", email=f"early{i}@example.org")
    attempts = 200

    def attempt(i: int):
        response = APIClient().post(f"/api/hubs/events/{event.pk}/register/",
                                    {"name": f"Late {i}", "email": f"late{i}@example.org"}, format="json")
        return response.status_code, response.json()

    results = run_together(attempts, attempt, on_error=crashed)
    codes = [code for code, _body in results]
    assert len(results) == attempts
    assert 500 not in codes, [body for code, body in results if code == 500][:3]
    confirmed = [body for code, body in results if code == 201 and body["status"] == "confirmed"]
    assert len(confirmed) == 1
    if waiting_list:
        assert codes.count(201) == attempts
        waitlisted = sorted(body["id"] for code, body in results if body.get("status") == "waitlisted")
        assert len(waitlisted) == attempts - 1
        assert list(selectors.waiting_list(event).values_list("pk", flat=True)) == waitlisted
    else:
        assert codes.count(409) == attempts - 1
        assert all(body["code"] == "full" and body["detail"] for code, body in results if code == 409)
    assert event.registrations.filter(status=Status.CONFIRMED).count() == event.capacity == 5
