"""The `khooshe` command: set up, run, import and export the platform.

Each subcommand is a thin wrapper: the work is done by services in the apps (one transaction each),
so the web UI, the API and this command behave the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

app = typer.Typer(
    help="Khooshe (خوشه): map, analyse and run an innovation ecosystem.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khooshe.config.settings")
    import django

    django.setup()


def call(*args: str, **kwargs) -> None:
    """Run a Django management command in this process."""
    setup_django()
    from django.core.management import call_command

    call_command(*args, **kwargs)


def _migrate_and_prepare(verbosity: int = 1) -> None:
    """Migrate, compile translations, collect static files when needed, and load reference data."""
    call("migrate", "--no-input", verbosity=verbosity)
    from khooshe.core.i18n import compile_translations
    from khooshe.registry.reference import ensure_reference_data

    compile_translations()
    ensure_reference_data(progress=True)


@app.command(short_help="Create/update the database and load reference data.")
def migrate() -> None:
    """Create or update the database and load the reference data (ISIC sectors, Iran's regions)."""
    setup_django()
    _migrate_and_prepare()


@app.command(short_help="Create a platform admin and print its password.")
def createadmin(
    username: str = typer.Option("admin", help="Login name of the platform admin."),
    password: str = typer.Option(None, help="Password; a random one is generated and printed when omitted."),
    email: str = typer.Option("", help="Email address."),
) -> None:
    """Create (or reset the password of) a platform admin account and print its credentials."""
    setup_django()
    from khooshe.core.services import ensure_admin

    username, password = ensure_admin(username=username, password=password, email=email)
    from django.utils.translation import gettext as _

    typer.echo(_("Admin account: username=%(username)s password=%(password)s")
               % {"username": username, "password": password})


def _start_worker() -> subprocess.Popen | None:
    """With the default database task queue, run one worker beside the development server, so that
    analyses started on the web run without a second command (production runs `khooshe worker` itself)."""
    from django.conf import settings

    if settings.KHOOSHE_TASKS_BACKEND != "db":
        return None
    return subprocess.Popen([sys.executable, "-c", "from khooshe.cli import main; main()", "worker"])


def _runserver_with_worker(address: str) -> None:
    worker = _start_worker()
    try:
        call("runserver", address, "--noreload")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


@app.command(short_help="Run background tasks (analyses) from the task queue.")
def worker() -> None:
    """Run queued background tasks: the database queue by default, RQ when KHOOSHE_TASKS_BACKEND=rq."""
    setup_django()
    from django.conf import settings

    if settings.KHOOSHE_TASKS_BACKEND == "rq":
        call("rqworker", "default", job_class="django_tasks_rq.Job")
    elif settings.KHOOSHE_TASKS_BACKEND == "db":
        call("db_worker", "--no-reload")  # the reloader cannot restart a worker started by `khooshe`
    else:
        from django.utils.translation import gettext as _

        typer.echo(_("Tasks run inside the web process (KHOOSHE_TASKS_BACKEND=immediate): no worker needed."))


@app.command(short_help="Serve the site (dev server, or gunicorn).")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    production: bool = typer.Option(False, "--production", help="Serve with gunicorn (2 workers) instead of "
                                    "Django's development server."),
    workers: int = typer.Option(2, help="Worker processes with --production."),
) -> None:
    """Serve the site on http://HOST:PORT (development server, or gunicorn with --production)."""
    setup_django()
    if production:
        call("collectstatic", "--no-input", verbosity=0)
        os.execvp("gunicorn", ["gunicorn", "khooshe.config.wsgi", "--bind", f"{host}:{port}",
                               "--workers", str(workers), "--access-logfile", "-"])
    _runserver_with_worker(f"{host}:{port}")


@app.command(short_help="Set up, load the Kerman demo and serve it.")
def demo(
    serve_site: bool = typer.Option(True, "--serve/--no-serve", help="Serve the site after loading."),
    port: int = typer.Option(8000, help="Port to serve on."),
    password: str = typer.Option("khooshe-demo", help="Password of the demo admin account."),
) -> None:
    """Set up the database, load the Kerman demo ecosystem, create an admin and serve the site."""
    setup_django()
    _migrate_and_prepare()
    from khooshe.core.services import ensure_admin
    from khooshe.registry.demo import load_demo

    summary = load_demo(progress=True)
    typer.echo(summary)
    username, password = ensure_admin(username="admin", password=password, email="")
    _demo_apps(username)
    _demo_analysis(username)
    from django.utils.translation import gettext as _

    typer.echo("")
    typer.echo("  " + _("Khooshe is at %(url)s") % {"url": f"http://127.0.0.1:{port}/"})
    typer.echo("  " + _("Log in as: username=%(username)s  password=%(password)s")
               % {"username": username, "password": password})
    typer.echo("")
    if serve_site:
        _runserver_with_worker(f"127.0.0.1:{port}")


def _demo_apps(username: str) -> None:
    """The demo's programs, challenges, missions and hubs (registry.demo.load_app_parts), made as the admin."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from khooshe.registry.demo import load_app_parts

    for line in load_app_parts(get_user_model().objects.get(username=username)):
        typer.echo(_("Demo: %(what)s.") % {"what": line})


def _demo_analysis(username: str) -> None:
    """An analysis of the demo's own organizations, so the insights pages have results to show."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from khooshe.insights.models import Dataset
    from khooshe.insights.services import create_demo_analysis

    if Dataset.objects.exists():
        return
    run = create_demo_analysis(user=get_user_model().objects.get(username=username))
    typer.echo(_("Demo analysis: %(status)s") % {"status": run.get_status_display()})


@app.command("import", short_help="Import a CSV/XLSX file: all rows or none.")
def import_(
    kind: str = typer.Argument(..., help="What the file holds: organizations, people, relations or agreements."),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .xlsx file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate every row and report, write nothing."),
    language: str = typer.Option("fa", help="Language of the error report: fa or en."),
) -> None:
    """Import organizations, people, relations or agreements from CSV/XLSX: all rows or none, errors by row and column."""
    setup_django()
    from khooshe.core.tabular_cli import run_import

    raise typer.Exit(code=run_import(kind=kind, path=path, dry_run=dry_run, language=language))


@app.command(short_help="Export to CSV/XLSX in the format import reads.")
def export(
    kind: str = typer.Argument(..., help="What to export: organizations, people, relations or agreements."),
    path: Path = typer.Argument(..., dir_okay=False, help="Target file; .csv or .xlsx decides the format."),
) -> None:
    """Export organizations, people, relations or agreements to CSV/XLSX in the format that `import` reads back."""
    setup_django()
    from khooshe.core.tabular_cli import run_export

    raise typer.Exit(code=run_export(kind=kind, path=path))


@app.command(short_help="Find and prioritise clusters in statistics; write a report.")
def analyze(
    data: str = typer.Argument(..., help="CSV or Parquet file (or glob), or a database URL with --table."),
    region_col: str = typer.Option(..., "--region-col", help="Column of the region (province, county...)."),
    industry_col: str = typer.Option(..., "--industry-col", help="Column of the industry (e.g. an ISIC code)."),
    value_col: str = typer.Option(None, "--value-col", help="Column of employment (or another size); "
                                  "without it every row counts as one."),
    year_col: str = typer.Option(None, "--year-col", help="Column of the year (growth and shift-share)."),
    establishment_col: str = typer.Option(None, "--establishment-col",
                                          help="Column identifying establishments (counts them; Ellison-Glaeser)."),
    wage_col: str = typer.Option(None, "--wage-col", help="Column of wages."),
    table: str = typer.Option(None, "--table", help="Table to read when DATA is a database URL."),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Folder for report.html and the tables."),
    year: str = typer.Option(None, "--year", help="Year to analyse (default: the latest)."),
    backend: str = typer.Option("duckdb", "--backend", help="Where to aggregate: duckdb (default) or pyspark."),
    geometry: str = typer.Option("iran", "--geometry", help="Region boundaries for the map and Moran's I: "
                                 "'iran' (provinces, matched by code or name), a GeoJSON file, or 'none'."),
    geometry_id_field: str = typer.Option(None, "--geometry-id-field",
                                          help="GeoJSON property holding the region value (with a GeoJSON file)."),
    input_output: Path = typer.Option(None, "--input-output", exists=True, dir_okay=False,
                                      help="CSV of industry x industry flows (rows sell to columns), combined "
                                           "with co-location to relate industries."),
    occupation_similarity: Path = typer.Option(None, "--occupation-similarity", exists=True, dir_okay=False,
                                               help="CSV of industry x industry occupation similarity."),
    title: str = typer.Option(None, "--title", help="Title of the report."),
    language: str = typer.Option("fa", "--language", help="Language of the report: fa or en."),
) -> None:
    """Aggregate raw records, compute every cluster indicator, write report.html plus CSV/Parquet tables."""
    setup_django()
    from khooshe.insights.cli import run_analyze

    raise typer.Exit(code=run_analyze(
        data=data, out=out, title=title, language=language, backend=backend, year=year,
        geometry=geometry, geometry_id_field=geometry_id_field,
        input_output=input_output, occupation_similarity=occupation_similarity,
        columns={"region_col": region_col, "industry_col": industry_col, "value_col": value_col,
                 "year_col": year_col, "establishment_col": establishment_col, "wage_col": wage_col,
                 "table": table},
    ))


@app.command(short_help="Rebuild the search index of organizations.")
def reindex(
    only: list[str] = typer.Option(None, "--only", help="Rebuild only these indexes, e.g. --only organizations."),
) -> None:
    """Rebuild the full-text search indexes (tantivy, under the data directory) of every searchable model."""
    setup_django()
    from django.utils.translation import gettext as _
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from khooshe.search.documents import all_documents, rebuild

    docs = all_documents()
    unknown = sorted(set(only or ()) - {d.slug for d in docs})
    if unknown:
        typer.echo(_("Unknown index: %(names)s. Known: %(known)s.") % {
            "names": ", ".join(unknown), "known": ", ".join(d.slug for d in docs)}, err=True)
        raise typer.Exit(code=2)
    total = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        for doc in docs:
            if only and doc.slug not in only:
                continue
            task = bar.add_task(f"{_('Search index')}: {doc.model_class._meta.verbose_name_plural}", total=None)
            total += rebuild(doc, progress=lambda done, count, task=task: bar.update(task, completed=done, total=count))
    typer.echo(_("Indexed: %(count)s") % {"count": total})


@app.command(short_help="Check database, reference data, assets, translations.")
def check() -> None:
    """Check the installation: database, migrations, reference data, static assets, translations."""
    setup_django()
    from khooshe.core.checks import run_checks

    raise typer.Exit(code=0 if run_checks() else 1)


@app.command(short_help="Run a Django management command.")
def manage(args: list[str] = typer.Argument(None, help="Arguments of a Django management command.")) -> None:
    """Run any Django management command (e.g. `khooshe manage shell`)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["khooshe manage", *(args or [])])


@app.command("load-sectors", short_help="Load another activity classification from CSV.")
def load_sectors(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV: code,parent_code,title_en,title_fa."),
    scheme: str = typer.Option(..., "--scheme", help="Name of the classification, e.g. NACE2."),
) -> None:
    """Load or update a classification (activity code list) from CSV: all rows or none."""
    setup_django()
    from khooshe.registry.reference import ReferenceDataError, load_code_list

    try:
        typer.echo(load_code_list(path, scheme, progress=True))
    except ReferenceDataError as exc:
        typer.echo(exc.message(limit=50), err=True)
        raise typer.Exit(code=1) from None


@app.command("load-regions", short_help="Load another country's regions from CSV/GeoJSON.")
def load_regions(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV: code,kind,parent_code,name_fa,name_en,latitude,longitude."),
    boundaries: Path = typer.Option(None, exists=True, dir_okay=False,
                                    help="GeoJSON of the regions' boundaries."),
    name_property: str = typer.Option("name", help="GeoJSON property holding the region's name."),
    code_property: str = typer.Option(None, help="GeoJSON property holding the region's code."),
) -> None:
    """Load or update regions from CSV, optionally with GeoJSON boundaries: all or nothing."""
    setup_django()
    from khooshe.registry.reference import ReferenceDataError
    from khooshe.registry.reference import load_regions as load

    try:
        for result in load(path, boundaries=boundaries, name_property=name_property,
                           code_property=code_property, progress=True):
            typer.echo(result)
    except ReferenceDataError as exc:
        typer.echo(exc.message(limit=50), err=True)
        raise typer.Exit(code=1) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
