"""Multi-criteria decisions: weights (direct or AHP), weighted sum, TOPSIS and sensitivity of a ranking.

Generic: *alternatives* (rows: clusters, candidate sites of an innovation factory ...) x *criteria*
(columns: value added, exports, distance to a university ...).  :func:`rank_clusters` is the convenience
for the cluster-priority table, with criteria grouped into economic, social and industrial effects.

A criterion is a *benefit* (more is better: exports, employment) or a *cost* (less is better: distance,
land price).  Weights are non-negative and are rescaled to sum to 1.  Ranks are 1 for the best; equal
scores share the best rank of their group (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from khooshe.analytics.validation import AnalyticsInputError, Matrix, as_matrix

__all__ = [
    "AHPResult",
    "CRITERIA_GROUPS",
    "ClusterRanking",
    "SensitivityResult",
    "ahp_weights",
    "rank_clusters",
    "sensitivity",
    "topsis",
    "weighted_sum",
]

CRITERIA_GROUPS: dict[str, tuple[str, ...]] = {
    "economic": ("value_added", "exports", "wages"),
    "social": ("employment", "graduate_jobs"),
    "industrial": ("linkages", "specialisation", "growth"),
}
"""The cluster-priority criteria by the effect they measure (source document 003: clusters are prioritised
by their effect on a region's economic, social and industrial indicators)."""

NORMALISATIONS = ("minmax", "max", "vector")
METHODS = ("topsis", "weighted_sum")


# -- AHP --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AHPResult:
    """Weights derived from pairwise comparisons (:func:`ahp_weights`).

    Attributes
    ----------
    weights : pandas.Series
        Weight of each element (sum 1), in the order the elements were first named.
    consistency_ratio : float
        Saaty's consistency ratio CR = CI / RI with CI = (lambda_max - n) / (n - 1).
    consistent : bool
        ``consistency_ratio <= max_consistency_ratio``.
    max_consistency_ratio : float
        The limit used (Saaty: 0.1).
    matrix : pandas.DataFrame
        The full reciprocal comparison matrix, with the comparisons that were not given filled in.
    completed : dict
        The comparisons that were not given and were filled in (Bozóki et al. 2010), ``{(a, b): value}``.
    random_index : str
        The random-index table of the CR: ``"saaty"`` or ``"dd"`` (Donegan and Dodd).
    worst_comparison : tuple or None
        ``(a, b, given, implied)``: the given judgement that disagrees most with the weights (``implied``
        is w_a / w_b); the first one to revise when the comparisons are inconsistent.
    """

    weights: pd.Series
    consistency_ratio: float
    consistent: bool
    max_consistency_ratio: float
    matrix: pd.DataFrame
    completed: dict[tuple[Any, Any], float] = field(default_factory=dict)
    random_index: str = "saaty"
    worst_comparison: tuple[Any, Any, float, float] | None = None


def ahp_weights(
    pairwise: Mapping[tuple[Any, Any], float] | pd.DataFrame | np.ndarray,
    *,
    strict: bool = False,
    max_consistency_ratio: float = 0.1,
    random_index: str = "saaty",
    precision: int = 6,
) -> AHPResult:
    """Weights from pairwise comparisons with the Analytic Hierarchy Process, and their consistency.

    Parameters
    ----------
    pairwise : dict or square matrix
        Either ``{("exports", "wages"): 3, ...}``: how many times more important the first element is than
        the second, on Saaty's 1-9 scale (1/3 means a third as important); comparisons may be missing as
        long as every element is linked to the others through some chain of comparisons (the missing ones
        are filled in by AHPy to keep the matrix as consistent as possible).  Or a full positive reciprocal
        matrix (DataFrame labelled by element, or array): ``a[i, j] = 1 / a[j, i]``, ``a[i, i] = 1``.
    strict : bool
        Raise :class:`AnalyticsInputError` (``ahp_inconsistent``, naming the judgement to revise) when the
        consistency ratio exceeds ``max_consistency_ratio``, instead of returning ``consistent=False``.
    max_consistency_ratio : float
        The acceptable consistency ratio (Saaty: 0.1).
    random_index : {"saaty", "dd"}
        Random-index table of the consistency ratio: Saaty (2005), up to 15 elements, or Donegan and Dodd
        (1991), up to 100.
    precision : int
        Decimals of the weights and of the ratio (AHPy rounds them).

    Returns
    -------
    AHPResult

    Notes
    -----
    The weights w are the principal right eigenvector of the comparison matrix A (A w = lambda_max w,
    sum w = 1); the consistency index is CI = (lambda_max - n) / (n - 1) and the consistency ratio
    CR = CI / RI_n, where RI_n is the mean CI of random matrices of size n.  A matrix with a_ij = w_i / w_j
    for some w is perfectly consistent (CR = 0).  Computed with AHPy (Griffith), which also completes
    missing comparisons with the method of Bozóki, Fülöp and Rónyai (2010).

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    Bozóki, S., Fülöp, J., Rónyai, L. (2010). On optimal completion of incomplete pairwise comparison
    matrices. *Mathematical and Computer Modelling* 52(1-2), 318-333.

    Examples
    --------
    >>> result = ahp_weights({("exports", "wages"): 3, ("exports", "employment"): 5, ("wages", "employment"): 2})
    >>> result.weights.round(3).to_dict()
    {'exports': 0.648, 'wages': 0.23, 'employment': 0.122}
    >>> round(result.consistency_ratio, 4), result.consistent
    (0.0036, True)
    """
    if random_index not in ("saaty", "dd"):
        raise AnalyticsInputError("invalid_option", f"random_index must be 'saaty' or 'dd', got {random_index!r}.",
                                  option="random_index", value=str(random_index))
    if not 0 < max_consistency_ratio:
        raise AnalyticsInputError("invalid_option", "max_consistency_ratio must be positive, got "
                                  f"{max_consistency_ratio!r}.", option="max_consistency_ratio",
                                  value=str(max_consistency_ratio))
    elements, comparisons = _pairwise_comparisons(pairwise)
    limit = 15 if random_index == "saaty" else 100
    if len(elements) > limit:
        raise AnalyticsInputError(
            "ahp_too_many_elements",
            f"pairwise: {len(elements)} elements is more than the {limit} the {random_index!r} random index "
            "covers" + ("; use random_index='dd' (up to 100)." if random_index == "saaty" else "."),
            count=len(elements), limit=limit,
        )

    import ahpy  # imported here: only this function needs it

    compare = ahpy.Compare("criteria", comparisons, precision=precision, random_index=random_index)
    weights = pd.Series({e: float(compare.target_weights[e]) for e in elements}, name="weight")
    completed = {pair: float(v) for pair, v in (compare.report(verbose=True)["comparisons"]["computed"] or {}).items()}
    full = _reciprocal_matrix(elements, {**comparisons, **completed})
    ratio = float(compare.consistency_ratio)
    worst = _worst_comparison(comparisons, weights)
    consistent = ratio <= max_consistency_ratio
    if strict and not consistent:
        a, b, given, implied = worst
        raise AnalyticsInputError(
            "ahp_inconsistent",
            f"pairwise: the comparisons are inconsistent (consistency ratio {ratio:.3f}, more than "
            f"{max_consistency_ratio:g}). The judgement that disagrees most with the weights is {a!r} vs "
            f"{b!r} = {given:g} (the other judgements imply about {implied:.2g}); revise it.",
            consistency_ratio=ratio, limit=max_consistency_ratio, element_a=str(a), element_b=str(b),
            given=given, implied=implied,
        )
    return AHPResult(weights=weights, consistency_ratio=ratio, consistent=consistent,
                     max_consistency_ratio=max_consistency_ratio, matrix=full, completed=completed,
                     random_index=random_index, worst_comparison=worst)


def _pairwise_comparisons(pairwise: Any) -> tuple[list[Any], dict[tuple[Any, Any], float]]:
    """Validated comparisons as {(a, b): value} with each unordered pair once, and the elements in order."""
    if isinstance(pairwise, Mapping):
        comparisons: dict[tuple[Any, Any], float] = {}
        for key, value in pairwise.items():
            if not (isinstance(key, tuple) and len(key) == 2) or key[0] == key[1]:
                raise AnalyticsInputError(
                    "ahp_bad_pair", f"pairwise: key {key!r} must be a pair of two different elements (a, b).",
                    value=str(key),
                )
            number = _positive_number(value, f"pairwise: comparison {key!r}")
            reverse = (key[1], key[0])
            if reverse in comparisons:
                if not np.isclose(comparisons[reverse] * number, 1.0, rtol=1e-6):
                    raise AnalyticsInputError(
                        "ahp_conflicting_pair",
                        f"pairwise: {key!r} = {number:g} contradicts {reverse!r} = {comparisons[reverse]:g} "
                        f"(it should be {1 / comparisons[reverse]:g}); give each pair once.",
                        element_a=str(key[0]), element_b=str(key[1]),
                    )
                continue
            comparisons[key] = number
        elements = list(dict.fromkeys(e for pair in comparisons for e in pair))
    else:
        matrix = _square_reciprocal(pairwise)
        elements = list(matrix.index)
        upper_i, upper_j = np.triu_indices(len(elements), k=1)
        values = matrix.to_numpy()
        comparisons = {(elements[i], elements[j]): float(values[i, j]) for i, j in zip(upper_i, upper_j, strict=True)}
    if len(elements) < 2:
        raise AnalyticsInputError("ahp_too_few_elements", "pairwise: compare at least two elements.",
                                  count=len(elements))
    _check_connected(elements, comparisons)
    return elements, comparisons


def _positive_number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", f"{what}: {value!r} is not a number.", value=str(value)) from None
    if not np.isfinite(number) or number <= 0:
        raise AnalyticsInputError(
            "ahp_not_positive", f"{what}: {value!r} must be a positive number (1/9 to 9 on Saaty's scale).",
            value=str(value),
        )
    return number


def _square_reciprocal(pairwise: Any) -> pd.DataFrame:
    matrix = as_matrix(pairwise, name="pairwise", allow_sparse=False, min_rows=2, min_columns=2)
    values = matrix.dense()
    if values.shape[0] != values.shape[1]:
        raise AnalyticsInputError(
            "ahp_not_square", f"pairwise: the comparison matrix must be square, got {values.shape[0]} x "
            f"{values.shape[1]}.", rows=values.shape[0], columns=values.shape[1],
        )
    if isinstance(pairwise, pd.DataFrame) and not matrix.rows.equals(matrix.columns):
        raise AnalyticsInputError(
            "ahp_labels_differ", "pairwise: rows and columns must name the same elements in the same order.",
        )
    labels = matrix.rows
    checks = [
        ("ahp_not_positive", values <= 0, "must be positive"),
        ("ahp_bad_diagonal", ~np.isclose(np.diag(np.diag(values)) + ~np.eye(len(values), dtype=bool), 1.0),
         "must be 1 on the diagonal"),
        ("ahp_not_reciprocal", ~np.isclose(values * values.T, 1.0, rtol=1e-6), "must be the reciprocal of its mirror"),
    ]
    for code, bad, problem in checks:
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise AnalyticsInputError(
                code, f"pairwise: entry ({labels[i]!r}, {labels[j]!r}) = {values[i, j]:g} {problem}.",
                row=str(labels[i]), column=str(labels[j]), value=float(values[i, j]),
            )
    return pd.DataFrame(values, index=labels, columns=labels)


def _check_connected(elements: list[Any], comparisons: Mapping[tuple[Any, Any], float]) -> None:
    """Every element must be linked to the first through comparisons, or its weight is undetermined."""
    neighbours: dict[Any, set[Any]] = {e: set() for e in elements}
    for a, b in comparisons:
        neighbours[a].add(b)
        neighbours[b].add(a)
    reached, frontier = {elements[0]}, [elements[0]]
    while frontier:
        for other in neighbours[frontier.pop()] - reached:
            reached.add(other)
            frontier.append(other)
    if len(reached) < len(elements):
        lonely = next(e for e in elements if e not in reached)
        raise AnalyticsInputError(
            "ahp_disconnected",
            f"pairwise: {lonely!r} is not compared, directly or through others, with {elements[0]!r}; "
            "add a comparison that links them.", element=str(lonely),
        )


def _reciprocal_matrix(elements: list[Any], comparisons: Mapping[tuple[Any, Any], float]) -> pd.DataFrame:
    position = {e: k for k, e in enumerate(elements)}
    full = np.eye(len(elements))
    for (a, b), value in comparisons.items():
        full[position[a], position[b]] = value
        full[position[b], position[a]] = 1.0 / value
    return pd.DataFrame(full, index=elements, columns=elements)


def _worst_comparison(comparisons: Mapping[tuple[Any, Any], float], weights: pd.Series) -> tuple | None:
    """The given judgement a_ab farthest (in ratio) from what the weights imply, w_a / w_b."""
    worst, worst_error = None, -1.0
    for (a, b), value in comparisons.items():
        implied = float(weights[a] / weights[b])
        error = abs(np.log(value / implied))
        if error > worst_error:
            worst, worst_error = (a, b, float(value), implied), error
    return worst


# -- scoring: weighted sum and TOPSIS -------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """A validated decision problem: alternatives x criteria values, weights (sum 1) and types (+1 / -1)."""

    values: np.ndarray
    alternatives: pd.Index
    criteria: pd.Index
    weights: np.ndarray
    types: np.ndarray
    labelled: bool


def _problem(matrix: Any, weights: Any, criteria_types: Any) -> _Problem:
    checked: Matrix = as_matrix(matrix, name="decision matrix", allow_sparse=False, allow_negative=True)
    criteria = checked.columns
    return _Problem(
        values=checked.dense(), alternatives=checked.rows, criteria=criteria,
        weights=_weights_vector(weights, criteria), types=_types_vector(criteria_types, criteria),
        labelled=isinstance(matrix, pd.DataFrame),
    )


def _weights_vector(weights: Any, criteria: pd.Index) -> np.ndarray:
    if isinstance(weights, AHPResult):
        weights = weights.weights
    if isinstance(weights, Mapping | pd.Series):
        given = pd.Series(weights, dtype=object) if isinstance(weights, Mapping) else weights
        missing = [c for c in criteria if c not in given.index]
        extra = [c for c in given.index if c not in criteria]
        if missing:
            raise AnalyticsInputError("missing_weight", f"weights: criterion {missing[0]!r} has no weight.",
                                      column=str(missing[0]))
        if extra:
            raise AnalyticsInputError(
                "unknown_criterion", f"weights: {extra[0]!r} is not a criterion of the decision matrix "
                f"({', '.join(map(str, criteria))}).", column=str(extra[0]),
            )
        raw = [given[c] for c in criteria]
    else:
        raw = list(np.ravel(np.asarray(weights, dtype=object)))
        if len(raw) != len(criteria):
            raise AnalyticsInputError(
                "shape_mismatch", f"weights: expected {len(criteria)} weights (one per criterion), got {len(raw)}.",
                expected=len(criteria), got=len(raw),
            )
    vector = np.empty(len(criteria))
    for k, (criterion, value) in enumerate(zip(criteria, raw, strict=True)):
        try:
            vector[k] = float(value)
        except (TypeError, ValueError):
            raise AnalyticsInputError("non_numeric", f"weights: weight of {criterion!r} is {value!r}, not a number.",
                                      column=str(criterion), value=str(value)) from None
        if not np.isfinite(vector[k]) or vector[k] < 0:
            raise AnalyticsInputError(
                "negative_weight", f"weights: weight of {criterion!r} is {value!r}; weights must be zero or more.",
                column=str(criterion), value=str(value),
            )
    if vector.sum() <= 0:
        raise AnalyticsInputError("zero_weights", "weights: all weights are zero; give at least one positive weight.")
    return vector / vector.sum()


_TYPE_VALUES = {"benefit": 1, "cost": -1, 1: 1, -1: -1}


def _types_vector(criteria_types: Any, criteria: pd.Index) -> np.ndarray:
    if criteria_types is None:
        return np.ones(len(criteria), dtype=int)
    if isinstance(criteria_types, Mapping | pd.Series):
        extra = [c for c in criteria_types.keys() if c not in criteria]
        if extra:
            raise AnalyticsInputError(
                "unknown_criterion", f"criteria_types: {extra[0]!r} is not a criterion of the decision matrix.",
                column=str(extra[0]),
            )
        raw = [criteria_types.get(c, "benefit") for c in criteria]
    else:
        raw = [criteria_types] * len(criteria) if isinstance(criteria_types, str) else list(criteria_types)
        if len(raw) != len(criteria):
            raise AnalyticsInputError(
                "shape_mismatch", f"criteria_types: expected {len(criteria)} types (one per criterion), got {len(raw)}.",
                expected=len(criteria), got=len(raw),
            )
    types = []
    for criterion, value in zip(criteria, raw, strict=True):
        key = value.lower() if isinstance(value, str) else value
        if key not in _TYPE_VALUES:
            raise AnalyticsInputError(
                "invalid_criterion_type", f"criteria_types: {criterion!r} is {value!r}; use 'benefit' (more is "
                "better) or 'cost' (less is better).", column=str(criterion), value=str(value),
            )
        types.append(_TYPE_VALUES[key])
    return np.array(types, dtype=int)


def _normalise(values: np.ndarray, types: np.ndarray, method: str) -> np.ndarray:
    """Column-wise normalisation as pymcdm defines it (cost columns reversed); 0 / 0 gives 0."""
    cost = types < 0
    if method == "minmax":
        low, high = values.min(axis=0), values.max(axis=0)
        spread = high - low
        safe = np.where(spread > 0, spread, 1.0)
        scaled = np.where(cost, (high - values) / safe, (values - low) / safe)
        return np.where(spread > 0, scaled, 1.0)  # a constant criterion does not separate alternatives
    if method == "max":
        scale = values.max(axis=0)
    else:  # vector
        scale = np.sqrt((values ** 2).sum(axis=0))
    ratio = np.divide(values, scale, out=np.zeros_like(values), where=scale != 0)
    return np.where(cost, 1.0 - ratio, ratio)


def _scorer(problem: _Problem, method: str, normalisation: str) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a weight vector (or a stack of them, one per row) to the alternatives' scores."""
    if method not in METHODS:
        raise AnalyticsInputError("invalid_option", f"method must be one of {', '.join(METHODS)}, got {method!r}.",
                                  option="method", value=str(method))
    if method == "weighted_sum":
        if normalisation not in NORMALISATIONS:
            raise AnalyticsInputError(
                "invalid_option", f"normalisation must be one of {', '.join(NORMALISATIONS)}, got {normalisation!r}.",
                option="normalisation", value=str(normalisation),
            )
        normalised = _normalise(problem.values, problem.types, normalisation)
        return lambda weights: np.atleast_2d(weights) @ normalised.T

    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import vector_normalization

    # An all-zero criterion has no vector norm (pymcdm would return NaN); it does not separate
    # alternatives, so it adds nothing to either distance and can be left out.
    informative = np.sqrt((problem.values ** 2).sum(axis=0)) > 0
    values, types = problem.values[:, informative], problem.types[informative]
    method_ = TOPSIS(normalization_function=vector_normalization)

    def topsis_scores(weights: np.ndarray) -> np.ndarray:
        rows = []
        for w in np.atleast_2d(weights):
            if not informative.any():
                rows.append(np.full(len(values), 0.5))
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                closeness = method_(values, w[informative], types, validation=False)
            # alternatives equal to both the ideal and the anti-ideal (all alike): halfway
            rows.append(np.where(np.isnan(closeness), 0.5, closeness))
        return np.vstack(rows)

    return topsis_scores


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1 = best; ties (to 1e-12) share the best rank of their group."""
    return pd.Series(np.round(scores, 12)).rank(ascending=False, method="min").to_numpy(dtype=int)


def _result(problem: _Problem, scores: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"score": scores, "rank": _ranks(scores)}, index=problem.alternatives)


def weighted_sum(
    matrix: Any,
    weights: Any,
    *,
    criteria_types: Any = None,
    normalisation: str = "minmax",
) -> pd.DataFrame:
    """Score alternatives by the weighted sum of their normalised criteria (simple additive weighting).

    Parameters
    ----------
    matrix : pandas.DataFrame or array
        Alternatives (rows) x criteria (columns); negative values allowed (growth), missing ones are not.
    weights : sequence, dict, pandas.Series or AHPResult
        One non-negative weight per criterion (by position, or by criterion name); rescaled to sum to 1.
    criteria_types : None, "benefit"/"cost", sequence or dict
        ``"benefit"`` (more is better, the default) or ``"cost"`` (less is better) per criterion; a dict
        names only the cost criteria, e.g. ``{"distance_to_airport": "cost"}``.
    normalisation : {"minmax", "max", "vector"}
        How each criterion is brought to a common scale (pymcdm's definitions):
        minmax r = (x - min) / (max - min), cost (max - x) / (max - min), a constant criterion gives 1;
        max r = x / max, cost 1 - x / max; vector r = x / sqrt(sum x^2), cost 1 - x / sqrt(sum x^2).

    Returns
    -------
    pandas.DataFrame
        ``score`` (sum_j w_j r_ij; between 0 and 1 with minmax) and ``rank`` (1 = best), indexed by
        alternative.

    References
    ----------
    Fishburn, P. C. (1967). Additive utilities with incomplete product sets. *Operations Research* 15(3);
    pymcdm ``WSM`` (Kizielewicz, Shekhovtsov, Sałabun 2023, *SoftwareX* 22).

    Examples
    --------
    >>> clusters = pd.DataFrame({"exports": [120.0, 40.0, 100.0], "employment": [900, 1500, 1300]},
    ...                         index=["copper", "pistachio", "carpets"])
    >>> weighted_sum(clusters, {"exports": 0.6, "employment": 0.4}).round(4)
                score  rank
    copper     0.6000     2
    pistachio  0.4000     3
    carpets    0.7167     1
    """
    problem = _problem(matrix, weights, criteria_types)
    scores = _scorer(problem, "weighted_sum", normalisation)(problem.weights)[0]
    return _result(problem, scores)


def topsis(matrix: Any, weights: Any, criteria_types: Any = None) -> pd.DataFrame:
    """Score alternatives by their relative closeness to the ideal solution (TOPSIS).

    Parameters
    ----------
    matrix, weights, criteria_types
        As in :func:`weighted_sum`.

    Returns
    -------
    pandas.DataFrame
        ``score`` (closeness C_i between 0 and 1, 1 = the ideal) and ``rank`` (1 = best), by alternative.

    Notes
    -----
    Textbook TOPSIS (Hwang and Yoon 1981) with vector normalisation, computed with pymcdm:

    1. r_ij = x_ij / sqrt(sum_i x_ij^2);  v_ij = w_j r_ij;
    2. ideal v+_j = max_i v_ij for a benefit, min_i v_ij for a cost; anti-ideal v-_j the opposite;
    3. D+_i = ||v_i - v+||, D-_i = ||v_i - v-|| (Euclidean);  C_i = D-_i / (D+_i + D-_i).

    (pymcdm writes a cost column as 1 - r_ij; distances, hence C_i, are the same.)  A criterion that is
    zero for every alternative is left out (it separates nobody); when all alternatives are alike,
    every C_i is 0.5.

    References
    ----------
    Hwang, C. L., Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and Applications*.
    Springer.  The fighter-aircraft example of that book is reproduced in the tests.

    Examples
    --------
    >>> sites = pd.DataFrame({"km_to_university": [2.0, 8.0, 5.0], "km_to_airport": [20.0, 5.0, 10.0],
    ...                       "area_m2": [3000, 5000, 4000]}, index=["A", "B", "C"])
    >>> topsis(sites, [0.5, 0.2, 0.3], {"km_to_university": "cost", "km_to_airport": "cost"}).round(3)
       score  rank
    A  0.666     1
    B  0.334     3
    C  0.523     2
    """
    problem = _problem(matrix, weights, criteria_types)
    scores = _scorer(problem, "topsis", "vector")(problem.weights)[0]
    return _result(problem, scores)


# -- sensitivity ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityResult:
    """How a ranking reacts to each criterion's weight (:func:`sensitivity`).

    Attributes
    ----------
    ranks : pandas.DataFrame
        Long table ``criterion, weight, alternative, score, rank``: the scores and ranks when that
        criterion's weight is ``weight`` and the other weights keep their proportions.
    stability : pandas.DataFrame
        One row per criterion: ``weight`` (current), ``top`` (best alternative at the current weights),
        ``stable_from`` / ``stable_to`` (the range of this criterion's weight over which ``top`` stays
        best), ``top_below`` / ``top_above`` (who takes first place just outside that range; None at 0 / 1).
    """

    ranks: pd.DataFrame
    stability: pd.DataFrame


def sensitivity(
    matrix: Any,
    weights: Any,
    criteria_types: Any = None,
    *,
    method: str = "topsis",
    steps: int = 21,
    normalisation: str = "minmax",
    tolerance: float = 1e-4,
) -> SensitivityResult:
    """Sensitivity of a ranking to each criterion's weight (one weight varies, the others keep their ratios).

    For criterion c with current weight w_c, its weight t runs over ``steps`` evenly spaced values in
    [0, 1] (plus w_c itself); the other weights become w_j (1 - t) / (1 - w_c), so they keep their
    proportions and still sum to 1 with t.  (If w_c = 1 the others share 1 - t equally.)

    Parameters
    ----------
    matrix, weights, criteria_types
        As in :func:`weighted_sum`.
    method : {"topsis", "weighted_sum"}
    steps : int
        Grid points from 0 to 1 (at least 2; 21 gives steps of 0.05).
    normalisation : str
        For ``weighted_sum`` (see there).
    tolerance : float
        Precision of ``stable_from`` / ``stable_to``: the grid brackets each boundary and bisection
        narrows it to this width.

    Returns
    -------
    SensitivityResult

    References
    ----------
    Triantaphyllou, E., Sánchez, A. (1997). A sensitivity analysis approach for some deterministic
    multi-criteria decision-making methods. *Decision Sciences* 28(1), 151-194 (one-at-a-time weight
    changes, the others rescaled proportionally).

    Examples
    --------
    With weighted sum, exports normalised to 1, 0, 0.75 and employment to 0, 1, 0.667, carpets stay first
    while the exports weight t satisfies 0.75 t + 0.667 (1 - t) >= max(t, 1 - t), i.e. 0.308 <= t <= 0.727:

    >>> clusters = pd.DataFrame({"exports": [120.0, 40.0, 100.0], "employment": [900, 1500, 1300]},
    ...                         index=["copper", "pistachio", "carpets"])
    >>> result = sensitivity(clusters, [0.6, 0.4], method="weighted_sum")
    >>> result.stability.round(3)  # doctest: +NORMALIZE_WHITESPACE
                weight      top  stable_from  stable_to  top_below  top_above
    criterion
    exports        0.6  carpets        0.308      0.727  pistachio     copper
    employment     0.4  carpets        0.273      0.692     copper  pistachio
    """
    problem = _problem(matrix, weights, criteria_types)
    if not isinstance(steps, int | np.integer) or steps < 2:
        raise AnalyticsInputError("invalid_option", f"steps must be an integer of at least 2, got {steps!r}.",
                                  option="steps", value=str(steps))
    score = _scorer(problem, method, normalisation)
    base_scores = score(problem.weights)[0]
    top = int(np.argmax(base_scores))

    def weights_at(c: int, t: np.ndarray) -> np.ndarray:
        t = np.atleast_1d(t)[:, None]
        others = np.delete(np.arange(len(problem.weights)), c)
        rest = problem.weights[others]
        share = rest / rest.sum() if rest.sum() > 0 else np.full(len(rest), 1 / max(len(rest), 1))
        stacked = np.empty((t.shape[0], len(problem.weights)))
        stacked[:, [c]] = t
        stacked[:, others] = (1 - t) * share
        return stacked

    def top_stays(scores: np.ndarray) -> np.ndarray:
        return scores[:, top] >= scores.max(axis=1) - 1e-12

    def boundary(c: int, inside: float, outside: float) -> float:
        """Bisection between a weight where the top holds and one where it does not."""
        while abs(outside - inside) > tolerance:
            middle = (inside + outside) / 2
            if top_stays(score(weights_at(c, np.array([middle]))))[0]:
                inside = middle
            else:
                outside = middle
        return inside

    def winner(c: int, t: float) -> Any:
        return problem.alternatives[int(np.argmax(score(weights_at(c, np.array([t])))[0]))]

    long_tables, stability_rows = [], []
    for c, criterion in enumerate(problem.criteria):
        current = problem.weights[c]
        if len(problem.criteria) == 1:
            grid = np.array([1.0])
        else:
            grid = np.union1d(np.linspace(0.0, 1.0, steps), [current])
        scores = score(weights_at(c, grid))
        ranks = np.vstack([_ranks(row) for row in scores])
        long_tables.append(pd.DataFrame({
            "criterion": criterion,
            "weight": np.repeat(grid, len(problem.alternatives)),
            "alternative": np.tile(np.asarray(problem.alternatives, dtype=object), len(grid)),
            "score": scores.ravel(),
            "rank": ranks.ravel(),
        }))
        # the run of grid points around the current weight where the top holds, then its exact ends
        stable = top_stays(scores)
        low = high = int(np.searchsorted(grid, current))
        while low > 0 and stable[low - 1]:
            low -= 1
        while high < len(grid) - 1 and stable[high + 1]:
            high += 1
        below, above = low > 0, high < len(grid) - 1
        stability_rows.append({
            "criterion": criterion, "weight": current, "top": problem.alternatives[top],
            "stable_from": boundary(c, grid[low], grid[low - 1]) if below else 0.0,
            "stable_to": boundary(c, grid[high], grid[high + 1]) if above else 1.0,
            "top_below": winner(c, grid[low - 1]) if below else None,
            "top_above": winner(c, grid[high + 1]) if above else None,
        })
    stability = pd.DataFrame(stability_rows).set_index("criterion")
    return SensitivityResult(ranks=pd.concat(long_tables, ignore_index=True), stability=stability)


# -- cluster priorities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterRanking:
    """Result of :func:`rank_clusters`.

    Attributes
    ----------
    table : pandas.DataFrame
        The criteria used, ``score`` and ``rank`` (1 = highest priority), indexed like the input.
    weights : pandas.Series
        The weight of each criterion used (sum 1).
    groups : pandas.Series
        The group (economic, social, industrial ...) of each criterion used.
    method : str
    """

    table: pd.DataFrame
    weights: pd.Series
    groups: pd.Series
    method: str


def rank_clusters(
    frame: pd.DataFrame,
    *,
    weights: Any = None,
    group_weights: Any = None,
    method: str = "topsis",
    criteria_types: Any = None,
    columns: Mapping[str, str] | None = None,
    groups: Mapping[str, Sequence[str]] = CRITERIA_GROUPS,
    normalisation: str = "minmax",
) -> ClusterRanking:
    """Rank clusters by their economic, social and industrial effect, with whichever criteria are present.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cluster; the criteria among its columns (see ``groups``): economic ``value_added``,
        ``exports``, ``wages``; social ``employment``, ``graduate_jobs`` (jobs for university graduates);
        industrial ``linkages``, ``specialisation`` (e.g. the LQ), ``growth``.  Absent criteria are skipped.
    weights : dict, pandas.Series or AHPResult, optional
        Weight per criterion name (every criterion used needs one).  Overrides ``group_weights``.
    group_weights : dict, pandas.Series or AHPResult, optional
        Weight per group, shared equally by the group's criteria present in ``frame``.  Default: the
        groups present weigh the same.
    method : {"topsis", "weighted_sum"}
    criteria_types : optional
        As in :func:`weighted_sum`; by default every criterion is a benefit.
    columns : mapping, optional
        Column name of a criterion when it differs, e.g. ``{"specialisation": "lq", "growth": "cagr"}``.
    groups : mapping
        Group name -> criterion names (default :data:`CRITERIA_GROUPS`); other criteria, e.g. for
        ranking the sites of an innovation factory, can be given here.
    normalisation : str
        For ``weighted_sum``.

    Returns
    -------
    ClusterRanking

    Examples
    --------
    >>> clusters = pd.DataFrame({"exports": [120.0, 40.0, 80.0], "wages": [30.0, 20.0, 25.0],
    ...                          "employment": [900, 1500, 1200], "specialisation": [3.1, 1.4, 2.2]},
    ...                         index=["copper", "pistachio", "carpets"])
    >>> ranking = rank_clusters(clusters, method="weighted_sum")
    >>> ranking.weights.round(3).to_dict()
    {'exports': 0.167, 'wages': 0.167, 'employment': 0.333, 'specialisation': 0.333}
    >>> ranking.table["rank"].to_dict()
    {'copper': 1, 'pistachio': 3, 'carpets': 2}
    """
    if not isinstance(frame, pd.DataFrame):
        raise AnalyticsInputError("not_a_frame", f"clusters: expected a pandas DataFrame, got {type(frame).__name__}.")
    names = dict(columns or {})
    group_of = {criterion: group for group, members in groups.items() for criterion in members}
    unknown = [c for c in names if c not in group_of]
    if unknown:
        raise AnalyticsInputError(
            "unknown_criterion", f"columns: {unknown[0]!r} is not a criterion ({', '.join(group_of)}).",
            column=str(unknown[0]),
        )
    used = [c for c in group_of if names.get(c, c) in frame.columns]
    if not used:
        raise AnalyticsInputError(
            "no_criteria", "clusters: none of the criteria columns is present; expected some of "
            f"{', '.join(group_of)} (or name them with columns=...).", expected=list(group_of),
        )
    criteria = frame[[names.get(c, c) for c in used]].set_axis(used, axis=1)

    if weights is not None:
        criterion_weights = pd.Series(_weights_vector(weights, pd.Index(used)), index=used)
    else:
        present_groups = list(dict.fromkeys(group_of[c] for c in used))
        if group_weights is None:
            per_group = pd.Series(1.0 / len(present_groups), index=present_groups)
        else:
            given = group_weights.weights if isinstance(group_weights, AHPResult) else pd.Series(group_weights)
            unknown_groups = [g for g in given.index if g not in groups]
            if unknown_groups:
                raise AnalyticsInputError(
                    "unknown_group", f"group_weights: {unknown_groups[0]!r} is not a group ({', '.join(groups)}).",
                    group=str(unknown_groups[0]),
                )
            given = given[[g for g in given.index if g in present_groups]]  # groups without data drop out
            per_group = pd.Series(_weights_vector(given, pd.Index(present_groups)), index=present_groups)
        size = pd.Series([group_of[c] for c in used]).value_counts()
        criterion_weights = pd.Series([per_group[group_of[c]] / size[group_of[c]] for c in used], index=used)

    result = (topsis(criteria, criterion_weights, criteria_types) if method == "topsis"
              else weighted_sum(criteria, criterion_weights, criteria_types=criteria_types,
                                normalisation=normalisation) if method == "weighted_sum"
              else None)
    if result is None:
        raise AnalyticsInputError("invalid_option", f"method must be one of {', '.join(METHODS)}, got {method!r}.",
                                  option="method", value=str(method))
    table = criteria.join(result)
    return ClusterRanking(table=table, weights=criterion_weights.rename("weight"),
                          groups=pd.Series({c: group_of[c] for c in used}, name="group"), method=method)
