"""`khooshe import` and `khooshe export`: the command-line side of core.tabular.

Both find the model by the kind ("organizations", "people", "relations", "agreements": the URL slug of a registered
model that has a TabularSpec). The command line is trusted (it runs on the server): an import is recorded
in the history with no user ("system") and ``"source": "cli"``.

Exit codes: 0 done (or a clean --dry-run), 1 the file has problems (nothing written), 2 wrong usage.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .generic import all_configs
from .tabular import Progress as ImportProgress
from .tabular import TableError, import_file, table_format, write_table


def find_config(kind: str):
    """The ModelConfig whose spec imports ``kind`` (its URL slug or its spec's kind), or None."""
    wanted = kind.strip().lower()
    for config in all_configs():
        spec = config.tabular_spec
        if spec is not None and wanted in (config.url_slug, spec.kind, config.model_name):
            return config
    return None


def known_kinds() -> str:
    return ", ".join(config.url_slug for config in all_configs() if config.tabular_spec is not None)


class RichProgress(ImportProgress):
    """A rich progress bar on stderr, one task per pass (checking, importing)."""

    def __init__(self, progress: Progress):
        self.progress, self.task = progress, None

    def start(self, label, total):
        self.finish()
        self.task = self.progress.add_task(label, total=total)

    def advance(self, count):
        task = self.progress.tasks[self.task]
        if task.total is not None and task.completed + count > task.total:  # the estimate was low
            self.progress.update(self.task, total=task.completed + count)
        self.progress.advance(self.task, count)

    def finish(self):
        """Show the finished task as complete (its total was an estimate, or unknown)."""
        if self.task is not None:
            done = self.progress.tasks[self.task].completed
            self.progress.update(self.task, total=done, completed=done)


def _progress_bar(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def _config_for(kind: str, path: Path, err: Console):
    """The importable model named ``kind``, or None after saying what is wrong (kind or file type)."""
    config = find_config(kind)
    if config is None:
        err.print(_("Unknown kind “%(kind)s”: use one of %(kinds)s.") % {"kind": kind, "kinds": known_kinds()},
                  markup=False)
        return None
    try:
        table_format(path.name)
    except TableError as exc:
        err.print(str(exc), markup=False)
        return None
    return config


def run_import(*, kind: str, path: Path, dry_run: bool, language: str) -> int:
    """Import ``path`` (CSV or XLSX) as ``kind``; print the report in ``language``; return the exit code."""
    out, err = Console(highlight=False, soft_wrap=True), Console(stderr=True, highlight=False)
    with translation.override(language if language in ("fa", "en") else "fa"):
        config = _config_for(kind, path, err)
        if config is None:
            return 2
        with _progress_bar(err) as bar:
            progress = RichProgress(bar)
            report = import_file(config.tabular_spec, path, user=None, file_name=path.name, dry_run=dry_run,
                                 progress=progress, source="cli")
            progress.finish()
        for problem in report.errors:
            out.print(problem.as_text(), markup=False)
        for problem in report.warnings:
            out.print(_("Warning") + ": " + problem.as_text(), markup=False)
        details = report.details
        if details.get("roles_created") or details.get("roles_updated"):
            out.print(_("Roles in organizations: %(created)s new, %(updated)s changed.") % {
                "created": details.get("roles_created", 0), "updated": details.get("roles_updated", 0)},
                markup=False)
        out.print(report.summary(), markup=False)
        if dry_run and report.ok:
            out.print(_("Dry run: nothing was written."), markup=False)
        return 0 if report.ok else 1


def run_export(*, kind: str, path: Path) -> int:
    """Write every record of ``kind`` to ``path`` (.csv or .xlsx) in the format ``run_import`` reads."""
    err = Console(stderr=True, highlight=False)
    config = _config_for(kind, path, err)
    if config is None:
        return 2
    queryset = config.model._default_manager.order_by("pk")
    total = queryset.count()
    count = 0

    def rows():
        nonlocal count
        with _progress_bar(err) as bar:
            task = bar.add_task(_("Exporting"), total=total)
            for index, row in enumerate(config.tabular_spec.export_rows(queryset)):
                if index:
                    count += 1
                    if count % 1000 == 0:
                        bar.update(task, completed=count)
                yield row
            bar.update(task, completed=count)

    try:
        write_table(path, rows(), title=str(config.verbose_name_plural))
    except OSError as exc:
        err.print(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}, markup=False)
        return 2
    Console(highlight=False).print(_("%(count)s rows written to %(path)s.") % {"count": count, "path": path},
                                   markup=False)
    return 0

