"""Tabular export (CSV, XLSX) of any registered model; import and keyed export come with a TabularSpec."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _


class _Echo:
    def write(self, value):
        return value


def export_rows(config, queryset, language: str | None = None):
    """Header row then one row per record, as the list shows them (display values)."""
    columns = config.export_column_objects
    yield [str(c.label) for c in columns]
    for obj in queryset.iterator(chunk_size=2000) if not config.prefetch_related else queryset:
        yield [c.text(obj, language) for c in columns]


def export_response(config, queryset, fmt: str, *, user=None):
    spec = config.tabular_spec
    language = get_language()
    rows = spec.export_rows(queryset) if spec is not None else export_rows(config, queryset, language)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{config.url_slug}-{stamp}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(config.verbose_name_plural)[:31])
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt != "csv":
        return HttpResponse(_("Unknown export format “%(format)s”: use csv or xlsx.") % {"format": fmt},
                            status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Persian text correctly
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
