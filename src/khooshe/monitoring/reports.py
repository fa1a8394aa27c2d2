"""What the monitoring pages show, assembled from the models: the results tree with progress, chart series,
network tables, survey question rows and the program status report."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core import jalali
from khooshe.registry.models import Organization

from .models import LEVEL_ORDER, Indicator, QuestionKind, Result
from .progress import progress_of


def _latest_period(indicator, today: dt.date):
    """The most recent period that has started and has a value, else the current period."""
    periods = [p for p in indicator.periods.all() if p.start_date <= today]
    with_value = [p for p in periods if p.actual is not None]
    return (with_value or periods or [None])[-1]


def indicator_row(indicator, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    period = _latest_period(indicator, today)
    progress = progress_of(period) if period is not None else None
    return {"indicator": indicator, "period": period, "progress": progress,
            "status": progress.status if progress else "no_data"}


def results_tree(program) -> list[dict]:
    """Goal > outcomes > outputs > activities, depth-first, each with its indicators' latest progress."""
    results = list(Result.objects.filter(program=program).select_related("task")
                   .prefetch_related("indicators__periods"))
    children: dict[int | None, list[Result]] = {}
    for r in results:
        children.setdefault(r.parent_id, []).append(r)
    today = timezone.localdate()
    rows = []

    def walk(parent_id, depth):
        for r in sorted(children.get(parent_id, []), key=lambda x: (LEVEL_ORDER.index(x.level), x.position, x.pk)):
            rows.append({"result": r, "depth": depth,
                         "indicators": [indicator_row(i, today) for i in r.indicators.all()]})
            walk(r.pk, depth + 1)

    walk(None, 0)
    return rows


def unlinked_indicators(program) -> list[dict]:
    today = timezone.localdate()
    return [indicator_row(i, today) for i in
            Indicator.objects.filter(program=program, result__isnull=True).prefetch_related("periods")]


def indicator_series(program) -> list[dict]:
    """Per indicator: its periods with target and actual, and an ECharts-ready description."""
    series = []
    for indicator in Indicator.objects.filter(program=program).prefetch_related("periods"):
        periods = list(indicator.periods.all())
        labels = [jalali.format_date(p.end_date) for p in periods]
        chart = {
            "id": f"chart-{indicator.pk}", "title": str(indicator), "unit": indicator.unit, "labels": labels,
            "target": [None if p.target is None else float(p.target) for p in periods],
            "actual": [None if p.actual is None else float(p.actual) for p in periods],
            "baseline": None if indicator.baseline_value is None else float(indicator.baseline_value),
            "t_target": _("Target"), "t_actual": _("Actual"), "t_baseline": _("Baseline"),
            "t_period": _("Period end"),
        }
        has_values = any(v is not None for v in chart["target"] + chart["actual"])
        series.append({"indicator": indicator, "periods": periods, "chart": chart if has_values else None,
                       "row": indicator_row(indicator),
                       # the table lists the periods with a target or a value; the others are empty rows
                       "filled": [p for p in periods if p.target is not None or p.actual is not None]})
    return series


def organization_names(ids) -> dict[int, Organization]:
    return {o.pk: o for o in Organization.objects.filter(pk__in=set(ids))}


def network_rows(figures: dict, before: dict | None) -> list[dict]:
    """The network figures as table rows, with the earlier value and the change when comparing."""
    spec = [
        ("members", _("Members"), "int"), ("ties", _("Ties"), "int"), ("density", _("Density"), "ratio"),
        ("average_degree", _("Average ties per member"), "num"),
        ("degree_centralization", _("Degree centralisation (Freeman)"), "ratio"),
        ("transitivity", _("Clustering (transitivity)"), "ratio"),
        ("average_local", _("Average local clustering"), "ratio"),
        ("components", _("Connected components"), "int"), ("communities", _("Communities (Leiden)"), "int"),
        ("modularity", _("Modularity of the communities"), "ratio"),
        ("k_max", _("Highest k-core"), "int"), ("core_share", _("Share of members in the core"), "ratio"),
        ("isolate_share", _("Share of members without ties"), "ratio"),
        ("ei_index", _("E-I index (firm-institution ties)"), "ratio"),
    ]
    rows = []
    for key, label, kind in spec:
        now = figures.get(key)
        then = before.get(key) if before else None
        change = (now - then) if isinstance(now, int | float) and isinstance(then, int | float) else None
        rows.append({"key": key, "label": label, "now": _fmt(now, kind), "then": _fmt(then, kind),
                     "change": _fmt(change, kind, signed=True)})
    center = figures.get("center")
    if center:
        rows.append({"key": "cda", "label": _("Share of members tied to the CDA"),
                     "now": _fmt(center["degree_share"], "ratio"),
                     "then": _fmt(before["center"]["degree_share"], "ratio") if before and before.get("center") else "",
                     "change": ""})
    return rows


def _fmt(value, kind, signed=False) -> str:
    if value is None:
        return "—" if not signed else ""
    if kind == "int":
        text = f"{int(value):+d}" if signed else f"{int(value)}"
    elif kind == "ratio":
        text = f"{value:+.3f}" if signed else f"{value:.3f}"
    else:
        text = f"{value:+.2f}" if signed else f"{value:.2f}"
    return jalali.persian_digits(text) if jalali.is_persian() else text


def question_rows(questionnaire, answers: dict, errors: dict, members) -> list[dict]:
    rows = []
    for question in questionnaire.questions.all():
        key = str(question.pk)
        value = answers.get(key)
        row = {"question": question, "name": f"q{question.pk}", "value": value, "errors": errors.get(key, []),
               "choices": question.choice_list()}
        if question.kind == QuestionKind.NETWORK:
            given = {t.get("organization"): t.get("trust") for t in (value or []) if isinstance(t, dict)}
            row["members"] = [{"pk": pk, "name": name, "trust": given.get(pk)} for pk, name in members]
        if question.kind == QuestionKind.SCALE:
            row["scale"] = list(range(question.scale_min, question.scale_max + 1))
        if question.kind == QuestionKind.MULTIPLE:
            row["selected"] = set(value or [])
        rows.append(row)
    return rows


def status_report(program, params) -> dict:
    """The program status report: phase, tasks late, budget burn, indicators vs targets, network change."""
    today = timezone.localdate()
    phases = list(program.phases.all().order_by("order")) if hasattr(program, "phases") else []
    current_phase = next((p for p in phases if p.start_date and p.end_date and p.start_date <= today <= p.end_date),
                         None)
    tasks = program.tasks.all() if hasattr(program, "tasks") else None
    late = []
    budget_planned = program.budget_planned
    budget_spent = None
    if tasks is not None:
        late = list(tasks.filter(end_date__lt=today).exclude(status__in=["done", "cancelled"])
                    .order_by("end_date")[:50])
        budget_spent = program.budget_spent()
    burn = (float(budget_spent) / float(budget_planned) * 100) if budget_planned and budget_spent is not None else None
    elapsed = None
    if program.end_date and program.end_date > program.start_date:
        elapsed = min(max((today - program.start_date).days / (program.end_date - program.start_date).days, 0), 1) * 100
    indicators = [indicator_row(i, today) for i in
                  Indicator.objects.filter(program=program).prefetch_related("periods")]
    counts = {s: sum(1 for r in indicators if r["status"] == s) for s in ("on_track", "at_risk", "off_track", "no_data")}
    from .selectors import network_change, network_figures

    network_after = network_figures(program.cluster, today, program=program)
    start = program.start_date if program.start_date < today else today - dt.timedelta(days=365)
    network_before = network_figures(program.cluster, start, program=program)
    change = network_change(program.cluster, start, today)
    return {
        "program": program, "today": today, "phases": phases, "current_phase": current_phase,
        "late_tasks": late, "budget_planned": budget_planned, "budget_spent": budget_spent, "burn": burn,
        "elapsed": elapsed, "indicators": indicators, "counts": counts,
        "network_rows": network_rows(network_after, network_before), "change": change, "network_start": start,
    }
