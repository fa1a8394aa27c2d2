"""One analysis run: raw records in, every indicator out, as named tables.

Used by the command line (``khooshe analyze``), the web (the insights app runs it as a background task)
and the benchmark, so that all three compute exactly the same thing.  The raw records are aggregated
where they live (Ibis: DuckDB by default, PySpark for big data); only the region x industry matrices of
the analysed year (and of the first year, for growth) come into NumPy.

The result is a set of tables (pandas DataFrames), each written as ``<name>.parquet`` with
``meta.json`` describing the run:

======================  ==================================================================================
region_industry         one row per region and industry: employment, establishments, wages, LQ, RCA,
                        presence, density, COG, ECO stars, U.S. Cluster Mapping flags, growth, shift-share
regions                 one row per region: totals, diversity, ECI, COI, specialisation indices
industries              one row per industry: totals, ubiquity, PCI, locational Gini, Hoover, technology
                        level and cluster type (with the reason), Ellison-Glaeser when plants are known
clusters                the candidate clusters (region x industry with enough stars or a strong flag):
                        life-cycle stage, technology level and type, each with its reason, priority score
                        and rank
diversification         per region, the industries it lacks with the highest density and COG
relatedness_edges       the industry relatedness network (backbone + strongest links)
cluster_definitions     industries grouped into cluster definitions, with the validation scores in meta
spatial, spatial_local  Moran's I per industry and local hot spots, when region geometry is given
======================  ==================================================================================

Every classification says why, three ways: ``<prefix>_reason`` (an English sentence, for the command
line and the CSV), ``<prefix>_reason_code`` (a stable code) and ``<prefix>_reason_params`` (the figures
and thresholds behind it, as JSON text) from which the web app builds the sentence in the reader's
language; the prefixes are ``stage`` (clusters), ``type`` and ``tech`` (industries and clusters).
"""

from __future__ import annotations

import gc
import json
import math
import os
import pickle
import signal
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from khooshe.analytics import aggregate as agg
from khooshe.analytics import classify, complexity, decision, diversification, indicators, relatedness, stars
from khooshe.analytics.validation import AnalyticsInputError

Progress = Callable[[float, str], None]


@dataclass
class PipelineOptions:
    """Parameters of a run (every threshold a published method leaves open)."""

    backend: str = "duckdb"
    #: the year to analyse (default: the latest); growth runs from the first year to this one
    year: Any = None
    #: how to treat empty values in the value columns: "error" (stop and say where) or "zero"
    missing_values: str = "error"
    eco_size_quantile: float = 0.9
    eco_specialisation_threshold: float = 2.0
    eco_focus_quantile: float = 0.9
    #: presence (RCA) threshold of the complexity measures
    presence_threshold: float = 1.0
    #: a region x industry pair is a candidate cluster with at least this many ECO stars, or a CMP strong flag
    candidate_min_stars: int = 2
    #: industry x industry input-output flows (rows sell to columns) and occupation similarity, as a
    #: DataFrame or a CSV path (industries in the first column and the header); combined with co-location
    input_output: Any = None
    occupation_similarity: Any = None
    cluster_method: str = "leiden"
    cluster_resolution: float = 1.0
    seed: int = 0
    #: compute the cluster definitions (Leiden: seconds, in one thread) in a second process while this one
    #: computes every other indicator (Linux; elsewhere, or if the process cannot start, one after the other)
    parallel: bool = True
    diversification_top: int = 10
    #: ISIC codes (prefixes) of natural-resource-dependent industries (default: classify's list)
    natural_resource_industries: list[str] | None = None
    #: weights of the priority criteria (employment, wages, specialisation, growth, linkages); default equal groups
    priority_weights: dict[str, float] | None = None
    priority_method: str = "topsis"
    #: support institutions (universities, research institutes, chambers, accelerators, service providers...)
    #: by region, ``{region: count}``: each candidate cluster gets the support density of its region,
    #: count / establishments of the region x 100, which the life-cycle stage needs to call a cluster
    #: *developed*; regions not listed count 0.  None: support density unknown (never developed).
    support_institutions: Mapping[Any, float] | None = None
    #: region geometry (GeoJSON path or mapping, or a function of the region values returning one) and the
    #: property holding the region id, for Moran's I
    geometry: Any = None
    geometry_id_field: str | None = None
    spatial_industries: int = 20


@dataclass
class PipelineResult:
    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: str | Path) -> Path:
        """Write every table as Parquet and ``meta.json`` into ``directory`` (created)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            _parquet_safe(table).to_parquet(directory / f"{name}.parquet", index=False)
        (directory / "meta.json").write_text(json.dumps(_jsonable(self.meta), ensure_ascii=False, indent=1),
                                             encoding="utf-8")
        return directory


def run_pipeline(
    source: Any,
    columns: Mapping[str, str | None],
    options: PipelineOptions | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Aggregate raw records and compute every indicator.

    Parameters
    ----------
    source : str, path, pandas.DataFrame or Ibis table
        CSV or Parquet file (or glob), a database URL (with ``table`` in ``columns``), or a frame.
    columns : mapping
        ``region_col``, ``industry_col`` (required), ``value_col`` (employment; without it every record
        counts 1), ``year_col``, ``establishment_col``, ``wage_col``, and ``table`` for a database URL.
    options : PipelineOptions
    progress : callable(fraction, step)
        Called as the run goes (fraction in 0..1, an English step name).

    Raises
    ------
    AnalyticsInputError
        Naming the column, row or value, before any result is produced.
    """
    options = options or PipelineOptions()
    report = progress or (lambda fraction, step: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(fraction: float, name: str) -> None:
        timings[name] = time.perf_counter()
        report(fraction, name)

    columns = {k: v for k, v in columns.items() if v}
    if options.support_institutions is not None:
        _support_counts(options.support_institutions, pd.Index([]))  # checked before any work is done
    if "region_col" not in columns or "industry_col" not in columns:
        raise AnalyticsInputError("missing_column", "The region and industry columns are required.",
                                  column="region_col" if "region_col" not in columns else "industry_col")
    # The cluster definitions (Leiden, in a forked child) are the longest part of a run: everything before
    # the fork is on the critical path, where Python's full garbage collection (a tenth of a second with the
    # 200,000 objects pandas, Ibis and igraph leave) is held off.  At the fork the objects made so far are
    # frozen (``gc.freeze``, as Python's documentation advises around a fork): the collections of the rest
    # of the run then skip them, and do not write into every old object, which after a fork copies each
    # memory page holding one.  They are unfrozen at the end, back in the oldest generation.
    collecting, freezing = gc.isenabled(), gc.get_freeze_count() == 0  # (not if the caller froze objects)
    gc.disable()
    frozen = False

    def resume_collection() -> None:
        nonlocal frozen
        if freezing and not frozen:
            gc.freeze()
            frozen = True
        if collecting:
            gc.enable()

    early: dict[str, Any] = {}  # Leiden started on the provisional establishment counts (see start_early)
    try:
        step(0.02, "reading the data")
        table = agg.open_source(source, backend=options.backend, table=columns.get("table"))
        step(0.05, "aggregating by region and industry")

        def start_early(provisional: pd.DataFrame) -> None:
            """Start the Leiden child while the aggregation checks that no establishment repeats in the
            analysed year (a quarter of a second): on the counts of records, which are the distinct counts
            in the usual case.  Its result is used only if the final employment and establishment matrices
            are the same bit for bit; any failure here leaves the usual path (and its errors) to the end."""
            try:
                present = list(provisional.attrs.get("years", []))
                chosen = options.year if options.year is not None else (present[-1] if present else None)
                if chosen not in present:
                    return
                cells = agg.to_matrices(provisional, year=chosen, align=True,
                                        measures=["employment", "establishments"])
                employment = _drop_empty(cells["employment"])
                establishments = cells["establishments"].reindex_like(employment).fillna(0)
                scratch: dict[str, Any] = {}
                related, definitions = _start_definitions(employment, establishments, options, scratch)
            except Exception:  # noqa: BLE001 - only a head start: the usual path computes (or raises) it
                return
            early.update(employment=employment, establishments=establishments, related=related,
                         definitions=definitions, meta=scratch)
            resume_collection()
            if definitions is not None and definitions.forked:
                # The rest of the aggregation on one thread: Leiden has the other core.
                early["threads"] = agg.duckdb_threads(table, 1)

        # Establishment records with a size allow Ellison-Glaeser: the same query sums each cell's squared
        # record sizes (the plant Herfindahl's numerator), so the plants are never read a second time.
        plants = bool(columns.get("establishment_col") and columns.get("value_col"))
        # Only the analysed year's establishments are used (the first year gives employment only): counting
        # distinct establishments in that year alone is exact and far cheaper than in every year.
        establishment_years = None
        if columns.get("establishment_col") and columns.get("year_col"):
            establishment_years = "latest" if options.year is None else [options.year]
        long = agg.aggregate(
            table, region_col=columns["region_col"], industry_col=columns["industry_col"],
            value_col=columns.get("value_col"), year_col=columns.get("year_col"),
            establishment_col=columns.get("establishment_col"), wage_col=columns.get("wage_col"),
            missing_values=options.missing_values, establishment_years=establishment_years, plant_squares=plants,
            # the run compares the analysed year with the first one: other years are not grouped
            analysed_years=None if not columns.get("year_col") else ("latest" if options.year is None else [options.year]),
            provisional=start_early if options.parallel else None,
        )
        if early.get("threads") is not None:
            agg.duckdb_threads(table, early.pop("threads"))

        years = list(long.attrs.get("years", [])) if "year" in long.columns else []
        year = options.year if options.year is not None else (years[-1] if years else None)
        if years and year not in years:
            raise AnalyticsInputError("unknown_year", f"The year {year!r} is not in the data; years present: "
                                      f"{', '.join(map(str, years))}.", value=str(year))
        step(0.2, "building the region x industry matrices")
        matrices = agg.to_matrices(long, year=year, align=True) if years else agg.to_matrices(long, align=True)
        employment = _drop_empty(matrices["employment"])
        # Regions or industries with no activity in the analysed year are left out, and the run says which.
        dropped_regions = [str(r) for r in matrices["employment"].index.difference(employment.index)]
        dropped_industries = [str(i) for i in matrices["employment"].columns.difference(employment.columns)]
        establishments = matrices["establishments"].reindex_like(employment).fillna(0)
        wages = matrices.get("wages")
        base = None
        if len(years) > 1 and years[0] != year:
            base = agg.to_matrices(long, year=years[0], align=True, measures=["employment"])["employment"] \
                .reindex_like(employment).fillna(0)

        tables: dict[str, pd.DataFrame] = {}
        meta: dict[str, Any] = {"year": year, "years": years, "columns": dict(columns),
                                "options": {f.name: getattr(options, f.name) for f in fields(options) if f.name != "geometry"},
                                "regions": int(employment.shape[0]), "industries": int(employment.shape[1]),
                                "records_aggregated": int(len(long)),  # cells of the first and analysed years
                                "dropped_regions": dropped_regions, "dropped_industries": dropped_industries}

        # Related industries first: the Leiden cluster definitions (seconds, holding the GIL) then run in a
        # second process while this one computes every other indicator.
        step(0.22, "related industries and cluster definitions")
        if early and _same_matrix(early["employment"], employment) \
                and _same_matrix(early["establishments"], establishments):
            related, definitions = early["related"], early["definitions"]
            meta.update(early["meta"])
        else:
            if early.get("definitions") is not None:
                early["definitions"].close()
            related, definitions = _start_definitions(employment, establishments, options, meta)
        early.clear()
        resume_collection()
        try:
            region_industry, regions, industries, lq = _indicators(
                step, options, meta, tables, years, year, employment, establishments, wages, base, matrices, plants)
            # the tables that do not wait for the cluster definitions
            tables["region_industry"] = region_industry.reset_index()
            tables["regions"] = regions.reset_index()
            if related is not None:
                step(0.88, "related industries and cluster definitions")
                tables["relatedness_edges"] = relatedness.relatedness_network(related)
                groups = definitions.result()
                scores = relatedness.validation_scores(related, groups)
                tables["cluster_definitions"] = groups.rename("group").rename_axis("industry").reset_index()
                meta["cluster_validation"] = {"vs_cr": float(scores.vs_cr), "vs_ir": float(scores.vs_ir),
                                              "method": options.cluster_method}
                industries["cluster_group"] = groups
        finally:
            if definitions is not None:
                definitions.close()
    finally:
        if early.get("threads") is not None:  # the aggregation failed after the head start
            agg.duckdb_threads(table, early["threads"])
        if early.get("definitions") is not None:  # the run failed after the head start
            early["definitions"].close()
        if collecting:
            gc.enable()
        if frozen:
            gc.unfreeze()

    if options.geometry is not None and options.geometry_id_field:
        step(0.9, "spatial concentration")
        if callable(options.geometry):  # geometry that depends on the data's own region values
            options = replace(options, geometry=options.geometry([str(r) for r in employment.index]))
        spatial, local = _spatial(lq, employment.sum(axis=0), options)
        tables["spatial"], tables["spatial_local"] = spatial, local

    tables["industries"] = industries.reset_index()
    meta["seconds"] = round(time.perf_counter() - started, 3)
    # the English text for the command line; the thresholds, so that the web can show the rule translated
    meta["rules"] = {"lifecycle": classify.describe_rules(),
                     "lifecycle_rules": asdict(classify.DEFAULT_LIFECYCLE_RULES)}
    report(1.0, "done")
    return PipelineResult(tables=dict(sorted(tables.items())), meta=meta)


def _start_definitions(employment: pd.DataFrame, establishments: pd.DataFrame, options: PipelineOptions,
                       meta: dict[str, Any]) -> tuple[pd.DataFrame | None, _Background | None]:
    """The industry relatedness and the cluster definitions started on it in the background."""
    related = relatedness.colocation_relatedness(employment, establishments=establishments, method="both") \
        if employment.shape[0] >= 3 else None
    if related is not None and (options.input_output is not None or options.occupation_similarity is not None):
        parts = {"colocation": related}
        if options.input_output is not None:
            flows = _industry_matrix(options.input_output, "input_output", employment.columns, meta)
            parts["input_output"] = relatedness.input_output_relatedness(flows)
        if options.occupation_similarity is not None:
            parts["occupation"] = _industry_matrix(options.occupation_similarity, "occupation_similarity",
                                                   employment.columns, meta)
        related = relatedness.combine_relatedness(parts)
        meta["relatedness_sources"] = list(parts)
    if related is None:
        return None, None
    if options.cluster_method == "leiden":
        # Imported here, not in the forked child: importing igraph there (it loads matplotlib) while
        # this process has DuckDB's threads could crash the child, which then costs a second run.
        import igraph  # noqa: F401
        import leidenalg  # noqa: F401
    return related, _Background(relatedness.define_clusters, related, method=options.cluster_method,
                                resolution=options.cluster_resolution, seed=options.seed,
                                parallel=options.parallel)


def _same_matrix(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same labels (values, types and names) and the same values, bit for bit."""
    return (a.shape == b.shape and a.index.equals(b.index) and a.columns.equals(b.columns)
            and a.index.dtype == b.index.dtype and a.columns.dtype == b.columns.dtype
            and a.index.names == b.index.names and a.columns.names == b.columns.names
            and (a.dtypes == b.dtypes).all()
            and a.to_numpy().tobytes() == b.to_numpy().tobytes())


class _Background:
    """``function(*args, **kwargs)`` computed in a forked child process, collected by :meth:`result`.

    For the Leiden cluster definitions: ``leidenalg`` holds the GIL for its whole run, so a thread would
    not run alongside; a forked child shares the parent's memory (copy on write: nothing is copied or
    pickled on the way in) and sends back only the small result, pickled through a pipe.  Whatever goes
    wrong in the child (no ``fork`` on this system, an error, a result that does not pickle, the child
    killed) ends the same way: the parent computes the function itself, so that the result, or the
    error it raises, is exactly the one of a plain call.
    """

    def __init__(self, function: Callable[..., Any], *args: Any, parallel: bool = True, **kwargs: Any):
        self._call = (function, args, kwargs)
        self._pid: int | None = None
        self._pipe: int | None = None
        if not (parallel and sys.platform.startswith("linux") and hasattr(os, "fork")):
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:  # e.g. out of processes: compute in this process instead
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps(function(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            except BaseException:  # noqa: BLE001 - the parent computes it again and raises the error itself
                pass
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    @property
    def forked(self) -> bool:
        """Whether a child process computes it (not yet collected)."""
        return self._pid is not None

    def result(self) -> Any:
        if self._pid is not None:
            pipe, self._pipe = os.fdopen(self._pipe, "rb"), None  # the file object closes it from now on
            with pipe:
                payload = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            if os.waitstatus_to_exitcode(status) == 0 and payload:
                return pickle.loads(payload)
        function, args, kwargs = self._call
        return function(*args, **kwargs)

    def close(self) -> None:
        """Stop the child if its result was never collected (the run failed in between)."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = None


def _indicators(step, options, meta, tables, years, year, employment, establishments, wages, base, matrices,
                plants):
    """Every indicator but the cluster definitions: the region x industry, region and industry tables,
    the candidate clusters and the diversification opportunities (into ``tables``)."""
    step(0.25, "location quotients and stars")
    lq = indicators.location_quotient(employment)
    eco = stars.eco_stars(employment, size_quantile=options.eco_size_quantile,
                          specialisation_threshold=options.eco_specialisation_threshold,
                          focus_quantile=options.eco_focus_quantile)
    cmp = stars.cmp_strength(employment, establishments)

    step(0.35, "economic complexity")
    rca = complexity.rca(employment)
    present = complexity.presence(employment, threshold=options.presence_threshold)
    # One BLAS thread, as complexity_panel: on matrices this small, threads gain little and, on busy
    # cores, wait for each other (the eigen-decompositions took seconds instead of hundredths).
    with warnings.catch_warnings(), complexity._single_threaded_blas():
        warnings.simplefilter("ignore", complexity.ComplexityWarning)
        eci, pci = complexity.eci_pci(present)
        phi = complexity.proximity(present)
        density = complexity.density(present, phi)
        coi, cog = complexity.complexity_outlook(present, phi)  # ecomplexity's convention (un-normalised PCI)

    # Every column on one shared (region, industry) index: assembling the table then needs no realignment
    # (comparing indexes of every region-industry pair again and again took a second).
    cells = pd.MultiIndex.from_product([employment.index, employment.columns], names=["region", "industry"])

    def stack(frame: pd.DataFrame) -> pd.Series:
        return _stack(frame, employment, cells)

    columns = {
        "employment": stack(employment), "establishments": stack(establishments),
        "lq": stack(lq), "rca": stack(rca), "mcp": stack(present), "density": stack(density),
        "cog": stack(cog),
    }
    if wages is not None:
        columns["wages"] = stack(wages.reindex_like(employment).fillna(0))
    eco_cols = eco[["size", "specialisation", "focus", "stars"]].rename(
        columns={"size": "star_size", "specialisation": "star_specialisation", "focus": "star_focus"})
    cmp_cols = cmp[["strong", "strong10", "qualifying", "significant"]]
    # Every column is on ``cells``: one frame built at once (joining the stars and flags copied the table
    # twice more).
    for part in (_on_cells(eco_cols, cells), _on_cells(cmp_cols, cells)):
        columns.update(part.items())
    region_industry = pd.DataFrame(columns, index=cells)

    step(0.45, "growth and shift-share")
    if base is not None:
        span = float(year) - float(years[0]) if _is_number(year) and _is_number(years[0]) else len(years) - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(base.to_numpy() > 0,
                              (employment.to_numpy() / np.where(base.to_numpy() > 0, base.to_numpy(), 1)) ** (1 / span) - 1,
                              np.nan)
        region_industry["growth"] = stack(pd.DataFrame(growth, index=employment.index, columns=employment.columns))
        region_industry["employment_base"] = stack(base)
        shift = indicators.shift_share(base, employment)
        region_industry["national_share"] = stack(shift.national_share)
        region_industry["industry_mix"] = stack(shift.industry_mix)
        region_industry["regional_shift"] = stack(shift.regional_shift)
        meta["growth_years"] = [years[0], year]

    step(0.55, "regional and industry indicators")
    krugman = indicators.krugman_specialisation(employment)
    regions = pd.DataFrame({
        "employment": employment.sum(axis=1), "establishments": establishments.sum(axis=1),
        "industries_present": (employment > 0).sum(axis=1),
        "diversity": present.sum(axis=1), "eci": eci, "coi": coi,
        "krugman": krugman["index"], "hachman": indicators.hachman(employment),
        "entropy": indicators.entropy(employment), "herfindahl": indicators.herfindahl(employment),
    })
    regions.index.name = "region"
    if options.support_institutions is not None:
        regions["support_institutions"] = _support_counts(options.support_institutions, regions.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            regions["support_density"] = (regions["support_institutions"] * 100
                                          / regions["establishments"].where(regions["establishments"] > 0))
        meta["support_institutions"] = {"institutions": float(regions["support_institutions"].sum()),
                                        "regions_with_institutions": int((regions["support_institutions"] > 0).sum())}
    industry_totals = employment.sum(axis=0)
    types = classify.cluster_type(employment, natural_resource_industries=options.natural_resource_industries)
    tech = classify.technology_level([str(c) for c in employment.columns], errors="ignore")
    tech.index = employment.columns
    industries = pd.DataFrame({
        "employment": industry_totals, "establishments": establishments.sum(axis=0),
        "regions_present": (employment > 0).sum(axis=0), "ubiquity": present.sum(axis=0), "pci": pci,
        "locational_gini": indicators.locational_gini(employment),
        "hoover": indicators.hoover(employment, "totals"),
        "tech_level": tech["tech_level"], **_reason_columns("tech", tech),
        "cluster_type": types["cluster_type"], **_reason_columns("type", types),
    })
    industries.index.name = "industry"
    if base is not None:
        base_totals = base.sum(axis=0)
        industries["growth"] = indicators.cagr(base_totals.where(base_totals > 0), industry_totals,
                                               float(len(years) - 1) if not _is_number(year) else float(year) - float(years[0]))
    if plants:
        step(0.6, "Ellison-Glaeser agglomeration")
        industries = industries.join(_ellison_glaeser(matrices), how="left")

    step(0.75, "candidate clusters: stage, type and priority")
    tables["clusters"] = _candidate_clusters(region_industry, industries, regions, options)

    step(0.85, "diversification opportunities")
    tables["diversification"] = diversification.opportunities(present, phi, pci, top=options.diversification_top,
                                                             density=density, cog=cog)

    return region_industry, regions, industries, lq


def _candidate_clusters(region_industry: pd.DataFrame, industries: pd.DataFrame, regions: pd.DataFrame,
                        options: PipelineOptions) -> pd.DataFrame:
    """Region x industry pairs worth a look, classified and ranked by their effect on the region."""
    strong = region_industry["strong"].fillna(False).astype(bool)
    chosen = region_industry[(region_industry["stars"] >= options.candidate_min_stars) | strong].copy()
    if chosen.empty:
        return pd.DataFrame(columns=["region", "industry", "stars", "strong", "stage", "rank", "score"])
    if "growth" not in chosen.columns:
        chosen["growth"] = np.nan
    lifecycle_columns = ["employment", "establishments", "growth"]
    if "support_density" in regions.columns:
        # the support institutions of the cluster's region serve it (see PipelineOptions.support_institutions)
        chosen["support_density"] = regions["support_density"].reindex(
            chosen.index.get_level_values("region")).to_numpy()
        lifecycle_columns.append("support_density")
    stage = classify.lifecycle_stage(chosen[lifecycle_columns])
    chosen["stage"] = stage["stage"]
    for column, values in _reason_columns("stage", stage).items():
        chosen[column] = values
    industry_of = chosen.index.get_level_values("industry")
    for column in ("tech_level", "tech_reason", "tech_reason_code", "tech_reason_params",
                   "cluster_type", "type_reason", "type_reason_code", "type_reason_params"):
        chosen[column] = industries[column].reindex(industry_of).to_numpy()
    criteria = pd.DataFrame({"employment": chosen["employment"], "specialisation": chosen["lq"],
                             "linkages": chosen["density"]})
    if "wages" in chosen.columns and chosen["wages"].sum() > 0:
        criteria["wages"] = chosen["wages"]
    if chosen["growth"].notna().any():
        criteria["growth"] = chosen["growth"].fillna(chosen["growth"].median())
    if len(criteria) >= 2:
        flat = criteria.reset_index(drop=True)  # the decision engine takes one label per alternative
        ranking = decision.rank_clusters(flat, weights=_present(options.priority_weights, flat),
                                         method=options.priority_method)
        chosen["score"] = ranking.table["score"].to_numpy()
        chosen["rank"] = ranking.table["rank"].to_numpy()
    else:
        chosen["score"], chosen["rank"] = 1.0, 1
    return chosen.reset_index().sort_values("rank", kind="stable").reset_index(drop=True)


def _reason_columns(prefix: str, classified: pd.DataFrame) -> dict[str, pd.Series]:
    """``<prefix>_reason`` (English), ``<prefix>_reason_code`` and ``<prefix>_reason_params`` (JSON text,
    so that Parquet and CSV hold the same thing) of a classify result."""
    params = pd.Series(_params_texts(classified["reason_params"].tolist()), index=classified.index, dtype=object)
    return {f"{prefix}_reason": classified["reason"], f"{prefix}_reason_code": classified["reason_code"],
            f"{prefix}_reason_params": params}


#: One encoder for every reason: ``json.dumps`` builds a new one per call.  ``allow_nan=False`` makes it
#: refuse NaN and infinity, which :func:`_jsonable` writes as null.
_PARAMS_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)
_PLAIN = (str, int, float, bool, type(None))


def _params_text(params: Any) -> str | None:
    """The JSON text of one classification's reason parameters, ``json.dumps(_jsonable(params))``.

    A flat dict of plain Python values with text keys (what the classifiers give, 27,000 of them in a
    10-million-row run) is encoded directly, in C; anything else (NumPy values, nested values, NaN, keys
    that are not text) goes through :func:`_jsonable` first.  Both give the same text.
    """
    if params is None:
        return None
    if type(params) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in params.items()):
        try:
            return _PARAMS_ENCODER.encode(params)
        except ValueError:  # NaN or infinity: null, as _jsonable writes it
            pass
    return json.dumps(_jsonable(params), ensure_ascii=False, sort_keys=True)


def _params_texts(values: list[Any]) -> list[str | None]:
    """:func:`_params_text` of every item; column by column when the items are flat dicts with the same
    text keys (the classifiers' reasons, 27,000 for the candidate clusters of a 10-million-row run).

    Each key's values are written once per column (``float.__repr__`` and ``int.__repr__`` are what
    ``json`` writes for plain floats and ints); keys whose value is the same in every row (the rule's
    thresholds) become literal text of one ``%`` template, which then formats every row in one C call.
    Anything the columns cannot write exactly (NumPy values, nested values, other types) falls back to
    :func:`_params_text` row by row: the text is the same either way.
    """
    first = values[0] if values else None
    if (type(first) is not dict or not first or not all(type(k) is str for k in first)
            or not all(type(p) is dict and p.keys() == first.keys() for p in values)):
        return [_params_text(p) for p in values]
    template, varying = ["{"], []
    for n, key in enumerate(sorted(first)):
        texts = _json_column([p[key] for p in values])
        if texts is None:
            return [_params_text(p) for p in values]
        template.append((", " if n else "") + _PARAMS_ENCODER.encode(key).replace("%", "%%") + ": ")
        if len(set(texts)) == 1:
            template.append(texts[0].replace("%", "%%"))
        else:
            template.append("%s")
            varying.append(texts)
    template.append("}")
    pattern = "".join(template)
    if not varying:
        return [pattern.replace("%%", "%")] * len(values)
    return [pattern % row for row in zip(*varying, strict=True)]


def _json_column(column: list[Any]) -> list[str] | None:
    """The JSON text of every value of a column of plain values (None when one is not plain)."""
    types = set(map(type, column))
    if types == {float} and all(map(math.isfinite, column)):
        return list(map(float.__repr__, column))
    if types == {int}:
        return list(map(int.__repr__, column))
    if types <= {float, int, bool, type(None)}:
        return ["null" if v is None or (type(v) is float and not math.isfinite(v))
                else ("true" if v else "false") if type(v) is bool else repr(v) for v in column]
    if types == {str}:
        return list(map(_PARAMS_ENCODER.encode, column))
    return None


def _support_counts(counts: Any, regions: pd.Index) -> pd.Series:
    """Support institutions per region of the data, checked: a mapping of region -> number >= 0.

    Keys match the data's region values as text (JSON keys are text); regions not listed count 0, listed
    regions without data are ignored (a registry lists every region, the data may cover some)."""
    if not isinstance(counts, Mapping):
        raise AnalyticsInputError(
            "invalid_support_institutions", "support_institutions must map each region to its number of "
            f"support institutions, got {type(counts).__name__}.", region="", value=type(counts).__name__)
    by_text: dict[str, float] = {}
    for region, count in counts.items():
        try:
            number = float(count)
        except (TypeError, ValueError):
            number = float("nan")
        if not math.isfinite(number) or number < 0:
            raise AnalyticsInputError(
                "invalid_support_institutions", f"support_institutions: region {region!r} has {count!r} "
                "support institutions; give a number of zero or more.", region=str(region), value=str(count))
        by_text[str(region)] = by_text.get(str(region), 0.0) + number
    return pd.Series([by_text.get(str(r), 0.0) for r in regions], index=regions, dtype=float)


def _present(weights: Mapping[str, float] | None, criteria: pd.DataFrame) -> dict[str, float] | None:
    if not weights:
        return None
    chosen = {k: float(v) for k, v in weights.items() if k in criteria.columns and v and v > 0}
    return chosen or None


def _ellison_glaeser(matrices: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Ellison-Glaeser gamma per industry from the analysed year's cells: each record is a plant (one
    row per establishment and year), its squared size summed per cell by the aggregation."""
    try:
        result = indicators.ellison_glaeser_from_cells(matrices["employment"], matrices["employment_squares"])
    except AnalyticsInputError:
        return pd.DataFrame({"ellison_glaeser": pd.Series(dtype=float)})  # no employment: the column stays empty
    return result[["gamma"]].rename(columns={"gamma": "ellison_glaeser"})


def _spatial(lq: pd.DataFrame, industry_totals: pd.Series, options: PipelineOptions):
    from khooshe.analytics import spatial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spatial.SpatialDataWarning)
        weights = spatial.weights_from_geometry(options.geometry, id_field=options.geometry_id_field)
        rows, local_rows = [], []
        for industry in industry_totals.sort_values(ascending=False).index[: options.spatial_industries]:
            values = lq[industry]
            try:
                result = spatial.morans_i(values, weights, seed=options.seed)
                local = spatial.local_morans(values, weights, seed=options.seed)
            except AnalyticsInputError:
                continue  # e.g. the industry's regions are not on the map
            rows.append({"industry": industry, "moran_i": result.i, "z": result.z, "p_value": result.p})
            local = local.rename(columns={"p": "p_value"})
            local["industry"] = industry
            local_rows.append(local.rename_axis("region").reset_index())
    spatial_table = pd.DataFrame(rows, columns=["industry", "moran_i", "z", "p_value"])
    local_table = pd.concat(local_rows, ignore_index=True) if local_rows else pd.DataFrame(
        columns=["region", "industry", "local_i", "quadrant", "p_value", "hot_spot"])
    return spatial_table, local_table


def _industry_matrix(source: Any, name: str, industries: pd.Index, meta: dict) -> pd.DataFrame:
    """An industry x industry matrix given by the user, on the data's industries (absent ones count 0)."""
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        try:
            frame = pd.read_csv(source, index_col=0, dtype={0: str})
        except (OSError, ValueError) as exc:
            raise AnalyticsInputError("unreadable_source", f"{name}: cannot read {source!r} ({exc}).",
                                      value=str(source)) from None
    frame.index = frame.index.map(str)
    frame.columns = frame.columns.map(str)
    wanted = industries.map(str)
    missing = [i for i in wanted if i not in frame.index or i not in frame.columns]
    if len(missing) == len(wanted):
        raise AnalyticsInputError(
            "label_mismatch", f"{name}: none of the data's industries ({', '.join(list(wanted)[:5])} ...) is "
            "in the matrix; give the industries as the first column and the header, with the same codes.",
            column=name)
    if missing:
        meta.setdefault("relatedness_missing", {})[name] = missing
    out = frame.reindex(index=wanted, columns=wanted).fillna(0.0)
    out.index, out.columns = industries, industries
    return out


def _drop_empty(employment: pd.DataFrame) -> pd.DataFrame:
    """Regions and industries with no activity at all carry no information (and would divide by zero)."""
    employment = employment.loc[employment.sum(axis=1) > 0, employment.sum(axis=0) > 0]
    if employment.shape[0] < 2:
        raise AnalyticsInputError(
            "single_region", "The data hold fewer than two regions with activity; location quotients "
            "compare regions, so give at least two.", got=int(employment.shape[0]))
    if employment.shape[1] < 2:
        raise AnalyticsInputError(
            "too_few_industries", "The data hold fewer than two industries with activity; give at least two.",
            got=int(employment.shape[1]))
    return employment


def _stack(frame: pd.DataFrame, like: pd.DataFrame, cells: pd.MultiIndex) -> pd.Series:
    """One value per (region, industry) on ``cells`` (the pairs of ``like``'s labels, region-major).

    The same as ``frame.stack(future_stack=True)`` aligned on ``cells``, built from the raw values: pandas'
    stack selects the frame column by column (600 industries took half a second per matrix, a third of a
    whole 10-million-row run).
    """
    if not (frame.index.equals(like.index) and frame.columns.equals(like.columns)):
        frame = frame.reindex(index=like.index, columns=like.columns)
    return pd.Series(frame.to_numpy().ravel(), index=cells)


def _on_cells(frame: pd.DataFrame, cells: pd.MultiIndex) -> pd.DataFrame:
    """A table indexed by (region, industry) on the shared index ``cells`` (realigned only if it differs)."""
    if _same_cells(frame.index, cells):
        return frame.set_axis(cells)
    return frame.set_axis(frame.index.set_names(cells.names)).reindex(cells)


def _same_cells(index: pd.Index, cells: pd.MultiIndex) -> bool:
    """``index.equals(cells)``; for two MultiIndexes with equal levels, by their codes (pandas compares
    the 240,000 pairs of labels one by one)."""
    if (isinstance(index, pd.MultiIndex) and index.nlevels == cells.nlevels and len(index) == len(cells)
            and all(a.equals(b) and np.array_equal(x, y)
                    for a, b, x, y in zip(index.levels, cells.levels, index.codes, cells.codes, strict=True))):
        return True
    return index.equals(cells)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _parquet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs one type per column: nested reason parameters become JSON text, labels text."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object:
            sample = out[column].dropna()
            if not sample.empty and isinstance(sample.iloc[0], dict | list | tuple):
                out[column] = out[column].map(lambda v: json.dumps(_jsonable(v), ensure_ascii=False))
            else:
                out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
