"""Program templates as data: the format, its validation, and exchange as JSON and XLSX.

A template's ``content``::

    {"actors": [{"name": "عامل توسعه خوشه", "name_en": "Cluster development agent"}, ...],
     "phases": [{"title_fa": ..., "title_en": ..., "duration_days": 90, "duration_text": "3 months",
                 "expected_outputs": ["...", ...], "main_actors": "...",
                 "tasks": [{"title_fa": ..., "title_en": ..., "offset_days": 0, "duration_days": 45,
                            "mechanism": "study", "mechanism_detail": "...", "responsible": "...",
                            "stakeholders": "...", "expected_output": "...", "success_indicators": "...",
                            "budget": null, "depends_on": ["1-1"], "roles": {"عامل توسعه خوشه": "R"},
                            "children": [...]}]}]}

Phases follow each other; a top-level task's ``offset_days`` counts from its phase's start, a subtask's
from its parent's start; a missing ``duration_days`` fills the rest of the phase (or parent). Task numbers
(``1``, ``1-1``, ``1-1-1``) run over the whole program, as in the ministry's operational plan; ``depends_on``
names earlier or later tasks by that number (finish-to-start).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils.translation import gettext as _

from .models import Mechanism, Responsibility

TASK_KEYS = {"title_fa", "title_en", "offset_days", "duration_days", "mechanism", "mechanism_detail", "responsible",
             "stakeholders", "expected_output", "success_indicators", "budget", "depends_on", "roles", "children"}
PHASE_KEYS = {"title_fa", "title_en", "duration_days", "duration_text", "expected_outputs", "main_actors", "tasks"}
MAX_TASKS = 5000


class TemplateError(ValueError):
    """A template that cannot be used; the message names the phase, task or row and what to fix."""


def iter_tasks(content: dict):
    """(number, phase index, task dict, parent number or None) in plan order."""
    top = 0
    for p_index, phase in enumerate(content.get("phases") or []):
        stack = []
        for task in phase.get("tasks") or []:
            top += 1
            stack.append((str(top), task, None))
            while stack:
                number, item, parent = stack.pop(0)
                yield number, p_index, item, parent
                stack[0:0] = [(f"{number}-{i}", child, number)
                              for i, child in enumerate(item.get("children") or [], start=1)]


def _whole(value, where: str, name: str, minimum: int = 0) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise TemplateError(_("%(where)s: “%(name)s” must be a whole number of at least %(min)s, not “%(value)s”.")
                            % {"where": where, "name": name, "min": minimum, "value": value})


def validate_content(content: Any) -> None:
    """Raise TemplateError naming the first problem; None when the template can be used."""
    if not isinstance(content, dict):
        raise TemplateError(_("The template must be a JSON object with “phases” and “actors”."))
    phases = content.get("phases", [])
    actors = content.get("actors", [])
    if not isinstance(phases, list) or not isinstance(actors, list):
        raise TemplateError(_("“phases” and “actors” must be lists."))
    actor_names = set()
    for i, actor in enumerate(actors, start=1):
        if not isinstance(actor, dict) or not str(actor.get("name") or "").strip():
            raise TemplateError(_("Actor %(n)s has no name.") % {"n": i})
        if actor["name"] in actor_names:
            raise TemplateError(_("The actor “%(name)s” is listed twice.") % {"name": actor["name"]})
        actor_names.add(actor["name"])
    for i, phase in enumerate(phases, start=1):
        where = _("Phase %(n)s") % {"n": i}
        if not isinstance(phase, dict):
            raise TemplateError(_("%(where)s must be an object.") % {"where": where})
        unknown = set(phase) - PHASE_KEYS
        if unknown:
            raise TemplateError(_("%(where)s: unknown keys %(keys)s.") % {"where": where, "keys": ", ".join(sorted(unknown))})
        if not str(phase.get("title_fa") or phase.get("title_en") or "").strip():
            raise TemplateError(_("%(where)s has no title.") % {"where": where})
        _whole(phase.get("duration_days"), where, "duration_days", 1)
        if not isinstance(phase.get("expected_outputs", []), list):
            raise TemplateError(_("%(where)s: “expected_outputs” must be a list of texts.") % {"where": where})
    numbers = set()
    count = 0
    for number, _p, task, _parent in iter_tasks(content):
        count += 1
        where = _("Task %(number)s") % {"number": number}
        if count > MAX_TASKS:
            raise TemplateError(_("A template may have at most %(max)s tasks.") % {"max": MAX_TASKS})
        if not isinstance(task, dict):
            raise TemplateError(_("%(where)s must be an object.") % {"where": where})
        unknown = set(task) - TASK_KEYS
        if unknown:
            raise TemplateError(_("%(where)s: unknown keys %(keys)s.") % {"where": where, "keys": ", ".join(sorted(unknown))})
        if not str(task.get("title_fa") or task.get("title_en") or "").strip():
            raise TemplateError(_("%(where)s has no title.") % {"where": where})
        _whole(task.get("offset_days"), where, "offset_days", 0)
        _whole(task.get("duration_days"), where, "duration_days", 1)
        _whole(task.get("budget"), where, "budget", 0)
        mechanism = task.get("mechanism") or ""
        if mechanism and mechanism not in Mechanism.values:
            raise TemplateError(_("%(where)s: unknown mechanism “%(value)s”; use one of %(choices)s.") % {
                "where": where, "value": mechanism, "choices": ", ".join(Mechanism.values)})
        roles = task.get("roles") or {}
        if not isinstance(roles, dict):
            raise TemplateError(_("%(where)s: “roles” must map actor names to R, A, C or I.") % {"where": where})
        for actor, role in roles.items():
            if actor not in actor_names:
                raise TemplateError(_("%(where)s: the actor “%(actor)s” is not in the template's actors.") % {
                    "where": where, "actor": actor})
            if role not in Responsibility.values:
                raise TemplateError(_("%(where)s: the role of “%(actor)s” must be R, A, C or I, not “%(role)s”.") % {
                    "where": where, "actor": actor, "role": role})
        numbers.add(number)
    for number, _p, task, _parent in iter_tasks(content):
        for dep in task.get("depends_on") or []:
            if str(dep) not in numbers:
                raise TemplateError(_("Task %(number)s depends on task “%(dep)s”, which the template does not have.") % {
                    "number": number, "dep": dep})
            if str(dep) == number:
                raise TemplateError(_("Task %(number)s cannot depend on itself.") % {"number": number})


# -- JSON -------------------------------------------------------------------------------------------
def template_to_dict(template) -> dict:
    return {"format": "khooshe-program-template", "version": 1, "key": template.key, "name_fa": template.name_fa,
            "name_en": template.name_en, "description": template.description, "source": template.source,
            "content": template.content}


def dumps(template) -> bytes:
    return json.dumps(template_to_dict(template), ensure_ascii=False, indent=2).encode("utf-8")


def loads(data: bytes | str) -> dict:
    """A template dict from JSON text; raises TemplateError with the line of a syntax error."""
    try:
        raw = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except UnicodeDecodeError:
        raise TemplateError(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise TemplateError(_("The file is not valid JSON (line %(line)s, column %(col)s: %(msg)s).") % {
            "line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
    return _checked(raw)


def _checked(raw) -> dict:
    if not isinstance(raw, dict) or "content" not in raw:
        raise TemplateError(_("This is not a Khooshe program template (no “content”)."))
    key = str(raw.get("key") or "").strip()
    if not key:
        raise TemplateError(_("The template has no “key”."))
    if not (raw.get("name_fa") or raw.get("name_en")):
        raise TemplateError(_("The template has no name."))
    validate_content(raw["content"])
    return {"key": key, "name_fa": str(raw.get("name_fa") or ""), "name_en": str(raw.get("name_en") or ""),
            "description": str(raw.get("description") or ""), "source": str(raw.get("source") or ""),
            "content": raw["content"]}


# -- XLSX -------------------------------------------------------------------------------------------
TASK_COLUMNS = ["number", "phase", "title_fa", "title_en", "offset_days", "duration_days", "mechanism",
                "mechanism_detail", "responsible", "stakeholders", "expected_output", "success_indicators",
                "budget", "depends_on"]
PHASE_COLUMNS = ["phase", "title_fa", "title_en", "duration_days", "duration_text", "expected_outputs", "main_actors"]


def to_xlsx(template) -> bytes:
    """Sheets “template”, “phases”, “tasks” (one column per actor holds R/A/C/I) and “actors”."""
    from openpyxl import Workbook

    content = template.content or {}
    actors = [a["name"] for a in content.get("actors") or []]
    wb = Workbook()
    ws = wb.active
    ws.title = "template"
    for key in ("key", "name_fa", "name_en", "description", "source"):
        ws.append([key, getattr(template, key)])
    ws = wb.create_sheet("phases")
    ws.append(PHASE_COLUMNS)
    for i, phase in enumerate(content.get("phases") or [], start=1):
        ws.append([i, phase.get("title_fa", ""), phase.get("title_en", ""), phase.get("duration_days"),
                   phase.get("duration_text", ""), "\n".join(phase.get("expected_outputs") or []),
                   phase.get("main_actors", "")])
    ws = wb.create_sheet("tasks")
    ws.append(TASK_COLUMNS + actors)
    for number, p_index, task, _parent in iter_tasks(content):
        roles = task.get("roles") or {}
        ws.append([number, p_index + 1, task.get("title_fa", ""), task.get("title_en", ""), task.get("offset_days"),
                   task.get("duration_days"), task.get("mechanism", ""), task.get("mechanism_detail", ""),
                   task.get("responsible", ""), task.get("stakeholders", ""), task.get("expected_output", ""),
                   task.get("success_indicators", ""), task.get("budget"),
                   ", ".join(str(d) for d in task.get("depends_on") or [])] + [roles.get(a, "") for a in actors])
    ws = wb.create_sheet("actors")
    ws.append(["name", "name_en"])
    for actor in content.get("actors") or []:
        ws.append([actor["name"], actor.get("name_en", "")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value, where: str, name: str):
    value = _cell(value)
    if value in ("", None):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise TemplateError(_("%(where)s: “%(name)s” must be a whole number, not “%(value)s”.") % {
            "where": where, "name": name, "value": value}) from None


def from_xlsx(data: bytes) -> dict:
    """A template dict from an XLSX file made by ``to_xlsx`` (rows may be edited, added or removed)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise TemplateError(_("The file is not an XLSX workbook.")) from None
    missing = [name for name in ("template", "phases", "tasks", "actors") if name not in wb.sheetnames]
    if missing:
        raise TemplateError(_("The workbook lacks the sheets %(sheets)s.") % {"sheets": ", ".join(missing)})
    meta = {str(r[0]): _cell(r[1]) for r in wb["template"].iter_rows(values_only=True) if r and r[0]}
    actors = []
    for r in list(wb["actors"].iter_rows(values_only=True))[1:]:
        if r and _cell(r[0]):
            actors.append({"name": str(_cell(r[0])), "name_en": str(_cell(r[1]) if len(r) > 1 else "")})
    phases = []
    for row_no, r in enumerate(list(wb["phases"].iter_rows(values_only=True))[1:], start=2):
        if not r or not any(_cell(v) != "" for v in r):
            continue
        r = list(r) + [None] * (len(PHASE_COLUMNS) - len(r))
        where = _("Sheet “phases”, row %(row)s") % {"row": row_no}
        phases.append({"title_fa": str(_cell(r[1])), "title_en": str(_cell(r[2])),
                       "duration_days": _int_or_none(r[3], where, "duration_days"),
                       "duration_text": str(_cell(r[4])),
                       "expected_outputs": [line.strip() for line in str(_cell(r[5])).splitlines() if line.strip()],
                       "main_actors": str(_cell(r[6])), "tasks": []})
    rows = list(wb["tasks"].iter_rows(values_only=True))
    header = [str(_cell(h)) for h in rows[0]] if rows else []
    actor_columns = header[len(TASK_COLUMNS):]
    by_number: dict[str, dict] = {}
    for row_no, r in enumerate(rows[1:], start=2):
        if not r or not any(_cell(v) != "" for v in r):
            continue
        r = list(r) + [None] * (len(header) - len(r))
        where = _("Sheet “tasks”, row %(row)s") % {"row": row_no}
        number = str(_cell(r[0])).replace("_", "-").strip()
        if not number or any(not part.isdigit() for part in number.split("-")):
            raise TemplateError(_("%(where)s: the number “%(number)s” is not like 1, 1-2 or 1-2-3.") % {
                "where": where, "number": number})
        if number in by_number:
            raise TemplateError(_("%(where)s: the number %(number)s is used twice.") % {"where": where, "number": number})
        phase_no = _int_or_none(r[1], where, "phase")
        task = {"title_fa": str(_cell(r[2])), "title_en": str(_cell(r[3])),
                "offset_days": _int_or_none(r[4], where, "offset_days"),
                "duration_days": _int_or_none(r[5], where, "duration_days"),
                "mechanism": str(_cell(r[6])), "mechanism_detail": str(_cell(r[7])), "responsible": str(_cell(r[8])),
                "stakeholders": str(_cell(r[9])), "expected_output": str(_cell(r[10])),
                "success_indicators": str(_cell(r[11])), "budget": _int_or_none(r[12], where, "budget"),
                "depends_on": [d.strip() for d in str(_cell(r[13])).split(",") if d.strip()],
                "roles": {a: str(_cell(v)).upper() for a, v in zip(actor_columns, r[len(TASK_COLUMNS):], strict=False)
                          if _cell(v) != ""},
                "children": []}
        task = {k: v for k, v in task.items() if v not in (None, "", [], {}) or k == "children"}
        by_number[number] = task
        if "-" in number:
            parent = by_number.get(number.rsplit("-", 1)[0])
            if parent is None:
                raise TemplateError(_("%(where)s: task %(number)s comes before its parent task.") % {
                    "where": where, "number": number})
            parent["children"].append(task)
        else:
            if phase_no is None or not (1 <= phase_no <= len(phases)):
                raise TemplateError(_("%(where)s: give the phase (1 to %(n)s) of top-level task %(number)s.") % {
                    "where": where, "n": len(phases), "number": number})
            phases[phase_no - 1]["tasks"].append(task)
    # numbers in the file may differ from the plan order: map them to the numbers the plan will give
    content = {"actors": actors, "phases": phases}
    plan_number = {id(task): n for n, _p, task, _parent in iter_tasks(content)}
    renamed = {old: plan_number.get(id(task), old) for old, task in by_number.items()}
    for task in by_number.values():
        if task.get("depends_on"):
            task["depends_on"] = [renamed.get(d, d) for d in task["depends_on"]]
    return _checked({**meta, "content": content})
