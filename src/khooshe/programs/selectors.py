"""Reads of the programs app: the schedule (critical path), the Gantt chart's data, the matrix grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from khooshe.core import jalali
from khooshe.core.text import persian_digits

from . import scheduling
from .models import Actor, MatrixCell, Program, Task, TaskDependency

TASK_COLUMNS = ("pk", "number", "sort_key", "title_fa", "title_en", "start_date", "end_date", "parent_id",
                "percent_done", "status", "phase_id")


def programs_for(user):
    return Program.objects.visible_to(user)


def _tasks(program) -> list[dict]:
    return list(Task.objects.filter(program=program).order_by("sort_key", "pk").values(*TASK_COLUMNS))


def _links(program) -> list[tuple[int, int, int]]:
    return list(TaskDependency.objects.filter(successor__program=program).values_list(
        "predecessor_id", "successor_id", "lag_days"))


def _cpm(tasks: list[dict], links) -> tuple[dict, set, callable, callable]:
    """CPM over the tasks; a task with subtasks is a summary: two zero-length milestones, its start
    (before every subtask) and its finish (after every subtask), where its links attach, so a link to or
    from a heading constrains the work under it. A summary is critical when one of its subtasks is: the
    path runs through the work, not the headings. Returns (rows by node, critical task ids, first, last)."""
    by_pk = {t["pk"]: t for t in tasks}
    children: dict[int, list[int]] = {}
    for t in tasks:
        if t["parent_id"]:
            children.setdefault(t["parent_id"], []).append(t["pk"])

    def first(pk):
        return ("s", pk) if pk in children else pk

    def last(pk):
        return ("f", pk) if pk in children else pk

    nodes: dict = {}
    edges: list[tuple] = []
    for t in tasks:
        start = t["start_date"].toordinal()
        if t["pk"] in children:
            nodes[("s", t["pk"])] = nodes[("f", t["pk"])] = (start, start - 1)  # zero length
            for child in children[t["pk"]]:
                edges.append((("s", t["pk"]), first(child), 0))
                edges.append((last(child), ("f", t["pk"]), 0))
        else:
            nodes[t["pk"]] = (start, t["end_date"].toordinal())
    edges += [(last(p), first(q), lag) for p, q, lag in links]
    cpm = scheduling.critical_path(nodes, edges)
    critical = {pk for pk in by_pk if pk not in children and cpm[pk].slack == 0}
    for pk in list(critical):
        parent = by_pk[pk]["parent_id"]
        while parent and parent not in critical:
            critical.add(parent)
            parent = by_pk[parent]["parent_id"]
    return cpm, critical, first, last


def schedule(program, tasks: list[dict] | None = None, links=None) -> list[dict]:
    """Every task with its CPM figures (dates ISO, slack in days) and whether it is critical (see _cpm)."""
    tasks = _tasks(program) if tasks is None else tasks
    links = _links(program) if links is None else links
    if not tasks:
        return []
    cpm, critical, first, last = _cpm(tasks, links)
    rows = []
    for t in tasks:
        pk = t["pk"]
        head, tail = cpm[first(pk)], cpm[last(pk)]
        rows.append({
            "id": pk, "number": t["number"], "critical": pk in critical,
            "early_start": dt.date.fromordinal(head.early_start).isoformat(),
            "late_start": dt.date.fromordinal(head.late_start).isoformat(),
            "early_finish": dt.date.fromordinal(tail.early_finish - 1).isoformat(),
            "late_finish": dt.date.fromordinal(tail.late_finish - 1).isoformat(),
            "slack": min(head.slack, tail.slack),
        })
    return rows


def _label(text: str, persian: bool) -> str:
    return persian_digits(text) if persian else text


def gantt_data(program, language: str | None = None) -> dict:
    """Tasks for frappe-gantt, with dependencies, slack and the critical path. Dates are ISO; the page's
    script shows them in the interface's calendar (Jalali in Persian, with the browser's Intl), which
    keeps 2,000 tasks' worth of date conversions off the server."""
    persian = jalali.is_persian(language)
    tasks = _tasks(program)
    links = _links(program)
    if not tasks:
        return {"tasks": [], "critical_count": 0}
    cpm, critical, first, last = _cpm(tasks, links)
    deps: dict[int, list[str]] = {}
    for p, s, _lag in links:
        deps.setdefault(s, []).append(f"t{p}")
    parents = {t["parent_id"] for t in tasks if t["parent_id"]}
    out = []
    for t in tasks:
        pk = t["pk"]
        title = (t["title_fa"] or t["title_en"]) if persian else (t["title_en"] or t["title_fa"])
        # frappe-gantt takes one class token per bar
        is_critical, summary = pk in critical, pk in parents
        css = "kh-critical-summary" if is_critical and summary else "kh-critical" if is_critical else \
            "kh-summary" if summary else ""
        out.append({
            "id": f"t{pk}", "pk": pk, "name": f"{_label(t['number'], persian)} {title}",
            "start": t["start_date"].isoformat(), "end": t["end_date"].isoformat(),
            "progress": t["percent_done"], "dependencies": ",".join(deps.get(pk, [])),
            "custom_class": css, "critical": is_critical,
            "slack": min(cpm[first(pk)].slack, cpm[last(pk)].slack),
        })
    return {"tasks": out, "critical_count": len(critical)}


@dataclass
class MatrixRow:
    task_id: int
    code: str  # ASCII, e.g. 1-2-3
    number: str  # as shown (Persian digits in Persian)
    title: str
    depth: int
    cells: list[tuple[int, str]]  # (actor id, role or "")


def matrix(program, language: str | None = None) -> tuple[list[Actor], list[MatrixRow]]:
    """The responsibility matrix: actors (columns) and tasks (rows) with their R/A/C/I roles."""
    persian = jalali.is_persian(language)
    actors = list(Actor.objects.filter(program=program).order_by("position", "pk"))
    roles = {(t, a): r for t, a, r in MatrixCell.objects.filter(task__program=program).values_list(
        "task_id", "actor_id", "role")}
    actor_ids = [a.pk for a in actors]
    rows = []
    for t in Task.objects.filter(program=program).order_by("sort_key", "pk").values(
            "pk", "number", "title_fa", "title_en"):
        pk = t["pk"]
        title = (t["title_fa"] or t["title_en"]) if persian else (t["title_en"] or t["title_fa"])
        rows.append(MatrixRow(pk, t["number"], _label(t["number"], persian), title, t["number"].count("-"),
                              [(a, roles.get((pk, a), "")) for a in actor_ids]))
    return actors, rows
