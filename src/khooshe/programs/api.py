"""Serializers of the programs API (the CRUD viewsets are generic: core.api) and the actions:

- ``POST /api/programs/from-template/`` {"template", "cluster", "title_fa", "start_date", ...}: a new program;
- ``POST /api/programs/tasks/<id>/move/`` {"start": "2025-03-21", "end": "..."}: move a task and its dependants;
- ``GET  /api/programs/programs/<id>/schedule/``: the critical path (earliest/latest start, slack) of every task;
- ``POST /api/programs/programs/<id>/matrix/`` {"task", "actor", "role"}: set or clear a matrix cell;
- ``POST /api/programs/outputs/<id>/deliver/`` (multipart, ``document``): deliver a phase output;
- ``POST /api/programs/phases/<id>/approve/`` {"note"} and ``/close/``: the phase gate.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer
from khooshe.registry.models import Cluster, Organization, Person

from . import models, selectors, services

TIMESTAMPS = ["created_at", "updated_at"]


class ProgramTemplateSerializer(BaseModelSerializer):
    class Meta:
        model = models.ProgramTemplate
        fields = ["id", "key", "name_fa", "name_en", "description", "source", "content", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ProgramSerializer(BaseModelSerializer):
    budget_spent = serializers.SerializerMethodField()

    class Meta:
        model = models.Program
        fields = ["id", "cluster", "cda", "lead_organization", "title_fa", "title_en", "description", "start_date",
                  "end_date", "budget_planned", "budget_spent", "currency", "status", "template", *TIMESTAMPS]
        read_only_fields = ["template", *TIMESTAMPS]

    def get_budget_spent(self, obj) -> str:
        return str(obj.budget_spent())


class PhaseSerializer(BaseModelSerializer):
    class Meta:
        model = models.Phase
        fields = ["id", "program", "order", "title_fa", "title_en", "start_date", "end_date", "duration_text",
                  "expected_outputs", "main_actors", "status", "approved_by", "approved_at", "approval_note",
                  "closed_at", *TIMESTAMPS]
        read_only_fields = ["status", "approved_by", "approved_at", "approval_note", "closed_at", *TIMESTAMPS]


class PhaseOutputSerializer(BaseModelSerializer):
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = models.PhaseOutput
        fields = ["id", "phase", "title", "document_url", "delivered_at", "delivered_by", *TIMESTAMPS]
        read_only_fields = ["delivered_at", "delivered_by", *TIMESTAMPS]

    def get_document_url(self, obj) -> str | None:
        return reverse("programs:output_document", kwargs={"pk": obj.pk}) if obj.document else None


class TaskSerializer(BaseModelSerializer):
    class Meta:
        model = models.Task
        fields = ["id", "program", "phase", "parent", "position", "number", "title_fa", "title_en", "start_date",
                  "end_date", "budget_planned", "budget_spent", "mechanism", "mechanism_detail",
                  "responsible_organization", "responsible_person", "responsible_text", "stakeholder_organizations",
                  "stakeholders_text", "expected_output", "success_indicators", "status", "percent_done",
                  *TIMESTAMPS]
        read_only_fields = ["number", *TIMESTAMPS]
        extra_kwargs = {"position": {"required": False}}


class TaskDependencySerializer(BaseModelSerializer):
    class Meta:
        model = models.TaskDependency
        fields = ["id", "predecessor", "successor", "lag_days", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ActorSerializer(BaseModelSerializer):
    class Meta:
        model = models.Actor
        fields = ["id", "program", "position", "name", "organization", "person", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class MatrixCellSerializer(BaseModelSerializer):
    class Meta:
        model = models.MatrixCell
        fields = ["id", "task", "actor", "role", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


# -- actions ----------------------------------------------------------------------------------------
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


def _date(value, field: str, required: bool = True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [f"Give the date as YYYY-MM-DD, not “{value}”."]}) from None


def _pk(model, user, value, field: str):
    try:
        return model.objects.visible_to(user).get(pk=int(value))
    except (TypeError, ValueError, OverflowError, model.DoesNotExist):
        raise ValidationError({field: [f"No {model._meta.verbose_name} with id “{value}” that you may see."]}) from None


_MOVED = inline_serializer("TaskMoved", {"task": serializers.IntegerField(), "message": serializers.CharField(),
                                         "moved": serializers.ListField(child=serializers.DictField())})


@extend_schema(request=inline_serializer("TaskMove", {"start": serializers.DateField(),
                                                      "end": serializers.DateField(required=False)}),
               responses=_MOVED)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def task_move(request, pk: int):
    task = _visible(models.Task, request.user, pk)
    start = _date(request.data.get("start"), "start")
    end = _date(request.data.get("end"), "end", required=False)
    report = _run(lambda: services.move_task(user=request.user, task=task, start_date=start, end_date=end))
    return Response({**report.as_dict(), "message": report.message()})


@extend_schema(responses=inline_serializer("Schedule", {"critical": serializers.ListField(child=serializers.IntegerField()),
                                                        "tasks": serializers.ListField(child=serializers.DictField())}))
@api_view(["GET"])
def program_schedule(request, pk: int):
    program = _visible(models.Program, request.user, pk)
    rows = selectors.schedule(program)
    return Response({"critical": [r["id"] for r in rows if r["critical"]], "tasks": rows})


@extend_schema(request=inline_serializer("MatrixSet", {"task": serializers.IntegerField(),
                                                       "actor": serializers.IntegerField(),
                                                       "role": serializers.CharField(allow_blank=True)}),
               responses=inline_serializer("MatrixCellOut", {"task": serializers.IntegerField(),
                                                             "actor": serializers.IntegerField(),
                                                             "role": serializers.CharField()}))
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def program_matrix(request, pk: int):
    program = _visible(models.Program, request.user, pk)
    task = _pk(models.Task, request.user, request.data.get("task"), "task")
    actor = _pk(models.Actor, request.user, request.data.get("actor"), "actor")
    if task.program_id != program.pk:
        raise ValidationError({"task": ["The task belongs to another program."]})
    cell = _run(lambda: services.set_matrix_cell(user=request.user, task=task, actor=actor,
                                                 role=str(request.data.get("role") or "")))
    return Response({"task": task.pk, "actor": actor.pk, "role": cell.role if cell else ""})


@extend_schema(request=inline_serializer("FromTemplate", {
    "template": serializers.IntegerField(required=False), "cluster": serializers.IntegerField(),
    "title_fa": serializers.CharField(), "title_en": serializers.CharField(required=False),
    "start_date": serializers.DateField(), "cda": serializers.IntegerField(required=False),
    "lead_organization": serializers.IntegerField(required=False),
    "budget_planned": serializers.IntegerField(required=False), "currency": serializers.CharField(required=False)}),
    responses=ProgramSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def program_from_template(request):
    data = request.data
    template = _pk(models.ProgramTemplate, request.user, data["template"], "template") if data.get("template") else None
    cluster = _pk(Cluster, request.user, data.get("cluster"), "cluster")
    cda = _pk(Person, request.user, data["cda"], "cda") if data.get("cda") else None
    lead = (_pk(Organization, request.user, data["lead_organization"], "lead_organization")
            if data.get("lead_organization") else None)
    budget = data.get("budget_planned")
    try:
        budget = None if budget in (None, "") else int(budget)
    except (TypeError, ValueError):
        raise ValidationError({"budget_planned": [f"Give a whole number, not “{budget}”."]}) from None
    title_fa = str(data.get("title_fa") or "").strip()
    if not title_fa:
        raise ValidationError({"title_fa": ["Give the program's Persian title."]})
    program = _run(lambda: services.create_program_from_template(
        user=request.user, template=template, cluster=cluster, title_fa=title_fa,
        title_en=str(data.get("title_en") or ""), start_date=_date(data.get("start_date"), "start_date"), cda=cda,
        lead_organization=lead, budget_planned=budget, currency=str(data.get("currency") or "IRR")))
    return Response(ProgramSerializer(program, context={"request": request}).data, status=201)


@extend_schema(request=inline_serializer("Deliver", {"document": serializers.FileField()}),
               responses=PhaseOutputSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes([MultiPartParser, FormParser])
def output_deliver(request, pk: int):
    output = _visible(models.PhaseOutput, request.user, pk)
    output = _run(lambda: services.deliver_output(user=request.user, output=output,
                                                  document=request.FILES.get("document")))
    return Response(PhaseOutputSerializer(output, context={"request": request}).data)


@extend_schema(request=inline_serializer("Approve", {"note": serializers.CharField(required=False)}),
               responses=PhaseSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
@parser_classes([JSONParser, FormParser])
def phase_approve(request, pk: int):
    phase = _visible(models.Phase, request.user, pk)
    phase = _run(lambda: services.approve_phase(user=request.user, phase=phase, note=str(request.data.get("note") or "")))
    return Response(PhaseSerializer(phase, context={"request": request}).data)


@extend_schema(request=None, responses=PhaseSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def phase_close(request, pk: int):
    phase = _visible(models.Phase, request.user, pk)
    phase = _run(lambda: services.close_phase(user=request.user, phase=phase))
    return Response(PhaseSerializer(phase, context={"request": request}).data)


urlpatterns = [
    path("from-template/", program_from_template, name="programs-from-template"),
    path("tasks/<int:pk>/move/", task_move, name="programs-task-move"),
    path("programs/<int:pk>/schedule/", program_schedule, name="programs-program-schedule"),
    path("programs/<int:pk>/matrix/", program_matrix, name="programs-program-matrix"),
    path("outputs/<int:pk>/deliver/", output_deliver, name="programs-output-deliver"),
    path("phases/<int:pk>/approve/", phase_approve, name="programs-phase-approve"),
    path("phases/<int:pk>/close/", phase_close, name="programs-phase-close"),
]
