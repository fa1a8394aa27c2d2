"""How result values are shown on the pages: numbers in the reader's digits, yes/no marks, regions and
industries with their registry names."""

from __future__ import annotations

import math

from django.utils.html import format_html

from khooshe.core import jalali
from khooshe.core.text import persian_digits

from . import glossary, selectors

NAMED_COLUMNS = {"region": "region", "industry": "industry", "industry_a": "industry", "industry_b": "industry"}


def format_number(value, language: str | None = None) -> str:
    """12345.6 -> "12,346"; 2.3456 -> "2.35"; in Persian with Persian digits and separators."""
    if isinstance(value, bool):
        return "✔" if value else "✘"
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        value = float(value)
        if not math.isfinite(value):
            return "—"
        if value == 0:
            text = "0"
        elif abs(value) >= 1000:
            text = f"{value:,.0f}"
        else:
            text = f"{value:.3g}"
            if "e" in text:
                text = f"{value:.2e}"
    if jalali.is_persian(language):
        text = persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def cell_html(run, column: str, value, language: str | None = None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return format_html('<span class="muted">—</span>')
    if isinstance(value, bool):
        return format_html('<span class="bool bool-{}">{}</span>', "yes" if value else "no", "✔" if value else "✘")
    if isinstance(value, int | float):
        return format_html('<span class="num">{}</span>', format_number(value, language))
    label = glossary.value_label(column, value)
    if label is not None:
        return format_html('<span data-value="{}">{}</span>', value, label)
    kind = NAMED_COLUMNS.get(column)
    if kind is not None:
        name = selectors.region_name(run, value) if kind == "region" else selectors.industry_name(run, value)
        if name and name != str(value):
            return format_html('<span dir="auto">{}</span> <span class="muted" dir="auto">{}</span>', value, name)
    return format_html('<span dir="auto">{}</span>', value)


def _name(column) -> str:
    return column if isinstance(column, str) else column.name


def shown_columns(columns) -> list:
    """The columns a page shows: a reason's code and figures are read through its sentence instead."""
    return [c for c in columns if _name(c) not in glossary.HIDDEN_COLUMNS]


def cell_for(run, column: str, record: dict, language: str | None = None) -> str:
    """A cell that may need the rest of its row: a reason column shows the translated sentence built
    from the row's reason code and figures; a stage, type or technology level explains itself when
    pointed at."""
    if column in glossary.REASON_PREFIXES:
        text = glossary.row_reason(record, column)
        return format_html('<span class="kh-reason" dir="auto">{}</span>', text) if text else format_html(
            '<span class="muted">—</span>')
    cell = cell_html(run, column, record.get(column), language)
    if column in glossary.REASON_OF:
        reason = glossary.row_reason(record, column)
        if reason:
            return format_html('<span class="kh-why" title="{}">{}</span>', reason, cell)
    return cell


def row_cells(run, columns, row, language: str | None = None) -> list[str]:
    """The cells of one row of a result table (``row`` in the order of ``columns``), hidden columns left out."""
    names = [_name(c) for c in columns]
    record = dict(zip(names, row, strict=True))
    return [cell_for(run, name, record, language) for name in names if name not in glossary.HIDDEN_COLUMNS]


def headers(columns, sort: list[tuple[str, bool]]) -> list[dict]:
    """Column headers with their title, explanation and the sort parameter their link sets."""
    active = dict(sort[:1])
    out = []
    for column in columns:
        name = column if isinstance(column, str) else column.name
        descending = active.get(name)
        out.append({"name": name, "title": glossary.column_title(name), "help": glossary.column_help(name),
                    "active": descending is not None, "descending": bool(descending),
                    "sort": f"-{name}" if descending is False else name})
    return out
