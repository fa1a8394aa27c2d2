"""Serializers of the matching API (the viewsets are generic: core.api) and the workflow actions:
POST /api/matching/challenges/<id>/transition/ {"to": "open"}, /proposals/<id>/shortlist/,
/proposals/<id>/award/, /proposals/<id>/review/, /profiles/<id>/interest/, /interests/<id>/decide/."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer
from khooshe.registry.models import Organization

from . import models, selectors, services

TIMESTAMPS = ["created_at", "updated_at"]


def _can_manage(serializer, challenge) -> bool:
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user is not None and challenge.is_editable_by(user)


class ChallengeSerializer(BaseModelSerializer):
    class Meta:
        model = models.Challenge
        fields = ["id", "owner", "title", "background", "problem_statement", "constraints", "success_criteria",
                  "budget_min", "budget_max", "currency", "start_date", "end_date", "deadline", "ip_terms",
                  "confidentiality_terms", "sectors", "region", "visibility", "invited_organizations",
                  "reviewers", "status", "opened_at", *TIMESTAMPS]
        read_only_fields = ["status", "opened_at", *TIMESTAMPS]

    def to_representation(self, instance):
        """Who reviews and who is invited is shown to the owner side only."""
        data = super().to_representation(instance)
        if not _can_manage(self, instance):
            data.pop("reviewers", None)
            data.pop("invited_organizations", None)
        return data


class CriterionSerializer(BaseModelSerializer):
    class Meta:
        model = models.Criterion
        fields = ["id", "challenge", "name", "weight", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ProposalSerializer(BaseModelSerializer):
    score = serializers.SerializerMethodField()

    class Meta:
        model = models.Proposal
        fields = ["id", "challenge", "solver", "summary", "approach", "price", "duration_days", "team",
                  "status", "score", "agreement", *TIMESTAMPS]
        read_only_fields = ["status", "agreement", *TIMESTAMPS]

    def get_score(self, obj) -> float | None:
        return selectors.proposal_score(obj)

    def to_representation(self, instance):
        """The evaluation score is shown to the challenge's owner side and reviewers, not to solvers."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not (_can_manage(self, instance.challenge) or (user is not None and instance.challenge.is_reviewer(user))):
            data.pop("score", None)
        return data


class ProfileSerializer(BaseModelSerializer):
    """``owner`` is write-only; ``owner_name`` is null unless the owner is revealed to the caller."""

    owner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), write_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = models.Profile
        fields = ["id", "kind", "owner", "owner_name", "title", "summary", "technology_description", "advantages",
                  "stage", "ip_status", "partnership_type", "sectors", "visibility", "active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def get_owner_name(self, obj) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return str(obj.owner) if user is not None and selectors.owner_revealed_to(obj, user) else None


def _run(call):
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise ValidationError(detail) from exc


def _visible(model, user, pk):
    return get_object_or_404(model.objects.visible_to(user), pk=pk)


_STATUS = inline_serializer("MatchingStatus", {"id": serializers.IntegerField(), "status": serializers.CharField()})


@extend_schema(request=inline_serializer("ChallengeTransition", {"to": serializers.CharField(
    help_text="open, evaluating or closed")}), responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def challenge_transition(request, pk: int):
    challenge = _visible(models.Challenge, request.user, pk)
    to = str(request.data.get("to", ""))
    challenge = _run(lambda: services.transition_challenge(user=request.user, challenge=challenge, to=to))
    return Response({"id": challenge.pk, "status": challenge.status})


@extend_schema(request=inline_serializer("Shortlist", {"shortlisted": serializers.BooleanField(default=True)}),
               responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def proposal_shortlist(request, pk: int):
    proposal = _visible(models.Proposal, request.user, pk)
    flag = request.data.get("shortlisted", True) not in (False, "false", "0", 0)
    proposal = _run(lambda: services.shortlist_proposal(user=request.user, proposal=proposal, shortlisted=flag))
    return Response({"id": proposal.pk, "status": proposal.status})


@extend_schema(request=None, responses=inline_serializer("Award", {"agreement": serializers.IntegerField(),
                                                                   "status": serializers.CharField()}))
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def proposal_award(request, pk: int):
    proposal = _visible(models.Proposal, request.user, pk)
    agreement = _run(lambda: services.award_proposal(user=request.user, proposal=proposal))
    return Response({"agreement": agreement.pk, "status": models.Proposal.Status.AWARDED})


@extend_schema(request=inline_serializer("ReviewIn", {
    "scores": serializers.DictField(child=serializers.IntegerField()), "comment": serializers.CharField()}),
    responses=inline_serializer("ReviewOut", {"id": serializers.IntegerField(),
                                              "score": serializers.FloatField(allow_null=True)}))
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def proposal_review(request, pk: int):
    proposal = _visible(models.Proposal, request.user, pk)
    scores = request.data.get("scores")
    if not isinstance(scores, dict):
        raise ValidationError({"scores": ["Give an object {criterion id: score from 1 to 5}."]})
    comment = str(request.data.get("comment", ""))[:10000]
    review = _run(lambda: services.submit_review(user=request.user, proposal=proposal, scores=scores,
                                                 comment=comment))
    return Response({"id": review.pk, "score": selectors.proposal_score(proposal)})


@extend_schema(request=inline_serializer("InterestIn", {"from_organization": serializers.IntegerField(),
                                                        "message": serializers.CharField()}), responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def profile_interest(request, pk: int):
    profile = _visible(models.Profile, request.user, pk)
    try:
        org = Organization.objects.get(pk=int(request.data.get("from_organization")))
    except (TypeError, ValueError, OverflowError, Organization.DoesNotExist):
        raise ValidationError({"from_organization": ["Give the id of an organization you belong to."]}) from None
    eoi = _run(lambda: services.express_interest(user=request.user, profile=profile, from_organization=org,
                                                 message=str(request.data.get("message", ""))))
    return Response({"id": eoi.pk, "status": eoi.status}, status=201)


@extend_schema(request=inline_serializer("Decide", {"accept": serializers.BooleanField()}), responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def interest_decide(request, pk: int):
    interest = get_object_or_404(selectors.interests_for(request.user), pk=pk)
    accept = request.data.get("accept") in (True, "true", "1", 1)
    interest = _run(lambda: services.decide_interest(user=request.user, interest=interest, accept=accept))
    return Response({"id": interest.pk, "status": interest.status})


urlpatterns = [
    path("challenges/<int:pk>/transition/", challenge_transition, name="matching-challenge-transition"),
    path("proposals/<int:pk>/shortlist/", proposal_shortlist, name="matching-proposal-shortlist"),
    path("proposals/<int:pk>/award/", proposal_award, name="matching-proposal-award"),
    path("proposals/<int:pk>/review/", proposal_review, name="matching-proposal-review"),
    path("profiles/<int:pk>/interest/", profile_interest, name="matching-profile-interest"),
    path("interests/<int:pk>/decide/", interest_decide, name="matching-interest-decide"),
]
