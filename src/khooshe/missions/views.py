"""Pages beyond the generic ones: compose, apply a template, gap actions, what-if, template exchange."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khooshe.registry.models import Organization

from . import services
from .forms import ComposeForm, GapActionForm, TemplateApplyForm, TemplateImportForm, WhatIfForm
from .models import ChainTemplate, Composition, Mission, Stage
from .templates_io import template_json


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _mission(request, pk) -> Mission:
    return get_object_or_404(Mission.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def mission_compose(request, pk):
    mission = _mission(request, pk)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return render(request, "missions/compose_errors.html", {"object": mission, "form": form}, status=400)
    demand = mission.demands.filter(units=form.cleaned_data["units"]).order_by("-pk").first()
    try:
        comps = services.compose_mission(
            user=request.user, mission=mission, units=form.cleaned_data["units"], demand=demand,
            weights=form.weights(), max_members=form.cleaned_data["max_members"],
            alternatives=form.cleaned_data["alternatives"] or 1, time_limit=form.cleaned_data["time_limit"] or 20)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(mission.get_absolute_url())
    return redirect(comps[0].get_absolute_url())


@login_required
@require_POST
def mission_apply_template(request, pk):
    mission = _mission(request, pk)
    form = TemplateApplyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a chain template."))
    try:
        stages = services.apply_template(user=request.user, mission=mission, template=form.cleaned_data["template"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("%(n)s stages added.") % {"n": len(stages)})
    return redirect(mission.get_absolute_url())


def _gap_args(request, mission):
    form = GapActionForm(request.POST)
    if not form.is_valid():
        return None, form
    stage = get_object_or_404(Stage, pk=form.cleaned_data["stage"], mission=mission)
    return stage, form


@login_required
@require_POST
def gap_challenge(request, pk):
    mission = _mission(request, pk)
    stage, form = _gap_args(request, mission)
    if stage is None:
        return HttpResponseBadRequest(" ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    try:
        challenge = services.challenge_from_gap(user=request.user, mission=mission, stage=stage,
                                                kind=form.cleaned_data["kind"], units=form.cleaned_data["units"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(mission.get_absolute_url())
    messages.success(request, _("A draft challenge was created from the gap; complete it and open it."))
    return redirect(challenge.get_absolute_url())


@login_required
@require_POST
def gap_task(request, pk):
    from khooshe.programs.models import Program

    mission = _mission(request, pk)
    stage, form = _gap_args(request, mission)
    if stage is None or not form.cleaned_data.get("program"):
        return HttpResponseBadRequest(_("Choose a program for the task."))
    program = get_object_or_404(Program.objects.visible_to(request.user), pk=form.cleaned_data["program"])
    try:
        task = services.task_from_gap(user=request.user, mission=mission, stage=stage, kind=form.cleaned_data["kind"],
                                      units=form.cleaned_data["units"], program=program)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(mission.get_absolute_url())
    messages.success(request, _("A task was added to the program from the gap."))
    return redirect(task.get_absolute_url())


@login_required
@require_POST
def composition_what_if(request, pk):
    comp = get_object_or_404(Composition.objects.visible_to(request.user), pk=pk)
    form = WhatIfForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a member to remove."))
    org = get_object_or_404(Organization, pk=form.cleaned_data["organization"])
    try:
        after = services.what_if_remove(user=request.user, composition=comp, organization=org)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(comp.get_absolute_url())
    return redirect(after.get_absolute_url())


def chaintemplate_export(request, pk):
    template = get_object_or_404(ChainTemplate, pk=pk)
    response = HttpResponse(template_json(template), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chain-{template.key}.json"'
    return response


@login_required
def chaintemplate_import(request):
    if not ChainTemplate.can_be_created_by(request.user):
        raise PermissionDenied
    form = TemplateImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                template, made = services.import_template(user=request.user, data=form.cleaned_data["file"].read())
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                messages.success(request, _("Template imported.") if made else _("Template updated."))
                return redirect(template.get_absolute_url())
        status = 400
    return render(request, "missions/chaintemplate_import.html", {"form": form}, status=status)
