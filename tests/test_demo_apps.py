"""The other apps' parts of the Kerman demo: a running program, challenges, a mission and the hubs, loaded through
the services, shown to the demo accounts, loaded once only and removed with the demo."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from khooshe.hubs.models import Booking, BookingSlot, Site, Space
from khooshe.matching.models import Challenge
from khooshe.missions.models import Composition, Mission
from khooshe.monitoring.models import Period
from khooshe.programs.models import Program, Task
from khooshe.registry import demo
from khooshe.registry.models import Organization, Region, Sector


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    from khooshe.registry.reference import ensure_reference_data

    with django_db_blocker.unblock(), translation.override("en"):
        had_reference = Region.objects.filter(code="IR-108").exists() and Sector.objects.exists()
        ensure_reference_data()
        demo.load_demo()
        admin = get_user_model().objects.create_superuser("demo-apps-admin", password="x")
        lines = demo.load_app_parts(admin)
    yield lines
    with django_db_blocker.unblock():
        from django_tasks_db.models import DBTaskResult

        demo.remove_demo()
        get_user_model().objects.filter(username="demo-apps-admin").delete()
        DBTaskResult.objects.all().delete()  # the notifications the demo's challenges queued for a worker
        if not had_reference:
            from auditlog.context import disable_auditlog

            with disable_auditlog():
                Region.objects.filter(Q(code="IR") | Q(code__startswith="IR-")).delete()
                Sector.objects.filter(scheme="ISIC4").delete()


pytestmark = pytest.mark.django_db


def test_every_part_says_what_it_loaded(loaded):
    assert len(loaded) == len(demo.APP_PARTS)
    assert any("development program" in line for line in loaded)
    assert any("hubs with" in line for line in loaded)


def test_the_program_is_under_way_with_measured_indicators(loaded):
    program = Program.objects.get(title_fa__startswith="برنامه توسعه خوشه پسته")
    assert program.status == Program.Status.ACTIVE
    statuses = set(program.tasks.values_list("status", flat=True))
    assert {Task.Status.DONE, Task.Status.IN_PROGRESS, Task.Status.NOT_STARTED} <= statuses
    assert Period.objects.filter(indicator__program=program).exclude(actual=None).count() >= 10


def test_challenges_at_every_stage_and_an_award_with_its_agreement(loaded):
    challenges = Challenge.objects.filter(owner__external_id__startswith=demo.PREFIX)
    assert set(challenges.values_list("status", flat=True)) == {"open", "evaluating", "awarded"}
    awarded = challenges.get(status="awarded")
    winner = awarded.proposals.get(status="awarded")
    assert winner.agreement is not None and winner.solver != awarded.owner


def test_the_mission_shows_the_gap_the_cluster_must_fill(loaded):
    mission = Mission.objects.get(title__startswith="صادرات پسته")
    composition = Composition.objects.filter(mission=mission, rank=1).first()
    assert composition is not None and composition.members.exists()
    assert 0 < composition.served < composition.units  # packaging is too thin on purpose


def test_hubs_have_spaces_and_bookings_that_never_overlap(loaded):
    factory = Site.objects.get(operator__name_en="Kerman Innovation Factory")
    assert Space.objects.filter(site=factory).count() >= 30
    assert Site.objects.filter(linked_hubs=factory.operator).count() >= 1
    bookings = Booking.objects.filter(space__site=factory, status=Booking.Status.CONFIRMED)
    assert bookings.count() >= 30
    for slot in BookingSlot.objects.filter(active=True, tag__isnull=True, space__site=factory):
        overlapping = BookingSlot.objects.filter(active=True, space_id=slot.space_id, start__lt=slot.blocked_until,
                                                 blocked_until__gt=slot.start).exclude(pk=slot.pk)
        assert not overlapping.filter(tag__isnull=True).exists()


def test_the_factory_runs_residents_events_services_programs_and_a_siting_study(loaded):
    from khooshe.hubs.catalogue.models import ServiceRequest
    from khooshe.hubs.cohorts.models import CohortApplication
    from khooshe.hubs.events.models import Event, EventRegistration
    from khooshe.hubs.network.models import HubNetwork
    from khooshe.hubs.residents.models import Residency
    from khooshe.hubs.siting.models import SitingStudy
    from khooshe.hubs.siting.services import rank

    factory = Site.objects.get(operator__name_en="Kerman Innovation Factory")
    residencies = Residency.objects.filter(site=factory)
    assert residencies.count() == 32
    assert residencies.filter(status=Residency.Status.GRADUATED).count() == 3
    assert residencies.filter(stage_moves__isnull=False).distinct().count() >= 20
    events = Event.objects.filter(site=factory)
    assert events.count() == 3
    assert EventRegistration.objects.filter(event__in=events, status="waitlisted").exists()
    assert EventRegistration.objects.filter(event__in=events, checked_in_at__isnull=False).exists()
    assert set(ServiceRequest.objects.filter(service__site=factory).values_list("status", flat=True)) >= {
        "submitted", "assigned", "in_progress", "done"}
    assert set(CohortApplication.objects.values_list("status", flat=True)) >= {"accepted", "waitlisted", "rejected"}
    assert HubNetwork.objects.get().members.count() == 4
    ranking = rank(SitingStudy.objects.get(), with_sensitivity=False)
    assert sorted(ranking.ranks.values()) == [1, 2, 3, 4]


def test_loading_again_writes_nothing(loaded):
    admin = get_user_model().objects.get(username="demo-apps-admin")
    before = (Program.objects.count(), Challenge.objects.count(), Mission.objects.count(), Booking.objects.count())
    assert demo.load_app_parts(admin) == []
    assert (Program.objects.count(), Challenge.objects.count(), Mission.objects.count(),
            Booking.objects.count()) == before


def test_demo_accounts_see_their_part(loaded, client):
    cda = get_user_model().objects.get(username="demo-pistachio")
    client.force_login(cda)
    program = Program.objects.get(title_fa__startswith="برنامه توسعه خوشه پسته")
    page = client.get(reverse("programs:gantt", kwargs={"pk": program.pk}))
    assert page.status_code == 200 and program.title_fa in page.content.decode()
    operator = get_user_model().objects.get(username="demo-factory")
    client.force_login(operator)
    factory = Site.objects.get(operator__name_en="Kerman Innovation Factory")
    page = client.get(reverse("hubs:calendar", kwargs={"pk": factory.pk}))
    assert page.status_code == 200 and "اتاق جلسه ارگ" in page.content.decode()


def test_removing_the_demo_removes_every_part(loaded):
    demo.remove_demo()
    assert not Program.objects.filter(title_fa__startswith="برنامه توسعه خوشه پسته").exists()
    assert not Site.objects.filter(operator__external_id__startswith=demo.PREFIX).exists()
    assert not Organization.objects.filter(external_id__startswith=demo.PREFIX).exists()
