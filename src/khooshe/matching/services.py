"""Every write of the matching app: keyword-only, one transaction, access checked here.

Errors a user can cause raise ``django.core.exceptions.ValidationError`` whose message names the field or
the transition; access errors raise ``PermissionDenied``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.models import Agreement, Organization, Relation, RelationType, Role, Sector

from .models import Challenge, Criterion, ExpressionOfInterest, Notification, Profile, Proposal, Review, Score
from .selectors import user_org_ids

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
        notify_challenge_opened(challenge=challenge)
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


def notify_challenge_opened(*, challenge: Challenge) -> int:
    """Notify the members of every organization whose sectors match the challenge (same ISIC division)."""
    org_ids = set(matching_organizations(challenge).values_list("pk", flat=True))
    if challenge.visibility == Challenge.Visibility.INVITED:
        org_ids |= set(challenge.invited_organizations.values_list("pk", flat=True))
    user_ids = set(Role.objects.filter(kind=Role.Kind.MEMBER, organization__in=org_ids)
                   .exclude(organization=challenge.owner_id).values_list("user_id", flat=True))
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
