"""``khooshe analyze``: statistics in, a self-contained report and every indicator table out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from khooshe.analytics.pipeline import PipelineOptions, run_pipeline
from khooshe.analytics.validation import AnalyticsInputError

from . import glossary
from .errors import describe
from .report import iran_province_geometry, render_report


def run_analyze(*, data: str, out: Path, columns: dict[str, str | None], title: str | None, language: str,
                backend: str, year: str | None, geometry: str, geometry_id_field: str | None,
                input_output: Path | None = None, occupation_similarity: Path | None = None) -> int:
    """Run the analysis and write ``out``; returns the exit code (2: bad input, nothing written)."""
    console = Console(stderr=True)
    translation.activate(language)
    if backend not in ("duckdb", "pyspark"):
        console.print(_("Unknown backend %(value)s: use duckdb or pyspark.") % {"value": backend}, style="red")
        return 2
    geometry_source: Any = None
    geometry_field = geometry_id_field
    unmatched: list[str] = []
    if geometry == "iran":
        def geometry_source(regions):  # matched once the regions are known
            geojson, missing = iran_province_geometry(regions)
            unmatched[:] = missing
            return geojson
        geometry_field = "region"
    elif geometry and geometry != "none":
        if not Path(geometry).is_file() or not geometry_id_field:
            console.print(_("--geometry must be 'iran', 'none' or a GeoJSON file given with --geometry-id-field."),
                          style="red")
            return 2
        geometry_source = geometry
    options = PipelineOptions(backend=backend, year=_year(year), geometry=geometry_source,
                              geometry_id_field=geometry_field, input_output=input_output,
                              occupation_similarity=occupation_similarity)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(_("Analysing"), total=1.0)

        def progress(fraction: float, step: str) -> None:
            bar.update(task, completed=fraction, description=glossary.step_label(step))

        try:
            result = run_pipeline(data, columns, options, progress)
        except AnalyticsInputError as exc:
            bar.stop()
            console.print(describe(exc), style="red")
            console.print(_("Nothing was written."))
            return 2
    # Write next to the target and move into place, so a failure never leaves half a report.
    out = Path(out)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        result.write(staging / "parquet")
        (staging / "csv").mkdir()
        for name, table in result.tables.items():
            table.to_csv(staging / "csv" / f"{name}.csv", index=False)
        geojson = geometry_source(result.tables["regions"]["region"].tolist()) if geometry == "iran" else None
        html = render_report(result.tables, result.meta, title=title or _("Cluster analysis: %(name)s")
                             % {"name": Path(data).name}, geometry=geojson, unmatched_regions=unmatched)
        (staging / "report.html").write_text(html, encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():
            target = out / item.name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(item, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    console.print(_("Report: %(path)s") % {"path": out / "report.html"})
    console.print(_("Tables (CSV and Parquet): %(path)s") % {"path": out})
    return 0


def _year(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return value
