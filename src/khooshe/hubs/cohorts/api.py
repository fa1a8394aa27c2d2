"""API of cohorts: serializers of the generic model routes (khooshe.core.generic, ``/api/hubs/<plural>/``)
and the actions beyond them, mounted under /api/hubs/ by khooshe.config.urls:

- ``POST calls/<id>/apply/`` {"organization"? | "team_name"?, "answers": {"q<question id>": value},
  "submit"?: bool}: 201 with the application; 400 naming the question (``q<id>``) or field;
- ``POST applications/<id>/submit/`` and ``/withdraw/``;
- ``POST applications/<id>/review/`` {"scores": {"<criterion id>": 1..5}, "comment"?} (assigned reviewers);
- ``POST applications/<id>/decide/`` {"decision": accepted|waitlisted|rejected, "note"?} (staff);
- ``GET calls/<id>/ranking/`` (staff): applications with score and reviewer count, best first;
- ``GET office-hours/<id>/slots/``; ``POST office-hours/<id>/book/`` {"start", "member"?}: 201; 409 with
  ``next_free`` when the room is taken; ``POST office-hour-meetings/<id>/cancel/``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer
from khooshe.hubs import services as booking_services
from khooshe.hubs.api import free_slots_json
from khooshe.registry.models import Organization

from . import models as cm
from . import selectors, services

TIMESTAMPS = ["created_at", "updated_at"]


class HubProgramSerializer(BaseModelSerializer):
    class Meta:
        model = cm.HubProgram
        fields = ["id", "site", "name", "kind", "partner", "description", "benefits", "visibility", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CohortSerializer(BaseModelSerializer):
    class Meta:
        model = cm.Cohort
        fields = ["id", "program", "name", "start_date", "end_date", "capacity", "status", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CohortCallSerializer(BaseModelSerializer):
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = cm.CohortCall
        fields = ["id", "cohort", "title", "description", "opens_on", "closes_on", "is_open", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def get_is_open(self, obj) -> bool:
        return obj.is_open()


class CallQuestionSerializer(BaseModelSerializer):
    class Meta:
        model = cm.CallQuestion
        fields = ["id", "call", "order", "label", "help_text", "kind", "required", "choices", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CallCriterionSerializer(BaseModelSerializer):
    class Meta:
        model = cm.CallCriterion
        fields = ["id", "call", "name", "weight", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CohortApplicationSerializer(BaseModelSerializer):
    class Meta:
        model = cm.CohortApplication
        fields = ["id", "call", "organization", "team_name", "applicant", "status", "answers", "submitted_at",
                  "decision_note", "decided_at", *TIMESTAMPS]
        read_only_fields = fields


class ApplicationReviewSerializer(BaseModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = cm.ApplicationReview
        fields = ["id", "application", "reviewer", "comment", "scored_at", "scores", *TIMESTAMPS]
        read_only_fields = ["comment", "scored_at", *TIMESTAMPS]

    def get_scores(self, obj) -> dict[str, int]:
        return {str(c): v for c, v in obj.scores.values_list("criterion_id", "value")}

    def validate(self, attrs):
        from django.contrib.auth import get_user_model

        # The reviewer is any active user (not only those the requester "sees"): staff pick them by id.
        reviewer = attrs.get("reviewer")
        if reviewer is not None and not get_user_model().objects.filter(pk=reviewer.pk, is_active=True).exists():
            raise ValidationError({"reviewer": [_("No active user has this id.")]})
        return super().validate(attrs)

    def get_fields(self):
        from django.contrib.auth import get_user_model

        fields = super().get_fields()
        fields["reviewer"] = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
        return fields


class CohortMemberSerializer(BaseModelSerializer):
    class Meta:
        model = cm.CohortMember
        fields = ["id", "cohort", "organization", "team_name", "application", "joined_on", *TIMESTAMPS]
        read_only_fields = ["application", *TIMESTAMPS]


class OfficeHourBlockSerializer(BaseModelSerializer):
    class Meta:
        model = cm.OfficeHourBlock
        fields = ["id", "cohort", "mentor", "mentor_person", "space", "date", "start_time", "end_time",
                  "slot_minutes", "topic", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def get_fields(self):
        from django.contrib.auth import get_user_model

        fields = super().get_fields()
        fields["mentor"] = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
        return fields


class OfficeHourMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = cm.OfficeHourMeeting
        fields = ["id", "block", "mentor", "member", "booked_by", "start", "end", "booking", "status"]
        read_only_fields = fields


# -- actions ------------------------------------------------------------------------------------------------
def _raise(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        raise ValidationError(exc.message_dict)
    raise ValidationError({"non_field_errors": exc.messages})


def _run(call):
    """Run a service; Django's refusals become DRF's (400 naming the field, 403)."""
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        _raise(exc)


class ApplyRequest(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                      allow_null=True, default=None)
    team_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    answers = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    submit = serializers.BooleanField(required=False, default=False)


@extend_schema(request=ApplyRequest, responses={201: CohortApplicationSerializer},
               summary="Apply to a call (a draft, or submitted with submit=true)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def apply(request, pk: int):
    call = get_object_or_404(cm.CohortCall.objects.visible_to(request.user).select_related(
        "cohort__program__site"), pk=pk)
    form = ApplyRequest(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    application = _run(lambda: services.save_application(
        user=request.user, call=call, answers=data["answers"], organization=data["organization"],
        team_name=data["team_name"], submit=data["submit"]))
    return Response(CohortApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


def _application(request, pk):
    return get_object_or_404(cm.CohortApplication.objects.visible_to(request.user).select_related(
        "call__cohort__program__site"), pk=pk)


def _move(request, pk, service):
    application = _application(request, pk)
    application = _run(lambda: service(user=request.user, application=application))
    return Response(CohortApplicationSerializer(application).data)


@extend_schema(request=None, responses={200: CohortApplicationSerializer}, summary="Submit a draft application")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def submit(request, pk: int):
    return _move(request, pk, services.submit_application)


@extend_schema(request=None, responses={200: CohortApplicationSerializer}, summary="Withdraw an application")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def withdraw(request, pk: int):
    return _move(request, pk, services.withdraw_application)


class ReviewRequest(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="criterion id -> score 1..5")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


@extend_schema(request=ReviewRequest, responses={200: ApplicationReviewSerializer},
               summary="Score an application (assigned reviewers)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def review(request, pk: int):
    application = _application(request, pk)
    form = ReviewRequest(data=request.data)
    form.is_valid(raise_exception=True)
    result = _run(lambda: services.submit_review(user=request.user, application=application,
                                                 scores=form.validated_data["scores"],
                                                 comment=form.validated_data["comment"]))
    return Response(ApplicationReviewSerializer(result).data)


class DecideRequest(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[(d.value, d.label) for d in cm.CohortApplication.DECISIONS])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


@extend_schema(request=DecideRequest, responses={200: CohortApplicationSerializer},
               summary="Decide an application (staff; accepting respects the cohort's capacity)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def decide(request, pk: int):
    application = _application(request, pk)
    form = DecideRequest(data=request.data)
    form.is_valid(raise_exception=True)
    result = _run(lambda: services.decide_application(user=request.user, application=application,
                                                      decision=form.validated_data["decision"],
                                                      note=form.validated_data["note"]))
    return Response(CohortApplicationSerializer(result).data)


RANKED = inline_serializer("RankedApplication", {
    "application": serializers.IntegerField(), "team": serializers.CharField(), "status": serializers.CharField(),
    "score": serializers.FloatField(allow_null=True), "reviewers": serializers.IntegerField(),
    "assigned": serializers.IntegerField()}, many=True)


@extend_schema(responses={200: RANKED}, summary="The call's applications ranked by score (staff)")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def ranking(request, pk: int):
    call = get_object_or_404(cm.CohortCall.objects.visible_to(request.user).select_related(
        "cohort__program__site"), pk=pk)
    if not selectors.is_program_staff(request.user, call.program):
        raise PermissionDenied(_("Only the staff of %(site)s see the ranking.") % {"site": call.program.site})
    return Response([{"application": r.application.pk, "team": r.application.team, "status": r.application.status,
                      "score": r.score, "reviewers": r.reviewers, "assigned": r.assigned}
                     for r in selectors.ranking(call)])


@extend_schema(responses={200: inline_serializer("OfficeHourSlot", {"start": serializers.DateTimeField(),
                                                                   "end": serializers.DateTimeField()}, many=True)},
               summary="The free slots of office hours")
@api_view(["GET"])
def slots(request, pk: int):
    import datetime as dt

    block = get_object_or_404(cm.OfficeHourBlock.objects.visible_to(request.user).select_related("space__site"),
                              pk=pk)
    step = dt.timedelta(minutes=block.slot_minutes)
    return Response([{"start": s.isoformat(), "end": (s + step).isoformat()} for s in selectors.free_slots(block)])


class BookSlotRequest(serializers.Serializer):
    start = serializers.DateTimeField()
    member = serializers.PrimaryKeyRelatedField(queryset=cm.CohortMember.objects.all(), required=False,
                                                allow_null=True, default=None)


@extend_schema(request=BookSlotRequest, responses={201: OfficeHourMeetingSerializer},
               summary="Book an office-hour slot (409 with the room's next free times when it is taken)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def book_slot(request, pk: int):
    block = get_object_or_404(cm.OfficeHourBlock.objects.visible_to(request.user), pk=pk)
    form = BookSlotRequest(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        meeting = _run(lambda: services.book_office_hour(user=request.user, block=block,
                                                         start=form.validated_data["start"],
                                                         member=form.validated_data["member"]))
    except booking_services.BookingConflict as exc:
        return Response({"detail": exc.message, "field": exc.field, "next_free": free_slots_json(exc.next_free)},
                        status=status.HTTP_409_CONFLICT)
    except booking_services.BookingError as exc:
        raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
    return Response(OfficeHourMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={200: OfficeHourMeetingSerializer}, summary="Cancel a mentor meeting")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def cancel_meeting(request, pk: int):
    meeting = get_object_or_404(cm.OfficeHourMeeting.objects.select_related("block__space__site", "member"), pk=pk)
    if not selectors.may_see_meeting(request.user, meeting):
        raise PermissionDenied(_("You may not cancel this meeting."))
    meeting = _run(lambda: services.cancel_office_hour(user=request.user, meeting=meeting))
    return Response(OfficeHourMeetingSerializer(meeting).data)


urlpatterns = [
    path("calls/<int:pk>/apply/", apply, name="hubs-cohorts-apply"),
    path("calls/<int:pk>/ranking/", ranking, name="hubs-cohorts-ranking"),
    path("applications/<int:pk>/submit/", submit, name="hubs-cohorts-submit"),
    path("applications/<int:pk>/withdraw/", withdraw, name="hubs-cohorts-withdraw"),
    path("applications/<int:pk>/review/", review, name="hubs-cohorts-review"),
    path("applications/<int:pk>/decide/", decide, name="hubs-cohorts-decide"),
    path("office-hours/<int:pk>/slots/", slots, name="hubs-cohorts-slots"),
    path("office-hours/<int:pk>/book/", book_slot, name="hubs-cohorts-book"),
    path("office-hour-meetings/<int:pk>/cancel/", cancel_meeting, name="hubs-cohorts-cancel-meeting"),
]
