"""Reads of the matching app: anonymity of profiles, evaluation scores, a user's notifications."""

from __future__ import annotations

from decimal import Decimal

from khooshe.registry.access import access_for

from .models import Challenge, ExpressionOfInterest, Notification, Profile, Proposal


def user_org_ids(user) -> frozenset[int]:
    """Organizations the user acts for (member, hub staff, cluster staff of members)."""
    return access_for(user).editable_organization_ids()


def owner_revealed_to(profile: Profile, user) -> bool:
    """Whether ``user`` may see the owner organization of ``profile``: the owner side itself, or an
    organization of the user whose expression of interest the owner accepted. Platform admins are not
    special here: identities are revealed by agreement only."""
    if user is None or not user.is_authenticated:
        return False
    orgs = user_org_ids(user)
    if profile.owner_id in orgs:
        return True
    return ExpressionOfInterest.objects.filter(
        profile=profile, from_organization__in=orgs, status=ExpressionOfInterest.Status.ACCEPTED).exists()


def sender_revealed_to(eoi: ExpressionOfInterest, user) -> bool:
    """The sender of an expression of interest is shown to the profile owner once accepted."""
    orgs = user_org_ids(user) if user is not None and user.is_authenticated else frozenset()
    if eoi.from_organization_id in orgs:
        return True
    return eoi.profile.owner_id in orgs and eoi.status == ExpressionOfInterest.Status.ACCEPTED


def interests_for(user):
    """Expressions of interest the user's organizations sent or received."""
    orgs = user_org_ids(user)
    from django.db.models import Q

    if access_for(user).is_admin:
        return ExpressionOfInterest.objects.select_related("profile")
    return ExpressionOfInterest.objects.filter(
        Q(from_organization__in=orgs) | Q(profile__owner__in=orgs)).select_related("profile")


def criteria_weights(challenge: Challenge) -> dict[int, Decimal]:
    return dict(challenge.criteria.values_list("pk", "weight"))


def review_score(review, weights: dict[int, Decimal] | None = None) -> float | None:
    """One reviewer's weighted mean: sum(w_c * s_c) / sum(w_c) over the criteria scored."""
    weights = weights if weights is not None else criteria_weights(review.proposal.challenge)
    total = weight = Decimal(0)
    for criterion_id, value in review.scores.values_list("criterion_id", "value"):
        w = weights.get(criterion_id)
        if w is None:
            continue
        total += w * value
        weight += w
    return float(total / weight) if weight else None


def mean_review_score(reviewer_scores) -> float | None:
    """The mean over reviewers of their weighted means (reviews without a score left out), to three
    decimals; None before any scored review. Shared with the hubs' cohort applications."""
    scores = [s for s in reviewer_scores if s is not None]
    return round(sum(scores) / len(scores), 3) if scores else None


def proposal_score(proposal: Proposal) -> float | None:
    """The proposal's score: the mean over reviewers of each reviewer's weighted mean (1 to 5); None
    before any review."""
    weights = criteria_weights(proposal.challenge)
    return mean_review_score(review_score(r, weights) for r in proposal.reviews.all())


def ranked_proposals(challenge: Challenge, user) -> list[tuple[Proposal, float | None]]:
    """The challenge's proposals the user may see, best score first (unscored last)."""
    proposals = list(Proposal.objects.visible_to(user).filter(challenge=challenge).select_related("solver"))
    scored = [(p, proposal_score(p)) for p in proposals]
    return sorted(scored, key=lambda ps: (ps[1] is None, -(ps[1] or 0), ps[0].pk))


def notifications_for(user):
    return Notification.objects.filter(user=user)


# -- matchmaking days -------------------------------------------------------------------------------------
def day_meetings(day, user):
    """The day's meetings the user may see (organiser side: all; participants: their own once scheduled),
    cancelled ones left out, by slot and table."""
    from .models import Meeting

    return (Meeting.objects.visible_to(user).filter(day=day).exclude(status=Meeting.Status.CANCELLED)
            .select_related("participant_a__organization", "participant_b__organization", "challenge")
            .order_by("slot", "table"))


def schedule_grid(day, meetings) -> dict:
    """Rows of the slots x tables grid: ``{"tables": [1..T], "rows": [{"slot", "start", "end", "cells"}]}``
    where T is the highest table used (at least 1) and a cell is a meeting or None."""
    meetings = list(meetings)
    width = max([m.table for m in meetings] + [1])
    width = min(width, day.tables)
    at = {(m.slot, m.table): m for m in meetings}
    rows = []
    for slot, (start, end) in enumerate(day.slot_times(), start=1):
        rows.append({"slot": slot, "start": start, "end": end,
                     "cells": [at.get((slot, table)) for table in range(1, width + 1)]})
    return {"tables": list(range(1, width + 1)), "rows": rows}


def agenda(participant, meetings) -> list[dict]:
    """One participant's meetings in slot order: slot, time, table, the other participant, challenge."""
    times = participant.day.slot_times()
    rows = []
    for m in meetings:
        if participant.pk not in (m.participant_a_id, m.participant_b_id):
            continue
        other = m.participant_b if m.participant_a_id == participant.pk else m.participant_a
        start, end = times[m.slot - 1] if 1 <= m.slot <= len(times) else (None, None)
        rows.append({"meeting": m, "slot": m.slot, "start": start, "end": end, "table": m.table, "other": other,
                     "challenge": m.challenge})
    return sorted(rows, key=lambda r: r["slot"])


def own_participations(day, user):
    """The participations in ``day`` of the organizations the user acts for."""
    from .models import Participant

    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    return Participant.objects.filter(day=day, organization__in=user_org_ids(user)).select_related("organization")
