"""Pages of residents: a resident's journey (timeline, KPI chart, credits), the gate form that moves a
resident to another stage, KPI snapshot entry, and a site's journey board. Thin: parse, check access,
call one service, render."""

from __future__ import annotations

import jdatetime
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core.jalali import format_date, to_jalali
from khooshe.hubs.models import Site
from khooshe.hubs.selectors import is_site_staff

from . import forms, selectors, services
from .models import Residency

KPI_KEYS = services.KPI_FIELDS


def _residency(request, pk) -> Residency:
    return get_object_or_404(Residency.objects.visible_to(request.user).select_related(
        "site", "organization", "stage", "hub_plan"), pk=pk)


def _staff_only(request, residency):
    if not selectors.is_residency_staff(request.user, residency):
        raise PermissionDenied(_("Only the staff of %(site)s may do this.") % {"site": residency.site})


@login_required
def journey(request, pk: int):
    """A resident's journey: stages passed (with dates and figures), a chart of the figures, credits."""
    residency = _residency(request, pk)
    stages = services.ensure_journey_stages(site=residency.site)
    current = residency.stage or services.first_stage(residency.site)
    moves = selectors.timeline(residency)
    reached = {m["move"].to_stage_id: m["move"] for m in moves}
    steps = [{"stage": s, "current": s.pk == current.pk, "move": reached.get(s.pk),
              "passed": s.order < current.order and not s.outcome} for s in stages
             if not s.outcome or s.pk == current.pk]
    series = selectors.kpi_series(residency)
    series["labels"] = [format_date(s.date) for s in residency.kpi_snapshots.order_by("date", "pk")]
    return render(request, "hubs/residents/journey.html", {
        "residency": residency, "steps": steps, "moves": moves, "series": series,
        "credits": selectors.credit_summary(residency, timezone.localdate()),
        "staff": selectors.is_residency_staff(request.user, residency),
        "snapshots": residency.kpi_snapshots.order_by("-date", "-pk")[:20],
    })


@login_required
def move(request, pk: int):
    """The gate: staff tick the next stage's entry criteria, attach evidence and record the figures."""
    residency = _residency(request, pk)
    _staff_only(request, residency)
    stages = services.ensure_journey_stages(site=residency.site)
    current = residency.stage or services.first_stage(residency.site)
    following = [s for s in stages if s.order > current.order and not s.outcome]
    next_stage = following[0] if following else next((s for s in stages if s.outcome == "graduated"), None)
    latest = residency.kpi_snapshots.order_by("-date", "-pk").first()
    initial = {"date": timezone.localdate()}
    if latest is not None:
        initial.update({k: getattr(latest, k) for k in KPI_KEYS})
    form_kwargs = {"residency": residency, "stages": [s for s in stages if s.criteria], "next_stage": next_stage}
    if request.method == "POST":
        form = forms.StageMoveForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.move_stage(
                    user=request.user, residency=residency, to_stage=data["to_stage"],
                    kpi={k: data[k] for k in KPI_KEYS}, checklist=data["checklist"], moved_on=data["date"],
                    evidence_file=data.get("evidence_file"), evidence_link=data["evidence_link"],
                    note=data["note"], skip_reason=data["skip_reason"])
            except services.ResidentError as exc:
                field = {"moved_on": "date"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("%(org)s moved to “%(stage)s”.") % {
                    "org": residency.organization, "stage": data["to_stage"]})
                return HttpResponseRedirect(reverse("hubs:residents_journey", args=[residency.pk]))
    else:
        form = forms.StageMoveForm(initial=initial, **form_kwargs)
    return render(request, "hubs/residents/move.html", {
        "residency": residency, "form": form, "current": current, "next_stage": next_stage,
        "stages": stages}, status=400 if request.method == "POST" else 200)


@login_required
def kpi(request, pk: int):
    """Enter a KPI snapshot of a resident (staff of its site)."""
    residency = _residency(request, pk)
    _staff_only(request, residency)
    if request.method == "POST":
        form = forms.KpiForm(request.POST)
        if form.is_valid():
            try:
                services.record_kpi(user=request.user, residency=residency, **form.cleaned_data)
            except services.ResidentError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The figures were recorded."))
                return HttpResponseRedirect(reverse("hubs:residents_journey", args=[residency.pk]))
    else:
        latest = residency.kpi_snapshots.order_by("-date", "-pk").first()
        initial = {"date": timezone.localdate()}
        if latest is not None:
            initial.update({k: getattr(latest, k) for k in KPI_KEYS})
        form = forms.KpiForm(initial=initial)
    return render(request, "hubs/residents/kpi.html", {"residency": residency, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def board(request, pk: int):
    """A site's journey board: one column per stage with the residents at it (those the user may see);
    staff also see the site's outcome figures since the start of the Jalali year."""
    site = get_object_or_404(Site, pk=pk)
    today = timezone.localdate()
    columns = selectors.journey_board(site, request.user, today)
    staff = is_site_staff(request.user, site)
    outcomes = None
    if staff:
        year_start = jdatetime.date(to_jalali(today).year, 1, 1).togregorian()
        outcomes = selectors.resident_outcomes(site_ids=[site.pk], first=year_start, last=today)
    return render(request, "hubs/residents/board.html", {
        "site": site, "columns": columns, "total": sum(c["count"] for c in columns), "staff": staff,
        "outcomes": outcomes})
