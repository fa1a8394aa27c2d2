"""The plan's rules, checked by the models' ``clean()`` (forms, API) and by the services (imports, moves).

Each check returns ``{field: message}`` naming the task, the dates or amounts involved and what to do.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from khooshe.core import jalali
from khooshe.core.text import persian_digits

from . import scheduling


def _d(value) -> str:
    return jalali.format_date(value)


def _money(value) -> str:
    text = f"{Decimal(value or 0):,.0f}"
    return persian_digits(text) if jalali.is_persian() else text


def _name(task) -> str:
    """“1-2 Title” in the interface's digits."""
    text = str(task)
    return persian_digits(text) if jalali.is_persian() else text


def task_problems(task) -> dict[str, str]:
    from .models import Task

    problems: dict[str, str] = {}
    if task.start_date and task.end_date and task.end_date < task.start_date:
        problems["end_date"] = _("The end date (%(end)s) is before the start date (%(start)s).") % {
            "end": _d(task.end_date), "start": _d(task.start_date)}
    parent = task.parent if task.parent_id else None
    if parent is not None:
        if task.program_id and parent.program_id != task.program_id:
            problems["parent"] = _("The parent task “%(parent)s” belongs to another program.") % {
                "parent": _name(parent)}
        elif task.pk:
            node, seen = parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == task.pk:
                    problems["parent"] = _("A task cannot be placed under itself or one of its own subtasks.")
                    break
                seen.add(node.pk)
                node = node.parent if node.parent_id else None
        if "parent" not in problems and task.start_date and task.end_date and parent.start_date:
            if task.start_date < parent.start_date:
                problems["start_date"] = _(
                    "The task starts on %(start)s, before its parent task “%(parent)s” starts (%(pstart)s). "
                    "Start it later or move the parent task first.") % {
                    "start": _d(task.start_date), "parent": _name(parent), "pstart": _d(parent.start_date)}
            if task.end_date > parent.end_date:
                problems["end_date"] = _(
                    "The task ends on %(end)s, after its parent task “%(parent)s” ends (%(pend)s). "
                    "End it earlier or extend the parent task first.") % {
                    "end": _d(task.end_date), "parent": _name(parent), "pend": _d(parent.end_date)}
    if task.pk and task.start_date and task.end_date:
        outside = [c for c in Task.objects.filter(parent_id=task.pk)
                   if c.start_date < task.start_date or c.end_date > task.end_date]
        if outside:
            problems.setdefault("end_date", _(
                "The subtasks %(tasks)s would fall outside these dates. Move them first or widen the dates.") % {
                "tasks": "، ".join(f"“{_name(c)}”" for c in outside[:5])})
    if task.phase_id and task.program_id and task.phase.program_id != task.program_id:
        problems["phase"] = _("The phase belongs to another program.")
    if task.budget_planned is not None and task.program_id:
        problems.update(_budget_problems(task))
    return problems


def _budget_problems(task) -> dict[str, str]:
    from .models import Task

    siblings = Task.objects.filter(program_id=task.program_id, parent_id=task.parent_id)
    if task.pk:
        siblings = siblings.exclude(pk=task.pk)
    used = (siblings.aggregate(s=Sum("budget_planned"))["s"] or 0) + task.budget_planned
    if task.parent_id:
        limit = task.parent.budget_planned
        if limit is not None and used > limit:
            return {"budget_planned": _(
                "The subtasks of “%(parent)s” would plan %(used)s, more than its budget of %(limit)s. "
                "Lower this budget by %(over)s or raise the parent task's budget.") % {
                "parent": _name(task.parent), "used": _money(used), "limit": _money(limit),
                "over": _money(used - limit)}}
        return {}
    program = task.program
    if program.budget_planned is not None and used > program.budget_planned:
        return {"budget_planned": _(
            "The top-level tasks would plan %(used)s %(currency)s, more than the program's budget of %(limit)s. "
            "Lower this budget by %(over)s or raise the program's budget.") % {
            "used": _money(used), "currency": program.currency, "limit": _money(program.budget_planned),
            "over": _money(used - program.budget_planned)}}
    return {}


def dependency_problems(dep) -> dict[str, str]:
    from .models import Task, TaskDependency

    if not (dep.predecessor_id and dep.successor_id):
        return {}
    if dep.predecessor_id == dep.successor_id:
        return {"predecessor": _("A task cannot depend on itself.")}
    pred, succ = dep.predecessor, dep.successor
    if pred.program_id != succ.program_id:
        return {"predecessor": _("“%(a)s” and “%(b)s” belong to different programs.") % {
            "a": _name(pred), "b": _name(succ)}}
    links = TaskDependency.objects.filter(successor__program_id=succ.program_id)
    if dep.pk:
        links = links.exclude(pk=dep.pk)
    path = scheduling.find_path(list(links.values_list("predecessor_id", "successor_id")), succ.pk, pred.pk)
    if path:
        names = {t.pk: _name(t) for t in Task.objects.filter(pk__in=path)}
        chain = " → ".join(f"“{names[pk]}”" for pk in [pred.pk, *path])
        return {"predecessor": _(
            "This dependency would make a cycle: %(chain)s. A task cannot wait for itself; remove one of "
            "these links first.") % {"chain": chain}}
    return {}
