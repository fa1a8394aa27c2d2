"""Serializers of the matching API (the viewsets are generic: core.api) and the workflow actions:
POST /api/matching/challenges/<id>/transition/ {"to": "open"}, /proposals/<id>/shortlist/,
/proposals/<id>/award/, /proposals/<id>/review/, /profiles/<id>/interest/, /interests/<id>/decide/;
matchmaking days: /matchmaking-days/<id>/transition/, /propose-schedule/, /publish-schedule/,
/meeting-requests/<id>/decide/."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
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



# -- matchmaking days -------------------------------------------------------------------------------------
class MatchmakingDaySerializer(BaseModelSerializer):
    class Meta:
        model = models.MatchmakingDay
        fields = ["id", "title", "description", "organiser", "date", "venue", "region", "start_time",
                  "slot_minutes", "slot_count", "tables", "max_meetings", "conflict_relation_types", "status",
                  "schedule_report", *TIMESTAMPS]
        read_only_fields = ["status", "schedule_report", *TIMESTAMPS]

    def validate_conflict_relation_types(self, value):
        from khooshe.registry.models import RelationType

        if value is None:
            return []
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in RelationType.values for v in value):
            raise ValidationError(_("Give a list of relation types among: %(types)s.") % {
                "types": ", ".join(RelationType.values)})
        return value


class ParticipantSerializer(BaseModelSerializer):
    class Meta:
        model = models.Participant
        fields = ["id", "day", "organization", "role", "challenges", "interests", "available_slots",
                  "max_meetings", "conflicts", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def validate_available_slots(self, value):
        if value is None:
            return []
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise ValidationError(_("Give a list of slot numbers, e.g. [1, 2, 5]."))
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        org = attrs.get("organization", getattr(self.instance, "organization", None))
        challenges = attrs.get("challenges")
        if org is not None and challenges:
            foreign = [c for c in challenges if c.owner_id != org.pk]
            if foreign:
                raise ValidationError({"challenges": [_("“%(title)s” is not a challenge of %(org)s.") % {
                    "title": foreign[0].title, "org": org}]})
        return attrs


@extend_schema_serializer(component_name="MeetingAsk")  # "MeetingRequest" is the Meeting's request body
class MeetingRequestSerializer(BaseModelSerializer):
    class Meta:
        model = models.MeetingRequest
        fields = ["id", "day", "requester", "recipient", "challenge", "priority", "message", "status",
                  "decided_at", *TIMESTAMPS]
        read_only_fields = ["day", "status", "decided_at", *TIMESTAMPS]

    def validate(self, attrs):
        requester = attrs.get("requester", getattr(self.instance, "requester", None))
        if requester is not None:
            attrs["day"] = requester.day
        return super().validate(attrs)


class MeetingSerializer(BaseModelSerializer):
    time = serializers.SerializerMethodField()

    class Meta:
        model = models.Meeting
        fields = ["id", "day", "slot", "table", "time", "participant_a", "participant_b", "challenge", "score",
                  "reason", "status", *TIMESTAMPS]
        read_only_fields = ["score", "reason", *TIMESTAMPS]

    def get_time(self, obj) -> str:
        return obj.time_range()


@extend_schema(request=inline_serializer("DayTransition", {"to": serializers.CharField(
    help_text="draft, published or closed")}), responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def day_transition(request, pk: int):
    day = _visible(models.MatchmakingDay, request.user, pk)
    to = str(request.data.get("to", ""))
    day = _run(lambda: services.transition_day(user=request.user, day=day, to=to))
    return Response({"id": day.pk, "status": day.status})


@extend_schema(request=inline_serializer("ProposeSchedule", {
    "method": serializers.ChoiceField(choices=["auto", "cp-sat", "flow", "greedy"], default="auto"),
    "time_limit": serializers.FloatField(default=10, min_value=0.1, max_value=120)}),
    responses=inline_serializer("ScheduleReport", {"method": serializers.CharField(),
                                                   "status": serializers.CharField(),
                                                   "objective": serializers.FloatField(),
                                                   "meetings": serializers.IntegerField()}))
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def day_propose_schedule(request, pk: int):
    day = _visible(models.MatchmakingDay, request.user, pk)
    method = str(request.data.get("method", "auto"))
    if method not in ("auto", "cp-sat", "flow", "greedy"):
        raise ValidationError({"method": [_("Use auto, cp-sat, flow or greedy.")]})
    try:
        time_limit = float(request.data.get("time_limit", 10))
    except (TypeError, ValueError):
        time_limit = -1
    if not 0.1 <= time_limit <= 120:
        raise ValidationError({"time_limit": [_("Give a number of seconds from 0.1 to 120.")]})
    report = _run(lambda: services.propose_schedule(user=request.user, day=day, method=method,
                                                    time_limit=time_limit))
    return Response(report)


@extend_schema(request=None, responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def day_publish_schedule(request, pk: int):
    day = _visible(models.MatchmakingDay, request.user, pk)
    day = _run(lambda: services.publish_schedule(user=request.user, day=day))
    return Response({"id": day.pk, "status": day.status})


@extend_schema(request=inline_serializer("MeetingRequestDecide", {"accept": serializers.BooleanField()}),
               responses=_STATUS)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def meeting_request_decide(request, pk: int):
    meeting_request = _visible(models.MeetingRequest, request.user, pk)
    accept = request.data.get("accept") in (True, "true", "1", 1)
    meeting_request = _run(lambda: services.decide_meeting_request(user=request.user,
                                                                   meeting_request=meeting_request, accept=accept))
    return Response({"id": meeting_request.pk, "status": meeting_request.status})

def _api_limit(request) -> int:
    raw = request.query_params.get("limit", "20")
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        limit = None
    if limit is None or not 1 <= limit <= 100:
        raise ValidationError({"limit": [_("Give a whole number from 1 to 100, not “%(value)s”.") % {
            "value": str(raw)[:50]}]})
    return limit


_RECOMMENDATIONS = inline_serializer("Recommendations", {
    "mode": serializers.CharField(help_text="bm25 or bm25+dense"),
    "messages": serializers.ListField(child=serializers.CharField()),
    "weights": serializers.DictField(child=serializers.FloatField()),
    "results": serializers.ListField(child=serializers.DictField(), help_text=(
        "Each: organization or challenge {id, name/title, url}, score (0..1), signals and contributions "
        "(signal -> number), explanation {words, snippet (HTML, escaped, matches in <mark>), sector "
        "{code, title, level, label}, distance_km, same_region, path [{id, name}], track {relations, "
        "agreements, awards}}.")),
})


def _recommendations(result) -> dict:
    return {"mode": result.mode, "messages": result.messages, "weights": result.weights,
            "results": [r.as_dict() for r in result.items]}


_LIMIT = OpenApiParameter("limit", OpenApiTypes.INT, OpenApiParameter.QUERY, description="1 to 100 (default 20)")


@extend_schema(parameters=[_LIMIT], responses=_RECOMMENDATIONS)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def challenge_recommendations(request, pk: int):
    """The organizations best placed to solve a challenge (its owner side and admins only)."""
    from .recommend import NoTextError, recommend_solvers

    challenge = _visible(models.Challenge, request.user, pk)
    if not challenge.is_editable_by(request.user):
        raise PermissionDenied(_("Only the organization that posted this challenge sees its recommended solvers."))
    limit = _api_limit(request)
    try:
        result = recommend_solvers(challenge, user=request.user, limit=limit)
    except NoTextError as exc:
        raise ValidationError({"challenge": [str(exc)]}) from exc
    return Response(_recommendations(result))


@extend_schema(parameters=[_LIMIT], responses=_RECOMMENDATIONS)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def organization_challenges(request, pk: int):
    """Open challenges that fit an organization (its members and admins only)."""
    from .recommend import recommend_challenges

    organization = _visible(Organization, request.user, pk)
    if not organization.is_editable_by(request.user):
        raise PermissionDenied(_("Only the members of this organization see the challenges recommended to it."))
    result = recommend_challenges(organization, user=request.user, limit=_api_limit(request))
    return Response(_recommendations(result))


urlpatterns = [
    path("challenges/<int:pk>/recommendations/", challenge_recommendations,
         name="matching-challenge-recommendations"),
    path("organizations/<int:pk>/challenges/", organization_challenges, name="matching-organization-challenges"),
    path("challenges/<int:pk>/transition/", challenge_transition, name="matching-challenge-transition"),
    path("proposals/<int:pk>/shortlist/", proposal_shortlist, name="matching-proposal-shortlist"),
    path("proposals/<int:pk>/award/", proposal_award, name="matching-proposal-award"),
    path("proposals/<int:pk>/review/", proposal_review, name="matching-proposal-review"),
    path("profiles/<int:pk>/interest/", profile_interest, name="matching-profile-interest"),
    path("interests/<int:pk>/decide/", interest_decide, name="matching-interest-decide"),
    path("matchmaking-days/<int:pk>/transition/", day_transition, name="matching-day-transition"),
    path("matchmaking-days/<int:pk>/propose-schedule/", day_propose_schedule, name="matching-day-propose"),
    path("matchmaking-days/<int:pk>/publish-schedule/", day_publish_schedule, name="matching-day-publish"),
    path("meeting-requests/<int:pk>/decide/", meeting_request_decide, name="matching-meeting-request-decide"),
]
