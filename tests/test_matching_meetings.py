"""What organisers and participants of a matchmaking day see: scores from the match signals, conflicts of
interest, the proposed schedule (slots x tables, no rule broken), publishing with notifications, agendas
and iCal files, meeting requests, manual meetings refused with a message, exports, the API, and the
add forms pre-filled from the query string."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import make_org, make_relation, make_sector, make_user
from matching_factories import make_challenge, member_of
from meetings_factories import make_day, make_meeting, make_meeting_request, make_participant, make_seeker
from mixins import element_html, page
from rest_framework.test import APIClient

from khooshe.matching import models as mm
from khooshe.matching import services
from khooshe.search.organizations import index_organizations

pytestmark = pytest.mark.django_db
DS = mm.MatchmakingDay.Status

WATER = "تصفیه پساب صنعتی با غشای نانو و کاهش مصرف آب در کارخانه"


@pytest.fixture(autouse=True)
def _index_follows_saves():
    """Pair scores read the organization search index, which is updated after each commit (never reached
    inside a test's transaction): here each saved organization is indexed at once."""
    from django.db.models.signals import post_save

    from khooshe.registry.models import Organization

    def index_now(sender, instance, **kwargs):
        index_organizations([instance.pk])

    post_save.connect(index_now, sender=Organization, dispatch_uid="test-matching-meetings-index")
    yield
    post_save.disconnect(sender=Organization, dispatch_uid="test-matching-meetings-index")


def water_day(**kw):
    """A published day: one seeker with a water-treatment challenge, a good and a weak solver."""
    organiser = make_org()
    day = make_day(organiser, slot_count=3, tables=2, max_meetings=2, **kw)
    section = make_sector(code=f"W{day.pk}")
    division = make_sector(code=f"W{day.pk}D", parent=section, level=2)
    owner = make_org()
    challenge = make_challenge(owner, title="کاهش مصرف آب", problem_statement=WATER, sectors=[division])
    seeker = make_participant(day=day, organization=owner, role="seeker", challenges=[challenge])
    good_org = make_org(capabilities="طراحی و ساخت سامانه تصفیه پساب صنعتی با غشای نانو")
    good_org.capability_sectors.set([division])
    good = make_participant(day=day, organization=good_org, role="solver")
    weak = make_participant(day=day, organization=make_org(capabilities="نرم‌افزار حسابداری و فروش"),
                            role="solver")
    return day, seeker, good, weak, challenge


# -- scores -------------------------------------------------------------------------------------------------
def test_pair_scores_rank_the_relevant_solver_and_explain_why():
    day, seeker, good, weak, challenge = water_day()
    scores = services.pair_scores(day)["pairs"]
    score, challenge_id, reason = scores[(seeker.pk, good.pk)]
    assert challenge_id == challenge.pk
    assert score > scores.get((seeker.pk, weak.pk), (0,))[0]
    assert "پساب" in reason  # the matching words are shown
    assert "sector division" in reason or "بخش" in reason


def test_requests_add_a_bonus_and_a_declined_request_forbids_the_pair():
    day, seeker, good, weak, _c = water_day()
    before = services.pair_scores(day)["pairs"].get((seeker.pk, weak.pk), (0.0,))[0]
    make_meeting_request(requester=weak, recipient=seeker, status="accepted", priority=1)
    after = services.pair_scores(day)
    assert after["pairs"][(seeker.pk, weak.pk)][0] == pytest.approx(before + 60)
    make_meeting_request(requester=good, recipient=seeker, status="declined")
    assert (min(seeker.pk, good.pk), max(seeker.pk, good.pk)) in services.pair_scores(day)["forbidden"]


def test_conflicts_of_interest_are_a_rule_set():
    day, seeker, good, weak, _c = water_day(conflict_relation_types=["investment"])
    weak.conflicts.set([seeker.organization])  # declared
    make_relation(source=good.organization, target=seeker.organization, type="investment")
    forbidden = services.pair_scores(day)["forbidden"]
    assert (min(seeker.pk, weak.pk), max(seeker.pk, weak.pk)) in forbidden
    assert (min(seeker.pk, good.pk), max(seeker.pk, good.pk)) in forbidden
    # a relation of a type the day does not exclude is no conflict
    day2, seeker2, good2, _w, _c2 = water_day()
    make_relation(source=good2.organization, target=seeker2.organization, type="investment")
    assert services.pair_scores(day2)["forbidden"] == {}


# -- the schedule ----------------------------------------------------------------------------------------------
def grid_rules_hold(day):
    meetings = list(day.meetings.exclude(status="cancelled"))
    seats = {(m.slot, m.table) for m in meetings}
    assert len(seats) == len(meetings)
    for m in meetings:
        assert 1 <= m.slot <= day.slot_count and 1 <= m.table <= day.tables
        for p in (m.participant_a, m.participant_b):
            assert p.is_available(m.slot)
            assert sum(1 for o in meetings if o.slot == m.slot and p.pk in (o.participant_a_id, o.participant_b_id)) == 1
    for p in day.participants.all():
        assert sum(1 for m in meetings if p.pk in (m.participant_a_id, m.participant_b_id)) <= p.capacity()


def test_organiser_proposes_a_schedule_and_sees_the_grid(client):
    day, seeker, good, weak, challenge = water_day()
    seekers = [make_seeker(day, challenge=make_challenge(problem_statement=WATER, title=f"آب {i}"))
               for i in range(3)]
    seekers[0].available_slots = [2]
    seekers[0].save()
    client.force_login(member_of(day.organiser))
    response = client.post(f"/matching/matchmaking-days/{day.pk}/propose/", {"method": "auto"}, follow=True)
    assert response.status_code == 200
    day.refresh_from_db()
    assert day.schedule_report["status"] == "optimal"
    assert day.schedule_report["meetings"] == day.meetings.count() > 0
    grid_rules_hold(day)
    meeting = day.meetings.get(participant_a=seeker, participant_b=good)
    assert meeting.challenge == challenge and meeting.status == "proposed"
    grid = element_html(page(response), "schedule-grid")
    assert str(good.organization) in grid
    assert "۰۹:۰۰" in grid  # the first slot's time, in Persian digits


def test_capacity_availability_and_tables_are_respected_on_a_crowded_day():
    day = make_day(slot_count=2, tables=1, max_meetings=5)
    seeker = make_seeker(day, challenge=make_challenge(problem_statement=WATER))
    solvers = [make_participant(day=day, organization=make_org(capabilities=WATER)) for _ in range(4)]
    solvers[0].available_slots = [1]
    solvers[0].save()
    report = services.propose_schedule(user=make_user(superuser=True), day=day)
    assert report["meetings"] == 2  # 2 slots x 1 table
    grid_rules_hold(day)
    assert day.meetings.filter(participant_a=seeker).count() == 2


def test_confirmed_meetings_stay_when_the_schedule_is_proposed_again():
    day, seeker, good, weak, _c = water_day()
    admin = make_user(superuser=True)
    fixed = make_meeting(day=day, slot=1, table=2, participant_a=seeker, participant_b=weak, status="confirmed")
    services.propose_schedule(user=admin, day=day)
    services.propose_schedule(user=admin, day=day)
    day.refresh_from_db()
    assert day.meetings.filter(pk=fixed.pk, status="confirmed").exists()
    assert day.schedule_report["fixed"] == 1
    grid_rules_hold(day)
    assert not day.meetings.filter(slot=1, participant_a=seeker).exclude(pk=fixed.pk).exists()


def test_only_the_organiser_proposes_and_a_closed_day_refuses(client):
    day, *_ = water_day()
    stranger = member_of(make_org())
    with pytest.raises(PermissionDenied):
        services.propose_schedule(user=stranger, day=day)
    client.force_login(stranger)
    assert client.post(f"/matching/matchmaking-days/{day.pk}/propose/").status_code == 403
    assert not day.meetings.exists()
    closed = make_day(status=DS.CLOSED)
    with pytest.raises(ValidationError) as err:
        services.propose_schedule(user=make_user(superuser=True), day=closed)
    assert "status" in err.value.message_dict
    lonely = make_day()
    make_participant(day=lonely)
    with pytest.raises(ValidationError) as err:
        services.propose_schedule(user=make_user(superuser=True), day=lonely)
    assert "participants" in err.value.message_dict


def test_publishing_the_schedule_notifies_and_shows_each_participant_only_its_agenda(client):
    day, seeker, good, weak, _c = water_day()
    organiser = member_of(day.organiser)
    services.propose_schedule(user=organiser, day=day)
    good_user = member_of(good.organization)
    weak_user = member_of(weak.organization)
    client.force_login(good_user)
    # before publishing, participants see no meeting
    assert "meetings" not in page(client.get(f"/matching/meetings/?day={day.pk}")) or \
        not mm.Meeting.objects.visible_to(good_user).exists()
    assert not mm.Meeting.objects.visible_to(good_user).exists()
    client.force_login(organiser)
    client.post(f"/matching/matchmaking-days/{day.pk}/publish-schedule/")
    day.refresh_from_db()
    assert day.status == DS.SCHEDULED
    assert set(day.meetings.values_list("status", flat=True)) == {"confirmed"}
    assert mm.Notification.objects.filter(user=good_user, url=f"/matching/matchmaking-days/{day.pk}/schedule/").exists()
    client.force_login(good_user)
    content = page(client.get(f"/matching/matchmaking-days/{day.pk}/schedule/"))
    assert element_html(content, "schedule-grid") == ""  # the full grid is the organiser's
    agendas = element_html(content, "agendas")
    assert str(seeker.organization) in agendas and str(good.organization) in agendas
    mine = {m.pk for m in mm.Meeting.objects.visible_to(good_user)}
    assert mine == set(day.meetings.filter(participant_b=good).values_list("pk", flat=True))
    assert not {m.pk for m in mm.Meeting.objects.visible_to(weak_user)} & mine


def test_ical_file_has_one_event_per_meeting_at_the_right_time(client):
    day, seeker, good, weak, _c = water_day(start_time=dt.time(10, 0), slot_minutes=30)
    services.propose_schedule(user=make_user(superuser=True), day=day)
    client.force_login(member_of(day.organiser))
    response = client.get(f"/matching/participants/{seeker.pk}/agenda.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    meetings = list(day.meetings.filter(participant_a=seeker).order_by("slot"))
    assert len(events) == len(meetings) > 0
    events.sort(key=lambda e: e.decoded("dtstart"))
    first = meetings[0]
    tehran = dt.timezone(dt.timedelta(hours=3, minutes=30))
    expected = dt.datetime.combine(day.date, dt.time(10, 0), tzinfo=tehran) + dt.timedelta(minutes=30 * (first.slot - 1))
    assert events[0].decoded("dtstart") == expected
    assert events[0].decoded("dtend") - events[0].decoded("dtstart") == dt.timedelta(minutes=30)
    assert str(first.participant_b.organization) in str(events[0].get("summary"))
    assert f"{first.table}" in str(events[0].get("location"))


def test_schedule_exports_as_xlsx_with_one_row_per_meeting(client):
    day, *_ = water_day()
    services.propose_schedule(user=make_user(superuser=True), day=day)
    other = make_meeting()  # another day's meeting is not exported
    client.force_login(make_user(superuser=True))
    response = client.get(f"/matching/meetings/export/?day={day.pk}&format=xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + day.meetings.count()
    assert str(other.participant_a.organization) not in str(rows)


# -- requests -------------------------------------------------------------------------------------------------
def test_recipient_accepts_a_request_once_and_the_requester_cannot_decide(client):
    day, seeker, good, *_ = water_day()
    request = make_meeting_request(requester=good, recipient=seeker)
    with pytest.raises(PermissionDenied):
        services.decide_meeting_request(user=member_of(good.organization), meeting_request=request, accept=True)
    owner_user = member_of(seeker.organization)
    client.force_login(owner_user)
    content = page(client.get(request.get_absolute_url()))
    assert element_html(content, "request-decision")
    client.post(f"/matching/meeting-requests/{request.pk}/decide/", {"accept": "1"})
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_at is not None
    response = client.post(f"/matching/meeting-requests/{request.pk}/decide/", {"accept": "0"}, follow=True)
    request.refresh_from_db()
    assert request.status == "accepted"
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"


def test_request_form_is_prefilled_and_limited_to_own_participations(client):
    day, seeker, good, weak, _c = water_day()
    user = member_of(good.organization)
    client.force_login(user)
    content = page(client.get(seeker.get_absolute_url()))
    link = f"/matching/meeting-requests/add/?requester={good.pk}&amp;recipient={seeker.pk}"
    assert link in content
    form = page(client.get(link.replace("&amp;", "&")))
    assert f'<option value="{good.pk}" selected>' in form
    assert f'<option value="{seeker.pk}" selected>' in form
    # someone else's participation as requester is not offered, nor pre-selected from the URL
    form = page(client.get(f"/matching/meeting-requests/add/?requester={weak.pk}"))
    assert f'<option value="{weak.pk}" selected>' not in form
    response = client.post("/matching/meeting-requests/add/", {"requester": weak.pk, "recipient": seeker.pk,
                                                                "priority": "2"})
    assert response.status_code == 400 and not mm.MeetingRequest.objects.exists()


def test_requests_only_while_the_day_is_published():
    day, seeker, good, *_ = water_day()
    day.status = DS.CLOSED
    day.save()
    request = mm.MeetingRequest(requester=good, recipient=seeker)
    with pytest.raises(ValidationError) as err:
        request.full_clean()
    assert "requester" in err.value.message_dict


# -- manual meetings and bad input ----------------------------------------------------------------------------
def test_a_manual_meeting_that_breaks_a_rule_is_refused_with_a_message(client):
    day, seeker, good, weak, _c = water_day()
    make_meeting(day=day, slot=1, table=1, participant_a=seeker, participant_b=good, status="confirmed")
    client.force_login(member_of(day.organiser))
    data = {"day": day.pk, "slot": "1", "table": "2", "participant_a": weak.pk, "participant_b": seeker.pk,
            "status": "confirmed"}
    response = client.post("/matching/meetings/add/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["participant_b"]  # the seeker is busy in slot 1
    weak.conflicts.set([seeker.organization])
    data["slot"] = "2"
    response = client.post("/matching/meetings/add/", data)
    assert response.status_code == 400 and mm.Meeting.objects.count() == 1
    assert list(response.context["form"].errors) == ["participant_b"]  # the declared conflict
    data["table"] = "1"
    response = client.post("/matching/meetings/add/", dict(data, participant_b=good.pk))
    assert response.status_code == 302


def test_a_participant_cannot_place_meetings(client):
    day, seeker, good, weak, _c = water_day()
    client.force_login(member_of(good.organization))
    response = client.post("/matching/meetings/add/", {"day": day.pk, "slot": "1", "table": "1",
                                                       "participant_a": good.pk, "participant_b": seeker.pk,
                                                       "status": "confirmed"})
    assert response.status_code in (400, 403) and not mm.Meeting.objects.exists()


def test_day_that_runs_past_midnight_and_bad_slots_get_clear_messages(client):
    client.force_login(make_user(superuser=True))
    response = client.post("/matching/matchmaking-days/add/", {
        "organiser": make_org().pk, "title": "x", "date": "1405/02/10", "start_time": "23:00", "slot_minutes": "30",
        "slot_count": "4", "tables": "2", "max_meetings": "2"})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["slot_count"]
    day = make_day(slot_count=6)
    response = client.post("/matching/participants/add/", {"day": day.pk, "organization": make_org().pk,
                                                           "role": "solver", "available_slots": "۱، ۳-x"})
    assert response.status_code == 400 and "3-x" in response.context["form"].errors["available_slots"][0]
    response = client.post("/matching/participants/add/", {"day": day.pk, "organization": make_org().pk,
                                                           "role": "solver", "available_slots": "۱، ۳-۵"})
    assert response.status_code == 302
    assert mm.Participant.objects.get(day=day).available_slots == [1, 3, 4, 5]


def test_a_participant_brings_only_its_own_challenges(client):
    day = make_day()
    org = make_org()
    client.force_login(make_user(superuser=True))
    response = client.post("/matching/participants/add/", {"day": day.pk, "organization": org.pk, "role": "seeker",
                                                           "challenges": [make_challenge().pk]})
    assert response.status_code == 400 and not mm.Participant.objects.exists()
    assert list(response.context["form"].errors) == ["challenges"]


def test_organization_registers_itself_to_a_published_day_only(client):
    org = make_org()
    user = member_of(org)
    client.force_login(user)
    day = make_day()
    content = page(client.get(day.get_absolute_url()))
    assert f"/matching/participants/add/?day={day.pk}" in content
    form = page(client.get(f"/matching/participants/add/?day={day.pk}"))
    assert f'<option value="{day.pk}" selected>' in form
    response = client.post("/matching/participants/add/", {"day": day.pk, "organization": org.pk, "role": "solver"})
    assert response.status_code == 302
    draft = make_day(status=DS.DRAFT)
    response = client.post("/matching/participants/add/", {"day": draft.pk, "organization": org.pk,
                                                           "role": "solver"})
    assert response.status_code in (400, 403) and not mm.Participant.objects.filter(day=draft).exists()


# -- workflow and API ---------------------------------------------------------------------------------------------
def test_day_workflow_and_reopening_the_schedule():
    day, *_ = water_day(status=DS.DRAFT)
    user = member_of(day.organiser)
    services.transition_day(user=user, day=day, to=DS.PUBLISHED)
    with pytest.raises(ValidationError) as err:
        services.publish_schedule(user=user, day=day)
    assert "meetings" in err.value.message_dict
    services.propose_schedule(user=user, day=day)
    services.publish_schedule(user=user, day=day)
    services.transition_day(user=user, day=day, to=DS.PUBLISHED)
    assert set(day.meetings.values_list("status", flat=True)) == {"proposed"}
    with pytest.raises(ValidationError):
        services.transition_day(user=user, day=day, to=DS.SCHEDULED)
    services.transition_day(user=user, day=day, to=DS.CLOSED)
    with pytest.raises(ValidationError):
        services.transition_day(user=user, day=day, to=DS.PUBLISHED)


def test_api_propose_publish_and_decide():
    day, seeker, good, *_ = water_day()
    api = APIClient()
    api.force_authenticate(member_of(day.organiser))
    bad = api.post(f"/api/matching/matchmaking-days/{day.pk}/propose-schedule/", {"method": "magic"}, format="json")
    assert bad.status_code == 400 and "method" in bad.json()
    bad = api.post(f"/api/matching/matchmaking-days/{day.pk}/propose-schedule/", {"time_limit": "soon"},
                   format="json")
    assert bad.status_code == 400 and "time_limit" in bad.json()
    ok = api.post(f"/api/matching/matchmaking-days/{day.pk}/propose-schedule/", {"method": "cp-sat"}, format="json")
    assert ok.status_code == 200 and ok.json()["meetings"] == day.meetings.count() > 0
    listed = api.get(f"/api/matching/meetings/?day={day.pk}").json()
    assert listed["count"] == day.meetings.count()
    assert listed["results"][0]["time"].startswith("09:")
    assert api.post(f"/api/matching/matchmaking-days/{day.pk}/publish-schedule/").json()["status"] == "scheduled"
    request = make_meeting_request(requester=good, recipient=seeker)
    api.force_authenticate(member_of(good.organization))
    assert api.post(f"/api/matching/meeting-requests/{request.pk}/decide/", {"accept": True},
                    format="json").status_code == 403
    api.force_authenticate(member_of(seeker.organization))
    assert api.post(f"/api/matching/meeting-requests/{request.pk}/decide/", {"accept": True},
                    format="json").json()["status"] == "accepted"


def test_api_meeting_request_takes_the_day_of_the_requester():
    day, seeker, good, *_ = water_day()
    api = APIClient()
    api.force_authenticate(member_of(good.organization))
    response = api.post("/api/matching/meeting-requests/", {"requester": good.pk, "recipient": seeker.pk},
                        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["day"] == day.pk


# -- the polish: forms pre-filled from the query string ------------------------------------------------------------
def test_send_a_proposal_opens_the_form_with_the_challenge_selected(client):
    challenge = make_challenge()
    solver = make_org()
    client.force_login(member_of(solver))
    content = page(client.get(challenge.get_absolute_url()))
    assert f"/matching/proposals/add/?challenge={challenge.pk}" in content
    form = page(client.get(f"/matching/proposals/add/?challenge={challenge.pk}"))
    assert f'<option value="{challenge.pk}" selected>' in form
    # a challenge that is not open (not in the form's choices), a bad value, an unknown field: ignored
    closed = make_challenge(status=mm.Challenge.Status.CLOSED)
    for query in (f"challenge={closed.pk}", "challenge=abc", "challenge=99999999999999999999", "nonsense=1"):
        response = client.get(f"/matching/proposals/add/?{query}")
        assert response.status_code == 200
        assert not re.search(r'<option value="\d+" selected>', page(response)), query


def test_the_history_of_a_day_lists_its_fields_not_its_participants(client):
    client.force_login(make_user(superuser=True))
    response = client.post("/matching/matchmaking-days/add/", {
        "organiser": make_org().pk, "title": "روز تاریخچه", "date": "1405/02/10", "start_time": "09:00",
        "slot_minutes": "20", "slot_count": "4", "tables": "2", "max_meetings": "2"})
    assert response.status_code == 302
    history = element_html(page(client.get(response["Location"])), "history")
    assert "روز تاریخچه" in history
    assert ".None" not in history
