"""Concurrent writes of cohorts on PostgreSQL, each thread with its own database connection: staff accepting
teams at the same moment never overfill a cohort, and teams booking a mentor at the same moment never book
the mentor twice (docs/hubs.md, "Programs, cohorts and calls")."""

from __future__ import annotations

import pytest
from concurrency import crashed, run_together
from django.db import connection
from factories import make_org
from hubs_cohorts_factories import (
    make_application,
    make_block,
    make_call,
    make_cohort,
    member_of,
    staff_of_site,
)
from hubs_factories import make_space
from rest_framework.test import APIClient

from khooshe.hubs.cohorts import models as cm

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")
pytestmark = [postgres_only, pytest.mark.slow, pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore")]


def test_concurrent_acceptances_never_overfill_the_cohort():
    cohort = make_cohort(capacity=3)
    call = make_call(cohort=cohort)
    staff = staff_of_site(cohort.program.site)
    applications = [make_application(call=call) for _ in range(12)]

    def accept(i):
        client = APIClient()
        client.force_authenticate(staff)
        response = client.post(f"/api/hubs/applications/{applications[i].pk}/decide/", {"decision": "accepted"},
                               format="json", HTTP_ACCEPT_LANGUAGE="en")  # the refusals are checked in English
        return response.status_code, response.json()

    results = run_together(len(applications), accept, on_error=crashed)
    codes = [code for code, _body in results]
    assert codes.count(200) == 3, results
    assert codes.count(400) == 9, [body for code, body in results if code not in (200, 400)][:3]
    assert all("is full" in body["decision"][0] for code, body in results if code == 400)
    assert cm.CohortMember.objects.filter(cohort=cohort).count() == 3


def test_concurrent_bookings_never_book_a_mentor_twice():
    """Two office-hour blocks of one mentor at the same time in two rooms (as if written past the form's
    check): ten teams ask for 10:00 at once; exactly one meeting is made."""
    block = make_block()
    twin = cm.OfficeHourBlock.objects.create(cohort=block.cohort, mentor=block.mentor, date=block.date,
                                             space=make_space(site=block.space.site), start_time=block.start_time,
                                             end_time=block.end_time, slot_minutes=block.slot_minutes)
    users = []
    for _ in range(10):
        org = make_org()
        cm.CohortMember.objects.create(cohort=block.cohort, organization=org)
        users.append(member_of(org))
    start = block.slot_starts()[0]

    def book(i):
        client = APIClient()
        client.force_authenticate(users[i])
        target = block if i % 2 else twin
        response = client.post(f"/api/hubs/office-hours/{target.pk}/book/", {"start": start.isoformat()},
                               format="json")
        return response.status_code, response.json()

    results = run_together(len(users), book, on_error=crashed)
    codes = [code for code, _body in results]
    assert codes.count(201) == 1, results
    assert set(codes) <= {201, 400, 409}, results
    assert cm.OfficeHourMeeting.objects.filter(mentor=block.mentor, status="booked").count() == 1
    assert connection.vendor == "postgresql"

