"""`khooshe check`: is this installation ready to serve? Prints one line per check."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from rich.console import Console


def run_checks() -> bool:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    console = Console()
    results: list[tuple[bool, str]] = []

    try:
        call_command("check", verbosity=0)
        results.append((True, _("Django system checks pass")))
    except Exception as exc:  # the command raises SystemCheckError with the list
        results.append((False, _("Django system checks fail: %(error)s") % {"error": exc}))

    try:
        connection.ensure_connection()
        results.append((True, _("Database reachable: %(vendor)s %(name)s") % {
            "vendor": connection.vendor, "name": settings.DATABASES["default"]["NAME"]}))
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        results.append((not pending, _("Migrations applied") if not pending
                        else _("%(count)s migrations pending: run `khooshe migrate`") % {"count": len(pending)}))
        if not pending:
            from khooshe.registry.models import Region, Sector

            sectors, regions = Sector.objects.filter(scheme="ISIC4").count(), Region.objects.count()
            results.append((sectors >= 766 and regions > 0, _(
                "Reference data: %(sectors)s ISIC sectors, %(regions)s regions") % {
                "sectors": sectors, "regions": regions}))
    except Exception as exc:
        results.append((False, _("Database not reachable: %(error)s") % {"error": exc}))

    vendor = Path(settings.PACKAGE_DIR) / "web" / "static" / "vendor"
    needed = ["htmx/htmx.min.js", "leaflet/leaflet.js", "cytoscape/cytoscape.min.js",
              "vazirmatn/Vazirmatn-Variable.woff2"]
    missing = [n for n in needed if not (vendor / n).exists()]
    results.append((not missing, _("Front-end assets present") if not missing
                    else _("Front-end assets missing (run `npm ci` and scripts/build_assets.py): %(files)s")
                    % {"files": ", ".join(missing)}))

    mo_files = list(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.mo"))
    results.append((bool(mo_files), _("Translations compiled") if mo_files
                    else _("Translations not compiled: run `khooshe migrate`")))

    for ok, text in results:
        console.print(("[green]✔[/green] " if ok else "[red]✘[/red] ") + text)
    return all(ok for ok, _text in results)
