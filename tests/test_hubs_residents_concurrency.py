"""Under PostgreSQL, concurrent writes keep the contract rules: bookings started at the same moment never
spend more room credits than the month has, and two contracts for one dedicated desk never both pass."""

from __future__ import annotations

import datetime as dt

import pytest
from concurrency import run_together
from django.db import connection  # noqa: F401 (the skipif condition reads it)
from factories import make_org
from hubs_factories import at, make_site, make_space, open_day
from hubs_residents_factories import make_desk, make_member, make_plan, make_residency

from khooshe.hubs import models as hm
from khooshe.hubs import services as hub_services
from khooshe.hubs.residents import services

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")
pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_bookings_never_overspend_the_credits():
    site = make_site()
    room = make_space(site=site, credits_per_hour=2, price_per_hour=1_000, bookable_by=hm.Audience.RESIDENTS)
    startup = make_org()
    residency = make_residency(site, organization=startup, start_date=dt.date(2020, 1, 1),
                               hub_plan=make_plan(site, monthly_credits=4, refuse_without_credits=True))
    member = make_member(startup)
    day = open_day(site)
    jobs = [lambda h=h: hub_services.create_booking(user=member, space=room, start=at(day, h), end=at(day, h + 1))
            for h in range(9, 17)]
    results = run_together(len(jobs), lambda i: jobs[i]())
    made = [r for r in results if isinstance(r, hm.Booking)]
    refused = [r for r in results if isinstance(r, hub_services.BookingError)]
    assert len(made) == 2 and len(refused) == 6, results
    assert all(b.price == 0 for b in made)
    assert sum(c.credits for c in hm.CreditCharge.objects.filter(residency=residency)) == 4


def test_concurrent_contracts_for_one_desk_only_one_passes():
    site = make_site()
    desk = make_desk(site)
    orgs = [make_org() for _ in range(6)]
    jobs = [lambda org=org: services.save_residency(
        residency=hm.Residency(site=site, organization=org, start_date=dt.date(2025, 1, 1)), spaces=[desk])
        for org in orgs]
    results = run_together(len(jobs), lambda i: jobs[i]())
    assert sum(isinstance(r, hm.Residency) for r in results) == 1, results
    assert sum(isinstance(r, services.ResidentError) for r in results) == 5
    assert desk.residencies.count() == 1
