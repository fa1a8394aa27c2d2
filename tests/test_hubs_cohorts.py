"""Hub programs, cohorts and calls: the application form defined as data, one application per organization,
closed calls, weighted review scores, conflicts of interest, decisions within the cohort's capacity, and
mentor office hours booked through the booking engine (docs/hubs.md, "Programs, cohorts and calls")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from factories import make_org, make_user
from hubs_cohorts_factories import (
    make_application,
    make_block,
    make_call,
    make_cohort,
    make_criterion,
    make_program,
    make_question,
    make_review,
    member_of,
    staff_of_site,
    today,
)
from hubs_factories import at, make_booking, make_space

from khooshe.hubs import models as hm
from khooshe.hubs import services as booking_services
from khooshe.hubs.cohorts import models as cm
from khooshe.hubs.cohorts import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore")]

Q = cm.CallQuestion.Kind
S = cm.CohortApplication.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def en_user(**kw):
    return make_user(language="en", **kw)


def form_call():
    """An open call whose form has one question of each kind (the link and the yes/no optional)."""
    call = make_call()
    questions = {
        "name": make_question(call=call, order=1, label="Product name", kind=Q.SHORT_TEXT),
        "pitch": make_question(call=call, order=2, label="Pitch", kind=Q.LONG_TEXT),
        "team": make_question(call=call, order=3, label="Team size", kind=Q.NUMBER),
        "stage": make_question(call=call, order=4, label="Stage", kind=Q.CHOICE, choices="Idea\nPrototype\nRevenue"),
        "funded": make_question(call=call, order=5, label="Already funded", kind=Q.YES_NO, required=False),
        "deck": make_question(call=call, order=6, label="Pitch deck", kind=Q.LINK, required=False),
    }
    return call, questions


def answers_for(qs, **override):
    values = {"name": "Khoshe", "pitch": "We map clusters.", "team": "4", "stage": "Prototype", "funded": "no",
              "deck": "https://example.org/deck.pdf"}
    values.update(override)
    return {services.answer_key(qs[k]): v for k, v in values.items()}


# -- the form -------------------------------------------------------------------------------------------------
def test_answers_are_validated_with_messages_that_name_the_question():
    call, qs = form_call()
    answers, errors = services.clean_answers(
        selectors.questions_of(call),
        answers_for(qs, name="", team="four", stage="Series B", funded="maybe", deck="not a link"), complete=True)
    key = services.answer_key
    assert errors[key(qs["name"])] == "Answer “Product name”: it is required."
    assert "“Team size” must be a number, not “four”" in errors[key(qs["team"])]
    assert "Choose one of the choices of “Stage”: Idea، Prototype، Revenue." == errors[key(qs["stage"])]
    assert "“Already funded” with yes or no" in errors[key(qs["funded"])]
    assert "“Pitch deck” must be an address" in errors[key(qs["deck"])]
    assert key(qs["pitch"]) not in errors and answers[key(qs["pitch"])] == "We map clusters."


def test_good_answers_are_stored_typed_and_questions_are_shown_in_order():
    call, qs = form_call()
    answers, errors = services.clean_answers(selectors.questions_of(call),
                                             answers_for(qs, team="۱۲", funded="yes"), complete=True)
    assert errors == {}
    assert answers[services.answer_key(qs["team"])] == 12  # Persian digits read as a number
    assert answers[services.answer_key(qs["funded"])] is True
    assert [q.label for q in selectors.questions_of(call)][:3] == ["Product name", "Pitch", "Team size"]


def test_a_choice_question_needs_choices():
    call = make_call()
    with pytest.raises(ValidationError) as info:
        cm.CallQuestion(call=call, label="Stage", kind=Q.CHOICE, choices="Only one").full_clean()
    assert "at least two choices" in str(info.value.message_dict["choices"])


def test_a_draft_may_leave_required_questions_empty_but_submitting_may_not():
    call, qs = form_call()
    org = make_org()
    user = member_of(org, en_user())
    draft = services.save_application(user=user, call=call, organization=org, answers={})
    assert draft.status == S.DRAFT
    with pytest.raises(ValidationError) as info:
        services.submit_application(user=user, application=draft)
    assert "Answer “Product name”: it is required." in info.value.message_dict[services.answer_key(qs["name"])]
    services.save_application(user=user, call=call, organization=org, answers=answers_for(qs), submit=True)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED and draft.submitted_at is not None


def test_the_apply_page_shows_the_form_and_names_the_wrong_answer(client):
    call, qs = form_call()
    org = make_org()
    user = member_of(org, en_user())
    client.force_login(user)
    page = client.get(f"/hubs/calls/{call.pk}/apply/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Product name" in html and "Pitch deck" in html and 'name="q{}"'.format(qs["stage"].pk) in html
    data = {"organization": org.pk, **answers_for(qs, team="lots"), "submit": "1"}
    response = client.post(f"/hubs/calls/{call.pk}/apply/", data)
    assert response.status_code == 400
    assert "The answer to “Team size” must be a number, not “lots”." in response.content.decode()
    assert not cm.CohortApplication.objects.exists()
    data["q{}".format(qs["team"].pk)] = "5"
    response = client.post(f"/hubs/calls/{call.pk}/apply/", data)
    application = cm.CohortApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == S.SUBMITTED and application.organization == org
    detail = client.get(application.get_absolute_url()).content.decode()
    assert "We map clusters." in detail and "Withdraw" in detail


# -- one application per organization; drafts, withdraw; closed calls ------------------------------------------
def test_one_application_per_organization_per_call():
    call, qs = form_call()
    org = make_org()
    first, second = member_of(org, en_user()), member_of(org, en_user())
    draft = services.save_application(user=first, call=call, organization=org, answers=answers_for(qs))
    again = services.save_application(user=second, call=call, organization=org, answers=answers_for(qs, name="New"))
    assert again.pk == draft.pk  # the organization's draft, edited by its other member
    services.submit_application(user=second, application=again)
    with pytest.raises(ValidationError) as info:
        services.save_application(user=first, call=call, organization=org, answers=answers_for(qs))
    message = info.value.message_dict["organization"][0]
    assert str(org) in message and "already applied to this call (status: Submitted)" in message
    assert cm.CohortApplication.objects.filter(call=call).count() == 1


def test_withdrawn_application_can_be_changed_and_submitted_again():
    call, qs = form_call()
    org = make_org()
    user = member_of(org, en_user())
    application = services.save_application(user=user, call=call, organization=org, answers=answers_for(qs),
                                            submit=True)
    services.withdraw_application(user=user, application=application)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    again = services.save_application(user=user, call=call, organization=org, answers=answers_for(qs), submit=True)
    assert again.pk == application.pk and again.status == S.SUBMITTED


def test_a_user_applies_only_for_their_own_organization_or_a_new_team():
    call, qs = form_call()
    user = en_user()
    stranger_org = make_org()
    with pytest.raises(ValidationError) as info:
        services.save_application(user=user, call=call, organization=stranger_org, answers=answers_for(qs))
    assert str(stranger_org) in info.value.message_dict["organization"][0]
    with pytest.raises(ValidationError) as info:
        services.save_application(user=user, call=call, answers=answers_for(qs))
    assert "new team's name" in info.value.message_dict["team_name"][0]
    team = services.save_application(user=user, call=call, team_name="Team Saffron", answers=answers_for(qs),
                                     submit=True)
    assert team.team == "Team Saffron" and team.organization is None


def test_a_closed_call_refuses_with_its_closing_date(client):
    call, qs = form_call()
    call.opens_on, call.closes_on = dt.date(2024, 1, 1), dt.date(2024, 2, 15)
    call.save()
    org = make_org()
    user = member_of(org, en_user())
    with pytest.raises(ValidationError) as info:
        services.save_application(user=user, call=call, organization=org, answers=answers_for(qs))
    assert info.value.message_dict["call"] == [
        "This call closed on 2024-02-15; applications are no longer accepted."]
    client.force_login(user)
    response = client.post(f"/hubs/calls/{call.pk}/apply/", {"organization": org.pk, **answers_for(qs)})
    assert response.status_code == 400
    assert "This call closed on 2024-02-15" in response.content.decode()


def test_the_call_is_open_until_the_end_of_its_closing_day_in_the_sites_time_zone():
    call = make_call(opens_on=dt.date(2025, 3, 1), closes_on=dt.date(2025, 3, 10))
    tz = call.cohort.program.site.tzinfo
    assert call.is_open(dt.datetime(2025, 3, 10, 23, 59, tzinfo=tz))
    assert not call.is_open(dt.datetime(2025, 3, 11, 0, 0, tzinfo=tz))
    assert not call.is_open(dt.datetime(2025, 2, 28, 23, 59, tzinfo=tz))


def test_the_persian_closed_message_names_the_jalali_date():
    call = make_call(opens_on=dt.date(2024, 1, 1), closes_on=dt.date(2024, 3, 19))
    org = make_org()
    user = member_of(org)
    with translation.override("fa"), pytest.raises(ValidationError) as info:
        services.save_application(user=user, call=call, organization=org, answers={})
    assert "۲۹ اسفند ۱۴۰۲" in info.value.message_dict["call"][0]


# -- reviews and scores -----------------------------------------------------------------------------------------
def scored_call():
    """A call with criteria "team" (weight 3) and "market" (weight 1) and one submitted application."""
    call = make_call()
    team = make_criterion(call=call, name="team", weight=Decimal(3))
    market = make_criterion(call=call, name="market", weight=Decimal(1))
    return call, team, market, make_application(call=call)


def test_the_score_is_the_mean_of_each_reviewers_weighted_mean():
    call, team, market, application = scored_call()
    staff = staff_of_site(call.cohort.program.site)
    a, b, c = en_user(), en_user(), en_user()
    for reviewer in (a, b, c):
        services.assign_reviewer(user=staff, application=application, reviewer=reviewer)
    services.submit_review(user=a, application=application, scores={team.pk: 5, market.pk: 1})  # (15+1)/4 = 4
    services.submit_review(user=b, application=application, scores={team.pk: 2, market.pk: 4})  # (6+4)/4 = 2.5
    assert selectors.application_score(application) == 3.25  # c has not scored yet: not counted
    other = make_application(call=call)
    services.assign_reviewer(user=staff, application=other, reviewer=a)
    services.submit_review(user=a, application=other, scores={str(team.pk): 4, str(market.pk): 4})
    unscored = make_application(call=call)
    rows = selectors.ranking(call)
    assert [(r.application.pk, r.score, r.reviewers, r.assigned) for r in rows] == [
        (other.pk, 4.0, 1, 1), (application.pk, 3.25, 2, 3), (unscored.pk, None, 0, 0)]


def test_a_review_needs_every_criterion_scored_1_to_5():
    call, team, market, application = scored_call()
    reviewer = en_user()
    make_review(application=application, reviewer=reviewer)
    with pytest.raises(ValidationError) as info:
        services.submit_review(user=reviewer, application=application, scores={team.pk: 6})
    assert info.value.message_dict == {f"criterion_{team.pk}": ["Give a score from 1 to 5 for “team”."],
                                       f"criterion_{market.pk}": ["Give a score from 1 to 5 for “market”."]}
    with pytest.raises(PermissionDenied):
        services.submit_review(user=en_user(), application=application, scores={team.pk: 3, market.pk: 3})


def test_a_reviewer_cannot_review_an_application_of_their_own_organization(client):
    call, team, market, application = scored_call()
    staff = staff_of_site(call.cohort.program.site, en_user())
    insider = member_of(application.organization, en_user())
    with pytest.raises(ValidationError) as info:
        services.assign_reviewer(user=staff, application=application, reviewer=insider)
    message = info.value.message_dict["reviewer"][0]
    assert "conflict of interest" in message and str(application.organization) in message
    client.force_login(staff)
    response = client.post("/hubs/application-reviews/add/", {"application": application.pk,
                                                                "reviewer": insider.username})
    assert response.status_code == 400 and "conflict of interest" in response.content.decode()
    # A reviewer who joins the applicant's organization after being assigned can no longer score it.
    later = en_user()
    services.assign_reviewer(user=staff, application=application, reviewer=later)
    member_of(application.organization, later)
    later = type(later).objects.get(pk=later.pk)  # a fresh user: roles are read again
    with pytest.raises(ValidationError) as info:
        services.submit_review(user=later, application=application, scores={team.pk: 5, market.pk: 5})
    assert "conflict of interest" in info.value.message_dict["reviewer"][0]


def test_the_review_page_scores_and_shows_the_answers(client):
    call, team, market, application = scored_call()
    application.answers = {"q999": "x"}
    application.save()
    make_question(call=call, label="Why us?")
    reviewer = en_user()
    make_review(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(f"/hubs/applications/{application.pk}/review/")
    assert page.status_code == 200 and "Why us?" in page.content.decode()
    response = client.post(f"/hubs/applications/{application.pk}/review/",
                           {f"criterion_{team.pk}": "4", f"criterion_{market.pk}": "", "comment": "Strong team"})
    assert response.status_code == 400 and "Give a score from 1 to 5 for “market”." in response.content.decode()
    response = client.post(f"/hubs/applications/{application.pk}/review/",
                           {f"criterion_{team.pk}": "4", f"criterion_{market.pk}": "2", "comment": "Strong team"})
    assert response.status_code == 302
    assert selectors.application_score(application) == 3.5  # (12 + 2) / 4


# -- decisions ---------------------------------------------------------------------------------------------------
def test_accepting_respects_the_cohort_capacity_and_makes_members(client):
    cohort = make_cohort(capacity=2, name="Spring")
    call = make_call(cohort=cohort)
    staff = staff_of_site(cohort.program.site, en_user())
    a, b, c = (make_application(call=call, applicant=en_user()) for _ in range(3))
    services.decide_application(user=staff, application=a, decision=S.ACCEPTED, note="Welcome")
    services.decide_application(user=staff, application=b, decision=S.ACCEPTED)
    with pytest.raises(ValidationError) as info:
        services.decide_application(user=staff, application=c, decision=S.ACCEPTED)
    assert info.value.message_dict["decision"] == [
        "The cohort “Spring” is full: 2 of 2 teams are accepted. Waitlist this application, or raise the "
        "cohort's capacity first."]
    services.decide_application(user=staff, application=c, decision=S.WAITLISTED, note="Next in line")
    assert sorted(m.organization_id for m in cohort.members.all()) == sorted([a.organization_id, b.organization_id])
    # Rejecting an accepted team frees its place; the waitlisted team can then be accepted.
    services.decide_application(user=staff, application=b, decision=S.REJECTED)
    services.decide_application(user=staff, application=c, decision=S.ACCEPTED)
    assert cohort.members.count() == 2
    c.refresh_from_db()
    assert c.status == S.ACCEPTED and c.decided_by == staff
    # The applicant sees the status and the note on their applications page.
    client.force_login(a.applicant)
    page = client.get("/hubs/my-applications/").content.decode()
    assert "Accepted" in page and "Welcome" in page


def test_the_ranking_page_decides_and_shows_the_full_cohort_message(client):
    cohort = make_cohort(capacity=1, name="Tiny")
    call = make_call(cohort=cohort)
    staff = staff_of_site(cohort.program.site, en_user())
    a, b = make_application(call=call), make_application(call=call)
    client.force_login(staff)
    page = client.get(f"/hubs/calls/{call.pk}/ranking/")
    assert page.status_code == 200 and str(a.organization) in page.content.decode()
    client.post(f"/hubs/applications/{a.pk}/decide/", {"decision": "accepted", "next": "ranking"})
    response = client.post(f"/hubs/applications/{b.pk}/decide/", {"decision": "accepted", "next": "ranking"},
                           follow=True)
    assert "The cohort “Tiny” is full: 1 of 1 teams are accepted." in response.content.decode()
    assert cohort.members.count() == 1
    client.force_login(a.applicant)
    assert client.get(f"/hubs/calls/{call.pk}/ranking/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.decide_application(user=a.applicant, application=b, decision=S.REJECTED)


def test_drafts_and_withdrawn_applications_are_not_decided():
    call = make_call()
    staff = staff_of_site(call.cohort.program.site)
    draft = make_application(call=call, status=S.DRAFT)
    with pytest.raises(ValidationError) as info:
        services.decide_application(user=staff, application=draft, decision=S.ACCEPTED)
    assert "Only submitted applications are decided" in info.value.message_dict["status"][0]


# -- who sees what ------------------------------------------------------------------------------------------------
def test_applicants_reviewers_and_staff_see_only_their_applications(client):
    call = make_call()
    mine, theirs, reviewed = make_application(call=call), make_application(call=call), make_application(call=call)
    reviewer = en_user()
    make_review(application=reviewed, reviewer=reviewer)
    staff = staff_of_site(call.cohort.program.site)
    other_staff = staff_of_site(make_program().site)
    visible = lambda user: set(cm.CohortApplication.objects.visible_to(user).values_list("pk", flat=True))  # noqa: E731
    assert visible(mine.applicant) == {mine.pk}
    assert visible(member_of(mine.organization)) == {mine.pk}  # a colleague of the same organization
    assert visible(reviewer) == {reviewed.pk}
    assert visible(staff) == {mine.pk, theirs.pk, reviewed.pk}
    assert visible(other_staff) == set()
    client.force_login(mine.applicant)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/api/hubs/applications/{theirs.pk}/").status_code == 404
    listed = client.get("/api/hubs/applications/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    # Reviews are never shown to the applicant.
    assert client.get("/api/hubs/application-reviews/").json()["results"] == []


def test_private_programs_are_seen_by_their_staff_only(client):
    program = make_program(visibility=cm.HubProgram.Visibility.PRIVATE)
    call = make_call(cohort=make_cohort(program=program))
    staff = staff_of_site(program.site)
    assert not cm.HubProgram.objects.visible_to(en_user()).filter(pk=program.pk).exists()
    assert cm.CohortCall.objects.visible_to(staff).filter(pk=call.pk).exists()
    assert client.get(call.get_absolute_url()).status_code == 404
    members = make_program(visibility=cm.HubProgram.Visibility.MEMBERS)
    assert client.get(members.get_absolute_url()).status_code == 404
    client.force_login(en_user())
    assert client.get(members.get_absolute_url()).status_code == 200


def test_only_staff_of_the_site_change_its_programs(client):
    program = make_program()
    outsider = staff_of_site(make_program().site, en_user())
    client.force_login(outsider)
    response = client.post(f"/api/hubs/programs/{program.pk}/", {"name": "Mine now"},
                           content_type="application/json", REQUEST_METHOD="PATCH")
    assert response.status_code in (403, 404)
    client.force_login(staff_of_site(program.site, en_user()))
    response = client.patch(f"/api/hubs/programs/{program.pk}/", {"name": "Renamed"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"


# -- API ---------------------------------------------------------------------------------------------------------
def test_the_api_applies_reviews_ranks_and_decides(client):
    call, qs = form_call()
    team = make_criterion(call=call, name="team", weight=Decimal(2))
    org = make_org()
    user = member_of(org, en_user())
    client.force_login(user)
    bad = client.post(f"/api/hubs/calls/{call.pk}/apply/", {"organization": org.pk, "submit": True,
                                                             "answers": answers_for(qs, stage="Other")},
                      content_type="application/json")
    assert bad.status_code == 400
    assert "Choose one of the choices of “Stage”" in bad.json()[services.answer_key(qs["stage"])][0]
    created = client.post(f"/api/hubs/calls/{call.pk}/apply/", {"organization": org.pk,
                                                                 "answers": answers_for(qs)},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert client.post(f"/api/hubs/applications/{pk}/submit/").json()["status"] == "submitted"
    assert client.get(f"/api/hubs/calls/{call.pk}/ranking/").status_code == 403
    staff = staff_of_site(call.cohort.program.site, en_user())
    reviewer = en_user()
    client.force_login(staff)
    assigned = client.post("/api/hubs/application-reviews/", {"application": pk, "reviewer": reviewer.pk},
                           content_type="application/json")
    assert assigned.status_code == 201, assigned.content
    conflict = client.post("/api/hubs/application-reviews/", {"application": pk, "reviewer": user.pk},
                           content_type="application/json")
    assert conflict.status_code == 400 and "conflict of interest" in conflict.json()["reviewer"][0]
    client.force_login(reviewer)
    scored = client.post(f"/api/hubs/applications/{pk}/review/", {"scores": {str(team.pk): 4}, "comment": "ok"},
                         content_type="application/json")
    assert scored.status_code == 200 and scored.json()["scores"] == {str(team.pk): 4}
    client.force_login(staff)
    assert client.get(f"/api/hubs/calls/{call.pk}/ranking/").json() == [
        {"application": pk, "team": str(org), "status": "submitted", "score": 4.0, "reviewers": 1, "assigned": 1}]
    decided = client.post(f"/api/hubs/applications/{pk}/decide/", {"decision": "accepted", "note": "Yes"},
                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert cm.CohortMember.objects.filter(cohort=call.cohort, organization=org).exists()
    wrong = client.post(f"/api/hubs/applications/{pk}/decide/", {"decision": "maybe"},
                        content_type="application/json")
    assert wrong.status_code == 400 and "decision" in wrong.json()


# -- mentor office hours -----------------------------------------------------------------------------------------
def office_hours_setup():
    """A cohort with one member team (its user a member), a mentor's office hours 10-12 in a meeting room."""
    cohort = make_cohort()
    org = make_org()
    member = cm.CohortMember.objects.create(cohort=cohort, organization=org)
    user = member_of(org, en_user())
    block = make_block(cohort=cohort, mentor=en_user(username=f"mentor{org.pk}"))
    return block, member, user


def test_booking_a_slot_books_the_room_through_the_booking_engine():
    block, member, user = office_hours_setup()
    first = block.slot_starts()[0]
    assert [s.time() for s in block.slot_starts()] == [dt.time(10), dt.time(10, 30), dt.time(11), dt.time(11, 30)]
    meeting = services.book_office_hour(user=user, block=block, start=first)
    booking = meeting.booking
    assert booking.space == block.space and booking.start == first
    assert booking.end == first + dt.timedelta(minutes=30) and booking.status == hm.Booking.Status.CONFIRMED
    assert booking.booked_by == block.mentor and "Office hours" in booking.title
    assert hm.BookingSlot.objects.filter(booking=booking, active=True).exists()  # the room is really held
    assert first not in selectors.free_slots(block)


def test_a_room_already_booked_is_refused_with_the_conflict_message_and_next_free_times():
    block, member, user = office_hours_setup()
    make_booking(space=block.space, start=at(block.date, 10), end=at(block.date, 11))  # someone else's meeting
    with pytest.raises(booking_services.BookingConflict) as info:
        services.book_office_hour(user=user, block=block, start=block.slot_starts()[0])
    assert "is not free from" in info.value.message and "Next free times" in info.value.message
    assert info.value.next_free and info.value.next_free[0].start >= at(block.date, 11)
    assert not cm.OfficeHourMeeting.objects.exists()
    # The API answers 409 with the next free times, as the booking API does.
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.post(f"/api/hubs/office-hours/{block.pk}/book/", {"start": block.slot_starts()[1].isoformat()},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["next_free"]
    booked = client.post(f"/api/hubs/office-hours/{block.pk}/book/", {"start": block.slot_starts()[2].isoformat()},
                         content_type="application/json")
    assert booked.status_code == 201


def test_a_mentor_is_never_booked_twice_at_the_same_time():
    block, member, user = office_hours_setup()
    start = block.slot_starts()[2]  # 11:00
    services.book_office_hour(user=user, block=block, start=start)
    with pytest.raises(ValidationError) as info:
        services.book_office_hour(user=user, block=block, start=start)
    assert f"{block.mentor} is already meeting {member}" in info.value.message_dict["start"][0]
    # Overlapping office hours of the same mentor in another room cannot even be offered ...
    other_room = make_space(site=block.space.site)
    clash = cm.OfficeHourBlock(cohort=block.cohort, mentor=block.mentor, space=other_room, date=block.date,
                               start_time=dt.time(11), end_time=dt.time(13), slot_minutes=30)
    with pytest.raises(ValidationError) as info:
        clash.full_clean()
    assert "already offers office hours from 10:00 to 12:00" in info.value.message_dict["start_time"][0]
    # ... and one that slipped in (e.g. written directly) still cannot double-book the mentor.
    clash.save()
    with pytest.raises(ValidationError) as info:
        services.book_office_hour(user=user, block=clash, start=clash.slot_starts()[0])  # 11:00 again
    assert "is already meeting" in info.value.message_dict["start"][0]
    assert cm.OfficeHourMeeting.objects.filter(status="booked").count() == 1


def test_cancelling_frees_the_slot_and_the_room(client):
    block, member, user = office_hours_setup()
    start = block.slot_starts()[0]
    meeting = services.book_office_hour(user=user, block=block, start=start)
    client.force_login(user)
    page = client.get("/hubs/my-office-hours/").content.decode()
    assert str(block.mentor) in page and "booked-meetings" in page
    response = client.post(f"/hubs/office-hour-meetings/{meeting.pk}/cancel/")
    assert response.status_code == 302
    meeting.refresh_from_db()
    meeting.booking.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.booking.status == hm.Booking.Status.CANCELLED
    assert start in selectors.free_slots(block)
    again = services.book_office_hour(user=user, block=block, start=start)
    assert again.pk != meeting.pk


def test_only_member_teams_book_and_mentors_see_their_office_hours(client):
    block, member, user = office_hours_setup()
    with pytest.raises(PermissionDenied):
        services.book_office_hour(user=en_user(), block=block, start=block.slot_starts()[0])
    with pytest.raises(ValidationError) as info:
        services.book_office_hour(user=user, block=block, start=block.slot_starts()[0] + dt.timedelta(minutes=5))
    assert "is not a slot of these office hours" in info.value.message_dict["start"][0]
    services.book_office_hour(user=user, block=block, start=block.slot_starts()[3])
    client.force_login(block.mentor)
    page = client.get("/hubs/my-office-hours/").content.decode()
    assert "my-office-hours" in page and str(member) in page
    client.force_login(user)
    page = client.get("/hubs/my-office-hours/").content.decode()
    assert f'data-block="{block.pk}"' in page  # the member sees the free slots of their cohort's mentor
    response = client.post(f"/hubs/office-hours/{block.pk}/book/", {"start": block.slot_starts()[0].isoformat()})
    assert response.status_code == 302
    assert cm.OfficeHourMeeting.objects.filter(status="booked").count() == 2


def test_office_hours_must_be_in_a_room_of_the_site_the_mentor_may_book():
    cohort = make_cohort()
    elsewhere = make_space()
    with pytest.raises(ValidationError) as info:
        cm.OfficeHourBlock(cohort=cohort, mentor=en_user(), space=elsewhere, date=today(), start_time=dt.time(10),
                           end_time=dt.time(11)).full_clean()
    assert "Choose a space of" in info.value.message_dict["space"][0]
    staff_room = make_space(site=cohort.program.site, bookable_by=hm.Audience.STAFF)
    with pytest.raises(ValidationError) as info:
        cm.OfficeHourBlock(cohort=cohort, mentor=en_user(), space=staff_room, date=today(), start_time=dt.time(10),
                           end_time=dt.time(11)).full_clean()
    assert "may not book" in info.value.message_dict["space"][0]
