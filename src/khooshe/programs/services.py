"""Every write of the programs app: keyword-only, typed, one transaction, access checked here.

Errors a user can cause raise ``django.core.exceptions.ValidationError`` naming the field, task or phase
and what to do; access errors raise ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core import jalali
from khooshe.core.text import persian_digits

from . import scheduling, templates_io
from .models import (
    Actor,
    MatrixCell,
    Phase,
    PhaseOutput,
    Program,
    ProgramTemplate,
    Responsibility,
    Task,
    TaskDependency,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "data" / "templates"


def _check_program(user, program: Program) -> None:
    if user is not None and not program.is_editable_by(user):
        raise PermissionDenied(_("Only the staff of the cluster “%(cluster)s” may change its programs.") % {
            "cluster": program.cluster})


def _name(task) -> str:
    text = str(task)
    return persian_digits(text) if jalali.is_persian() else text


# -- numbering --------------------------------------------------------------------------------------
def renumber(*, program_id: int) -> int:
    """Give every task of the program its hierarchical number (1, 1-1, 1-1-1) from the tree and the
    positions; returns how many tasks changed. Called after every change of the tree."""
    rows = list(Task.objects.filter(program_id=program_id).values_list("pk", "parent_id", "position", "number",
                                                                     "sort_key"))
    children: dict = {}
    for pk, parent_id, position, _n, _k in rows:
        children.setdefault(parent_id, []).append((position, pk))
    current = {pk: (number, key) for pk, _p, _pos, number, key in rows}
    wanted: dict[int, tuple[str, str]] = {}
    stack = [(None, "", "")]
    while stack:
        parent_id, prefix, key_prefix = stack.pop()
        for i, (_pos, pk) in enumerate(sorted(children.get(parent_id, [])), start=1):
            number = f"{prefix}-{i}" if prefix else str(i)
            key = f"{key_prefix}.{i:05d}" if key_prefix else f"{i:05d}"
            wanted[pk] = (number, key[:255])
            stack.append((pk, number, key))
    changed = [Task(pk=pk, number=n, sort_key=k) for pk, (n, k) in wanted.items() if current.get(pk) != (n, k)]
    if changed:
        Task.objects.bulk_update(changed, ["number", "sort_key"], batch_size=500)
    return len(changed)


# -- templates --------------------------------------------------------------------------------------
@transaction.atomic
def save_template(*, user, data: dict) -> tuple[ProgramTemplate, bool]:
    """Create or update (by ``key``) a template from a checked dict (``templates_io.loads/from_xlsx``)."""
    if user is not None and not ProgramTemplate.can_be_created_by(user):
        raise PermissionDenied(_("Only platform staff may change program templates."))
    templates_io.validate_content(data["content"])
    template, created = ProgramTemplate.objects.update_or_create(
        key=data["key"], defaults={k: data.get(k, "") for k in ("name_fa", "name_en", "description", "source")}
        | {"content": data["content"]})
    return template, created


def import_template_file(*, user, name: str, data: bytes) -> tuple[ProgramTemplate, bool]:
    """A template from an uploaded .json or .xlsx file; ValidationError names what is wrong in the file."""
    try:
        parsed = templates_io.from_xlsx(data) if name.lower().endswith(".xlsx") else templates_io.loads(data)
    except templates_io.TemplateError as exc:
        raise ValidationError({"file": str(exc)}) from None
    return save_template(user=user, data=parsed)


def load_shipped_templates(*, overwrite: bool = False) -> list[ProgramTemplate]:
    """Load the templates shipped in data/templates (the migration and ``khooshe`` demo call this);
    templates that already exist are kept unless ``overwrite``."""
    loaded = []
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = templates_io.loads(path.read_bytes())
        if not overwrite and ProgramTemplate.objects.filter(key=data["key"]).exists():
            continue
        loaded.append(save_template(user=None, data=data)[0])
    return loaded


@dataclass
class _PlannedTask:
    task: Task
    number: str
    spec: dict


@transaction.atomic
def create_program_from_template(*, user, template: ProgramTemplate | None, cluster, title_fa: str,
                                 start_date: dt.date, title_en: str = "", cda=None, lead_organization=None,
                                 budget_planned: Decimal | None = None, currency: str = "IRR",
                                 description: str = "") -> Program:
    """A new program with the template's phases (one after the other from ``start_date``), its task tree,
    dependencies and matrix (actors and R/A/C/I cells). ``template=None`` makes an empty program."""
    program = Program(cluster=cluster, title_fa=title_fa, title_en=title_en, start_date=start_date, cda=cda,
                      lead_organization=lead_organization, budget_planned=budget_planned, currency=currency or "IRR",
                      description=description, template=template, status=Program.Status.DRAFT)
    _check_program(user, program)
    program.full_clean(exclude=["template"])
    program.save()
    content = (template.content if template is not None else None) or {}
    try:
        templates_io.validate_content(content)
    except templates_io.TemplateError as exc:
        raise ValidationError({"template": str(exc)}) from None
    actors = {}
    for i, spec in enumerate(content.get("actors") or [], start=1):
        actors[spec["name"]] = Actor.objects.create(program=program, position=i, name=spec["name"])
    phase_start = start_date
    planned: list[_PlannedTask] = []
    by_number: dict[str, Task] = {}
    position_counter = 0
    for order, spec in enumerate(content.get("phases") or [], start=1):
        days = spec.get("duration_days") or 1
        phase_end = phase_start + dt.timedelta(days=days - 1)
        phase = Phase.objects.create(
            program=program, order=order, title_fa=spec.get("title_fa", ""), title_en=spec.get("title_en", ""),
            start_date=phase_start, end_date=phase_end, duration_text=spec.get("duration_text", ""),
            expected_outputs="\n".join(spec.get("expected_outputs") or []), main_actors=spec.get("main_actors", ""))
        PhaseOutput.objects.bulk_create([PhaseOutput(phase=phase, title=text[:500])
                                         for text in spec.get("expected_outputs") or []])
        for task_spec in spec.get("tasks") or []:
            position_counter += 1
            _plan_task(program, phase, None, task_spec, str(position_counter), position_counter,
                       phase_start, phase_end, planned, by_number)
        phase_start = phase_end + dt.timedelta(days=1)
    if content.get("phases"):
        program.end_date = max(program.end_date or start_date, phase_start - dt.timedelta(days=1))
        program.save(update_fields=["end_date", "updated_at"])
    _check_template_budget(program, planned)
    links, cells = [], []
    for item in planned:
        for dep in item.spec.get("depends_on") or []:
            links.append(TaskDependency(predecessor=by_number[str(dep)], successor=item.task))
        for actor_name, role in (item.spec.get("roles") or {}).items():
            cells.append(MatrixCell(task=item.task, actor=actors[actor_name], role=role))
    TaskDependency.objects.bulk_create(links)
    MatrixCell.objects.bulk_create(cells)
    if links:
        _push_successors(program)
    renumber(program_id=program.pk)
    return program


def _plan_task(program, phase, parent, spec, number, position, window_start, window_end, planned, by_number):
    offset = spec.get("offset_days") or 0
    start = window_start + dt.timedelta(days=offset)
    days = spec.get("duration_days")
    end = start + dt.timedelta(days=days - 1) if days else window_end
    if start > window_end or end > window_end:
        where = _("Task %(number)s of the template (“%(title)s”)") % {
            "number": number, "title": spec.get("title_fa") or spec.get("title_en")}
        raise ValidationError({"template": _(
            "%(where)s does not fit inside its phase or parent task: adjust its offset_days or duration_days.")
            % {"where": where}})
    task = Task(
        program=program, phase=phase, parent=parent, position=position, title_fa=spec.get("title_fa", ""),
        title_en=spec.get("title_en", ""), start_date=start, end_date=end, budget_planned=spec.get("budget"),
        mechanism=spec.get("mechanism", ""), mechanism_detail=spec.get("mechanism_detail", ""),
        responsible_text=spec.get("responsible", "")[:300], stakeholders_text=spec.get("stakeholders", "")[:500],
        expected_output=spec.get("expected_output", ""), success_indicators=spec.get("success_indicators", ""))
    task.save(renumber=False)
    planned.append(_PlannedTask(task, number, spec))
    by_number[number] = task
    for i, child in enumerate(spec.get("children") or [], start=1):
        _plan_task(program, phase, task, child, f"{number}-{i}", i, start, end, planned, by_number)


def _check_template_budget(program, planned):
    if program.budget_planned is None:
        return
    top = sum((p.task.budget_planned or 0) for p in planned if p.task.parent_id is None)
    if top > program.budget_planned:
        raise ValidationError({"budget_planned": _(
            "The template's tasks plan %(used)s, more than the program's budget of %(limit)s: raise the budget.")
            % {"used": top, "limit": program.budget_planned}})


# -- tasks and dependencies -------------------------------------------------------------------------
def _program_schedule(program_id: int):
    tasks = {pk: (s.toordinal(), e.toordinal(), parent)
             for pk, s, e, parent in Task.objects.filter(program_id=program_id).values_list(
                 "pk", "start_date", "end_date", "parent_id")}
    links = list(TaskDependency.objects.filter(successor__program_id=program_id).values_list(
        "predecessor_id", "successor_id", "lag_days"))
    return tasks, links


@dataclass
class MoveReport:
    task: Task
    moved: list[tuple[Task, dt.date, dt.date, dt.date, dt.date]]  # task, old start, old end, new start, new end

    def as_dict(self) -> dict:
        return {"task": self.task.pk, "moved": [
            {"id": t.pk, "number": t.number, "title": t.title, "old_start": os.isoformat(), "old_end": oe.isoformat(),
             "start": ns.isoformat(), "end": ne.isoformat()} for t, os, oe, ns, ne in self.moved]}

    def message(self) -> str:
        if not self.moved:
            return _("Nothing moved.")
        others = [m for m in self.moved if m[0].pk != self.task.pk]
        head = _("Moved “%(task)s” to %(start)s – %(end)s.") % {
            "task": _name(self.task), "start": jalali.format_date(self.task.start_date),
            "end": jalali.format_date(self.task.end_date)}
        if not others:
            return head
        names = "، ".join(f"“{_name(m[0])}”" for m in others[:10])
        more = len(others) - 10
        tail = _(" Also moved: %(names)s") % {"names": names}
        if more > 0:
            tail += _(" and %(n)s more") % {"n": more}
        return head + tail + "."


@transaction.atomic
def move_task(*, user, task: Task, start_date: dt.date, end_date: dt.date | None = None) -> MoveReport:
    """Move (or resize) a task; its subtasks move along, its dependants are pushed (or pulled when they
    were waiting exactly for it) and parents widen to cover. One transaction; reports what moved."""
    program = Program.objects.select_for_update().get(pk=task.program_id)
    _check_program(user, program)
    task = Task.objects.get(pk=task.pk)
    if end_date is None:
        end_date = start_date + (task.end_date - task.start_date)
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date (%(end)s) is before the start date (%(start)s).") % {
            "end": jalali.format_date(end_date), "start": jalali.format_date(start_date)}})
    tasks, links = _program_schedule(program.pk)
    # the moved task must stay inside its parent, unless the parent widens: parents widen automatically
    try:
        changes = scheduling.move(tasks, links, task.pk, start_date.toordinal(), end_date.toordinal())
    except scheduling.ScheduleError as exc:
        names = "، ".join(f"“{_name(t)}”" for t in Task.objects.filter(pk__in=exc.task_ids)[:5])
        raise ValidationError({"end_date": _(
            "The subtasks %(tasks)s would fall outside the new dates: make the task long enough for them.") % {
            "tasks": names}}) from None
    return _apply_changes(program, task, changes)


def _apply_changes(program, task, changes) -> MoveReport:
    objs = {t.pk: t for t in Task.objects.filter(pk__in=changes.keys())}
    moved, updates = [], []
    for pk, (s, e) in changes.items():
        t = objs[pk]
        new_s, new_e = dt.date.fromordinal(s), dt.date.fromordinal(e)
        moved.append((t, t.start_date, t.end_date, new_s, new_e))
        t.start_date, t.end_date = new_s, new_e
        t.updated_at = timezone.now()
        updates.append(t)
    Task.objects.bulk_update(updates, ["start_date", "end_date", "updated_at"], batch_size=500)
    if updates:
        last = max(t.end_date for t in updates)
        if program.end_date is None or last > program.end_date:
            program.end_date = last
            program.save(update_fields=["end_date", "updated_at"])
    moved.sort(key=lambda m: (m[0].sort_key, m[0].pk))
    if task is not None:
        task = objs.get(task.pk) or Task.objects.get(pk=task.pk)
    return MoveReport(task=task, moved=moved)


def _push_successors(program) -> None:
    """After links were added in bulk: push every successor that starts before its predecessors allow."""
    tasks, links = _program_schedule(program.pk)
    current = {pk: (v[0], v[1]) for pk, v in tasks.items()}
    preds: dict = {}
    for p, s, lag in links:
        preds.setdefault(s, []).append((p, lag))
    changes: dict = {}
    for s in scheduling.topological_order(tasks.keys(), links):
        if s not in preds:
            continue
        need = max(current[p][1] + 1 + lag for p, lag in preds[s])
        if current[s][0] < need:
            delta = need - current[s][0]
            state = {k: (*current[k], tasks[k][2]) for k in tasks}
            moved = scheduling.move(state, links, s, current[s][0] + delta, current[s][1] + delta)
            current.update(moved)
            changes.update(moved)
    if changes:
        _apply_changes(program, None, changes)


@transaction.atomic
def add_dependency(*, user, predecessor: Task, successor: Task, lag_days: int = 0) -> tuple[TaskDependency, MoveReport]:
    """Link two tasks finish-to-start; a cycle is refused naming the tasks around it. A successor that
    starts too early is moved (with its own dependants) and the report says so."""
    program = Program.objects.select_for_update().get(pk=successor.program_id)
    _check_program(user, program)
    dep = TaskDependency(predecessor=predecessor, successor=successor, lag_days=lag_days)
    dep.full_clean()
    dep.save()
    need = predecessor.end_date + dt.timedelta(days=1 + lag_days)
    successor.refresh_from_db()
    if successor.start_date < need:
        report = move_task(user=user, task=successor, start_date=need)
    else:
        report = MoveReport(task=successor, moved=[])
    return dep, report


@transaction.atomic
def save_task_from_form(*, user, form, config) -> Task:
    """The generic form's save for a task (the model's clean() already ran the plan's rules)."""
    instance = form.save(commit=False)
    if not config.can_change(user, instance):
        raise PermissionDenied(_("You may not save this record."))
    instance.save()
    form.save_m2m()
    return instance


@transaction.atomic
def save_dependency_from_form(*, user, form, config) -> TaskDependency:
    """The generic form's save for a dependency: a successor that starts too early is moved (with its
    dependants), as ``add_dependency`` does."""
    instance = form.save(commit=False)
    if not config.can_change(user, instance):
        raise PermissionDenied(_("You may not save this record."))
    instance.save()
    successor = Task.objects.get(pk=instance.successor_id)
    need = instance.predecessor.end_date + dt.timedelta(days=1 + instance.lag_days)
    if successor.start_date < need:
        move_task(user=user, task=successor, start_date=need)
    return instance


# -- phase gates ------------------------------------------------------------------------------------
@transaction.atomic
def deliver_output(*, user, output: PhaseOutput, document) -> PhaseOutput:
    """Attach the document that delivers an expected output of a phase."""
    _check_program(user, output.phase.program)
    if output.phase.status == Phase.Status.CLOSED:
        raise ValidationError({"document": _("The phase “%(phase)s” is closed; its outputs cannot change.") % {
            "phase": output.phase}})
    if not document:
        raise ValidationError({"document": _("Attach the document that delivers “%(output)s”.") % {
            "output": output.title}})
    output.document = document
    output.delivered_at = timezone.now()
    output.delivered_by = user if getattr(user, "is_authenticated", False) else None
    output.save()
    return output


def gate_problems(phase: Phase) -> list[str]:
    """What stops the phase from closing, one sentence each (empty when it can close)."""
    problems = []
    outputs = list(phase.outputs.all())
    if not outputs:
        problems.append(_("The phase has no expected outputs: add the outputs its gate requires."))
    missing = [o.title for o in outputs if not o.document]
    if missing:
        problems.append(_("These expected outputs have no delivered document yet: %(outputs)s.") % {
            "outputs": "، ".join(f"“{t}”" for t in missing)})
    if not phase.approved_at:
        problems.append(_("The phase's outputs have not been approved yet."))
    return problems


@transaction.atomic
def approve_phase(*, user, phase: Phase, note: str = "") -> Phase:
    """Record who approved the phase's delivered outputs and when; every output must be delivered first."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    _check_program(user, phase.program)
    missing = [o.title for o in phase.outputs.all() if not o.document]
    if missing:
        raise ValidationError({"approved_by": _(
            "Deliver every expected output before approving the phase; missing: %(outputs)s.") % {
            "outputs": "، ".join(f"“{t}”" for t in missing)}})
    if not phase.outputs.exists():
        raise ValidationError({"approved_by": _("The phase has no expected outputs to approve.")})
    phase.approved_by = user if getattr(user, "is_authenticated", False) else None
    phase.approved_at = timezone.now()
    phase.approval_note = note
    phase.save(update_fields=["approved_by", "approved_at", "approval_note", "updated_at"])
    return phase


@transaction.atomic
def close_phase(*, user, phase: Phase) -> Phase:
    """Close a phase: only when its expected outputs are delivered (documents attached) and approved."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    _check_program(user, phase.program)
    if phase.status == Phase.Status.CLOSED:
        return phase
    problems = gate_problems(phase)
    if problems:
        raise ValidationError({"status": _("The phase “%(phase)s” cannot close yet. %(problems)s") % {
            "phase": phase, "problems": " ".join(problems)}})
    phase.status = Phase.Status.CLOSED
    phase.closed_at = timezone.now()
    phase.save(update_fields=["status", "closed_at", "updated_at"])
    return phase


# -- responsibility matrix --------------------------------------------------------------------------
@transaction.atomic
def set_matrix_cell(*, user, task: Task, actor: Actor, role: str) -> MatrixCell | None:
    """Set (or clear, with an empty role) the actor's R/A/C/I role in the task."""
    _check_program(user, task.program)
    if actor.program_id != task.program_id:
        raise ValidationError({"actor": _("The actor belongs to another program than the task.")})
    role = (role or "").strip().upper()
    if not role:
        MatrixCell.objects.filter(task=task, actor=actor).delete()
        return None
    if role not in Responsibility.values:
        raise ValidationError({"role": _("The role must be R, A, C or I (or empty), not “%(role)s”.") % {"role": role}})
    if role == Responsibility.ACCOUNTABLE:
        other = MatrixCell.objects.filter(task=task, role=role).exclude(actor=actor).select_related("actor").first()
        if other is not None:
            raise ValidationError({"role": _(
                "“%(task)s” already has “%(actor)s” as accountable (A); a task has one accountable actor. "
                "Change that cell first.") % {"task": _name(task), "actor": other.actor}})
    cell, _created = MatrixCell.objects.update_or_create(task=task, actor=actor, defaults={"role": role})
    return cell


def template_json(template: ProgramTemplate) -> str:
    return json.dumps(templates_io.template_to_dict(template), ensure_ascii=False)
