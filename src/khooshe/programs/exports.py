"""XLSX exports: the operational plan (as the ministry's table) and the responsibility matrix."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from khooshe.core import jalali

from .models import Mechanism, Task
from .selectors import matrix


def _workbook(title: str, rtl: bool):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.sheet_view.rightToLeft = rtl
    return wb, ws


def _bold_header(ws, widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _jalali_numeric(value) -> str:
    if not value:
        return ""
    j = jalali.to_jalali(value)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def plan_xlsx(program, language: str | None = None) -> bytes:
    """One row per task in plan order: number (1-1-1), title, dates in Jalali and Gregorian, duration,
    budget planned and spent, mechanism, responsible, stakeholders, expected output, indicators, status."""
    persian = jalali.is_persian(language)
    wb, ws = _workbook(_("Operational plan"), persian)
    ws.append([_("number"), _("title"), _("phase"), _("start (Jalali)"), _("end (Jalali)"), _("start date"),
               _("end date"), _("duration (days)"), _("planned budget"), _("spent budget"), _("mechanism"),
               _("responsible"), _("stakeholders"), _("expected output"), _("success indicators (as written)"),
               _("status"), _("percent done")])
    mechanisms = dict(Mechanism.choices)
    statuses = dict(Task.Status.choices)
    tasks = (Task.objects.filter(program=program).order_by("sort_key", "pk")
             .select_related("phase", "responsible_organization", "responsible_person")
             .prefetch_related("stakeholder_organizations"))
    for t in tasks:
        title = (t.title_fa or t.title_en) if persian else (t.title_en or t.title_fa)
        mechanism = str(mechanisms.get(t.mechanism, "")) if t.mechanism else ""
        if t.mechanism_detail:
            mechanism = f"{mechanism} ({t.mechanism_detail})" if mechanism else t.mechanism_detail
        responsible = ", ".join(str(x) for x in (t.responsible_organization, t.responsible_person) if x)
        if t.responsible_text:
            responsible = f"{responsible}, {t.responsible_text}" if responsible else t.responsible_text
        stakeholders = ", ".join(str(o) for o in t.stakeholder_organizations.all())
        if t.stakeholders_text:
            stakeholders = f"{stakeholders}, {t.stakeholders_text}" if stakeholders else t.stakeholders_text
        ws.append([t.number, ("    " * t.number.count("-")) + title, str(t.phase) if t.phase_id else "",
                   _jalali_numeric(t.start_date), _jalali_numeric(t.end_date), t.start_date, t.end_date,
                   t.duration_days, int(t.budget_planned) if t.budget_planned is not None else None,
                   int(t.budget_spent) if t.budget_spent is not None else None, mechanism, responsible,
                   stakeholders, t.expected_output, t.success_indicators, str(statuses.get(t.status, t.status)),
                   t.percent_done])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _bold_header(ws, [10, 60, 30, 12, 12, 12, 12, 10, 16, 16, 24, 30, 30, 40, 40, 14, 10])
    return _save(wb)


def matrix_xlsx(program, language: str | None = None) -> bytes:
    """The responsibility matrix: tasks down, actors across, R/A/C/I in the cells, and a legend."""
    persian = jalali.is_persian(language)
    actors, rows = matrix(program, language)
    wb, ws = _workbook(_("Responsibility matrix"), persian)
    ws.append([_("number"), _("task")] + [str(a) for a in actors])
    for row in rows:
        ws.append([row.code, ("    " * row.depth) + row.title]
                  + [role for _a, role in row.cells])
    _bold_header(ws, [10, 60] + [22] * len(actors))
    legend = wb.create_sheet(_("Legend"))
    legend.sheet_view.rightToLeft = persian
    legend.append(["R", _("Responsible")])
    legend.append(["A", _("Accountable")])
    legend.append(["C", _("Consulted")])
    legend.append(["I", _("Informed")])
    return _save(wb)
