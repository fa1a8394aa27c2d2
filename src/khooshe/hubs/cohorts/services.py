"""Writes of cohorts: applications (draft, submit, withdraw), reviewer assignment, reviews, decisions, and
mentor office hours booked through the booking engine. Every write is keyword-only and runs in one
transaction; refusals a user can fix raise ``ValidationError`` whose messages name the question, criterion
or field (office-hour bookings also raise the booking engine's ``BookingError``/``BookingConflict``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core.jalali import format_date
from khooshe.core.text import normalize
from khooshe.hubs import services as booking_services
from khooshe.registry.access import access_for

from . import selectors
from .models import (
    ApplicationReview,
    ApplicationScore,
    CallQuestion,
    Cohort,
    CohortApplication,
    CohortCall,
    CohortMember,
    OfficeHourBlock,
    OfficeHourMeeting,
    conflict_of_interest,
)

S = CohortApplication.Status
YES = {"yes", "true", "1", "on", "بله", "آری"}
NO = {"no", "false", "0", "off", "خیر", "نه"}
MAX_TEXT = {CallQuestion.Kind.SHORT_TEXT: 300, CallQuestion.Kind.LONG_TEXT: 10000, CallQuestion.Kind.LINK: 1000}


def answer_key(question: CallQuestion) -> str:
    """The name of a question's input and its key in ``CohortApplication.answers``."""
    return f"q{question.pk}"


# -- the application form -------------------------------------------------------------------------------
def clean_answers(questions: list[CallQuestion], raw: dict, *, complete: bool) -> tuple[dict, dict]:
    """Validate the answers of a call's form: ``raw`` maps ``q<id>`` (or the question id) to what was typed.
    Returns (answers to store, errors by ``q<id>``); each message names the question. Required questions
    must be answered only when ``complete`` (submitting); a draft may leave them empty."""
    answers, errors = {}, {}
    for q in questions:
        key = answer_key(q)
        value = raw.get(key, raw.get(str(q.pk), raw.get(q.pk)))
        text = "" if value is None else normalize(str(value)).strip()
        if text == "":
            if q.required and complete:
                errors[key] = _("Answer “%(question)s”: it is required.") % {"question": q.label}
            continue
        if q.kind in MAX_TEXT and len(text) > MAX_TEXT[q.kind]:
            errors[key] = _("The answer to “%(question)s” is too long: at most %(n)s characters.") % {
                "question": q.label, "n": MAX_TEXT[q.kind]}
        elif q.kind == CallQuestion.Kind.NUMBER:
            try:
                number = Decimal(text.replace(",", "").replace("٬", ""))
                if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
                    raise InvalidOperation
            except InvalidOperation:
                errors[key] = _("The answer to “%(question)s” must be a number, not “%(value)s”.") % {
                    "question": q.label, "value": text[:50]}
            else:
                answers[key] = int(number) if number == number.to_integral_value() else float(number)
        elif q.kind == CallQuestion.Kind.CHOICE:
            if text not in q.choice_list:
                errors[key] = _("Choose one of the choices of “%(question)s”: %(choices)s.") % {
                    "question": q.label, "choices": "، ".join(q.choice_list)}
            else:
                answers[key] = text
        elif q.kind == CallQuestion.Kind.YES_NO:
            if text.lower() in YES:
                answers[key] = True
            elif text.lower() in NO:
                answers[key] = False
            else:
                errors[key] = _("Answer “%(question)s” with yes or no.") % {"question": q.label}
        elif q.kind == CallQuestion.Kind.LINK:
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                errors[key] = _("The answer to “%(question)s” must be an address starting with https://, not "
                                "“%(value)s”.") % {"question": q.label, "value": text[:50]}
            else:
                answers[key] = text
        else:
            answers[key] = text
    return answers, errors


def _check_open(call: CohortCall, now: dt.datetime) -> None:
    opens, closes = call.window()
    if now >= closes:
        raise ValidationError({"call": _("This call closed on %(date)s; applications are no longer accepted.")
                               % {"date": format_date(call.closes_on)}})
    if now < opens:
        raise ValidationError({"call": _("This call opens on %(date)s; apply from then on.")
                               % {"date": format_date(call.opens_on)}})


def _check_acts_for(user, application: CohortApplication) -> None:
    acc = access_for(user)
    if acc.is_admin or application.applicant_id == user.pk:
        return
    if application.organization_id and application.organization_id in acc.organization_ids:
        return
    raise PermissionDenied(_("You may change only your own applications."))


@transaction.atomic
def save_application(*, user, call: CohortCall, answers: dict, organization=None, team_name: str = "",
                     submit: bool = False, now: dt.datetime | None = None) -> CohortApplication:
    """Save (``submit``: and submit) the application of ``organization`` (one the user is a member of) or
    of a new team named ``team_name`` to ``call``. One application per organization per call: a second
    save edits the same draft; a submitted one must be withdrawn first."""
    now = now or timezone.now()
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to apply."))
    _check_open(call, now)
    acc = access_for(user)
    team_name = normalize(team_name or "").strip()
    if organization is not None:
        if not acc.is_admin and organization.pk not in acc.organization_ids:
            raise ValidationError({"organization": _("You may apply only for an organization you are a member "
                                                     "of; “%(org)s” is not one.") % {"org": organization}})
        existing = CohortApplication.objects.select_for_update().filter(call=call, organization=organization)
    else:
        if not team_name:
            raise ValidationError({"team_name": _("Choose the organization you apply for, or give your new "
                                                  "team's name.")})
        existing = CohortApplication.objects.select_for_update().filter(call=call, applicant=user,
                                                                        organization__isnull=True)
    application = existing.first()
    if application is not None and application.status not in (S.DRAFT, S.WITHDRAWN):
        raise ValidationError({"organization" if organization is not None else "team_name": _(
            "%(team)s has already applied to this call (status: %(status)s); withdraw that application to "
            "change it.") % {"team": application.team, "status": application.get_status_display()}})
    clean, errors = clean_answers(selectors.questions_of(call), answers, complete=submit)
    if errors:
        raise ValidationError(errors)
    if application is None:
        application = CohortApplication(call=call, organization=organization, applicant=user)
    application.team_name = team_name if organization is None else (team_name or "")
    application.answers = clean
    application.status = S.SUBMITTED if submit else S.DRAFT
    application.submitted_at = now if submit else None
    application.save()
    return application


@transaction.atomic
def submit_application(*, user, application: CohortApplication, now: dt.datetime | None = None
                       ) -> CohortApplication:
    now = now or timezone.now()
    application = CohortApplication.objects.select_for_update().select_related("call__cohort__program__site").get(
        pk=application.pk)
    _check_acts_for(user, application)
    if application.status not in (S.DRAFT, S.WITHDRAWN):
        raise ValidationError({"status": _("This application is already %(status)s.")
                               % {"status": application.get_status_display()}})
    _check_open(application.call, now)
    _clean, errors = clean_answers(selectors.questions_of(application.call), application.answers, complete=True)
    if errors:
        raise ValidationError(errors)
    application.status = S.SUBMITTED
    application.submitted_at = now
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    return application


@transaction.atomic
def withdraw_application(*, user, application: CohortApplication) -> CohortApplication:
    application = CohortApplication.objects.select_for_update().get(pk=application.pk)
    _check_acts_for(user, application)
    if application.status not in (S.DRAFT, S.SUBMITTED, S.WAITLISTED):
        raise ValidationError({"status": _("An application that is %(status)s cannot be withdrawn.")
                               % {"status": application.get_status_display()}})
    application.status = S.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


# -- reviews ------------------------------------------------------------------------------------------------
def _check_staff(user, program) -> None:
    if not selectors.is_program_staff(user, program):
        raise PermissionDenied(_("Only the staff of %(site)s may do this.") % {"site": program.site})


@transaction.atomic
def assign_reviewer(*, user, application: CohortApplication, reviewer) -> ApplicationReview:
    """Staff assign ``reviewer`` to ``application`` (refused for a conflict of interest)."""
    _check_staff(user, application.call.program)
    review = ApplicationReview(application=application, reviewer=reviewer)
    review.full_clean(exclude=["comment"])
    review.save()
    return review


@transaction.atomic
def submit_review(*, user, application: CohortApplication, scores: dict, comment: str = "",
                  now: dt.datetime | None = None) -> ApplicationReview:
    """An assigned reviewer's scores (1 to 5 for every criterion of the call; keys are criterion ids) and
    comment; replaces the reviewer's earlier scores."""
    review = ApplicationReview.objects.select_for_update().filter(application=application, reviewer=user).first()
    if review is None:
        raise PermissionDenied(_("You are not a reviewer of this application."))
    conflict = conflict_of_interest(user, application)
    if conflict:
        raise ValidationError({"reviewer": conflict})
    if application.status not in (S.SUBMITTED, *CohortApplication.DECISIONS):
        raise ValidationError({"status": _("Only submitted applications are reviewed; this one is %(status)s.")
                               % {"status": application.get_status_display()}})
    criteria = list(application.call.criteria.all())
    if not criteria:
        raise ValidationError({"criteria": _("This call has no review criteria yet; ask the staff to add them.")})
    errors, clean = {}, {}
    for criterion in criteria:
        raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors[f"criterion_{criterion.pk}"] = _("Give a score from 1 to 5 for “%(name)s”.") % {
                "name": criterion.name}
        else:
            clean[criterion.pk] = value
    if errors:
        raise ValidationError(errors)
    review.comment = comment
    review.scored_at = now or timezone.now()
    review.save(update_fields=["comment", "scored_at", "updated_at"])
    review.scores.all().delete()
    ApplicationScore.objects.bulk_create([ApplicationScore(review=review, criterion_id=pk, value=v)
                                          for pk, v in clean.items()])
    return review


# -- decisions ----------------------------------------------------------------------------------------------
@transaction.atomic
def decide_application(*, user, application: CohortApplication, decision: str, note: str = "",
                       now: dt.datetime | None = None) -> CohortApplication:
    """Accept, waitlist or reject a submitted application. Accepting makes the team a cohort member and is
    refused once the cohort has ``capacity`` members (the cohort row is locked, then the members are
    counted: two staff accepting at once cannot overfill it)."""
    program = application.call.program
    _check_staff(user, program)
    if decision not in CohortApplication.DECISIONS:
        raise ValidationError({"decision": _("Choose a decision: accepted, waitlisted or rejected.")
                               if not decision else _("Choose a decision: accepted, waitlisted or rejected, not "
                                                      "“%(value)s”.") % {"value": decision}})
    application = CohortApplication.objects.select_for_update().get(pk=application.pk)
    if application.status not in (S.SUBMITTED, *CohortApplication.DECISIONS):
        raise ValidationError({"status": _("Only submitted applications are decided; this one is %(status)s.")
                               % {"status": application.get_status_display()}})
    cohort = Cohort.objects.select_for_update().get(pk=application.call.cohort_id)
    membership = CohortMember.objects.filter(application=application).first()
    if decision == S.ACCEPTED and membership is None:
        if application.organization_id and CohortMember.objects.filter(
                cohort=cohort, organization_id=application.organization_id).exists():
            raise ValidationError({"decision": _("%(team)s is already a member of this cohort.")
                                   % {"team": application.team}})
        taken = selectors.accepted_count(cohort)
        if taken >= cohort.capacity:
            raise ValidationError({"decision": _(
                "The cohort “%(cohort)s” is full: %(taken)s of %(capacity)s teams are accepted. Waitlist this "
                "application, or raise the cohort's capacity first.") % {
                "cohort": cohort.name, "taken": taken, "capacity": cohort.capacity}})
        CohortMember.objects.create(cohort=cohort, organization=application.organization,
                                    team_name=application.team_name, application=application,
                                    joined_on=(now or timezone.now()).date())
    elif decision != S.ACCEPTED and membership is not None:
        membership.delete()
    application.status = decision
    application.decision_note = note
    application.decided_at = now or timezone.now()
    application.decided_by = user
    application.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "updated_at"])
    return application


# -- office hours ---------------------------------------------------------------------------------------------
@transaction.atomic
def book_office_hour(*, user, block: OfficeHourBlock, start: dt.datetime, member: CohortMember | None = None,
                     now: dt.datetime | None = None) -> OfficeHourMeeting:
    """Book the slot of ``block`` that starts at ``start`` for a member team of the block's cohort (the one
    ``user`` acts for, or ``member`` chosen by staff). The room is booked with the booking engine
    (``hubs.services.create_booking``, in the mentor's name): a room taken meanwhile is refused with its
    conflict message and next free times. A mentor is never booked twice at the same time."""
    now = now or timezone.now()
    block = OfficeHourBlock.objects.select_related("space__site", "cohort__program__site", "mentor").get(pk=block.pk)
    staff = selectors.is_program_staff(user, block.cohort.program)
    teams = selectors.memberships_of(user, block.cohort)
    if member is None:
        if not teams:
            raise PermissionDenied(_("Office hours of this cohort are booked by its member teams."))
        member = teams[0]
    elif member.cohort_id != block.cohort_id or not (staff or member in teams):
        raise ValidationError({"member": _("Choose a team of the cohort “%(cohort)s” that you act for.")
                               % {"cohort": block.cohort.name}})
    if timezone.is_naive(start):
        start = start.replace(tzinfo=block.tzinfo)
    if start not in block.slot_starts():
        raise ValidationError({"start": _("%(start)s is not a slot of these office hours; choose one of the "
                                          "free slots shown.") % {"start": format_date(start)}})
    if start <= now:
        raise ValidationError({"start": _("The slot at %(start)s has already begun; choose a later one.")
                               % {"start": format_date(start)}})
    end = start + dt.timedelta(minutes=block.slot_minutes)
    # The mentor's row is the lock that serialises bookings of one mentor's time (any block, any room).
    get_user_model().objects.select_for_update().filter(pk=block.mentor_id).first()
    clash = OfficeHourMeeting.objects.filter(mentor_id=block.mentor_id, status=OfficeHourMeeting.Status.BOOKED,
                                             start__lt=end, end__gt=start).select_related("member").first()
    if clash is not None:
        raise ValidationError({"start": _("%(mentor)s is already meeting %(team)s from %(start)s; choose another "
                                          "slot.") % {"mentor": block.mentor, "team": clash.member,
                                                      "start": format_date(clash.start)}})
    title = _("Office hours: %(mentor)s with %(team)s") % {"mentor": block.mentor, "team": member}
    booking = booking_services.create_booking(user=block.mentor, space=block.space, start=start, end=end,
                                              title=title[:200], now=now)
    return OfficeHourMeeting.objects.create(block=block, mentor=block.mentor, member=member, booked_by=user,
                                            start=start, end=end, booking=booking)


@transaction.atomic
def cancel_office_hour(*, user, meeting: OfficeHourMeeting, now: dt.datetime | None = None) -> OfficeHourMeeting:
    """Cancel a mentor meeting (the team, the mentor or staff): the slot is free again and the room booking
    is cancelled under the space's cancellation policy."""
    meeting = OfficeHourMeeting.objects.select_for_update(of=("self",)).select_related(
        "block__space__site", "block__cohort__program__site", "member", "booking").get(pk=meeting.pk)
    if not selectors.may_see_meeting(user, meeting):
        raise PermissionDenied(_("You may not cancel this meeting."))
    if meeting.status != OfficeHourMeeting.Status.BOOKED:
        raise ValidationError({"status": _("This meeting is already cancelled.")})
    booking = meeting.booking
    if booking is not None and booking.status in booking.ACTIVE:
        booking_services.cancel_booking(user=booking.booked_by, booking=booking, now=now)
    meeting.status = OfficeHourMeeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting
