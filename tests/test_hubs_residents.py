"""Residents: contracts (one resident per dedicated desk), room credits, the journey's stage moves through
the gate, graduation freeing the desk, outcome figures, the monitoring sources, permissions, API, pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from factories import make_cluster, make_membership, make_org, make_sector, make_user
from hubs_factories import at, make_site, make_space, open_day
from hubs_residents_factories import (
    kpi,
    make_desk,
    make_member,
    make_plan,
    make_plans,
    make_residency,
    make_staff,
    make_stages,
    stage,
)
from mixins import APITestCases, ViewTestCases

from khooshe.hubs import models as hm
from khooshe.hubs import services as hub_services
from khooshe.hubs.residents import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Default stages are created in the active language; English keeps the expected names readable.
    with translation.override("en"):
        yield


def _criteria(site, key):
    return stage(site, key).criteria


def _move(staff, residency, key, *, on=None, reason="", link="https://example.org/evidence", **figures):
    site = residency.site
    return services.move_stage(user=staff, residency=residency, to_stage=stage(site, key),
                               kpi=figures or kpi(1), checklist=_criteria(site, key), moved_on=on,
                               evidence_link=link, skip_reason=reason)


# -- the journey's stages -----------------------------------------------------------------------------------
def test_default_stages_are_created_once_per_site_in_order():
    site = make_site()
    stages = services.ensure_journey_stages(site=site)
    assert [s.key for s in stages] == ["ideation", "feasibility", "prototype", "market_test", "launch", "scale",
                                       "graduation", "exit"]
    assert [s.name for s in stages][:3] == ["Ideation", "Feasibility study", "Prototype"]
    assert stages[6].outcome == "graduated" and stages[7].outcome == "exited"
    services.ensure_journey_stages(site=site)
    assert hm.JourneyStage.objects.filter(site=site).count() == 8
    with translation.override("fa"):
        other = services.ensure_journey_stages(site=make_site())
    assert other[0].name == "ایده‌پردازی"


def test_a_new_residency_starts_at_the_first_stage():
    residency = make_residency()
    assert residency.stage.key == "ideation" and residency.status == "active"


# -- contracts --------------------------------------------------------------------------------------------
def test_a_dedicated_desk_is_held_by_one_active_residency_at_a_time():
    site = make_site()
    desk = make_desk(site)
    first = make_residency(site, spaces=[desk], start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 30))
    second = hm.Residency(site=site, organization=make_org(name_fa="تیم دوم"), start_date=dt.date(2025, 6, 1))
    with pytest.raises(services.ResidentError) as exc:
        services.save_residency(residency=second, spaces=[desk])
    assert exc.value.field == "spaces"
    assert desk.name in exc.value.message and str(first.organization) in exc.value.message
    # From the day after the first contract ends, the desk is free.
    second.start_date = dt.date(2025, 7, 1)
    services.save_residency(residency=second, spaces=[desk])
    assert set(desk.residencies.all()) == {first, second}


def test_a_hot_desk_is_shared_and_spaces_of_another_site_are_refused():
    site = make_site()
    hot = make_space(site=site, kind=hm.SpaceKind.HOT_DESK)
    make_residency(site, spaces=[hot])
    make_residency(site, spaces=[hot])
    assert hot.residencies.count() == 2
    foreign = make_desk(make_site())
    with pytest.raises(services.ResidentError) as exc:
        make_residency(site, spaces=[foreign])
    assert exc.value.field == "spaces" and foreign.name in exc.value.message


def test_a_plan_sets_price_and_credits_and_must_be_of_the_site(client):
    site = make_site()
    plan = make_plan(site, monthly_price=70_000_000, monthly_credits=6)
    residency = make_residency(site, hub_plan=plan)
    assert residency.monthly_price == 70_000_000 and residency.monthly_credits == Decimal(6)
    admin = make_user(superuser=True, language="en")
    client.force_login(admin)
    other_plan = make_plan(make_site())
    response = client.post(reverse("hubs:residency_add"), {
        "site": site.pk, "organization": make_org().pk, "hub_plan": other_plan.pk, "start_date": "2025-04-01",
        "monthly_price": "0", "monthly_credits": "0", "deposit": "0", "status": "active"})
    assert response.status_code == 400
    assert "belongs to another site" in response.content.decode()
    assert not hm.Residency.objects.filter(hub_plan=other_plan).exists()


def test_a_contract_has_at_most_the_desks_of_its_plan():
    site = make_site()
    plan = make_plan(site, desks_included=2)
    desks = [make_desk(site) for _ in range(3)]
    with pytest.raises(services.ResidentError) as exc:
        make_residency(site, hub_plan=plan, spaces=desks)
    assert exc.value.field == "spaces" and plan.name in exc.value.message
    assert make_residency(site, hub_plan=plan, spaces=desks[:2]).spaces.count() == 2


def test_the_form_refuses_an_occupied_desk_naming_it(client):
    site = make_site()
    desk = make_desk(site)
    holder = make_residency(site, spaces=[desk])
    client.force_login(make_user(superuser=True, language="en"))
    response = client.post(reverse("hubs:residency_add"), {
        "site": site.pk, "organization": make_org().pk, "spaces": [desk.pk], "start_date": "2025-04-01",
        "monthly_price": "0", "monthly_credits": "0", "deposit": "0", "status": "active"})
    body = response.content.decode()
    assert response.status_code == 400 and "already occupied" in body and str(holder.organization) in body
    assert desk.residencies.count() == 1


# -- room credits -----------------------------------------------------------------------------------------------
def _credit_setup(**plan):
    site = make_site()
    room = make_space(site=site, credits_per_hour=2, price_per_hour=1_000_000, bookable_by=hm.Audience.RESIDENTS)
    startup = make_org()
    residency = make_residency(site, organization=startup, hub_plan=make_plan(site, monthly_credits=4, **plan),
                               start_date=dt.date(2020, 1, 1))
    return site, room, residency, make_member(startup)


def test_room_bookings_consume_the_month_credits_then_are_priced():
    site, room, residency, member = _credit_setup()
    day = open_day(site)
    first = hub_services.create_booking(user=member, space=room, start=at(day, 9), end=at(day, 10))
    second = hub_services.create_booking(user=member, space=room, start=at(day, 10), end=at(day, 11))
    assert first.price == second.price == 0 and first.credits == Decimal(2)
    assert selectors.credit_summary(residency, day)["left"] == Decimal(0)
    third = hub_services.create_booking(user=member, space=room, start=at(day, 11), end=at(day, 12))
    assert third.price == 1_000_000  # out of credits: the room's price
    assert not hm.CreditCharge.objects.filter(booking=third).exists()
    hub_services.cancel_booking(user=member, booking=first)
    summary = selectors.credit_summary(residency, day)
    assert summary["used"] == Decimal(2) and summary["left"] == Decimal(2)  # a cancellation gives them back
    # Someone who is not a resident pays the price.
    outsider = hub_services.create_booking(user=make_user(superuser=True), space=room, start=at(day, 13),
                                           end=at(day, 14))
    assert outsider.price == 1_000_000


def test_a_plan_may_refuse_bookings_beyond_the_credits():
    site, room, residency, member = _credit_setup(refuse_without_credits=True)
    day = open_day(site)
    hub_services.create_booking(user=member, space=room, start=at(day, 9), end=at(day, 11))
    with translation.override("en"), pytest.raises(hub_services.BookingError) as exc:
        hub_services.create_booking(user=member, space=room, start=at(day, 11), end=at(day, 11, 30))
    assert str(residency.organization) in exc.value.message and "credits" in exc.value.message
    assert hm.Booking.objects.filter(space=room).count() == 1


def test_credits_renew_each_jalali_month():
    assert selectors.credit_month(dt.date(2025, 3, 20)) == dt.date(2025, 2, 19)  # 1 Esfand 1403
    assert selectors.credit_month(dt.date(2025, 3, 21)) == dt.date(2025, 3, 21)  # 1 Farvardin 1404


# -- stage moves ---------------------------------------------------------------------------------------------
def test_the_gate_needs_criteria_evidence_and_a_reason_to_skip():
    residency = make_residency()
    site = residency.site
    staff = make_staff(site)
    feasibility = stage(site, "feasibility")
    with pytest.raises(services.ResidentError) as exc:
        services.move_stage(user=staff, residency=residency, to_stage=feasibility, kpi=kpi(2), checklist=[],
                            evidence_link="https://example.org/x")
    assert exc.value.field == "checklist" and feasibility.criteria[0] in exc.value.message
    with pytest.raises(services.ResidentError) as exc:
        services.move_stage(user=staff, residency=residency, to_stage=feasibility, kpi=kpi(2),
                            checklist=feasibility.criteria)
    assert exc.value.field == "evidence_link" and "feasibility report" in exc.value.message
    with pytest.raises(services.ResidentError) as exc:
        _move(staff, residency, "prototype")
    assert exc.value.field == "skip_reason" and "Feasibility study" in exc.value.message
    assert not hm.StageMove.objects.exists() and not hm.KpiSnapshot.objects.exists()
    move = _move(staff, residency, "prototype", reason="The feasibility study was done in an accelerator",
                 **kpi(3, 100))
    residency.refresh_from_db()
    assert residency.stage.key == "prototype"
    assert move.from_stage.key == "ideation" and move.approved_by == staff
    assert move.snapshot.headcount == 3 and move.snapshot.date == timezone.localdate()
    with pytest.raises(services.ResidentError) as exc:
        _move(staff, residency, "prototype")
    assert exc.value.field == "to_stage"


def test_dates_and_figures_are_checked():
    residency = make_residency(start_date=dt.date(2024, 1, 1))
    staff = make_staff(residency.site)
    with pytest.raises(services.ResidentError) as exc:
        _move(staff, residency, "feasibility", on=dt.date(2023, 12, 31))
    assert exc.value.field == "moved_on"
    with pytest.raises(services.ResidentError) as exc:
        _move(staff, residency, "feasibility", on=timezone.localdate() + dt.timedelta(days=2))
    assert exc.value.field == "moved_on"
    services.record_kpi(user=staff, residency=residency, date=dt.date(2024, 2, 1), headcount=3, funds_raised=500)
    with pytest.raises(services.ResidentError) as exc:
        services.record_kpi(user=staff, residency=residency, date=dt.date(2024, 3, 1), headcount=3, funds_raised=100)
    assert exc.value.field == "funds_raised" and "cumulative" in exc.value.message


def test_graduation_ends_the_residency_and_frees_the_desk():
    site = make_site()
    desk = make_desk(site, bookable_by=hm.Audience.RESIDENTS)
    startup = make_org()
    residency = make_residency(site, organization=startup, spaces=[desk], start_date=dt.date(2024, 1, 1))
    member = make_member(startup)
    later = open_day(site, days_ahead=5)
    booking = hub_services.create_booking(user=member, space=desk, start=at(later, 9), end=at(later, 10),
                                          organization=startup)
    staff = make_staff(site)
    today = timezone.localdate()
    _move(staff, residency, "graduation", reason="A fast team", **kpi(12, 5_000))
    residency.refresh_from_db()
    assert residency.status == "graduated" and residency.end_date == today
    booking.refresh_from_db()
    assert booking.status == "cancelled"  # its desk is no longer theirs
    with pytest.raises(services.ResidentError):
        _move(staff, residency, "scale", reason="again")
    # Another organization takes the desk from the same day.
    newcomer = make_residency(site, spaces=[desk], start_date=today)
    assert newcomer.spaces.get() == desk


def test_an_exit_needs_no_reason_and_ends_the_residency():
    residency = make_residency(start_date=dt.date(2024, 1, 1))
    staff = make_staff(residency.site)
    _move(staff, residency, "exit", link="")
    residency.refresh_from_db()
    assert residency.status == "exited" and residency.end_date == timezone.localdate()


def test_only_the_site_staff_move_stages():
    residency = make_residency()
    member = make_member(residency.organization)
    other_staff = make_staff(make_site())
    for user in (member, other_staff):
        with pytest.raises(PermissionDenied):
            _move(user, residency, "feasibility")
    assert not hm.StageMove.objects.exists()


# -- outcome figures ------------------------------------------------------------------------------------------
def _outcome_case():
    """Two sites, three residents, snapshots and one graduation (see the expected figures below)."""
    s1, s2 = make_site(), make_site()
    staff1, staff2 = make_staff(s1), make_staff(s2)
    software = make_sector(title_en="Software")
    r1 = make_residency(s1, start_date=dt.date(2024, 1, 1))
    r1.organization.sectors.add(software)
    for day, headcount, funds in ((dt.date(2024, 1, 1), 3, 0), (dt.date(2024, 6, 1), 5, 1_000),
                                  (dt.date(2025, 2, 1), 8, 4_000)):
        services.record_kpi(user=staff1, residency=r1, date=day, headcount=headcount, funds_raised=funds)
    _move(staff1, r1, "feasibility", on=dt.date(2024, 11, 1), **kpi(5, 1_000))
    r2 = make_residency(s1, start_date=dt.date(2024, 3, 1))
    services.record_kpi(user=staff1, residency=r2, date=dt.date(2024, 3, 1), headcount=2, funds_raised=500)
    services.record_kpi(user=staff1, residency=r2, date=dt.date(2024, 9, 1), headcount=4, funds_raised=2_500)
    _move(staff1, r2, "graduation", on=dt.date(2024, 10, 1), reason="Bought by a corporate", **kpi(6, 3_000))
    r3 = make_residency(s2, start_date=dt.date(2024, 5, 1))
    services.record_kpi(user=staff2, residency=r3, date=dt.date(2024, 5, 1), headcount=10)
    services.record_kpi(user=staff2, residency=r3, date=dt.date(2024, 12, 1), headcount=9)
    make_residency(s2, start_date=dt.date(2025, 1, 1))  # after the period
    return s1, s2, r1, r2, r3


def test_resident_outcomes_on_a_constructed_case():
    s1, s2, r1, r2, r3 = _outcome_case()
    first, last = dt.date(2024, 4, 1), dt.date(2024, 12, 31)
    # r1: 5 - 3 = 2 jobs, 1,000 - 0 raised; r2: 6 - 2 = 4 jobs, 3,000 - 500 raised (its March figure is
    # before the period); r3: 9 - 10 = -1 job, nothing raised.
    assert selectors.resident_outcomes(site_ids=None, first=first, last=last) == {
        "jobs_created": 5, "capital_raised": 3_500, "graduates": 1, "residents": 2,
        "by_stage": {"Feasibility study": 1, "Ideation": 1},
        "by_sector": {"Software": 1, "Sector not given": 1}}
    assert selectors.resident_outcomes(site_ids=[s1.pk], first=first, last=last) == {
        "jobs_created": 6, "capital_raised": 3_500, "graduates": 1, "residents": 1,
        "by_stage": {"Feasibility study": 1}, "by_sector": {"Software": 1}}
    # Before r1's move it was at its entry stage; r2 was still a resident (graduation day is its last).
    early = selectors.resident_outcomes(site_ids=[s1.pk], first=dt.date(2024, 10, 1), last=dt.date(2024, 10, 1))
    assert early["by_stage"] == {"Ideation": 1, "Graduation": 1} and early["residents"] == 2
    assert early["graduates"] == 1 and early["capital_raised"] == 500  # r2: 3,000 - 2,500
    assert selectors.resident_outcomes(site_ids=[s2.pk], first=dt.date(2025, 1, 1), last=dt.date(2025, 1, 31))[
        "graduates"] == 0


def test_monitoring_sources_count_the_cluster_residents():
    from khooshe.monitoring.sources import SourceContext, source_values

    s1, s2, r1, r2, r3 = _outcome_case()
    cluster = make_cluster()
    make_membership(cluster=cluster, organization=r1.organization)
    wanted = ["hub_jobs_created", "hub_capital_raised", "hub_graduates"]
    ctx = SourceContext(program=None, cluster=cluster, start=dt.date(2024, 4, 1), end=dt.date(2024, 12, 31))
    assert source_values(ctx, wanted) == {"hub_jobs_created": Decimal(2), "hub_capital_raised": Decimal(1_000),
                                          "hub_graduates": Decimal(0)}
    # The operator of the second site joins: its residents count too (r3: -1 job).
    make_membership(cluster=cluster, organization=s2.operator)
    make_membership(cluster=cluster, organization=r2.organization)
    ctx = SourceContext(program=None, cluster=cluster, start=dt.date(2024, 4, 1), end=dt.date(2024, 12, 31))
    assert source_values(ctx, wanted) == {"hub_jobs_created": Decimal(5), "hub_capital_raised": Decimal(3_500),
                                          "hub_graduates": Decimal(1)}


# -- permissions, API and pages ------------------------------------------------------------------------------------
def test_a_member_sees_only_the_own_residency(client):
    site = make_site()
    own, other = make_residency(site), make_residency(site)
    member = make_member(own.organization)
    client.force_login(member)
    listed = client.get(reverse("hubs-residency-list")).json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert client.get(reverse("hubs:residents_journey", args=[own.pk])).status_code == 200
    assert client.get(reverse("hubs:residents_journey", args=[other.pk])).status_code == 404
    assert client.get(reverse("hubs:residents_move", args=[own.pk])).status_code == 403
    board = client.get(reverse("hubs:residents_board", args=[site.pk])).content.decode()
    assert str(own.organization) in board and str(other.organization) not in board


def test_api_moves_kpi_and_credits(client):
    residency = make_residency(start_date=dt.date(2024, 1, 1))
    site = residency.site
    staff = make_staff(site, language="en")
    client.force_login(staff)
    url = reverse("residents-move", args=[residency.pk])
    feasibility = stage(site, "feasibility")
    data = {"to_stage": feasibility.pk, "checklist": feasibility.criteria, "evidence_link": "https://example.org/r",
            "headcount": 4, "funds_raised": 200}
    bad = client.post(url, {**data, "checklist": []}, content_type="application/json")
    assert bad.status_code == 400 and "checklist" in bad.json()
    wrong = client.post(url, {**data, "to_stage": stage(make_site(), "feasibility").pk},
                        content_type="application/json")
    assert wrong.status_code == 400 and "to_stage" in wrong.json()
    negative = client.post(url, {**data, "headcount": -1}, content_type="application/json")
    assert negative.status_code == 400 and "headcount" in negative.json()
    done = client.post(url, data, content_type="application/json")
    assert done.status_code == 201, done.content
    assert done.json()["to_stage"] == feasibility.pk and done.json()["snapshot"]["headcount"] == 4
    assert [m["to_stage"] for m in client.get(url).json()] == [feasibility.pk]
    snap = client.post(reverse("residents-kpi", args=[residency.pk]), {"date": "2024-06-01", "headcount": 5},
                       content_type="application/json")
    assert snap.status_code == 201 and snap.json()["headcount"] == 5
    credits = client.get(reverse("residents-credits", args=[residency.pk])).json()
    assert Decimal(credits["left"]) == 0 and Decimal(credits["allowance"]) == 0
    member = make_member(residency.organization)
    client.force_login(member)
    assert client.post(url, data, content_type="application/json").status_code == 403
    client.force_login(make_staff(make_site()))
    assert client.post(url, data, content_type="application/json").status_code == 404


def test_move_page_then_journey_and_board(client):
    residency = make_residency(start_date=dt.date(2024, 1, 1))
    site = residency.site
    staff = make_staff(site, language="en")
    client.force_login(staff)
    page = client.get(reverse("hubs:residents_move", args=[residency.pk]))
    assert page.status_code == 200 and "Feasibility study" in page.content.decode()
    feasibility = stage(site, "feasibility")
    form = {"to_stage": feasibility.pk, "checklist": feasibility.criteria[:1], "date": "2024-05-01",
            "headcount": "4", "revenue_band": "none", "funds_raised": "0", "customers": "1", "patents": "0",
            "evidence_link": "https://example.org/r"}
    refused = client.post(reverse("hubs:residents_move", args=[residency.pk]), form)
    assert refused.status_code == 400 and feasibility.criteria[1] in refused.content.decode()
    form["checklist"] = feasibility.criteria
    form["evidence_link"] = ""
    form["evidence_file"] = SimpleUploadedFile("report.pdf", b"%PDF-1.4 feasibility", "application/pdf")
    form["headcount"] = "۴"  # Persian digits
    done = client.post(reverse("hubs:residents_move", args=[residency.pk]), form)
    assert done.status_code == 302
    move = residency.stage_moves.get()
    assert move.evidence_file.name.endswith(".pdf") and move.snapshot.headcount == 4
    journey = client.get(done["Location"]).content.decode()
    assert 'id="current-stage"' in journey and "kpi-chart-data" in journey and move.evidence_file.url in journey
    detail = client.get(residency.get_absolute_url()).content.decode()
    assert reverse("hubs:residents_journey", args=[residency.pk]) in detail
    assert client.post(reverse("hubs:residents_kpi", args=[residency.pk]), {
        "date": "2024-06-01", "headcount": "6", "revenue_band": "lt1b", "funds_raised": "10", "customers": "2",
        "patents": "0"}).status_code == 302
    assert residency.kpi_snapshots.count() == 2
    board = client.get(reverse("hubs:residents_board", args=[site.pk])).content.decode()
    assert str(residency.organization) in board and 'id="out-jobs">2<' in board


# -- the generic pages and API of plans and stages ------------------------------------------------------------
class PlanCase:
    model = hm.HubPlan
    bulk_objects = make_plans

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id}, objects)]


class TestPlanViews(PlanCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "name": "Private office for 4", "kind": "private_office",
                "monthly_price": "200000000", "monthly_credits": "10", "desks_included": "4"}

    edit_data = {"name": "Edited plan"}

    def invalid_data(self):
        return ({"site": make_site().pk, "name": "Broken", "kind": "hot_desk", "monthly_price": "0",
                 "monthly_credits": "-1", "desks_included": "1"}, "monthly_credits")

    def export_marker(self, obj):
        return obj.name


class TestPlanAPI(PlanCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "name": "Hot desk", "kind": "hot_desk", "monthly_price": 1000}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "name": "Broken", "monthly_credits": -1}, "monthly_credits")


class StageCase:
    model = hm.JourneyStage
    bulk_objects = make_stages

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id}, objects)]


class TestStageViews(StageCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "order": "20", "name": "Investor readiness", "outcome": ""}

    edit_data = {"name": "Edited stage"}

    def invalid_data(self):
        site = make_site()
        hm.JourneyStage.objects.create(site=site, order=3, name="Taken")
        return ({"site": site.pk, "order": "3", "name": "Clash", "outcome": ""}, "order")

    def export_marker(self, obj):
        return obj.name


class TestStageAPI(StageCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "order": 30, "name": "Demo day"}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        site = make_site()
        hm.JourneyStage.objects.create(site=site, order=3, name="Taken")
        return ({"site": site.pk, "order": 3, "name": "Clash"}, "order")
