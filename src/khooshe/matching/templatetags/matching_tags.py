from django import template

from khooshe.registry.access import access_for

from .. import forms, models, selectors, services

register = template.Library()


@register.simple_tag
def challenge_panel(challenge, user):
    """What the challenge page offers this user: workflow buttons, ranked proposals, a propose link."""
    can_manage = challenge.is_editable_by(user)
    actions = []
    if can_manage:
        for action, to in (("open", "open"), ("evaluate", "evaluating"), ("close", "closed")):
            if to in services.TRANSITIONS[challenge.status]:
                actions.append((action, models.Challenge.Status(to).label))
    proposals = selectors.ranked_proposals(challenge, user) if user.is_authenticated else []
    acc = access_for(user)
    can_propose = (challenge.status == models.Challenge.Status.OPEN and user.is_authenticated
                   and bool(acc.editable_organization_ids() - {challenge.owner_id}))
    return {"can_manage": can_manage, "actions": actions, "proposals": proposals, "can_propose": can_propose,
            "is_reviewer": challenge.is_reviewer(user)}


@register.simple_tag
def proposal_panel(proposal, user):
    challenge = proposal.challenge
    can_manage = challenge.is_editable_by(user)
    open_states = (models.Challenge.Status.OPEN, models.Challenge.Status.EVALUATING)
    undecided = proposal.status in (models.Proposal.Status.SUBMITTED, models.Proposal.Status.SHORTLISTED)
    reviews = list(proposal.reviews.select_related("reviewer")) if (can_manage or challenge.is_reviewer(user)) else []
    weights = selectors.criteria_weights(challenge)
    return {"can_manage": can_manage and challenge.status in open_states and undecided,
            "shortlisted": proposal.status == models.Proposal.Status.SHORTLISTED,
            "can_review": challenge.is_reviewer(user) and challenge.status in open_states,
            "reviews": [(r, selectors.review_score(r, weights)) for r in reviews]}


@register.simple_tag
def profile_panel(profile, user):
    revealed = selectors.owner_revealed_to(profile, user)
    acc = access_for(user)
    own = profile.owner_id in acc.editable_organization_ids()
    received = []
    if own or acc.is_admin:
        for eoi in profile.expressions_of_interest.select_related("from_organization"):
            received.append({"eoi": eoi, "sender": eoi.from_organization
                             if selectors.sender_revealed_to(eoi, user) else None})
    form = None
    if user.is_authenticated and not own and profile.active:
        form = forms.InterestForm(user=user)
        if not form.fields["from_organization"].queryset.exists():
            form = None
    return {"owner": profile.owner if revealed else None, "received": received, "form": form,
            "can_decide": profile.is_editable_by(user)}
