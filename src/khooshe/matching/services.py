"""Every write of the matching app: keyword-only, one transaction, access checked here.

Errors a user can cause raise ``django.core.exceptions.ValidationError`` whose message names the field or
the transition; access errors raise ``PermissionDenied``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.models import Agreement, Organization, Relation, RelationType, Role, Sector

from .models import Challenge, Criterion, ExpressionOfInterest, Notification, Profile, Proposal, Review, Score
from .selectors import user_org_ids

log = logging.getLogger(__name__)

S = Challenge.Status
# The workflow: from each status, where it may go.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.OPEN, S.CLOSED},
    S.OPEN: {S.EVALUATING, S.CLOSED},
    S.EVALUATING: {S.AWARDED, S.CLOSED, S.OPEN},
    S.AWARDED: set(),
    S.CLOSED: set(),
}
# Fields that must have text before a challenge can be opened.
REQUIRED_TO_OPEN = ("title", "problem_statement")


def _check_manager(user, challenge: Challenge) -> None:
    if not challenge.is_editable_by(user):
        raise PermissionDenied(_("Only the organization that posted this challenge may manage it."))


def _locked(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


@transaction.atomic
def transition_challenge(*, user, challenge: Challenge, to: str) -> Challenge:
    """Move a challenge along draft -> open -> evaluating -> awarded | closed; awarding goes through
    ``award_proposal``. A wrong transition is refused with a message naming both statuses."""
    _check_manager(user, challenge)
    challenge = _locked(challenge)
    if to not in S.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": to}})
    if to == S.AWARDED:
        raise ValidationError({"status": _("A challenge is awarded by awarding one of its proposals.")})
    if to not in TRANSITIONS[challenge.status]:
        raise ValidationError({"status": _("A challenge cannot go from “%(from)s” to “%(to)s”.") % {
            "from": S(challenge.status).label, "to": S(to).label}})
    if to == S.OPEN:
        for name in REQUIRED_TO_OPEN:
            if not (getattr(challenge, name) or "").strip():
                label = Challenge._meta.get_field(name).verbose_name
                raise ValidationError({name: _("Fill in “%(field)s” before opening the challenge.") % {
                    "field": label}})
    previous = challenge.status
    challenge.status = to
    if to == S.OPEN and challenge.opened_at is None:
        challenge.opened_at = timezone.now()
    challenge.save(update_fields=["status", "opened_at", "updated_at"])
    if to == S.OPEN and previous == S.DRAFT:
        # After the commit, in the task worker: opening stays fast and a failure to notify never undoes it.
        transaction.on_commit(lambda pk=challenge.pk: queue_challenge_notifications(pk))
    return challenge


def open_challenge(*, user, challenge):
    return transition_challenge(user=user, challenge=challenge, to=S.OPEN)


def close_challenge(*, user, challenge):
    return transition_challenge(user=user, challenge=challenge, to=S.CLOSED)


def start_evaluation(*, user, challenge):
    return transition_challenge(user=user, challenge=challenge, to=S.EVALUATING)


def _division_paths(sectors) -> set[str]:
    """ISIC division of each sector ("C/10/107/1071" -> "C/10"); a section stays a section."""
    return {"/".join(s.path.split("/")[:2]) for s in sectors}


def matching_organizations(challenge: Challenge):
    """Organizations (other than the owner) with a sector or capability sector in the same ISIC division
    as one of the challenge's sectors; for an invited challenge only the invited organizations."""
    paths = _division_paths(challenge.sectors.all())
    if not paths:
        return Organization.objects.none()
    cond = Q()
    for p in paths:
        cond |= Q(path=p) | Q(path__startswith=p + "/")
    sector_ids = Sector.objects.filter(cond).values("pk")
    orgs = Organization.objects.filter(Q(sectors__in=sector_ids) | Q(capability_sectors__in=sector_ids))
    orgs = orgs.exclude(pk=challenge.owner_id)
    if challenge.visibility == Challenge.Visibility.INVITED:
        orgs = orgs.filter(pk__in=challenge.invited_organizations.values("pk"))
    return orgs.distinct()


NOTIFY_LIMIT = 30  # at most this many organizations are told about a new challenge
NOTIFY_THRESHOLD = 0.5  # ... and only when their text or sector fit reaches this (0..1)


def fitting_organizations(challenge: Challenge) -> list[int]:
    """Organizations a newly opened challenge fits: the recommender's top ``KHOOSHE_RECOMMEND_NOTIFY_LIMIT``
    (default 30) whose text signal (BM25 relative to the best match) or sector signal (0.5 = same ISIC
    division, more for a group or class) reaches ``KHOOSHE_RECOMMEND_NOTIFY_THRESHOLD`` (default 0.5); for an
    invited challenge only invited organizations. Never the owner."""
    from django.conf import settings

    from .recommend import SYSTEM, NoTextError, recommend_solvers

    limit = int(getattr(settings, "KHOOSHE_RECOMMEND_NOTIFY_LIMIT", NOTIFY_LIMIT))
    threshold = float(getattr(settings, "KHOOSHE_RECOMMEND_NOTIFY_THRESHOLD", NOTIFY_THRESHOLD))
    try:
        found = recommend_solvers(challenge, user=SYSTEM, limit=max(limit * 3, 50)).items
    except NoTextError:
        return []
    fit = [r.object.pk for r in found
           if max(r.signals.get("text", 0.0), r.signals.get("sector", 0.0)) >= threshold]
    if challenge.visibility == Challenge.Visibility.INVITED:
        invited = set(challenge.invited_organizations.values_list("pk", flat=True))
        fit = [o for o in fit if o in invited]
    return [o for o in fit if o != challenge.owner_id][:limit]


def queue_challenge_notifications(challenge_id: int) -> None:
    """Queue the notifications of a newly opened challenge (``tasks.notify_challenge_opened``); when the
    queue cannot be reached they are made at once. Called after the opening is committed; a failure
    is logged, never raised (the challenge is open either way)."""
    from .tasks import notify_challenge_opened as task

    try:
        task.enqueue(challenge_id)
        return
    except Exception:
        log.exception("challenge %s: could not queue its notifications; making them now", challenge_id)
    try:
        task.call(challenge_id)
    except Exception:
        log.exception("challenge %s: notifications failed", challenge_id)


@transaction.atomic
def notify_challenge_opened(*, challenge: Challenge) -> int:
    """Notify, once, the members of the organizations the challenge fits (``fitting_organizations``) and,
    for an invited challenge, of the invited organizations (so every member told may see the challenge:
    public and members-only challenges are seen by members); members already notified about it are
    skipped. Returns the number of notifications created."""
    org_ids = set(fitting_organizations(challenge))
    if challenge.visibility == Challenge.Visibility.INVITED:
        org_ids |= set(challenge.invited_organizations.values_list("pk", flat=True))
    user_ids = set(Role.objects.filter(kind=Role.Kind.MEMBER, organization__in=org_ids)
                   .exclude(organization=challenge.owner_id).values_list("user_id", flat=True))
    user_ids -= set(Notification.objects.filter(challenge=challenge, user_id__in=user_ids)
                    .values_list("user_id", flat=True))
    verb = _("A new challenge fits your organization: %(title)s") % {"title": challenge.title}
    Notification.objects.bulk_create([
        Notification(user_id=uid, verb=verb[:300], challenge=challenge, url=challenge.get_absolute_url())
        for uid in sorted(user_ids)])
    return len(user_ids)


@transaction.atomic
def mark_notifications_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read=False)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read=True)


# -- proposals and evaluation ---------------------------------------------------------------------------
@transaction.atomic
def submit_review(*, user, proposal: Proposal, scores: dict[int, int], comment: str = "") -> Review:
    """A reviewer's scores (1 to 5 for every criterion of the challenge) and comment; replaces the
    reviewer's earlier review of the same proposal."""
    challenge = proposal.challenge
    if not challenge.is_reviewer(user):
        raise PermissionDenied(_("You are not a reviewer of this challenge."))
    if challenge.status not in (S.OPEN, S.EVALUATING):
        raise ValidationError({"status": _("Proposals are reviewed while the challenge is open or evaluating.")})
    criteria = {c.pk: c for c in challenge.criteria.all()}
    if not criteria:
        raise ValidationError({"criteria": _("This challenge has no evaluation criteria yet.")})
    errors = {}
    clean: dict[int, int] = {}
    for pk, criterion in criteria.items():
        raw = scores.get(pk, scores.get(str(pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[f"criterion_{pk}"] = _("Give a score from 1 to 5 for “%(name)s”.") % {"name": criterion.name}
            continue
        if not 1 <= value <= 5:
            errors[f"criterion_{pk}"] = _("Give a score from 1 to 5 for “%(name)s”.") % {"name": criterion.name}
            continue
        clean[pk] = value
    if errors:
        raise ValidationError(errors)
    review, _created = Review.objects.update_or_create(proposal=proposal, reviewer=user,
                                                       defaults={"comment": comment})
    review.scores.all().delete()
    Score.objects.bulk_create([Score(review=review, criterion_id=pk, value=v) for pk, v in clean.items()])
    return review


@transaction.atomic
def shortlist_proposal(*, user, proposal: Proposal, shortlisted: bool = True) -> Proposal:
    _check_manager(user, proposal.challenge)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status not in (Proposal.Status.SUBMITTED, Proposal.Status.SHORTLISTED):
        raise ValidationError({"status": _("This proposal has already been decided.")})
    if proposal.challenge.status not in (S.OPEN, S.EVALUATING):
        raise ValidationError({"status": _("Proposals are shortlisted while the challenge is open or evaluating.")})
    proposal.status = Proposal.Status.SHORTLISTED if shortlisted else Proposal.Status.SUBMITTED
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


@transaction.atomic
def award_proposal(*, user, proposal: Proposal, agreement_kind: str = Agreement.Kind.CONTRACT) -> Agreement:
    """Award a proposal: the challenge becomes awarded, the proposal awarded, the others not selected, and
    a registry agreement between owner and solver plus a joint-project relation (origin: agreement) are
    created, all in one transaction."""
    challenge = _locked(proposal.challenge)
    _check_manager(user, challenge)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.challenge_id != challenge.pk:
        raise ValidationError({"proposal": _("This proposal belongs to another challenge.")})
    if challenge.status not in (S.OPEN, S.EVALUATING):
        raise ValidationError({"status": _("A challenge cannot go from “%(from)s” to “%(to)s”.") % {
            "from": S(challenge.status).label, "to": S.AWARDED.label}})
    if proposal.status not in (Proposal.Status.SUBMITTED, Proposal.Status.SHORTLISTED):
        raise ValidationError({"status": _("This proposal has already been decided.")})
    today = timezone.localdate()
    agreement = Agreement.objects.create(
        title=(_("Award: %(challenge)s") % {"challenge": challenge.title})[:300],
        kind=agreement_kind,
        subject=proposal.summary,
        signed_on=today,
        start_date=challenge.start_date,
        end_date=challenge.end_date if challenge.end_date and (
            not challenge.start_date or challenge.end_date >= challenge.start_date) else None,
    )
    agreement.parties.set([challenge.owner_id, proposal.solver_id])
    relation = Relation(source=challenge.owner, target=proposal.solver, type=RelationType.JOINT_PROJECT,
                        origin=Relation.Origin.AGREEMENT, agreement=agreement, start_date=today,
                        note=_("From the award of challenge “%(title)s”.") % {"title": challenge.title})
    relation.full_clean(exclude=["external_id"])
    relation.save()
    proposal.status = Proposal.Status.AWARDED
    proposal.agreement = agreement
    proposal.save(update_fields=["status", "agreement", "updated_at"])
    challenge.proposals.exclude(pk=proposal.pk).filter(
        status__in=[Proposal.Status.SUBMITTED, Proposal.Status.SHORTLISTED]).update(
        status=Proposal.Status.NOT_SELECTED)
    challenge.status = S.AWARDED
    challenge.save(update_fields=["status", "updated_at"])
    return agreement


# -- partnering profiles ------------------------------------------------------------------------------
@transaction.atomic
def express_interest(*, user, profile: Profile, from_organization: Organization, message: str = "") \
        -> ExpressionOfInterest:
    if from_organization.pk not in user_org_ids(user):
        raise PermissionDenied(_("You may express interest only for an organization you belong to."))
    if not Profile.objects.visible_to(user).filter(pk=profile.pk).exists():
        raise PermissionDenied(_("You may not see this profile."))
    if profile.owner_id == from_organization.pk:
        raise ValidationError({"from_organization": _("This profile is your own organization's.")})
    if not profile.active:
        raise ValidationError({"profile": _("This profile is no longer active.")})
    if ExpressionOfInterest.objects.filter(profile=profile, from_organization=from_organization).exists():
        raise ValidationError({"from_organization": _("This organization has already expressed interest.")})
    return ExpressionOfInterest.objects.create(profile=profile, from_organization=from_organization,
                                               message=message[:5000])


@transaction.atomic
def decide_interest(*, user, interest: ExpressionOfInterest, accept: bool) -> ExpressionOfInterest:
    """The profile owner accepts (both identities are revealed) or declines an expression of interest."""
    interest = ExpressionOfInterest.objects.select_for_update().select_related("profile").get(pk=interest.pk)
    if interest.profile.owner_id not in user_org_ids(user) and not interest.profile.is_editable_by(user):
        raise PermissionDenied(_("Only the owner of the profile may answer this expression of interest."))
    if interest.status != ExpressionOfInterest.Status.PENDING:
        raise ValidationError({"status": _("This expression of interest has already been answered.")})
    interest.status = ExpressionOfInterest.Status.ACCEPTED if accept else ExpressionOfInterest.Status.DECLINED
    interest.decided_at = timezone.now()
    interest.save(update_fields=["status", "decided_at", "updated_at"])
    return interest


def create_criterion(*, user, challenge: Challenge, name: str, weight) -> Criterion:
    _check_manager(user, challenge)
    criterion = Criterion(challenge=challenge, name=name, weight=weight)
    criterion.full_clean()
    criterion.save()
    return criterion


# -- matchmaking days -------------------------------------------------------------------------------------
# Scores are on a 0-100 scale: 100 × the recommender's score of the solver for the seeker's challenge
# (``recommend.score_candidates``: text, sector, distance, size fit, track record, trust, partners of
# matches). A meeting request adds a bonus: accepted 50, pending 20, plus 10 for high and 5 for normal
# priority; a declined request forbids the pair.
SCORE_SCALE = 100.0
REQUEST_BONUS = {"accepted": 50.0, "pending": 20.0}
PRIORITY_BONUS = {1: 10.0, 2: 5.0, 3: 0.0}


def _day_models():
    from .models import MatchmakingDay, Meeting, MeetingRequest, Participant

    return MatchmakingDay, Meeting, MeetingRequest, Participant


def _check_organiser(user, day) -> None:
    if not day.is_editable_by(user):
        raise PermissionDenied(_("Only the organiser of this matchmaking day may do this."))


def _day_transitions():
    MatchmakingDay = _day_models()[0]
    DS = MatchmakingDay.Status
    return {DS.DRAFT: {DS.PUBLISHED, DS.CLOSED}, DS.PUBLISHED: {DS.DRAFT, DS.CLOSED},
            DS.SCHEDULED: {DS.PUBLISHED, DS.CLOSED}, DS.CLOSED: set()}


@transaction.atomic
def transition_day(*, user, day, to: str):
    """Move a matchmaking day: draft <-> published -> closed; "scheduled" is reached by
    ``publish_schedule``; going back from scheduled to published makes the meetings proposals again."""
    MatchmakingDay, Meeting, _mr, _p = _day_models()
    DS = MatchmakingDay.Status
    _check_organiser(user, day)
    day = MatchmakingDay.objects.select_for_update().get(pk=day.pk)
    if to not in DS.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": to}})
    if to == DS.SCHEDULED:
        raise ValidationError({"status": _("A day is scheduled by publishing its schedule.")})
    if to not in _day_transitions()[day.status]:
        raise ValidationError({"status": _("A matchmaking day cannot go from “%(from)s” to “%(to)s”.") % {
            "from": DS(day.status).label, "to": DS(to).label}})
    if day.status == DS.SCHEDULED and to == DS.PUBLISHED:
        day.meetings.filter(status=Meeting.Status.CONFIRMED).update(status=Meeting.Status.PROPOSED)
    day.status = to
    day.save(update_fields=["status", "updated_at"])
    return day


def _pair_reason(rec) -> str:
    """Why a pair was scored: the matching words and the shared sector (from the recommender)."""
    sector = {4: _("same sector class"), 3: _("same sector group"), 2: _("same sector division"),
              1: _("same sector section")}.get((rec.sector or {}).get("level"), "")
    words = _("words: %(words)s") % {"words": ", ".join(rec.words[:5])} if rec.words else ""
    return "; ".join(filter(None, [words, sector]))


def pair_scores(day) -> dict:
    """Match scores of the participant pairs of ``day`` (the input of the meeting assignment).

    Returns ``{"pairs": {(a_id, b_id): (score, challenge_id or None, reason)}, "forbidden": {(a_id, b_id):
    reason}}`` where ``a`` brings the challenge (seeker side) and ``b`` may solve it; ids are participant
    ids. A seeker's challenge is scored against every solver-side participant by the recommender
    (``recommend.score_candidates``: the same score, 0 to 1, as on the challenge's recommended solvers,
    here × ``SCORE_SCALE``); a pair counts when the text or the sector matches. Meeting requests add a
    bonus; declined requests and conflicts of interest (see ``models.conflict_reason``: same organization,
    declared conflicts, relations of the day's excluded types) are forbidden pairs. A participant without
    challenges is scored only through requests. The pair keeps the challenge with the best score.
    """
    from khooshe.registry.models import Relation

    from .models import MeetingRequest, Participant
    from .recommend import NoTextError, score_candidates

    participants = list(Participant.objects.filter(day=day).select_related("organization")
                        .prefetch_related("challenges", "conflicts"))
    solvers = [p for p in participants if p.role in (Participant.Role.SOLVER, Participant.Role.BOTH)]
    seekers = [p for p in participants if p.role in (Participant.Role.SEEKER, Participant.Role.BOTH)]
    pairs: dict[tuple[int, int], tuple[float, int | None, str]] = {}
    for seeker in seekers:
        others = [s for s in solvers if s.pk != seeker.pk]
        for challenge in seeker.challenges.all():
            try:
                found = score_candidates(challenge, [s.organization_id for s in others])
            except NoTextError:
                continue  # scored through requests only
            for solver in others:
                rec = found.get(solver.organization_id)
                if rec is None or not (rec.signals.get("text") or rec.signals.get("sector")):
                    continue
                score = round(SCORE_SCALE * rec.score, 3)
                key = (seeker.pk, solver.pk)
                if (solver.pk, seeker.pk) in pairs:  # both bring challenges: keep one direction
                    key = (solver.pk, seeker.pk)
                if key not in pairs or pairs[key][0] < score:
                    pairs[key] = (score, challenge.pk, _pair_reason(rec))
    forbidden: dict[tuple[int, int], str] = {}
    requests = MeetingRequest.objects.filter(day=day)
    roles = {p.pk: p.role for p in participants}
    for r in requests:
        if (r.requester_id, r.recipient_id) in pairs or (r.recipient_id, r.requester_id) in pairs:
            key = (r.requester_id, r.recipient_id) if (r.requester_id, r.recipient_id) in pairs else (
                r.recipient_id, r.requester_id)
        elif roles.get(r.requester_id) == Participant.Role.SOLVER and roles.get(r.recipient_id) != Participant.Role.SOLVER:
            key = (r.recipient_id, r.requester_id)  # the seeker side first
        else:
            key = (r.requester_id, r.recipient_id)
        if r.status == MeetingRequest.Status.DECLINED:
            forbidden[tuple(sorted(key))] = _("The meeting request was declined.")
            continue
        bonus = REQUEST_BONUS[r.status] + PRIORITY_BONUS.get(r.priority, 0.0)
        score, challenge_id, reason = pairs.get(key, (0.0, r.challenge_id, ""))
        label = _("requested and accepted") if r.status == MeetingRequest.Status.ACCEPTED else _("requested")
        pairs[key] = (round(score + bonus, 3), challenge_id or r.challenge_id,
                      "; ".join(filter(None, [label, reason])))
    # conflicts of interest: same organization (cannot happen: one participation per organization),
    # declared conflicts, relations of the excluded types
    by_org = {p.organization_id: p for p in participants}
    for p in participants:
        for org in p.conflicts.all():
            other = by_org.get(org.pk)
            if other is not None and other.pk != p.pk:
                forbidden[tuple(sorted((p.pk, other.pk)))] = _("A conflict of interest is declared.")
    types = list(day.conflict_relation_types or [])
    if types:
        org_ids = list(by_org)
        for src, dst in Relation.objects.filter(source__in=org_ids, target__in=org_ids, type__in=types) \
                .values_list("source_id", "target_id"):
            if src != dst:
                forbidden[tuple(sorted((by_org[src].pk, by_org[dst].pk)))] = _("Already related.")
    return {"pairs": pairs, "forbidden": forbidden}


@transaction.atomic
def propose_schedule(*, user, day, method: str = "auto", time_limit: float = 10.0) -> dict:
    """Propose the meetings of ``day``: the pairs scored by ``pair_scores`` are assigned to slots and tables
    by ``khooshe.analytics.assignment.schedule_meetings`` (CP-SAT, or min-cost flow for large days).

    Confirmed meetings (placed by the organiser) stay: their slots, tables and capacity are taken first.
    The earlier proposed meetings are replaced. Returns the report stored in ``day.schedule_report``
    (method, status, total score, bound, gap, seconds, meetings, candidate pairs, requests not met)."""
    import numpy as np

    from khooshe.analytics.assignment import schedule_meetings

    MatchmakingDay, Meeting, MeetingRequest, Participant = _day_models()
    DS = MatchmakingDay.Status
    _check_organiser(user, day)
    day = MatchmakingDay.objects.select_for_update().get(pk=day.pk)
    if day.status not in (DS.DRAFT, DS.PUBLISHED):
        raise ValidationError({"status": _("A schedule is proposed while the day is a draft or published; this "
                                           "day is “%(status)s”.") % {"status": DS(day.status).label}})
    participants = list(Participant.objects.filter(day=day).select_related("day").order_by("pk"))
    if len(participants) < 2:
        raise ValidationError({"participants": _("Invite at least two participants before proposing a "
                                                 "schedule.")})
    index = {p.pk: i for i, p in enumerate(participants)}
    day.meetings.filter(status=Meeting.Status.PROPOSED).delete()
    fixed = list(day.meetings.exclude(status=Meeting.Status.CANCELLED))
    n, n_slots = len(participants), day.slot_count
    availability = np.array([[p.is_available(s + 1) for s in range(n_slots)] for p in participants], dtype=bool)
    capacity = [p.capacity() for p in participants]
    taken_tables: dict[int, set[int]] = {}
    met: set[tuple[int, int]] = set()
    for m in fixed:
        for pid in (m.participant_a_id, m.participant_b_id):
            i = index[pid]
            if 1 <= m.slot <= n_slots:
                availability[i, m.slot - 1] = False
            capacity[i] = max(0, capacity[i] - 1)
        taken_tables.setdefault(m.slot, set()).add(m.table)
        met.add(tuple(sorted((m.participant_a_id, m.participant_b_id))))
    tables = [max(0, day.tables - len(taken_tables.get(s + 1, ()))) for s in range(n_slots)]
    scored = pair_scores(day)
    pairs = {(a, b): v for (a, b), v in scored["pairs"].items() if tuple(sorted((a, b))) not in met}
    scores = {(index[a], index[b]): v[0] for (a, b), v in pairs.items()}
    forbidden = [(index[a], index[b]) for a, b in scored["forbidden"]]
    try:
        result = schedule_meetings(scores, n_participants=n, n_slots=n_slots, tables=tables, capacity=capacity,
                                   availability=availability, forbidden=forbidden, method=method,
                                   time_limit=time_limit)
    except ValueError as exc:
        raise ValidationError({"method": str(exc)}) from exc
    details = {(index[a], index[b]): v for (a, b), v in pairs.items()}
    created = []
    for m in result.meetings:
        a, b = m.a, m.b
        detail = details.get((a, b))
        if detail is None:  # the solver orders pairs a < b: restore the seeker side first
            detail = details[(b, a)]
            a, b = b, a
        free = [t for t in range(1, day.tables + 1) if t not in taken_tables.get(m.slot + 1, ())]
        created.append(Meeting(day=day, slot=m.slot + 1, table=free[m.table], participant_a=participants[a],
                               participant_b=participants[b], challenge_id=detail[1], score=m.score,
                               reason=detail[2][:500], status=Meeting.Status.PROPOSED))
    for meeting in created:
        meeting.refresh_search_text()
    Meeting.objects.bulk_create(created)
    scheduled_pairs = {tuple(sorted((m.participant_a_id, m.participant_b_id))) for m in created} | met
    open_requests = MeetingRequest.objects.filter(day=day).exclude(status=MeetingRequest.Status.DECLINED)
    unmet = [r.pk for r in open_requests if tuple(sorted((r.requester_id, r.recipient_id))) not in scheduled_pairs]
    report = {"method": result.method, "status": result.status, "objective": round(result.objective, 3),
              "bound": None if result.bound is None else round(result.bound, 3),
              "gap": None if result.gap is None else round(result.gap, 4), "seconds": round(result.wall_time, 3),
              "meetings": len(created), "fixed": len(fixed), "candidates": result.candidates,
              "forbidden": len(forbidden), "unmet_requests": unmet, "notes": result.notes,
              "at": timezone.now().isoformat()}
    day.schedule_report = report
    day.save(update_fields=["schedule_report", "updated_at"])
    return report


@transaction.atomic
def publish_schedule(*, user, day):
    """Confirm the proposed meetings, mark the day scheduled and notify the participants' members."""
    MatchmakingDay, Meeting, _mr, Participant = _day_models()
    DS = MatchmakingDay.Status
    _check_organiser(user, day)
    day = MatchmakingDay.objects.select_for_update().get(pk=day.pk)
    if day.status != DS.PUBLISHED:
        raise ValidationError({"status": _("Publish the day before its schedule; this day is “%(status)s”.") % {
            "status": DS(day.status).label}})
    meetings = day.meetings.exclude(status=Meeting.Status.CANCELLED)
    if not meetings.exists():
        raise ValidationError({"meetings": _("There are no meetings to publish: propose a schedule first.")})
    meetings.filter(status=Meeting.Status.PROPOSED).update(status=Meeting.Status.CONFIRMED)
    day.status = DS.SCHEDULED
    day.save(update_fields=["status", "updated_at"])
    org_ids = set(Participant.objects.filter(day=day).values_list("organization_id", flat=True))
    user_ids = set(Role.objects.filter(kind=Role.Kind.MEMBER, organization__in=org_ids)
                   .values_list("user_id", flat=True))
    verb = (_("Your meetings at “%(title)s” are scheduled.") % {"title": day.title})[:300]
    Notification.objects.bulk_create([Notification(user_id=uid, verb=verb, url=day.get_absolute_url() + "schedule/")
                                      for uid in sorted(user_ids)])
    return day


@transaction.atomic
def decide_meeting_request(*, user, meeting_request, accept: bool):
    """The recipient side accepts or declines a meeting request (a declined pair is never scheduled)."""
    _md, _m, MeetingRequest, _p = _day_models()
    meeting_request = MeetingRequest.objects.select_for_update().select_related("recipient").get(
        pk=meeting_request.pk)
    if meeting_request.recipient.organization_id not in user_org_ids(user):
        raise PermissionDenied(_("Only the participant asked for the meeting may answer this request."))
    if meeting_request.status != MeetingRequest.Status.PENDING:
        raise ValidationError({"status": _("This meeting request has already been answered.")})
    meeting_request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    meeting_request.decided_at = timezone.now()
    meeting_request.save(update_fields=["status", "decided_at", "updated_at"])
    return meeting_request
