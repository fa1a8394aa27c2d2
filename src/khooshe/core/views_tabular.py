"""The generic import page of a model with a TabularSpec: upload, check (report), confirm.

1. GET shows the upload form, the columns of the file and the user's recent imports.
2. POST ``action=check`` stores the upload and runs the check pass (nothing written): the page shows every
   problem by row and column, or what the import will do and a confirm button.
3. POST ``action=apply`` imports the checked file in one transaction (checked again against the database,
   all rows or none) and returns to the list.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import ImportRun
from .tabular import SUPPORTED_FORMATS, ImportReport, TableError, export_response, import_file, table_format
from .views import ConfigView

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
SHOWN_PROBLEMS = 500  # on the page; the downloadable report has them all (as stored)


class ImportView(ConfigView):
    template_name = "core/generic/import.html"

    @property
    def spec(self):
        return self.config.tabular_spec

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not self.spec.can_import(request.user):
            return self.deny(request)
        return super().dispatch(request, *args, **kwargs)

    # -- pages ----------------------------------------------------------------------------------------------
    def get(self, request):
        template = request.GET.get("template")
        if template in SUPPORTED_FORMATS:
            return export_response(self.config, self.config.model._default_manager.none(), template,
                                   user=request.user)
        report_of = request.GET.get("report")
        if report_of and report_of.isdigit():
            run = self.runs(request).filter(pk=int(report_of)).first()
            if run is not None:
                return self.report_csv(run)
        return self.page(request)

    def page(self, request, *, report: ImportReport | None = None, run: ImportRun | None = None, status=200):
        spec = self.spec
        columns = [{"name": c.name, "label": c.label, "required": c.required, "help": c.help_text,
                    "example": c.example, "choices": ", ".join(str(code) for code in getattr(c, "codes", ()))}
                   for c in spec.columns]
        context = self.base_context(
            spec=spec, columns=columns, report=report, run=run, key_help=spec.key_help,
            errors=report.errors[:SHOWN_PROBLEMS] if report else [],
            hidden_errors=max(len(report.errors) - SHOWN_PROBLEMS, 0) if report else 0,
            recent=self.runs(request)[:10], formats=SUPPORTED_FORMATS,
        )
        return render(request, self.template_name, context, status=status)

    def runs(self, request):
        runs = ImportRun.objects.filter(kind=self.spec.kind).select_related("user")
        return runs if request.user.is_superuser else runs.filter(user=request.user)

    # -- actions --------------------------------------------------------------------------------------------
    def post(self, request):
        if request.POST.get("action") == "apply":
            return self.apply(request)
        return self.check(request)

    def check(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or XLSX file first."))
            return self.page(request, status=400)
        try:
            fmt = table_format(upload.name)
        except TableError as exc:
            messages.error(request, str(exc))
            return self.page(request, status=400)
        if upload.size > MAX_UPLOAD_BYTES:
            messages.error(request, _("The file is larger than %(size)s MB: import it with the command line "
                                      "(khooshe import) instead.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
            return self.page(request, status=400)
        run = ImportRun(user=request.user, kind=self.spec.kind, file_name=Path(upload.name).name[:255],
                        source="web", language=get_language() or "")
        run.file.save(f"{uuid.uuid4().hex}.{fmt}", upload, save=True)
        try:
            report = import_file(self.spec, run.file.path, user=request.user, file_name=run.file_name,
                                 dry_run=True, run=run)
        except PermissionDenied:
            run.file.delete(save=True)
            return self.deny(request)
        if not report.ok:
            run.file.delete(save=True)  # nothing to confirm: the user uploads a corrected file
        return self.page(request, report=report, run=run, status=200 if report.ok else 400)

    def apply(self, request):
        run_id = request.POST.get("run", "")
        run = ImportRun.objects.filter(pk=int(run_id) if run_id.isdigit() else 0, user=request.user,
                                       kind=self.spec.kind, status=ImportRun.Status.CHECKED).first()
        if run is None or not run.file:
            messages.error(request, _("This import was already applied or its file is gone: upload the file "
                                      "again."))
            return HttpResponseRedirect(self.config.url("import"))
        # The writing pass checks every row again against the database as it is now: all rows or none.
        report = import_file(self.spec, run.file.path, user=request.user, file_name=run.file_name, run=run,
                             check_first=False)
        run.file.delete(save=True)
        if report.applied:
            messages.success(request, report.summary())
            return HttpResponseRedirect(self.config.url("list"))
        messages.error(request, _("Nothing was imported: the data changed since the file was checked. See the "
                                  "problems below."))
        return self.page(request, report=report, run=run, status=409)

    def report_csv(self, run: ImportRun) -> HttpResponse:
        report = ImportReport.from_json(run.report or {})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-report-{run.pk}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Level"), _("Row"), _("Column"), _("Value"), _("Problem")])
        for level, problems in ((_("error"), report.errors), (_("warning"), report.warnings)):
            for problem in problems:
                writer.writerow([level, problem.row or "", problem.column, problem.value, problem.message])
        return response
