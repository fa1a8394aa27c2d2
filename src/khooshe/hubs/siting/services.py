"""Writes and computations of site selection: studies with the default criteria, candidate values, AHP
weights, the ranking (through ``khooshe.analytics.decision``: never a second MCDA implementation), the
import of candidates from CSV/XLSX and the export of the ranking.

Writes are keyword-only and run in one transaction each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khooshe.analytics.decision import ahp_weights, sensitivity, topsis, weighted_sum
from khooshe.analytics.validation import AnalyticsInputError
from khooshe.analytics.valuechain import haversine_km
from khooshe.core import tabular

from .models import (
    CandidateSite,
    CriterionDirection,
    PointOfInterest,
    RankingMethod,
    SitingCriterion,
    SitingStudy,
)

MAX_CONSISTENCY_RATIO = 0.1  # Saaty

# The location criteria of the source document (seeds/000: "considering the site's features such as access
# roads, access to the airport and passenger terminals, public transport, educational and research centres,
# industrial and production centres, water, gas and electricity"), plus the building the document proposes to
# revive (abandoned factories, old stations and warehouses: its area) and what it costs. The weights are a
# neutral start: staff change them directly or from pairwise comparisons.
DEFAULT_CRITERIA = (
    ("km_university", gettext_lazy("Distance to universities and research centres"), "cost", "km", True),
    ("km_airport", gettext_lazy("Distance to the airport and passenger terminals"), "cost", "km", True),
    ("km_transit", gettext_lazy("Distance to public transport (metro, bus)"), "cost", "km", True),
    ("km_industry", gettext_lazy("Distance to industrial and production centres"), "cost", "km", True),
    ("road_access", gettext_lazy("Access roads (score 1-5)"), "benefit", "1-5", False),
    ("utilities", gettext_lazy("Water, gas and electricity available (score 1-5)"), "benefit", "1-5", False),
    ("area_m2", gettext_lazy("Building area"), "benefit", "m²", False),
    ("cost", gettext_lazy("Cost of acquisition and renovation"), "cost", gettext_lazy("billion rials"), False),
)


# -- studies and criteria -------------------------------------------------------------------------------------
def save_study(*, user, form, config) -> SitingStudy:
    """The generic form's save for a study: the owner must be one of the user's organizations (or hubs);
    a new study gets its author and the default criteria of the source document."""
    from khooshe.registry.access import access_for

    with transaction.atomic():
        study = form.save(commit=False)
        acc = access_for(user)
        if not acc.is_admin and study.owner_id not in (acc.organization_ids | acc.hub_ids):
            raise PermissionDenied(_("Choose as owner one of your own organizations."))
        if not config.can_change(user, study):
            raise PermissionDenied(_("You may not save this record."))
        new = study.pk is None
        if new:
            study.created_by = user
        study.save()
        form.save_m2m()
        if new:
            add_default_criteria(study=study)
    return study


def add_default_criteria(*, study: SitingStudy) -> list[SitingCriterion]:
    return SitingCriterion.objects.bulk_create([
        SitingCriterion(study=study, key=key, name=str(name), direction=direction, unit=str(unit), weight=1.0,
                        from_points=from_points, order=i)
        for i, (key, name, direction, unit, from_points) in enumerate(DEFAULT_CRITERIA)])


@transaction.atomic
def set_weights(*, study: SitingStudy, weights: dict[int, float], method: str | None = None) -> None:
    """Weights entered directly (criterion id -> weight >= 0); clears the pairwise comparisons."""
    for criterion in study.criteria.all():
        if criterion.pk in weights:
            criterion.weight = float(weights[criterion.pk])
            criterion.save(update_fields=["weight", "updated_at"])
    study.ahp_judgements, study.consistency_ratio = {}, None
    if method in RankingMethod.values:
        study.method = method
    study.save(update_fields=["ahp_judgements", "consistency_ratio", "method", "updated_at"])


class InconsistentJudgements(Exception):
    """The pairwise comparisons contradict each other (consistency ratio above 0.1): nothing was saved."""

    def __init__(self, result, message: str):
        super().__init__(message)
        self.result = result
        self.message = message


@transaction.atomic
def set_ahp_weights(*, study: SitingStudy, judgements: dict[tuple[str, str], float]):
    """Weights from pairwise comparisons of the criteria (``{(key_a, key_b): ratio}``, Saaty's 1-9 scale)
    with ``decision.ahp_weights``. Refused (:class:`InconsistentJudgements`, nothing saved) when the
    consistency ratio exceeds 0.1; otherwise the weights, the comparisons and the ratio are stored."""
    result = ahp_weights(dict(judgements), max_consistency_ratio=MAX_CONSISTENCY_RATIO)
    if not result.consistent:
        names = dict(study.criteria.values_list("key", "name"))
        a, b, given, implied = result.worst_comparison
        raise InconsistentJudgements(result, _(
            "The comparisons contradict each other: the consistency ratio is %(ratio).3f, more than %(limit)s, "
            "so the weights were not changed. Revise first the comparison of “%(a)s” with “%(b)s”: you gave "
            "%(given).2g, your other comparisons imply about %(implied).2g.") % {
            "ratio": result.consistency_ratio, "limit": MAX_CONSISTENCY_RATIO, "a": names.get(a, a),
            "b": names.get(b, b), "given": given, "implied": implied})
    for criterion in study.criteria.filter(key__in=list(result.weights.index)):
        criterion.weight = round(float(result.weights[criterion.key]), 6)
        criterion.save(update_fields=["weight", "updated_at"])
    study.ahp_judgements = {f"{a}|{b}": float(v) for (a, b), v in judgements.items()}
    study.consistency_ratio = float(result.consistency_ratio)
    study.save(update_fields=["ahp_judgements", "consistency_ratio", "updated_at"])
    return result


@transaction.atomic
def save_values(*, study: SitingStudy, values: dict[int, dict[str, float | None]]) -> None:
    """The criteria values of the candidates (candidate id -> {criterion key: number or None to clear})."""
    for candidate in study.candidates.filter(pk__in=list(values)):
        merged = dict(candidate.values)
        for key, value in values[candidate.pk].items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = float(value)
        candidate.values = merged
        candidate.save(update_fields=["values", "updated_at"])


# -- the ranking ------------------------------------------------------------------------------------------------
@dataclass
class Ranking:
    """The ranked candidates of a study and what explains the ranking."""

    criteria: list[SitingCriterion]
    candidates: list[CandidateSite]  # in rank order
    matrix: dict[int, dict[str, float]]  # candidate id -> criterion key -> value used
    scores: dict[int, float]
    ranks: dict[int, int]
    weights: dict[str, float]  # sum 1
    contributions: dict[int, dict[str, float]]  # weight x scaled value (0 worst .. 1 best among candidates)
    filled: list[tuple[CandidateSite, SitingCriterion]] = field(default_factory=list)  # missing: median used
    computed: set[tuple[int, str]] = field(default_factory=set)  # values computed from points of interest
    sensitivity: object | None = None
    problem: str = ""  # why there is no ranking


def candidate_values(study: SitingStudy, criteria, candidates) -> tuple[dict, set]:
    """Each candidate's value per criterion: the value entered, else (for a distance criterion with points
    of interest) the great-circle distance in km from the candidate to the nearest point."""
    points: dict[int, list[tuple[float, float]]] = {}
    for point in PointOfInterest.objects.filter(study=study):
        points.setdefault(point.criterion_id, []).append((point.latitude, point.longitude))
    matrix, computed = {}, set()
    for candidate in candidates:
        row = {}
        for criterion in criteria:
            value = candidate.values.get(criterion.key)
            if value is None and criterion.from_points and points.get(criterion.pk) \
                    and candidate.latitude is not None and candidate.longitude is not None:
                value = min(haversine_km(candidate.latitude, candidate.longitude, lat, lon)
                            for lat, lon in points[criterion.pk])
                computed.add((candidate.pk, criterion.key))
            row[criterion.key] = value
        matrix[candidate.pk] = row
    return matrix, computed


def rank(study: SitingStudy, *, with_sensitivity: bool = True) -> Ranking:
    """Rank the candidates of ``study`` with its method and weights (``decision.topsis`` with vector
    normalisation, or ``decision.weighted_sum`` with min-max scaling), and the sensitivity of the first
    place to each weight (``decision.sensitivity``). A missing value counts as the criterion's median over
    the candidates (a typical value), as on the insights priority page; the page lists them."""
    import pandas as pd

    criteria = [c for c in study.criteria.all() if c.weight > 0]
    candidates = list(study.candidates.all())
    ranking = Ranking(criteria=criteria, candidates=candidates, matrix={}, scores={}, ranks={}, weights={},
                      contributions={})
    if len(candidates) < 2:
        ranking.problem = _("Add at least two candidate sites to rank them.")
        return ranking
    if not criteria:
        ranking.problem = _("Give at least one criterion a weight above zero.")
        return ranking
    matrix, ranking.computed = candidate_values(study, criteria, candidates)
    frame = pd.DataFrame.from_dict(matrix, orient="index", columns=[c.key for c in criteria]).astype(float)
    empty = [c for c in criteria if frame[c.key].isna().all()]
    if empty:
        ranking.problem = _("No candidate has a value for “%(criterion)s”: enter the values or set its weight "
                            "to zero.") % {"criterion": empty[0].name}
        return ranking
    by_pk = {c.pk: c for c in candidates}
    ranking.filled = [(by_pk[pk], c) for c in criteria for pk in frame.index[frame[c.key].isna()]]
    frame = frame.fillna(frame.median())
    weights = pd.Series({c.key: c.weight for c in criteria})
    types = {c.key: c.direction for c in criteria}
    try:
        if study.method == RankingMethod.WEIGHTED_SUM:
            result = weighted_sum(frame, weights, criteria_types=types, normalisation="minmax")
        else:
            result = topsis(frame, weights, types)
    except AnalyticsInputError as exc:
        ranking.problem = str(exc)
        return ranking
    ranking.weights = (weights / weights.sum()).to_dict()
    ranking.matrix = {pk: row for pk, row in frame.to_dict("index").items()}
    ranking.scores = {int(pk): float(s) for pk, s in result["score"].items()}
    ranking.ranks = {int(pk): int(r) for pk, r in result["rank"].items()}
    ranking.candidates = sorted(candidates, key=lambda c: (ranking.ranks[c.pk], c.name))
    ranking.contributions = _contributions(frame, ranking.weights, types)
    if with_sensitivity and len(criteria) >= 2:
        method = "weighted_sum" if study.method == RankingMethod.WEIGHTED_SUM else "topsis"
        ranking.sensitivity = sensitivity(frame, weights, types, method=method, normalisation="minmax")
    return ranking


def _contributions(frame, weights: dict[str, float], types: dict[str, str]) -> dict[int, dict[str, float]]:
    """What each criterion adds for each candidate: its weight times the candidate's position between the
    worst (0) and the best (1) candidate on that criterion. This is the weighted sum's own decomposition,
    and for TOPSIS a readable view of where a site is strong or weak."""
    spread = frame.max() - frame.min()
    scaled = (frame - frame.min()) / spread.where(spread > 0, 1.0)
    for key, direction in types.items():
        if direction == CriterionDirection.COST:
            scaled[key] = 1.0 - scaled[key]
        if spread[key] == 0:
            scaled[key] = 1.0  # everyone alike: every candidate gets the full weight
    return {int(pk): {key: float(weights[key] * value) for key, value in row.items()}
            for pk, row in scaled.to_dict("index").items()}


# -- import and export -----------------------------------------------------------------------------------------
BASE_COLUMNS = ("name", "latitude", "longitude", "address", "description")


@dataclass
class CandidateImport:
    created: int = 0
    updated: int = 0
    problems: list[tabular.Problem] = field(default_factory=list)


def import_candidates(*, study: SitingStudy, path: Path | str, file_name: str) -> CandidateImport:
    """Candidates from a CSV or XLSX file: a header row with ``name`` (required), ``latitude``,
    ``longitude``, ``address``, ``description`` and one column per criterion (its key, e.g. ``km_airport``,
    or its name). A row whose name is already a candidate of the study updates it. Every row is checked
    first; any problem (named by row and column) means nothing is imported."""
    report = CandidateImport()
    try:
        fmt = tabular.table_format(file_name)
    except tabular.TableError as exc:
        report.problems.append(tabular.Problem(None, "", "", str(exc)))
        return report
    criteria = list(study.criteria.all())
    by_header = {tabular.header_key(c.key): c for c in criteria} | {tabular.header_key(c.name): c for c in criteria}
    base = {tabular.header_key(name): name for name in BASE_COLUMNS}
    numbers = {"latitude": tabular.FloatColumn("latitude", min_value=-90, max_value=90),
               "longitude": tabular.FloatColumn("longitude", min_value=-180, max_value=180)}
    value_column = tabular.FloatColumn("value")
    rows: list[tuple[int, dict]] = []
    try:
        with tabular.TableReader(path, fmt) as reader:
            columns = []
            for header in reader.header:
                key = tabular.header_key(header)
                if key in base:
                    columns.append(("base", base[key]))
                elif key in by_header:
                    columns.append(("criterion", by_header[key]))
                else:
                    columns.append(None)
                    report.problems.append(tabular.Problem(1, header, "", _(
                        "Unknown column: use name, latitude, longitude, address, description or a criterion "
                        "key (%(keys)s).") % {"keys": ", ".join(c.key for c in criteria)}))
            if ("base", "name") not in columns:
                report.problems.append(tabular.Problem(1, "name", "", _("The column “name” is missing: add it.")))
                return report
            for number, cells in reader.rows():
                if all(tabular.cell_text(c) == "" for c in cells):
                    continue
                record: dict = {"values": {}, "row": number}
                for column, raw in zip(columns, cells, strict=False):
                    if column is None:
                        continue
                    kind, target = column
                    header = target if kind == "base" else target.key
                    text = tabular.cell_text(raw)
                    try:
                        if kind == "base" and target in numbers:
                            record[target] = numbers[target].convert(raw, text, None) if text else None
                        elif kind == "base":
                            record[target] = tabular.normalize_cell(text) if target == "name" else text
                        elif text:
                            record["values"][target.key] = value_column.convert(raw, text, None)
                    except tabular.CellError as exc:
                        report.problems.append(tabular.Problem(number, header, tabular.shown(raw), str(exc)))
                if not record.get("name"):
                    report.problems.append(tabular.Problem(number, "name", "", _("The name is required: fill it in.")))
                elif (record.get("latitude") is None) != (record.get("longitude") is None):
                    report.problems.append(tabular.Problem(number, "longitude", "", _(
                        "Give both the latitude and the longitude, or neither.")))
                rows.append((number, record))
    except tabular.TableError as exc:
        report.problems.append(tabular.Problem(None, "", "", str(exc)))
    seen: dict[str, int] = {}
    for number, record in rows:
        name = record.get("name")
        if name and name in seen:
            report.problems.append(tabular.Problem(number, "name", name, _(
                "Duplicate row: this candidate is already on row %(row)s.") % {"row": seen[name]}))
        elif name:
            seen[name] = number
    if report.problems or not rows:
        if not rows and not report.problems:
            report.problems.append(tabular.Problem(None, "", "", _("The file has no candidate rows.")))
        return report
    with transaction.atomic():
        existing = {c.name: c for c in study.candidates.all()}
        for _number, record in rows:
            candidate = existing.get(record["name"]) or CandidateSite(study=study, name=record["name"])
            created = candidate.pk is None
            for attribute in ("latitude", "longitude", "address", "description"):
                if attribute in record:
                    setattr(candidate, attribute, record[attribute])
            candidate.values = {**candidate.values, **record["values"]}
            candidate.save()
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def ranking_rows(ranking: Ranking) -> list[list]:
    """The ranking as spreadsheet rows: rank, name, score, coordinates, then each criterion's value."""
    header = [_("Rank"), _("Candidate site"), _("Score"), _("Latitude"), _("Longitude"),
              *[f"{c.name} ({c.unit})" if c.unit else c.name for c in ranking.criteria]]
    rows = [header]
    for candidate in ranking.candidates:
        values = ranking.matrix.get(candidate.pk, {})
        rows.append([ranking.ranks.get(candidate.pk), candidate.name, round(ranking.scores.get(candidate.pk, 0.0), 6),
                     candidate.latitude, candidate.longitude,
                     *[_number(values.get(c.key)) for c in ranking.criteria]])
    return rows


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
