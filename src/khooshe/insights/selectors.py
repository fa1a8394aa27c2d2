"""Reads of the insights app: what a user may see, pages of result tables, the map and the priority table.

Result tables are read with DuckDB one page at a time (``results``); region and industry values of the
data are shown with the names of the registry regions and sectors they match (``match_labels``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from django.utils.translation import get_language

from khooshe.core.text import fold, normalize
from khooshe.registry.models import Organization, Region, Sector
from khooshe.registry.selectors import visible_organizations  # noqa: F401  (re-exported for services)

from . import glossary, results, storage
from .models import AnalysisRun, Dataset

# Tables whose default order puts the most telling rows first.
DEFAULT_SORT = {
    "clusters": "rank", "regions": "-employment", "industries": "-employment", "region_industry": "-lq",
    "diversification": "region,rank", "relatedness_edges": "-weight", "spatial": "-moran_i",
    "spatial_local": "-local_i", "cluster_definitions": "group",
}
TAB_ORDER = ["clusters", "regions", "industries", "region_industry", "diversification"]
PRIORITY_MAX_CANDIDATES = 50_000
PER_PAGE_CHOICES = (25, 50, 100, 250)


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


def visible_runs(user):
    return AnalysisRun.objects.visible_to(user).select_related("dataset", "created_by")


def visible_datasets(user):
    return Dataset.objects.visible_to(user)


def table_path(run: AnalysisRun, name: str) -> Path | None:
    """The Parquet file of a result table of a succeeded run, or None (an unknown name never reaches the
    file system: only the names recorded on the run are accepted)."""
    if run.status != AnalysisRun.Status.SUCCEEDED or name not in (run.tables or {}):
        return None
    path = storage.run_dir(run.pk) / f"{name}.parquet"
    return path if path.exists() else None


def table_columns(run: AnalysisRun, name: str) -> list[results.Column]:
    return [results.Column(n, t) for n, t in (run.tables or {}).get(name, {}).get("columns", [])]


def tabs(run: AnalysisRun) -> list[str]:
    names = list((run.tables or {}).keys())
    ordered = [n for n in TAB_ORDER if n in names]
    return ordered + sorted(n for n in names if n not in ordered)


# -- names of regions and industries -------------------------------------------------------------------
_REGION_WORDS = ("استان ", "شهرستان ", "province of ", "county of ")
_REGION_SUFFIXES = (" province", " county", " ostan")
_KIND_PREFERENCE = {Region.Kind.PROVINCE: 0, Region.Kind.COUNTY: 1, Region.Kind.COUNTRY: 2, Region.Kind.OTHER: 3}


def _region_keys(text: str) -> set[str]:
    key = fold(text)
    keys = {key}
    for word in _REGION_WORDS:
        if key.startswith(word):
            keys.add(key[len(word):].strip())
    for word in _REGION_SUFFIXES:
        if key.endswith(word):
            keys.add(key[: -len(word)].strip())
    return {k for k in keys if k}


def match_regions(values) -> dict[str, dict]:
    """Registry regions of the data's region values: by code, else by name (Persian or English, with or
    without "استان"/"province"), normalized; a province wins over a county of the same name."""
    values = [str(v) for v in values if v is not None]
    if not values:
        return {}
    by_code, by_name = {}, {}
    regions = Region.objects.values_list("pk", "code", "kind", "name_fa", "name_en", "latitude", "longitude")
    for pk, code, kind, name_fa, name_en, lat, lon in regions:
        info = {"id": pk, "code": code, "kind": kind, "name_fa": name_fa, "name_en": name_en or name_fa,
                "lat": lat, "lon": lon}
        by_code[fold(code)] = info
        for name in (name_fa, name_en):
            for key in _region_keys(name or ""):
                current = by_name.get(key)
                if current is None or _KIND_PREFERENCE.get(kind, 9) < _KIND_PREFERENCE.get(current["kind"], 9):
                    by_name[key] = info
    matched = {}
    for value in values:
        info = by_code.get(fold(value))
        if info is None:
            info = next((by_name[k] for k in _region_keys(value) if k in by_name), None)
        if info is not None:
            matched[value] = dict(info)
    _locate_by_organizations(matched)
    return matched


def _locate_by_organizations(matched: dict[str, dict]) -> None:
    """Give a matched region without coordinates (counties usually have none) the average position of the
    public organizations located in it, so that the map can still show it as a point."""
    from django.db.models import Avg

    from khooshe.registry.models import Visibility

    missing = {info["id"] for info in matched.values() if info["lat"] is None or info["lon"] is None}
    if not missing:
        return
    located = {
        row["region_id"]: (row["lat"], row["lon"])
        for row in Organization.objects.filter(region_id__in=missing, visibility=Visibility.PUBLIC,
                                               latitude__isnull=False, longitude__isnull=False)
        .values("region_id").annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    }
    for info in matched.values():
        if info["id"] in located and (info["lat"] is None or info["lon"] is None):
            info["lat"], info["lon"] = located[info["id"]]


def match_industries(values) -> dict[str, dict]:
    """Registry sectors of the data's industry values, by code (ISIC Rev.4 first, then other lists)."""
    values = [str(v) for v in values if v is not None]
    if not values:
        return {}
    codes = {normalize(v): v for v in values}
    matched = {}
    sectors = Sector.objects.filter(code__in=list(codes)).values_list("pk", "code", "scheme", "title_fa", "title_en",
                                                                       "path")
    for pk, code, scheme, title_fa, title_en, path in sorted(sectors, key=lambda s: s[2] != "ISIC4"):
        value = codes.get(code)
        if value is not None and value not in matched:
            matched[value] = {"id": pk, "code": code, "scheme": scheme, "title_fa": title_fa or title_en,
                              "title_en": title_en or title_fa, "path": path}
    return matched


def region_geometry(values, *, minimum: int = 4) -> dict | None:
    """Boundaries of the registry provinces matching the data's region values, as GeoJSON whose
    ``region_id`` property is the data's value (the pipeline's spatial analysis); None when fewer than
    ``minimum`` regions have one (too few neighbours for Moran's I)."""
    from khooshe.registry.selectors import simplify_geometry

    matched = {value: info for value, info in match_regions(values).items() if info["kind"] == Region.Kind.PROVINCE}
    boundaries = dict(Region.objects.filter(pk__in=[i["id"] for i in matched.values()], boundary__isnull=False)
                      .values_list("pk", "boundary"))
    features = []
    for value, info in matched.items():
        boundary = boundaries.get(info["id"])
        if isinstance(boundary, dict) and boundary.get("type") == "Feature":
            boundary = boundary.get("geometry")
        geometry = simplify_geometry(boundary) if isinstance(boundary, dict) else None
        if geometry is not None:
            features.append({"type": "Feature", "properties": {"region_id": value}, "geometry": geometry})
    if len(features) < minimum:
        return None
    return {"type": "FeatureCollection", "features": features}


def match_labels(folder: Path, tables: dict) -> dict:
    """The ``labels`` of a run: its region and industry values matched to the registry."""
    def values_of(column: str, names: list[str]) -> list:
        for name in names:
            path = folder / f"{name}.parquet"
            if name in tables and path.exists():
                found = results.distinct_values(path, column)
                if found:
                    return found
        return []

    regions = values_of("region", ["regions", "region_industry", "clusters"])
    industries = values_of("industry", ["industries", "region_industry", "clusters"])
    return {"regions": match_regions(regions), "industries": match_industries(industries)}


def region_name(run: AnalysisRun, value) -> str:
    info = (run.labels or {}).get("regions", {}).get(str(value))
    if not info:
        return ""
    return info["name_fa"] if _persian() else info["name_en"]


def industry_name(run: AnalysisRun, value) -> str:
    info = (run.labels or {}).get("industries", {}).get(str(value))
    if not info:
        return ""
    return info["title_fa"] if _persian() else info["title_en"]


def matched_region(run: AnalysisRun, value) -> Region | None:
    info = (run.labels or {}).get("regions", {}).get(str(value))
    return Region.objects.defer("boundary").filter(pk=info["id"]).first() if info else None


def matched_sector(run: AnalysisRun, value) -> Sector | None:
    info = (run.labels or {}).get("industries", {}).get(str(value))
    return Sector.objects.filter(pk=info["id"]).first() if info else None


def _values_matching(run: AnalysisRun, q: str) -> dict[str, list[str]]:
    """Region and industry values whose registry name contains the search text (so that "کرمان" finds
    the rows of region "IR-15")."""
    term = fold(q)
    if not term:
        return {}
    labels = run.labels or {}
    found = {}
    for column, kind, keys in (("region", "regions", ("name_fa", "name_en")),
                               ("industry", "industries", ("title_fa", "title_en"))):
        values = [value for value, info in labels.get(kind, {}).items()
                  if any(term in fold(info.get(k) or "") for k in keys)]
        if values:
            found[column] = values[:1000]
    return found


# -- pages of a result table -------------------------------------------------------------------------------
@dataclass
class TableRequest:
    sort: str = ""
    q: str = ""
    filters: list[results.Filter] = field(default_factory=list)
    page: int = 1
    per_page: int = 50
    errors: dict[str, str] = field(default_factory=dict)


RESERVED_PARAMS = {"sort", "ordering", "q", "page", "page_size", "per_page", "format", "tab", "table", "only"}


def parse_table_request(run: AnalysisRun, name: str, params, *, default_per_page: int = 50) -> TableRequest:
    """Sort, search, filters and page from a query string. Filters: ``<column>=value`` (equal),
    ``<column>__gte=`` / ``<column>__lte=`` (range), ``only=<yes/no column>`` (only the rows where it is
    yes). Unknown columns and bad values are collected in ``errors`` by parameter name."""
    columns = {c.name: c for c in table_columns(run, name)}
    request = TableRequest(sort=(params.get("sort") or params.get("ordering") or DEFAULT_SORT.get(name, "")).strip(),
                           q=(params.get("q") or "").strip()[:200])
    # Keep the default sort only if the table has those columns.
    try:
        results.parse_sort(columns, request.sort)
    except results.TableQueryError as exc:
        if params.get("sort") or params.get("ordering"):
            request.errors["ordering" if params.get("ordering") else "sort"] = exc.message
        request.sort = ""
    for key in params:
        if key in RESERVED_PARAMS:
            continue
        column, _sep, op = key.partition("__")
        op = op or "eq"
        if column not in columns or op not in ("eq", "gte", "lte"):
            request.errors[key] = f"Unknown filter {key!r}: give a column of the table, optionally with __gte or __lte."
            continue
        value = params.get(key)
        if value in (None, ""):
            continue
        request.filters.append(results.Filter(column, op, value))
    for only in params.getlist("only") if hasattr(params, "getlist") else [params.get("only")]:
        if not only:
            continue
        if only in columns and columns[only].kind == "bool":
            request.filters.append(results.Filter(only, "true"))
        else:
            request.errors["only"] = f"{only!r} is not a yes/no column of this table."
    for key, default, low, high in (("page", 1, 1, 10**9), ("page_size", default_per_page, 1, results.MAX_PER_PAGE),
                                    ("per_page", None, 1, results.MAX_PER_PAGE)):
        raw = params.get(key)
        if raw in (None, ""):
            if default is not None:
                setattr(request, "page" if key == "page" else "per_page", default)
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            request.errors[key] = f"{raw!r} is not a whole number."
            continue
        if not low <= number <= high:
            request.errors[key] = f"Give a number from {low} to {high}."
            continue
        setattr(request, "page" if key == "page" else "per_page", number)
    return request


def table_page(run: AnalysisRun, name: str, request: TableRequest) -> results.TablePage:
    path = table_path(run, name)
    if path is None:
        raise results.TableQueryError("table", f"This analysis has no table {name!r}.")
    import duckdb

    matches = _values_matching(run, request.q)
    try:
        return results.query(path, sort=request.sort, filters=request.filters, q=normalize(request.q) or None,
                             q_values=matches, page=request.page, per_page=request.per_page,
                             columns=table_columns(run, name))
    except duckdb.Error as exc:  # e.g. a value DuckDB cannot compare: a bad request, not a crash
        raise results.TableQueryError("q", str(exc).splitlines()[0][:300]) from exc


def last_year(run: AnalysisRun, name: str) -> int | None:
    """The year shown: the latest of a table that has a year column, else the year the pipeline analysed."""
    path = table_path(run, name)
    if path is None or "year" not in {c.name for c in table_columns(run, name)}:
        return (run.meta or {}).get("year")
    values = results.distinct_values(path, "year")
    return int(max(values)) if values else None


# -- the map -----------------------------------------------------------------------------------------------
MAP_MEASURES = ("lq", "employment", "rca", "stars", "density", "establishments", "wages")


def map_measures(run: AnalysisRun) -> list[str]:
    names = {c.name for c in table_columns(run, "region_industry")}
    return [m for m in MAP_MEASURES if m in names]


def map_data(run: AnalysisRun, industry: str, measure: str = "lq") -> dict:
    """The measure of one industry in every region, for the choropleth: provinces by their registry id
    (the features of ``registry:region_boundaries``), other matched regions as points, and the region
    values that match no registry region."""
    path = table_path(run, "region_industry")
    if path is None or measure not in map_measures(run):
        raise results.TableQueryError("measure", f"This analysis has no {measure!r} by region and industry.")
    filters = [results.Filter("industry", "eq", industry)]
    year = last_year(run, "region_industry")
    if year is not None and "year" in {c.name for c in table_columns(run, "region_industry")}:
        filters.append(results.Filter("year", "eq", year))
    frame = results.fetch_frame(path, ["region", measure], filters)
    labels = (run.labels or {}).get("regions", {})
    provinces, points, unmatched = {}, [], []
    for region, value in zip(frame["region"], frame[measure], strict=True):
        value = None if value is None or (isinstance(value, float) and not math.isfinite(value)) else float(value)
        info = labels.get(str(region))
        if info is None:
            unmatched.append(str(region))
            continue
        name = info["name_fa"] if _persian() else info["name_en"]
        if info["kind"] == Region.Kind.PROVINCE:
            provinces[str(info["id"])] = {"value": value, "region": str(region), "name": name}
        elif info.get("lat") is not None and info.get("lon") is not None:
            points.append({"value": value, "region": str(region), "name": name, "lat": info["lat"],
                           "lon": info["lon"]})
        else:
            unmatched.append(str(region))
    values = [v["value"] for v in provinces.values() if v["value"] is not None] + [
        p["value"] for p in points if p["value"] is not None]
    return {"industry": industry, "industry_name": industry_name(run, industry), "measure": measure,
            "measure_name": glossary.column_title(measure), "year": year, "provinces": provinces, "points": points,
            "unmatched": sorted(unmatched), "max": max(values) if values else None,
            "min": min(values) if values else None}


def industry_choices(run: AnalysisRun, limit: int = 5000) -> list[tuple[str, str]]:
    """(value, label) of the industries of a run, for the map's select."""
    for name in ("industries", "region_industry"):
        path = table_path(run, name)
        if path is not None:
            values = results.distinct_values(path, "industry", limit=limit)
            return [(str(v), f"{v} — {industry_name(run, v)}" if industry_name(run, v) else str(v)) for v in values]
    return []


# -- the cluster-priority table ------------------------------------------------------------------------------
def priority_criteria(run: AnalysisRun) -> list[tuple[str, list[str]]]:
    """The criteria the priority table can weigh, by group: numeric columns of the candidate clusters
    (or of their region-industry rows) that hold at least one value (no growth without years)."""
    present: set[str] = set()
    for name in ("clusters", "region_industry"):
        path = table_path(run, name)
        numeric = [c.name for c in table_columns(run, name) if c.kind in ("number", "bool")]
        wanted = [n for _title, names in glossary.CRITERIA_GROUPS for n in names if n in numeric and n not in present]
        if path is None or not wanted:
            continue
        with results.cursor() as con:
            counts = con.execute(f"SELECT {', '.join(f'count({results.quote(n)})' for n in wanted)} "
                                 "FROM read_parquet(?)", [str(path)]).fetchone()
        present |= {n for n, count in zip(wanted, counts, strict=True) if count}
    groups = []
    for title, names in glossary.CRITERIA_GROUPS:
        chosen = [n for n in names if n in present]
        if chosen:
            groups.append((str(title), chosen))
    return groups


def priority_frame(run: AnalysisRun):
    """The candidate clusters with their criteria (the region-industry figures of the latest year)."""
    clusters = table_path(run, "clusters")
    if clusters is None:
        return None
    cluster_columns = [c.name for c in table_columns(run, "clusters")]
    region_industry = table_path(run, "region_industry")
    wanted = [name for _title, names in priority_criteria(run) for name in names]
    extra = [n for n in wanted if n not in cluster_columns]
    if region_industry is None or not extra or not {"region", "industry"} <= set(cluster_columns):
        return results.fetch_frame(clusters)
    year = last_year(run, "region_industry")
    quoted = ", ".join(f'ri."{n}"' for n in extra)
    has_year = "year" in {c.name for c in table_columns(run, "region_industry")}
    year_join = f" AND ri.year = {int(year)}" if year is not None and has_year else ""
    with results.cursor() as con:
        return con.execute(
            f"SELECT c.*, {quoted} FROM read_parquet(?, file_row_number = true) c "
            f"LEFT JOIN read_parquet(?) ri ON ri.region = c.region AND ri.industry = c.industry{year_join} "
            f"ORDER BY c.file_row_number LIMIT {PRIORITY_MAX_CANDIDATES}",
            [str(clusters), str(region_industry)],
        ).df().drop(columns=["file_row_number"])


def default_weights(run: AnalysisRun) -> dict[str, float]:
    return {name: 1.0 for _title, names in priority_criteria(run) for name in names}


def parse_weights(run: AnalysisRun, params) -> dict[str, float]:
    weights = default_weights(run)
    for name in weights:
        raw = params.get(f"w_{name}")
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if math.isfinite(value):
            weights[name] = max(0.0, min(10.0, value))
    return weights


@dataclass
class PriorityTable:
    columns: list[str]
    rows: list[dict]
    total: int
    page: int
    per_page: int
    method: str
    weights: dict[str, float]
    engine_missing: bool = False
    criteria: list[str] = field(default_factory=list)
    ranked: object = None  # every candidate (search or not), best first: what the sensitivity varies

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def priority_table(run: AnalysisRun, *, weights: dict[str, float], method: str = "weighted_sum", q: str = "",
                   page: int = 1, per_page: int = 50) -> PriorityTable | None:
    """The candidate clusters ranked by the weighted criteria (``services.rank_alternatives``)."""
    from .services import rank_alternatives  # services imports this module

    frame = priority_frame(run)
    if frame is None:
        return None
    method = method if method in ("weighted_sum", "topsis") else "weighted_sum"
    engine_missing = False
    criteria = [n for n in weights if n in frame.columns]
    try:
        scores, ranks = rank_alternatives(frame[criteria], weights, method)
        frame = frame.assign(score=scores, rank=ranks)
    except ImportError:  # the decision engine is not installed: keep the pipeline's own score and rank
        engine_missing = True
    if "rank" in frame.columns:
        frame = frame.sort_values("rank", kind="stable")
    ranked = frame
    if q:
        matches = _values_matching(run, q)
        term = fold(q)
        mask = frame["region"].astype(str).map(lambda v: term in fold(v)) | frame["industry"].astype(str).map(
            lambda v: term in fold(v))
        for column, values in matches.items():
            mask |= frame[column].astype(str).isin(values)
        frame = frame[mask]
    total = len(frame)
    start = (page - 1) * per_page
    shown = frame.iloc[start: start + per_page]
    columns = [c for c in ["rank", "region", "industry", "score", "stars", "strong", "stage", "cluster_type",
                           "tech_level", *criteria] if c in frame.columns]
    columns = list(dict.fromkeys(columns))
    return PriorityTable(columns=columns, rows=shown.to_dict("records"), total=total, page=page,
                         per_page=per_page, method=method, weights=weights, engine_missing=engine_missing,
                         criteria=criteria, ranked=ranked)


# -- AHP and sensitivity of the priority table -----------------------------------------------------------------
SAATY_VALUES = (9, 8, 7, 6, 5, 4, 3, 2, 1, -2, -3, -4, -5, -6, -7, -8, -9)  # -k: the second is k times more
SLIDER_MAX = 5.0
SENSITIVITY_MAX_CANDIDATES = 5_000
SENSITIVITY_CHART_TOP = 5


def judgement_param(a: str, b: str) -> str:
    return f"ahp__{a}__{b}"


def parse_judgements(params, criteria: list[str]) -> dict[tuple[str, str], int] | None:
    """The pairwise comparisons of an AHP form, ``{(a, b): k}`` for every pair of ``criteria`` (a before b):
    k > 1 means a is k times as important as b, k < -1 that b is |k| times as important as a, 1 equal.
    A pair not given, or not on Saaty's scale, counts as equal. None when the form was not sent."""
    if not params.get("ahp"):
        return None
    judgements = {}
    for i, a in enumerate(criteria):
        for b in criteria[i + 1:]:
            try:
                value = int(params.get(judgement_param(a, b)) or 1)
            except (TypeError, ValueError):
                value = 1
            judgements[(a, b)] = value if value in SAATY_VALUES else 1
    return judgements


def saaty_ratio(value: int) -> float:
    """A signed form value as the comparison ratio a / b (3 -> 3, -3 -> 1/3)."""
    return float(value) if value > 0 else 1.0 / -value


def slider_weights(weights) -> dict[str, float]:
    """AHP weights (summing to 1) on the sliders' scale: the largest at the sliders' maximum, the others in
    proportion (the ranking normalises weights, so it is unchanged)."""
    largest = max(float(v) for v in weights.values()) or 1.0
    return {str(k): round(float(v) * SLIDER_MAX / largest, 6) for k, v in weights.items()}


def alternative_label(run: AnalysisRun, record: dict) -> str:
    """“region · industry” of a candidate, with the registry names when known."""
    region, industry = record.get("region"), record.get("industry")
    return f"{region_name(run, region) or region} · {industry_name(run, industry) or industry}"


@dataclass
class PrioritySensitivity:
    top: str
    rows: list[dict]  # per criterion: name, title, weight, stable_from, stable_to, top_below, top_above
    chart: dict  # per criterion: the weights tried and the ranks of the first candidates at each
    skipped: bool = False


def priority_sensitivity(run: AnalysisRun, table: PriorityTable | None) -> PrioritySensitivity | None:
    """For the weights and method of ``table``: the range of each criterion's weight over which the first
    candidate stays first, and the ranks of the first five as that weight varies
    (``services.priority_sensitivity``). Ranges are shares of the total weight (0 to 1)."""
    from .services import priority_sensitivity as engine

    if table is None or table.ranked is None or len(table.ranked) < 2:
        return None
    ranked = table.ranked.reset_index(drop=True)
    labels = [alternative_label(run, record) for record in ranked[["region", "industry"]].to_dict("records")] \
        if {"region", "industry"} <= set(ranked.columns) else [str(i + 1) for i in range(len(ranked))]
    if len(ranked) > SENSITIVITY_MAX_CANDIDATES:
        return PrioritySensitivity(top=labels[0], rows=[], chart={}, skipped=True)
    try:
        result = engine(ranked[table.criteria], table.weights, table.method)
    except ImportError:
        return None
    if result is None:
        return None
    def label(position) -> str | None:  # None (or NaN in a float column): nobody, at the end of the range
        return None if position is None or position != position else labels[int(position)]

    rows = []
    for criterion, row in result.stability.iterrows():
        rows.append({"name": criterion, "title": glossary.column_title(criterion), "weight": float(row["weight"]),
                     "stable_from": float(row["stable_from"]), "stable_to": float(row["stable_to"]),
                     "top_below": label(row["top_below"]), "top_above": label(row["top_above"])})
    top = int(result.stability["top"].iloc[0])
    first = list(range(min(SENSITIVITY_CHART_TOP, len(ranked))))
    chart = {"criteria": []}
    for criterion, ranks in result.ranks[result.ranks["alternative"].isin(first)].groupby("criterion", sort=False):
        grid = ranks.pivot(index="weight", columns="alternative", values="rank")
        chart["criteria"].append({
            "name": glossary.column_title(criterion),
            "current": float(result.stability.loc[criterion, "weight"]),
            "weights": [round(float(w), 6) for w in grid.index],
            "series": [{"name": labels[a], "ranks": [int(r) for r in grid[a]]} for a in first if a in grid],
        })
    return PrioritySensitivity(top=labels[top], rows=rows, chart=chart)


def candidate_row(run: AnalysisRun, region: str, industry: str) -> dict | None:
    path = table_path(run, "clusters")
    if path is None:
        return None
    frame = results.fetch_frame(path, filters=[results.Filter("region", "eq", region),
                                               results.Filter("industry", "eq", industry)])
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def cluster_member_candidates(user, region: Region, sector: Sector):
    """Organizations the user may see in ``region`` (or a region inside it) with a sector at or below
    ``sector`` in the classification."""
    inside = Q(region=region) | Q(region__parent=region)
    in_sector = Q(sectors__path=sector.path) | Q(sectors__path__startswith=f"{sector.path}/")
    matching = Organization.objects.filter(inside, in_sector).values("pk")
    return Organization.objects.visible_to(user).filter(pk__in=matching).order_by("name_key", "pk")
