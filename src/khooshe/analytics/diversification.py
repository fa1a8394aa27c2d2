"""Diversification: which new industries (clusters) could each region grow?

A region grows most easily into industries close to what it already does (high *relatedness density*)
and gains most from industries that open the way to further complex ones (high *complexity outlook
gain*).  :func:`opportunities` lists, for each region, the industries it does not have yet, ranked by
both.  The measures are those of :mod:`khooshe.analytics.complexity` (``ecomplexity`` conventions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from khooshe.analytics import complexity
from khooshe.analytics.validation import AnalyticsInputError, Matrix, as_matrix

__all__ = ["DEFAULT_SCORE_WEIGHTS", "opportunities"]

DEFAULT_SCORE_WEIGHTS: dict[str, float] = {"density": 0.5, "cog": 0.5, "pci": 0.0}
"""How much each standardised measure counts in the opportunity score (feasibility and strategic gain
equally; PCI not at all, as COG already rewards complexity)."""


def opportunities(
    M: Any,
    proximity: Any,
    pci: Any = None,
    *,
    top: int | None = 10,
    score_weights: Mapping[str, float] | None = None,
    density: Any = None,
    cog: Any = None,
) -> pd.DataFrame:
    """For each region, the industries it does not have yet, best diversification opportunities first.

    Parameters
    ----------
    M : pandas.DataFrame, array or scipy.sparse matrix
        Region x industry presence (1 = the region has a revealed comparative advantage, see
        :func:`khooshe.analytics.complexity.presence`); no all-zero region or industry.
    proximity : pandas.DataFrame or array
        Industry x industry proximity (:func:`khooshe.analytics.complexity.proximity`), aligned on M's
        industry labels when both are labelled.
    pci : pandas.Series or 1-D array, optional
        Industry complexity.  None (recommended): ``ecomplexity``'s conventions, i.e. the PCI of
        :func:`~khooshe.analytics.complexity.eci_pci` is reported and COG is exactly ``ecomplexity``'s.
        Given, it is reported and used in the COG formula as it is (e.g. the complexity of
        Fitness-Complexity).
    top : int or None
        Opportunities kept per region (None: all industries the region lacks).
    score_weights : mapping, optional
        Weights of the standardised ``density``, ``cog`` and ``pci`` in the score (default
        :data:`DEFAULT_SCORE_WEIGHTS`: density and COG half each).
    density, cog : region x industry matrices, optional
        Already computed (e.g. by :func:`~khooshe.analytics.complexity.complexity_panel` for the same
        year), to skip recomputing them; labelled like ``M`` or in its order.  Each costs an
        eigen-decomposition otherwise (``cog`` without ``pci``).

    Returns
    -------
    pandas.DataFrame
        Long table ``region, industry, density, cog, pci, score, rank``, sorted by region (in M's order)
        then rank (1 = best opportunity of the region).

    Notes
    -----
    With M_cp presence, phi proximity and PCI_p:

    - density  omega_cp = sum_q M_cq phi_qp / sum_q phi_qp  (share of related industries already present)
    - COG_cp = (1 - M_cp) sum_q (1 - M_cq) phi_qp / (sum_q' phi_qq') PCI_q  (outlook gained by adding p)
    - score_cp = w_d z(omega_cp) + w_g z(COG_cp) + w_k z(PCI_p), where z standardises each measure over
      all candidate pairs (M_cp = 0) of all regions (mean 0, sd 1), so the weights compare like with like.

    Only pairs with M_cp = 0 are candidates.  Equal scores keep M's industry order.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L., Hausmann, R. (2007). The product space conditions the
    development of nations. *Science* 317, 482-487.  Hausmann, R., Hidalgo, C. A. et al. (2014). *The
    Atlas of Economic Complexity*, MIT Press (complexity outlook gain and the choice of new products).

    Examples
    --------
    >>> from khooshe.analytics.complexity import proximity
    >>> M = pd.DataFrame([[1, 1, 1, 1, 0, 0], [1, 1, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1], [0, 1, 0, 0, 1, 1],
    ...                   [0, 0, 0, 0, 0, 1]], index=["Tehran", "Isfahan", "Yazd", "Kerman", "Sistan"],
    ...                  columns=["26", "28", "21", "20", "24", "13"])
    >>> table = opportunities(M, proximity(M), top=2)
    >>> table[table["region"] == "Yazd"].round(3)
      region industry  density    cog    pci  score  rank
    4   Yazd       28    0.455  0.676  0.821  0.617     1
    5   Yazd       26    0.316  0.907  1.632  0.416     2
    """
    weights = _score_weights(score_weights)
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise AnalyticsInputError("invalid_option", f"top must be a positive integer or None, got {top!r}.",
                                  option="top", value=str(top))
    matrix = as_matrix(M, name="presence", min_rows=2, min_columns=2)
    labelled = isinstance(M, pd.DataFrame)
    present = np.asarray(matrix.dense() > 0)
    _require_nonempty(present, matrix.rows, matrix.columns)
    if present.all():
        raise AnalyticsInputError(
            "no_candidates", "presence: every region already has every industry; there is nothing to add.",
        )
    # labels are checked here, once; the complexity functions then get plain arrays (no re-validation
    # of a labelled frame, and errors above already name regions and industries)
    phi = _aligned_proximity(proximity, matrix.columns, labelled=labelled)
    pci_values = None if pci is None else _aligned_pci(pci, matrix.columns, labelled=labelled)

    if density is None:
        density = np.asarray(complexity.density(matrix.values, phi), dtype=float)
    else:
        density = _aligned_matrix(density, matrix, labelled=labelled, name="density")
    if cog is None:
        cog = np.asarray(complexity.complexity_outlook(matrix.values, phi, pci_values)[1], dtype=float)
    else:
        cog = _aligned_matrix(cog, matrix, labelled=labelled, name="cog")
    if pci_values is None:
        pci_values = complexity.eci_pci(matrix.values)[1].to_numpy()

    candidate = ~present
    measures = {"density": density, "cog": cog, "pci": np.broadcast_to(pci_values, density.shape)}
    score = sum(weight * _standardised(measures[name], candidate) for name, weight in weights.items())
    score = np.where(candidate, score, -np.inf)

    # every region's candidates, best first (stable: equal scores keep the industry order)
    order = np.argsort(-score, axis=1, kind="stable")
    if top is not None:
        order = order[:, :top]
    rows = np.repeat(np.arange(order.shape[0]), order.shape[1])
    cols = order.ravel()
    keep = candidate[rows, cols]
    rows, cols = rows[keep], cols[keep]
    rank = (np.tile(np.arange(1, order.shape[1] + 1), order.shape[0]))[keep]
    return pd.DataFrame({
        "region": matrix.rows[rows], "industry": matrix.columns[cols], "density": density[rows, cols],
        "cog": cog[rows, cols], "pci": pci_values[cols], "score": score[rows, cols], "rank": rank,
    })


def _score_weights(given: Mapping[str, float] | None) -> dict[str, float]:
    weights = dict(DEFAULT_SCORE_WEIGHTS if given is None else given)
    unknown = [k for k in weights if k not in DEFAULT_SCORE_WEIGHTS]
    if unknown:
        raise AnalyticsInputError(
            "invalid_option", f"score_weights: {unknown[0]!r} is not a measure (density, cog, pci).",
            option="score_weights", value=str(unknown[0]),
        )
    for name, value in weights.items():
        if not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
            raise AnalyticsInputError(
                "invalid_option", f"score_weights: weight of {name!r} must be a number >= 0, got {value!r}.",
                option="score_weights", value=str(value),
            )
    if sum(weights.values()) <= 0:
        raise AnalyticsInputError("invalid_option", "score_weights: give at least one positive weight.",
                                  option="score_weights")
    return weights


def _standardised(values: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """(x - mean) / sd over the candidate cells; 0 when the measure does not vary among them."""
    pool = values[candidate]
    sd = pool.std()
    return (values - pool.mean()) / sd if sd > 0 else np.zeros_like(values, dtype=float)


def _require_nonempty(present: np.ndarray, regions: pd.Index, industries: pd.Index) -> None:
    empty_regions = np.flatnonzero(~present.any(axis=1))
    if empty_regions.size:
        region = regions[empty_regions[0]]
        raise AnalyticsInputError(
            "empty_region", f"presence: region {region!r} has no industry; remove it before computing.",
            row=str(region),
        )
    empty_industries = np.flatnonzero(~present.any(axis=0))
    if empty_industries.size:
        industry = industries[empty_industries[0]]
        raise AnalyticsInputError(
            "all_zero_industry", f"presence: industry {industry!r} is present in no region; remove it before "
            "computing.", column=str(industry),
        )


def _aligned_proximity(proximity: Any, industries: pd.Index, *, labelled: bool) -> np.ndarray:
    """The industry x industry proximity as an array in the presence matrix's industry order."""
    if isinstance(proximity, pd.DataFrame) and labelled:
        for axis_name, axis in (("rows", proximity.index), ("columns", proximity.columns)):
            missing = industries.difference(axis)
            if len(missing):
                raise AnalyticsInputError(
                    "proximity_mismatch",
                    f"proximity: industry {missing[0]!r} of the presence matrix is not in the proximity {axis_name}.",
                    column=str(missing[0]),
                )
        proximity = proximity.loc[industries, industries]
    phi = as_matrix(proximity, name="proximity", allow_sparse=False).dense()
    if phi.shape != (len(industries), len(industries)):
        raise AnalyticsInputError(
            "proximity_mismatch", f"proximity: expected a {len(industries)} x {len(industries)} industry x "
            f"industry matrix, got {phi.shape[0]} x {phi.shape[1]}.", expected=len(industries), got=str(phi.shape),
        )
    return phi


def _aligned_pci(pci: Any, industries: pd.Index, *, labelled: bool) -> np.ndarray:
    if isinstance(pci, pd.Series) and labelled:
        missing = industries.difference(pci.index)
        if len(missing):
            raise AnalyticsInputError(
                "missing_value", f"pci: no value for industry {missing[0]!r}; give one for every industry.",
                column=str(missing[0]),
            )
        pci = pci.reindex(industries)
    try:
        values = np.asarray(pci, dtype=float).ravel()
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", "pci: holds a value that is not a number.") from None
    if values.shape != (len(industries),):
        raise AnalyticsInputError(
            "wrong_length", f"pci: expected {len(industries)} values (one per industry), got {values.size}.",
            expected=len(industries), got=int(values.size),
        )
    if not np.isfinite(values).all():
        industry = industries[int(np.flatnonzero(~np.isfinite(values))[0])]
        raise AnalyticsInputError("non_finite", f"pci: missing or infinite value for industry {industry!r}.",
                                  column=str(industry))
    return values


def _aligned_matrix(values: Any, presence: Matrix, *, labelled: bool, name: str) -> np.ndarray:
    """A precomputed region x industry measure as an array in the presence matrix's order."""
    if isinstance(values, pd.DataFrame) and labelled:
        for axis_name, labels, axis in (("region", presence.rows, values.index),
                                        ("industry", presence.columns, values.columns)):
            missing = labels.difference(axis)
            if len(missing):
                raise AnalyticsInputError(
                    "label_mismatch", f"{name}: {axis_name} {missing[0]!r} of the presence matrix is missing.",
                    label=str(missing[0]),
                )
        values = values.loc[presence.rows, presence.columns]
    array = as_matrix(values, name=name, allow_sparse=False, allow_negative=True).dense()
    if array.shape != presence.values.shape:
        raise AnalyticsInputError(
            "shape_mismatch", f"{name}: expected {presence.values.shape[0]} x {presence.values.shape[1]} like the "
            f"presence matrix, got {array.shape[0]} x {array.shape[1]}.", expected=str(presence.values.shape),
            got=str(array.shape),
        )
    return array
