"""Reads of cohorts: who may act, the application form, scores and the ranking, free office-hour slots.

Scores reuse the matching app's functions (one reviewer's weighted mean ``review_score``, the mean over
reviewers ``mean_review_score``), so a challenge's proposals and a call's applications are scored alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from khooshe.matching.selectors import mean_review_score, review_score
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization

from .models import (
    ApplicationReview,
    CallQuestion,
    CohortApplication,
    CohortCall,
    CohortMember,
    HubProgram,
    OfficeHourBlock,
    OfficeHourMeeting,
)


def is_program_staff(user, program: HubProgram) -> bool:
    """Staff of the site that runs ``program`` (or a platform admin)."""
    acc = access_for(user)
    return acc.is_admin or program.site.operator_id in acc.hub_ids


def acting_organizations(user):
    """The organizations ``user`` may apply for: those they are a member of."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=access_for(user).organization_ids).order_by("name_key", "pk")


def questions_of(call: CohortCall) -> list[CallQuestion]:
    return list(call.questions.order_by("order", "pk"))


def own_applications(user, call: CohortCall | None = None):
    """Applications ``user`` made or that an organization of theirs made."""
    if not user.is_authenticated:
        return CohortApplication.objects.none()
    condition = Q(applicant=user) | Q(organization__in=access_for(user).organization_ids)
    qs = CohortApplication.objects.filter(condition).select_related("call__cohort__program", "organization")
    return qs.filter(call=call) if call is not None else qs


# -- scores ---------------------------------------------------------------------------------------------
def criteria_weights(call: CohortCall) -> dict[int, Decimal]:
    return dict(call.criteria.values_list("pk", "weight"))


def application_score(application: CohortApplication, weights: dict[int, Decimal] | None = None) -> float | None:
    """The mean over reviewers of each reviewer's weighted mean (1 to 5); None before any scored review."""
    weights = weights if weights is not None else criteria_weights(application.call)
    return mean_review_score(review_score(r, weights) for r in application.reviews.all())


@dataclass
class RankedApplication:
    application: CohortApplication
    score: float | None
    reviewers: int  # reviewers who scored
    assigned: int  # reviewers assigned


RANKED_STATUSES = (CohortApplication.Status.SUBMITTED, *CohortApplication.DECISIONS)


def ranking(call: CohortCall) -> list[RankedApplication]:
    """The call's submitted and decided applications, best score first (unscored last)."""
    weights = criteria_weights(call)
    applications = (call.applications.filter(status__in=RANKED_STATUSES).select_related("organization")
                    .prefetch_related("reviews").annotate(
                        scored=Count("reviews", filter=Q(reviews__scored_at__isnull=False), distinct=True),
                        assigned=Count("reviews", distinct=True)))
    rows = [RankedApplication(a, application_score(a, weights), a.scored, a.assigned) for a in applications]
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.application.pk))


def accepted_count(cohort) -> int:
    return CohortMember.objects.filter(cohort=cohort).count()


def review_of(user, application: CohortApplication) -> ApplicationReview | None:
    if not user.is_authenticated:
        return None
    return ApplicationReview.objects.filter(application=application, reviewer=user).first()


# -- office hours ---------------------------------------------------------------------------------------
def memberships_of(user, cohort) -> list[CohortMember]:
    """The teams of ``cohort`` that ``user`` acts for."""
    if not user.is_authenticated:
        return []
    return list(CohortMember.objects.filter(cohort=cohort, organization__in=access_for(user).organization_ids)
                .select_related("organization"))


def taken_starts(block: OfficeHourBlock) -> set[dt.datetime]:
    return set(block.meetings.filter(status=OfficeHourMeeting.Status.BOOKED).values_list("start", flat=True))


def free_slots(block: OfficeHourBlock, now: dt.datetime | None = None) -> list[dt.datetime]:
    """The block's slot starts that nobody booked and that have not begun."""
    now = now or timezone.now()
    taken = taken_starts(block)
    return [s for s in block.slot_starts() if s not in taken and s > now]


def upcoming_blocks_for_member(user, now: dt.datetime | None = None):
    """Office hours of the cohorts whose member teams ``user`` acts for, from today on."""
    now = now or timezone.now()
    orgs = access_for(user).organization_ids if user.is_authenticated else frozenset()
    return (OfficeHourBlock.objects.filter(cohort__members__organization__in=orgs, date__gte=now.date()
                                           - dt.timedelta(days=1))
            .select_related("space__site", "mentor", "cohort__program").distinct().order_by("date", "start_time"))


def mentor_blocks(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return (OfficeHourBlock.objects.filter(mentor=user, date__gte=now.date() - dt.timedelta(days=1))
            .select_related("space__site", "cohort__program").prefetch_related("meetings__member")
            .order_by("date", "start_time"))


def meetings_of_member(user):
    orgs = access_for(user).organization_ids if user.is_authenticated else frozenset()
    return (OfficeHourMeeting.objects.filter(Q(booked_by=user) | Q(member__organization__in=orgs),
                                             status=OfficeHourMeeting.Status.BOOKED)
            .select_related("block__space", "mentor", "member").order_by("start"))


def may_see_meeting(user, meeting: OfficeHourMeeting) -> bool:
    acc = access_for(user)
    if acc.is_admin or meeting.booked_by_id == user.pk or meeting.mentor_id == user.pk:
        return True
    if meeting.member.organization_id in acc.organization_ids:
        return True
    return meeting.block.space.site.operator_id in acc.hub_ids
