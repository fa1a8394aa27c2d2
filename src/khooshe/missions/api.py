"""Serializers of the missions API (viewsets are generic: core.api) and the composer's endpoints:
POST /api/missions/missions/<id>/compose/ {"units": 100, "weights": {...}, "max_members": 12,
"alternatives": 3}; GET /api/missions/missions/<id>/gaps/?units=100&horizon_days=90;
POST /api/missions/compositions/<id>/what-if/ {"organization": 7}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer
from khooshe.registry.models import Organization

from . import models, selectors, services
from .texts import gap_message

TIMESTAMPS = ["created_at", "updated_at"]


class MissionSerializer(BaseModelSerializer):
    class Meta:
        model = models.Mission
        fields = ["id", "title", "description", "owner", "region", "capacity_period", "visibility", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class StageSerializer(BaseModelSerializer):
    # a plain text field in the schema: the organization kinds already have their enum (Organization.kind)
    organization_kind = serializers.CharField(max_length=32, required=False,
                                              help_text="An organization kind, e.g. sme, startup, knowledge_based.")

    def validate_organization_kind(self, value):
        from khooshe.registry.models import OrganizationKind

        if value not in OrganizationKind.values:
            raise ValidationError(_("“%(value)s” is not an organization kind; use one of %(kinds)s.")
                                  % {"value": value, "kinds": ", ".join(OrganizationKind.values)})
        return value

    class Meta:
        model = models.Stage
        fields = ["id", "mission", "name", "position", "predecessors", "sectors", "capability_tags", "licences",
                  "capacity_unit", "min_quality", "max_share", "min_lot", "organization_kind", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def validate(self, attrs):
        attrs = super().validate(attrs)
        mission = attrs.get("mission", getattr(self.instance, "mission", None))
        preds = attrs.get("predecessors")
        if mission is not None and preds:
            problem = services.cycle_problem(mission=mission, stage=self.instance, predecessors=list(preds))
            if problem:
                raise ValidationError({"predecessors": [problem]})
        return attrs


class LicenceSerializer(BaseModelSerializer):
    class Meta:
        model = models.Licence
        fields = ["id", "organization", "kind", "number", "valid_from", "valid_until", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class MemberCapacitySerializer(BaseModelSerializer):
    class Meta:
        model = models.MemberCapacity
        fields = ["id", "organization", "stage", "capacity", "unit_cost", "lead_time_days", "quality", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class DemandSerializer(BaseModelSerializer):
    class Meta:
        model = models.Demand
        fields = ["id", "mission", "units", "label", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CompositionSerializer(BaseModelSerializer):
    class Meta:
        model = models.Composition
        fields = ["id", "mission", "demand", "units", "rank", "base", "removed_member", "status", "served",
                  "total_cost", "objective", "gap", "solve_seconds", "members", "parameters", "result", "note",
                  *TIMESTAMPS]
        read_only_fields = [f for f in fields if f not in ("id", "note")]


class ChainTemplateSerializer(BaseModelSerializer):
    class Meta:
        model = models.ChainTemplate
        fields = ["id", "key", "name_fa", "name_en", "stages", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ComposeSerializer(serializers.Serializer):
    units = serializers.IntegerField(min_value=1)
    weights = serializers.DictField(child=serializers.FloatField(min_value=0), required=False)
    max_members = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    alternatives = serializers.IntegerField(min_value=1, max_value=10, required=False, default=1)
    time_limit = serializers.FloatField(min_value=1, max_value=300, required=False, default=20)

    def validate_weights(self, value):
        unknown = sorted(set(value) - set(services.WEIGHTS) - {"transport_rate"})
        if unknown:
            raise ValidationError(_("Unknown weights: %(names)s.") % {"names": ", ".join(unknown)})
        return value


def _django_errors(exc: DjangoValidationError):
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def _visible_mission(request, pk):
    return get_object_or_404(models.Mission.objects.visible_to(request.user), pk=pk)


@extend_schema(request=ComposeSerializer, responses=CompositionSerializer(many=True))
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def compose(request, pk):
    mission = _visible_mission(request, pk)
    ser = ComposeSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    try:
        comps = services.compose_mission(user=request.user, mission=mission, **ser.validated_data)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise _django_errors(exc) from exc
    return Response(CompositionSerializer(comps, many=True, context={"request": request}).data, status=201)


@extend_schema(responses=inline_serializer("Gap", {
    "kind": serializers.CharField(), "stage": serializers.IntegerField(), "message": serializers.CharField(),
    "capacity": serializers.IntegerField(), "needed": serializers.IntegerField(),
    "members": serializers.ListField(child=serializers.IntegerField()), "target": serializers.DictField()},
    many=True))
@api_view(["GET"])
def gaps(request, pk):
    mission = _visible_mission(request, pk)
    try:
        units = int(request.query_params.get("units") or selectors.default_units(mission) or 0)
        horizon = int(request.query_params.get("horizon_days", 90))
    except ValueError:
        raise ValidationError({"units": [_("Give whole numbers for units and horizon_days.")]}) from None
    if units < 1 or not 0 <= horizon <= 3650:
        raise ValidationError({"units": [_("Give units of 1 or more (or record a demand) and horizon_days "
                                           "between 0 and 3650.")]})
    stage_names = {str(s.pk): s.name for s in mission.stages.all()}
    out = [{"kind": g.kind, "stage": int(g.stage), "message": gap_message(g, stage_names.get(g.stage, g.stage)), "capacity": g.capacity, "needed": g.needed,
            "members": [int(m) for m in g.members], "target": g.target.__dict__}
           for g in selectors.mission_gaps(mission, units=units, horizon_days=horizon)]
    return Response(out)


@extend_schema(request=inline_serializer("WhatIf", {"organization": serializers.IntegerField()}),
               responses=CompositionSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def what_if(request, pk):
    comp = get_object_or_404(models.Composition.objects.visible_to(request.user), pk=pk)
    try:
        org = Organization.objects.get(pk=int(request.data.get("organization")))
    except (TypeError, ValueError, Organization.DoesNotExist):
        raise ValidationError({"organization": [_("Give the id of a member of this consortium.")]}) from None
    try:
        after = services.what_if_remove(user=request.user, composition=comp, organization=org)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise _django_errors(exc) from exc
    return Response(CompositionSerializer(after, context={"request": request}).data, status=201)


urlpatterns = [
    path("missions/<int:pk>/compose/", compose, name="mission_compose"),
    path("missions/<int:pk>/gaps/", gaps, name="mission_gaps"),
    path("compositions/<int:pk>/what-if/", what_if, name="composition_what_if"),
]
