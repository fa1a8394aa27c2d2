"""API of residents beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by
khooshe.config.urls.

- the generic routes: ``/api/hubs/residencies/``, ``hubplans/``, ``journeystages/``;
- ``GET /api/hubs/residencies/<id>/moves/``: the resident's moves with their KPI snapshots;
- ``POST /api/hubs/residencies/<id>/moves/`` {"to_stage", "checklist"?, "moved_on"?, "evidence_link"?,
  "note"?, "skip_reason"?, "headcount", "revenue_band"?, "funds_raised"?, "customers"?, "patents"?}:
  201 with the move; 400 naming the field; 403 for anyone but the site's staff;
- ``POST /api/hubs/residencies/<id>/kpi/`` {"date", "headcount", ...}: 201 with the snapshot;
- ``GET /api/hubs/residencies/<id>/credits/``: the month's credits (allowance, used, left).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer

from . import selectors, services
from .models import HubPlan, JourneyStage, KpiSnapshot, Residency, StageMove

TIMESTAMPS = ["created_at", "updated_at"]


class ResidencySerializer(BaseModelSerializer):
    class Meta:
        model = Residency
        fields = ["id", "site", "organization", "hub_plan", "spaces", "plan", "start_date", "end_date",
                  "monthly_price", "monthly_credits", "deposit", "status", "stage", *TIMESTAMPS]
        read_only_fields = ["stage", *TIMESTAMPS]

    def _save(self, instance, validated_data):
        spaces = validated_data.pop("spaces", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        try:
            return services.save_residency(residency=instance, spaces=spaces)
        except services.ResidentError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc

    def create(self, validated_data):
        with transaction.atomic():
            return self._save(Residency(), validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return self._save(instance, validated_data)


class HubPlanSerializer(BaseModelSerializer):
    class Meta:
        model = HubPlan
        fields = ["id", "site", "name", "kind", "monthly_price", "monthly_credits", "desks_included",
                  "refuse_without_credits", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class JourneyStageSerializer(BaseModelSerializer):
    class Meta:
        model = JourneyStage
        fields = ["id", "site", "order", "key", "name", "entry_criteria", "required_evidence", "outcome",
                  *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
        validators = []  # the model's clean() names the field ("order") when a number is taken


class KpiSnapshotSerializer(BaseModelSerializer):
    class Meta:
        model = KpiSnapshot
        fields = ["id", "residency", "date", "headcount", "revenue_band", "funds_raised", "customers", "patents",
                  "recorded_by", *TIMESTAMPS]
        read_only_fields = fields


class StageMoveSerializer(BaseModelSerializer):
    snapshot = KpiSnapshotSerializer(read_only=True)

    class Meta:
        model = StageMove
        fields = ["id", "residency", "from_stage", "to_stage", "moved_on", "approved_by", "checklist",
                  "evidence_file", "evidence_link", "note", "skip_reason", "snapshot", *TIMESTAMPS]
        read_only_fields = fields


class KpiRequestSerializer(serializers.Serializer):
    date = serializers.DateField()
    headcount = serializers.IntegerField(min_value=0)
    revenue_band = serializers.ChoiceField(choices=KpiSnapshot.RevenueBand.choices, default="none")
    funds_raised = serializers.IntegerField(min_value=0, default=0)
    customers = serializers.IntegerField(min_value=0, default=0)
    patents = serializers.IntegerField(min_value=0, default=0)


class MoveRequestSerializer(KpiRequestSerializer):
    date = serializers.DateField(required=False)
    to_stage = serializers.IntegerField()
    checklist = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    moved_on = serializers.DateField(required=False, allow_null=True, default=None)
    evidence_link = serializers.URLField(required=False, allow_blank=True, default="")
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    skip_reason = serializers.CharField(required=False, allow_blank=True, default="")


def _residency(request, pk) -> Residency:
    return get_object_or_404(Residency.objects.visible_to(request.user).select_related("site", "stage"), pk=pk)


def _refused(exc: services.ResidentError):
    raise ValidationError({exc.field or "non_field_errors": [exc.message]})


KPI_KEYS = services.KPI_FIELDS


@extend_schema(request=MoveRequestSerializer, responses={201: StageMoveSerializer, 200: StageMoveSerializer(many=True)},
               summary="A resident's stage moves (GET); move it to another stage through the gate (POST, staff)")
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def move(request, pk: int):
    residency = _residency(request, pk)
    if request.method == "GET":
        moves = residency.stage_moves.select_related("snapshot").order_by("moved_on", "pk")
        return Response(StageMoveSerializer(moves, many=True, context={"request": request}).data)
    form = MoveRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    stage = JourneyStage.objects.filter(pk=data["to_stage"], site=residency.site).first()
    if stage is None:
        raise ValidationError({"to_stage": [_stage_message(data["to_stage"])]})
    try:
        result = services.move_stage(
            user=request.user, residency=residency, to_stage=stage, kpi={k: data[k] for k in KPI_KEYS},
            checklist=data["checklist"], moved_on=data["moved_on"], evidence_file=data["evidence_file"],
            evidence_link=data["evidence_link"], note=data["note"], skip_reason=data["skip_reason"])
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.ResidentError as exc:
        _refused(exc)
    return Response(StageMoveSerializer(result, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _stage_message(value) -> str:
    from django.utils.translation import gettext as _

    return _("No stage %(value)s at this resident's site; use an id from /api/hubs/journeystages/?site=.") % {
        "value": value}


@extend_schema(request=KpiRequestSerializer, responses={201: KpiSnapshotSerializer},
               summary="Record a resident's KPI snapshot (staff of the site)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def kpi(request, pk: int):
    residency = _residency(request, pk)
    form = KpiRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        snapshot = services.record_kpi(user=request.user, residency=residency, **form.validated_data)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.ResidentError as exc:
        _refused(exc)
    return Response(KpiSnapshotSerializer(snapshot, context={"request": request}).data,
                    status=status.HTTP_201_CREATED)


CREDITS = inline_serializer("ResidencyCredits", {"month": serializers.DateField(),
                                                 "allowance": serializers.DecimalField(9, 2),
                                                 "used": serializers.DecimalField(9, 2),
                                                 "left": serializers.DecimalField(9, 2)})


@extend_schema(responses={200: CREDITS}, summary="Room credits of the residency this (Jalali) month")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def credits(request, pk: int):
    residency = _residency(request, pk)
    summary = selectors.credit_summary(residency, timezone.localdate())
    return Response({"month": summary["month"].isoformat(), "allowance": str(summary["allowance"]),
                     "used": str(summary["used"]), "left": str(summary["left"])})


urlpatterns = [
    path("residencies/<int:pk>/moves/", move, name="residents-move"),
    path("residencies/<int:pk>/kpi/", kpi, name="residents-kpi"),
    path("residencies/<int:pk>/credits/", credits, name="residents-credits"),
]
