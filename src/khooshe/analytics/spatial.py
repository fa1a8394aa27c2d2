"""Spatial concentration: are high values (a cluster's location quotient, say) next to each other on the map?

Global Moran's I says whether a value is spatially clustered over the whole map; local Moran's I (LISA)
finds where: high-high hot spots (a high region among high neighbours), low-low cold spots and the two
kinds of outliers.  Computed with PySAL (``libpysal`` weights, ``esda`` statistics) on contiguity weights
built from the region boundaries.

Regions that cannot be used are dropped, never silently: a region with a value but no boundary, a region
on the map without a value, and a region with no neighbour (an island) are listed in a
:class:`SpatialDataWarning` and in the result.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from khooshe.analytics.validation import AnalyticsInputError, require_columns

__all__ = [
    "MoranResult",
    "SpatialDataWarning",
    "local_morans",
    "morans_i",
    "weights_from_geometry",
]

WEIGHT_METHODS = ("queen", "rook")
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}  # esda's (PySAL's) numbering of Moran_Local.q
# Why a region was left out of a Moran computation (the keys of ``MoranResult.dropped``).
NO_GEOMETRY, NO_VALUE, ISLAND = "no_geometry", "no_value", "island"


class SpatialDataWarning(UserWarning):
    """Some regions were left out of a spatial statistic; the message names them."""


def weights_from_geometry(source: Any, *, id_field: str, method: str = "queen"):
    """Spatial weights from region boundaries: which regions are neighbours, row-standardised.

    Two regions are neighbours when their boundaries share a point (``"queen"``) or a stretch of border
    (``"rook"``).  Each region's weights sum to 1 (:math:`w_{ij} = 1 / k_i` for its :math:`k_i`
    neighbours), so a spatial lag is the average of the neighbours' values.

    Parameters
    ----------
    source : GeoDataFrame, path to a file GeoPandas reads (GeoJSON, GeoPackage, shapefile) or a GeoJSON
        mapping (``{"type": "FeatureCollection", "features": [...]}``)
        One row (feature) per region.
    id_field : str
        The column (GeoJSON property) holding the region id that the values will be indexed by.
    method : {"queen", "rook"}

    Returns
    -------
    libpysal.weights.W
        Row-standardised (``transform == "R"``), ids from ``id_field`` in the order of the rows.  Regions
        without a neighbour (islands) are kept in it and named in a :class:`SpatialDataWarning`; the Moran
        functions leave them out.

    Raises
    ------
    AnalyticsInputError
        ``unknown_method``, ``unreadable_geometry``, ``missing_column`` (naming the available columns),
        ``missing_region_id``, ``duplicate_region``, ``missing_geometry`` (naming the regions without a
        boundary), ``too_few_regions``.

    References
    ----------
    Rey, S. J. & Anselin, L. (2007). PySAL: A Python library of spatial analytical methods. *The Review of
    Regional Studies* 37(1), 5-27 (``libpysal.weights.Queen`` / ``Rook.from_dataframe``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame({"region": ["a", "b", "c", "d"]},
    ...                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)])
    >>> w = weights_from_geometry(grid, id_field="region")
    >>> sorted(w.neighbors["a"]), w.weights["a"]
    (['b', 'c', 'd'], [0.3333333333333333, 0.3333333333333333, 0.3333333333333333])
    >>> sorted(weights_from_geometry(grid, id_field="region", method="rook").neighbors["a"])
    ['b', 'c']
    """
    import geopandas as gpd
    from libpysal.weights import Queen, Rook

    if method not in WEIGHT_METHODS:
        raise AnalyticsInputError(
            "unknown_method", f"method {method!r} is not one of {', '.join(WEIGHT_METHODS)}.",
            value=method, allowed=list(WEIGHT_METHODS),
        )
    frame = _read_geometry(source, gpd)
    require_columns(frame, {"region id": id_field}, name="geometry")
    ids = frame[id_field]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise AnalyticsInputError(
            "missing_region_id", f"geometry: row {row + 1} has no {id_field!r}; give every region an id.",
            column=id_field, row=row + 1,
        )
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise AnalyticsInputError(
            "duplicate_region",
            f"geometry: region {duplicated.iloc[0]!r} appears more than once in {id_field!r}; merge its "
            "parts into one (multi)polygon.",
            column=id_field, region=str(duplicated.iloc[0]),
        )
    geometry = frame.geometry
    no_shape = (geometry.isna() | geometry.is_empty).to_numpy()
    if no_shape.any():
        names = [str(x) for x in ids[no_shape]]
        raise AnalyticsInputError(
            "missing_geometry",
            f"geometry: region(s) {', '.join(map(repr, names[:10]))} have no boundary; add it or remove "
            "the region from the file (its values are then left out of the map statistics).",
            regions=names,
        )
    if len(frame) < 3:
        raise AnalyticsInputError(
            "too_few_regions", f"geometry: needs at least 3 regions, got {len(frame)}.",
            minimum=3, got=len(frame),
        )
    builder = Queen if method == "queen" else Rook
    with warnings.catch_warnings():
        # libpysal warns about islands and disconnected parts in its own words; we name the islands below.
        warnings.simplefilter("ignore")
        weights = builder.from_dataframe(frame, ids=ids.tolist(), use_index=False)
    weights.transform = "r"
    if weights.islands:
        warnings.warn(
            f"{len(weights.islands)} region(s) share no border with any other and will be left out of "
            f"Moran's I: {', '.join(map(str, weights.islands))}.",
            SpatialDataWarning, stacklevel=2,
        )
    return weights


def _read_geometry(source: Any, gpd: Any):
    if isinstance(source, gpd.GeoDataFrame):
        return source
    try:
        if isinstance(source, Mapping):
            return gpd.GeoDataFrame.from_features(source["features"] if "features" in source else source)
        if isinstance(source, str | os.PathLike):
            return gpd.read_file(source)
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a message naming the source
        raise AnalyticsInputError(
            "unreadable_geometry", f"geometry: could not read {str(source)[:200]!r}: {exc}",
            source=str(source)[:200],
        ) from None
    raise AnalyticsInputError(
        "unreadable_geometry",
        f"geometry: expected a GeoDataFrame, a file path or a GeoJSON mapping, got {type(source).__name__}.",
    )


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I of a value over the regions.

    Attributes
    ----------
    i : float
        Moran's I: above ``expected_i``, similar values sit next to each other; below, they alternate.
    expected_i : float
        :math:`E[I] = -1/(n-1)` under spatial randomness.
    z, p : float
        With permutations: the permutation z-score and pseudo p-value (``esda``'s ``z_sim``, ``p_sim``: one
        tail, the side of the observed I).  Without: ``z_normal``, ``p_normal``.
    z_normal, p_normal : float
        Analytical z-score and two-sided p-value under the normality assumption.
    n : int
        Regions used.
    permutations : int
    dropped : dict
        ``{"no_geometry": [...], "no_value": [...], "island": [...]}``: the regions left out and why.
    """

    i: float
    expected_i: float
    z: float
    p: float
    z_normal: float
    p_normal: float
    n: int
    permutations: int
    dropped: dict[str, list] = field(default_factory=dict)


def morans_i(values: Any, weights: Any, *, permutations: int = 999, seed: int = 0) -> MoranResult:
    r"""Global Moran's I: is the value spatially clustered (high near high, low near low) over the map?

    .. math::

        I = \frac{n}{S_0} \frac{\sum_i \sum_j w_{ij} z_i z_j}{\sum_i z_i^2}, \qquad z_i = x_i - \bar x,
        \qquad S_0 = \sum_{ij} w_{ij}

    with row-standardised weights (:math:`S_0 = n`).  The p-value compares *I* with its values when the
    values are randomly reshuffled over the regions ``permutations`` times (the smallest possible is
    :math:`1/(\text{permutations}+1)`).

    Parameters
    ----------
    values : Series
        Value per region id (e.g. a cluster's location quotient per province); numbers, NaN = no value.
    weights : libpysal.weights.W
        From :func:`weights_from_geometry`; re-row-standardised over the regions used.
    permutations : int, default 999
        0 for the analytical (normal) p-value only.
    seed : int, default 0
        The permutations are reproducible with the same seed.

    Returns
    -------
    MoranResult

    Raises
    ------
    AnalyticsInputError
        ``not_a_series``, ``not_weights``, ``duplicate_region``, ``non_numeric`` (naming the region),
        ``non_finite``, ``no_common_regions``, ``too_few_regions``, ``constant_values``,
        ``bad_permutations``.

    References
    ----------
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17-23.
    Computed by ``esda.Moran`` (PySAL).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame({"region": list("abcdefghi")},
    ...                         geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)])
    >>> w = weights_from_geometry(grid, id_field="region", method="rook")
    >>> lq = pd.Series([3.0, 2.5, 0.5, 2.8, 2.0, 0.4, 0.6, 0.3, 0.2], index=list("abcdefghi"))
    >>> result = morans_i(lq, w, permutations=99, seed=1)
    >>> round(result.i, 3), round(result.expected_i, 3), result.p < 0.05
    (0.475, -0.125, True)
    """
    from esda.moran import Moran

    permutations = _check_permutations(permutations, minimum=0)
    y, w, ids, dropped = _prepare(values, weights)
    state = np.random.get_state()
    try:
        # esda.Moran draws its permutations from NumPy's global generator: seed it, then put it back.
        np.random.seed(seed)
        moran = Moran(y, w, transformation="r", permutations=permutations, two_tailed=True)
    finally:
        np.random.set_state(state)
    if permutations:
        z, p = float(moran.z_sim), float(moran.p_sim)
    else:
        z, p = float(moran.z_norm), float(moran.p_norm)
    return MoranResult(
        i=float(moran.I), expected_i=float(moran.EI), z=z, p=p,
        z_normal=float(moran.z_norm), p_normal=float(moran.p_norm),
        n=len(ids), permutations=permutations, dropped=dropped,
    )


def local_morans(
    values: Any,
    weights: Any,
    *,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    r"""Local Moran's I (LISA): where are the hot spots (high values among high neighbours)?

    .. math::

        I_i = (n - 1)\, \frac{z_i \sum_j w_{ij} z_j}{\sum_k z_k^2}, \qquad z_i = \frac{x_i - \bar x}{s}

    The quadrant compares a region's value with the mean and its neighbours' average (spatial lag) with the
    mean: **HH** (high among high: a hot spot when significant), **LL** (low among low), **HL** and **LH**
    (outliers).  A value or lag exactly at the mean counts as low.  The pseudo p-value comes from
    conditional permutations (the region's value kept, the others reshuffled ``permutations`` times; one
    tail, as GeoDa reports it); it cannot go below :math:`1/(\text{permutations}+1)`.

    Parameters
    ----------
    values : Series
        Value per region id; numbers, NaN = no value.
    weights : libpysal.weights.W
        From :func:`weights_from_geometry`.
    permutations : int, default 999
        At least 1.
    alpha : float, default 0.05
        Significance level of ``significant`` and ``hot_spot``.
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per region (those used, in the weights' order, then those left out): ``value``,
        ``local_i``, ``z`` (permutation z-score), ``p`` (pseudo p-value), ``quadrant`` (``"HH"``, ``"LH"``,
        ``"LL"``, ``"HL"``), ``significant`` (p < alpha), ``hot_spot`` (HH and significant), ``cold_spot``
        (LL and significant) and ``note`` (empty, or ``"no_geometry"``, ``"no_value"``, ``"island"`` for a
        region left out, whose statistics are NaN / None / False).

    Raises
    ------
    AnalyticsInputError
        As :func:`morans_i`, and ``bad_alpha``.

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis* 27(2),
    93-115.  Computed by ``esda.Moran_Local`` (PySAL; quadrants 1 HH, 2 LH, 3 LL, 4 HL).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame({"region": list("abcdefghi")},
    ...                         geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)])
    >>> w = weights_from_geometry(grid, id_field="region", method="rook")
    >>> lq = pd.Series([3.0, 2.5, 0.5, 2.8, 2.0, 0.4, 0.6, 0.3, 0.2], index=list("abcdefghi"))
    >>> local = local_morans(lq, w, permutations=99, seed=1)
    >>> local.loc["a", "quadrant"], round(float(local.loc["a", "local_i"]), 3), local.loc["i", "quadrant"]
    ('HH', 1.5, 'LL')
    """
    from esda.moran import Moran_Local

    permutations = _check_permutations(permutations, minimum=1)
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise AnalyticsInputError("bad_alpha", f"alpha must be between 0 and 1, got {alpha!r}.", value=str(alpha))
    y, w, ids, dropped = _prepare(values, weights)
    with warnings.catch_warnings():
        # esda announces a future change of the default alternative hypothesis; we keep today's (GeoDa's).
        warnings.filterwarnings("ignore", message=".*alternative hypothesis.*", category=DeprecationWarning)
        lisa = Moran_Local(y, w, transformation="r", permutations=permutations, n_jobs=1,
                           keep_simulations=True, seed=seed)
    quadrant = pd.Series(lisa.q, index=ids).map(QUADRANTS)
    p = pd.Series(lisa.p_sim, index=ids)
    significant = p < alpha
    used = pd.DataFrame({
        "value": y,
        "local_i": lisa.Is,
        "z": lisa.z_sim,
        "p": p,
        "quadrant": quadrant,
        "significant": significant,
        "hot_spot": significant & (quadrant == "HH"),
        "cold_spot": significant & (quadrant == "LL"),
        "note": "",
    }, index=pd.Index(ids, name="region"))
    left_out = [(region, reason) for reason, regions in dropped.items() for region in regions]
    if not left_out:
        return used
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    extra = pd.DataFrame({
        "value": [series.get(region, np.nan) if reason != NO_VALUE else np.nan for region, reason in left_out],
        "local_i": np.nan, "z": np.nan, "p": np.nan, "quadrant": None,
        "significant": False, "hot_spot": False, "cold_spot": False,
        "note": [reason for _, reason in left_out],
    }, index=pd.Index([region for region, _ in left_out], name="region"))
    extra["value"] = pd.to_numeric(extra["value"], errors="coerce")
    return pd.concat([used, extra])


# -- shared input handling --------------------------------------------------------------------------------

def _check_permutations(permutations: Any, *, minimum: int) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer) or permutations < minimum:
        raise AnalyticsInputError(
            "bad_permutations",
            f"permutations must be a whole number, at least {minimum}, got {permutations!r}.",
            value=str(permutations), minimum=minimum,
        )
    return int(permutations)


def _prepare(values: Any, weights: Any) -> tuple[np.ndarray, Any, list, dict[str, list]]:
    """Match the values with the weights' regions, drop the unusable ones (with a warning), and return
    the values in the weights' order, row-standardised weights over the regions kept, their ids and what
    was dropped."""
    from libpysal.weights import W

    if isinstance(values, Mapping):
        values = pd.Series(values, dtype=object)
    if not isinstance(values, pd.Series):
        raise AnalyticsInputError(
            "not_a_series", "values: give a pandas Series indexed by region id (e.g. a column of a region x "
            f"industry table), got {type(values).__name__}.",
        )
    if not isinstance(weights, W):
        raise AnalyticsInputError(
            "not_weights", "weights: give the spatial weights from weights_from_geometry (a libpysal W), got "
            f"{type(weights).__name__}.",
        )
    if values.index.has_duplicates:
        region = values.index[values.index.duplicated()][0]
        raise AnalyticsInputError(
            "duplicate_region", f"values: region {region!r} appears more than once.", region=str(region),
        )
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        region = values.index[bad.to_numpy()][0]
        raise AnalyticsInputError(
            "non_numeric", f"values: region {region!r} holds {values[region]!r}, which is not a number.",
            region=str(region), value=str(values[region]),
        )
    numbers = numbers.astype(float)
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        region = numbers.index[infinite][0]
        raise AnalyticsInputError(
            "non_finite", f"values: region {region!r} is infinite; give a finite number or leave it empty.",
            region=str(region),
        )

    map_ids = pd.Index(weights.id_order)
    if not map_ids.isin(numbers.index).any():
        raise AnalyticsInputError(
            "no_common_regions",
            f"values: none of the region ids ({', '.join(map(repr, numbers.index[:3]))} ...) is on the map "
            f"({', '.join(map(repr, map_ids[:3]))} ...); index the values by the map's id_field.",
        )
    no_geometry = list(numbers.index[~numbers.index.isin(map_ids)])
    present = numbers.reindex(map_ids)
    no_value = list(map_ids[present.isna().to_numpy()])
    without_value = set(no_value)
    keep = [region for region in map_ids if region not in without_value]
    neighbours = {region: [n for n in weights.neighbors[region] if n not in without_value] for region in keep}
    islands = [region for region in keep if not neighbours[region]]
    if islands:
        keep = [region for region in keep if neighbours[region]]
    dropped = {NO_GEOMETRY: no_geometry, NO_VALUE: no_value, ISLAND: islands}
    left_out = {reason: regions for reason, regions in dropped.items() if regions}
    if left_out:
        words = {NO_GEOMETRY: "not on the map", NO_VALUE: "without a value", ISLAND: "without a neighbour"}
        warnings.warn(
            "left out of the spatial statistics: " + "; ".join(
                f"{len(regions)} region(s) {words[reason]} ({', '.join(map(str, regions[:10]))}"
                f"{' ...' if len(regions) > 10 else ''})" for reason, regions in left_out.items()
            ) + ".",
            SpatialDataWarning, stacklevel=3,
        )
    if len(keep) < 3:
        raise AnalyticsInputError(
            "too_few_regions",
            f"values: only {len(keep)} region(s) have a value, a boundary and a neighbour; Moran's I needs "
            "at least 3.", got=len(keep), minimum=3,
        )
    y = present.loc[keep].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise AnalyticsInputError(
            "constant_values",
            f"values: every region has the same value ({y[0]!r}); there is no pattern to measure.",
            value=float(y[0]),
        )
    # A fresh W over the regions kept (the caller's W is never modified); row-standardising rescales each
    # row, so rescaling already row-standardised weights gives the same result as the original ones.
    kept = set(keep)
    original = {region: dict(zip(weights.neighbors[region], weights.weights[region], strict=True))
                for region in keep}
    sub_neighbours = {region: [n for n in neighbours[region] if n in kept] for region in keep}
    sub_weights = {region: [original[region][n] for n in sub_neighbours[region]] for region in keep}
    w = W(sub_neighbours, sub_weights, id_order=keep, silence_warnings=True)
    w.transform = "r"
    return y, w, keep, dropped
