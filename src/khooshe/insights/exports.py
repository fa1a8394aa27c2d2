"""Result tables as CSV (streamed) and XLSX (openpyxl, write-only), with the registry names of regions
and industries added next to their codes."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse

from . import glossary, results, selectors

XLSX_MAX_ROWS = 1_048_575  # a sheet's limit, minus the header row
NAMED = {"region": ("region", "region_name"), "industry": ("industry", "industry_name")}


def _name_columns(run, columns: list[results.Column]) -> list[tuple[int, str, str]]:
    """(position, kind, header) of the name columns added after region/industry (when names are known)."""
    labels = run.labels or {}
    added = []
    for i, column in enumerate(columns):
        if column.name in NAMED and labels.get(NAMED[column.name][0] + "s"):
            added.append((i, NAMED[column.name][0], NAMED[column.name][1]))
    return added


def _rows(run, columns, batches, added) -> Iterator[list]:
    for batch in batches:
        for row in batch:
            out = [None if isinstance(v, float) and not math.isfinite(v) else v for v in row]
            for offset, (position, kind, _header) in enumerate(added):
                value = row[position]
                name = selectors.region_name(run, value) if kind == "region" else selectors.industry_name(run, value)
                out.insert(position + 1 + offset, name)
            yield out


def _header(columns, added) -> list[str]:
    names = [c.name for c in columns]
    for offset, (position, _kind, header) in enumerate(added):
        names.insert(position + 1 + offset, header)
    return names


def filename(run, name: str, extension: str) -> str:
    return f"khooshe-analysis-{run.pk}-{name}.{extension}"


def csv_response(run, name: str, request: selectors.TableRequest) -> StreamingHttpResponse:
    path = selectors.table_path(run, name)
    columns, batches = results.iterate(path, sort=request.sort, filters=request.filters, q=request.q or None,
                                       q_values=selectors._values_matching(run, request.q))
    added = _name_columns(run, columns)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # so that Excel reads the file as UTF-8
        writer.writerow(_header(columns, added))
        for row in _rows(run, columns, batches, added):
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
    added = _name_columns(run, columns)
    sheet = workbook.create_sheet(title=glossary.table_title(name)[:31].replace("/", "-").replace(":", " ")
                                  or name[:31])
    sheet.append(_header(columns, added))
    written = 0
    for row in _rows(run, columns, batches, added):
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
