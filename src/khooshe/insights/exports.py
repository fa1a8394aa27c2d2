"""Result tables as CSV (streamed) and XLSX (openpyxl, write-only), with the registry names of regions
and industries added next to their codes, the names of stages, types and technology levels next to their
codes, and the reasons of the classifications in the reader's language."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Callable, Iterator

from django.http import FileResponse, StreamingHttpResponse

from . import glossary, results, selectors

XLSX_MAX_ROWS = 1_048_575  # a sheet's limit, minus the header row
NAMED = {"region": ("region", "region_name"), "industry": ("industry", "industry_name")}


def _plan(run, columns: list[results.Column]) -> list[tuple[str, Callable[[list], object]]]:
    """(header, value of a row) of every column written: the table's own columns, a reason column as the
    sentence in the reader's language (built from its code and figures), and after a region or industry
    code its registry name, after a stage, type or technology level its name in the reader's language."""
    labels = run.labels or {}
    position = {c.name: i for i, c in enumerate(columns)}
    plan: list[tuple[str, Callable[[list], object]]] = []
    for i, column in enumerate(columns):
        name = column.name
        prefix = glossary.REASON_PREFIXES.get(name)
        if prefix is not None:
            code, params = position.get(f"{prefix}_reason_code"), position.get(f"{prefix}_reason_params")
            plan.append((name, lambda row, i=i, code=code, params=params: glossary.reason_text(
                row[code] if code is not None else None, row[params] if params is not None else None,
                row[i] if isinstance(row[i], str) else "")))
        else:
            plan.append((name, lambda row, i=i: row[i]))
        if name in NAMED and labels.get(NAMED[name][0] + "s"):
            kind, header = NAMED[name]
            lookup = selectors.region_name if kind == "region" else selectors.industry_name
            plan.append((header, lambda row, i=i, lookup=lookup: lookup(run, row[i])))
        if name in glossary.LABELLED_COLUMNS:
            plan.append((f"{name}_label", lambda row, i=i, name=name: glossary.value_label(name, row[i]) or ""))
    return plan


def _rows(plan, batches) -> Iterator[list]:
    for batch in batches:
        for row in batch:
            clean = [None if isinstance(v, float) and not math.isfinite(v) else v for v in row]
            yield [value(clean) for _header, value in plan]


def _header(plan) -> list[str]:
    return [header for header, _value in plan]


def filename(run, name: str, extension: str) -> str:
    return f"khooshe-analysis-{run.pk}-{name}.{extension}"


def csv_response(run, name: str, request: selectors.TableRequest) -> StreamingHttpResponse:
    path = selectors.table_path(run, name)
    columns, batches = results.iterate(path, sort=request.sort, filters=request.filters, q=request.q or None,
                                       q_values=selectors._values_matching(run, request.q))
    plan = _plan(run, columns)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # so that Excel reads the file as UTF-8
        writer.writerow(_header(plan))
        for row in _rows(plan, batches):
            writer.writerow(["" if v is None else v for v in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(run, name, "csv")}"'
    return response


def _write_sheet(workbook, run, name: str, request: selectors.TableRequest | None) -> bool:
    """Write one table as a sheet; returns False when it had to be cut at the sheet's row limit."""
    path = selectors.table_path(run, name)
    request = request or selectors.TableRequest(sort=selectors.DEFAULT_SORT.get(name, ""))
    try:
        results.parse_sort({c.name: c for c in results.columns_of(path)}, request.sort)
    except results.TableQueryError:
        request.sort = ""
    columns, batches = results.iterate(path, sort=request.sort, filters=request.filters, q=request.q or None,
                                       q_values=selectors._values_matching(run, request.q),
                                       limit=XLSX_MAX_ROWS + 1)
    plan = _plan(run, columns)
    sheet = workbook.create_sheet(title=glossary.table_title(name)[:31].replace("/", "-").replace(":", " ")
                                  or name[:31])
    sheet.append(_header(plan))
    written = 0
    for row in _rows(plan, batches):
        if written == XLSX_MAX_ROWS:
            return False
        sheet.append([v if v is None or isinstance(v, int | float | str | bool) else str(v) for v in row])
        written += 1
    return True


def xlsx_response(run, names: list[str], request: selectors.TableRequest | None = None) -> FileResponse:
    """One sheet per table (with ``request``'s filters when there is one table)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name in names:
        _write_sheet(workbook, run, name, request if len(names) == 1 else None)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    label = names[0] if len(names) == 1 else "all"
    return FileResponse(handle, as_attachment=True, filename=filename(run, label, "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
