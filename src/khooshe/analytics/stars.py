"""Cluster strength ratings: European Cluster Observatory stars and U.S. Cluster Mapping flags.

Both rate every region x cluster category (a "category" is an industry or a group of industries) and
return one row per pair, with the thresholds used, so that a page can say *why* a cluster got its rating.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analytics.indicators import _location_quotient  # shares the validated matrix
from khooshe.analytics.validation import (
    AnalyticsInputError,
    Matrix,
    as_matrix,
    long_to_matrix,
    require_columns,
)

__all__ = ["cmp_from_published", "cmp_strength", "eco_stars"]


def _column_quantiles(values: np.ndarray, mask: np.ndarray, probability: float) -> np.ndarray:
    """Quantile of each column over the entries where ``mask`` is True; NaN for a column without any.

    Linear interpolation between order statistics (R type 7), computed with the same floating-point
    steps as ``numpy.quantile``'s default so that a value equal to a threshold compares the same way.
    """
    ordered = np.sort(np.where(mask, values, np.nan), axis=0)  # NaN (masked out) sort last
    n = mask.sum(axis=0).astype(float)
    virtual = (n - 1.0) * probability  # numpy's virtual index for method="linear"
    below = np.floor(virtual)
    last = np.maximum(n - 1.0, 0.0)
    lower = np.where(virtual >= last, last, below).astype(np.intp)
    upper = np.where(virtual >= last, last, below + 1.0).astype(np.intp)
    a = np.take_along_axis(ordered, lower[None, :], axis=0)[0]
    b = np.take_along_axis(ordered, upper[None, :], axis=0)[0]
    t = virtual - below
    difference = b - a
    result = np.where(t >= 0.5, b - difference * (1.0 - t), a + difference * t)  # numpy's _lerp
    return np.where(n > 0, result, np.nan)


def _dense(m: Matrix) -> np.ndarray:
    # Cluster categories are few (tens to hundreds): the region x category table is small and dense.
    return m.values.toarray() if sp.issparse(m.values) else m.values


def _long_index(m: Matrix, default_names: tuple[str, str]) -> pd.MultiIndex:
    names = (m.rows.name or default_names[0], m.columns.name or default_names[1])
    return pd.MultiIndex.from_product([m.rows, m.columns], names=names)


def _check_probability(value: float, name: str) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise AnalyticsInputError("bad_parameter", f"{name} must be a number between 0 and 1, got {value!r}.",
                                  parameter=name, value=str(value))


def eco_stars(
    employment: Any,
    *,
    size_quantile: float = 0.9,
    specialisation_threshold: float = 2.0,
    focus_quantile: float = 0.9,
    region_totals: Any = None,
    industry_totals: Any = None,
    grand_total: float | None = None,
) -> pd.DataFrame:
    r"""European Cluster Observatory stars (0 to 3) of every region and cluster category.

    A region earns one star for each of:

    * **size**: its employment in the category is among the top 10 % of regions,
      :math:`E_{rc} \ge Q_{0.9}(E_{\cdot c})`;
    * **specialisation**: the category weighs at least twice as much in the region as in the whole
      economy, :math:`LQ_{rc} \ge 2`;
    * **focus**: the category's share of the region's employment is among the top 10 % of regions,
      :math:`E_{rc}/E_r \ge Q_{0.9}(E_{\cdot c}/E_{\cdot})`.

    Quantiles are over all regions, per category, with linear interpolation (numpy's default); a region
    with no employment in the category gets no star.  The thresholds are parameters.

    Parameters
    ----------
    employment : array-like, sparse matrix or DataFrame
        Region x category employment (at least two regions).
    size_quantile, focus_quantile : float
        Quantile a region must reach for the size and focus stars (0.9 = top 10 %).
    specialisation_threshold : float
        Location quotient needed for the specialisation star.
    region_totals, industry_totals, grand_total : optional
        Totals for the location quotient and the focus share when the categories do not cover the whole
        economy (see :func:`~khooshe.analytics.indicators.location_quotient`); default: sums of the matrix.

    Returns
    -------
    DataFrame
        One row per (region, category): ``employment``, ``lq``, ``focus_share``, ``size_threshold``,
        ``focus_threshold``, ``size``, ``specialisation``, ``focus`` (booleans) and ``stars`` (0-3).

    References
    ----------
    European Cluster Observatory (2011) Cluster mapping methodology (Ketels, C. & Protsiv, S., Center for
    Strategy and Competitiveness, Stockholm School of Economics): the three-star rating.

    Examples
    --------
    >>> import pandas as pd
    >>> jobs = pd.DataFrame({"carpets": [900, 50, 40, 30, 20, 10, 0, 0, 0, 0],
    ...                      "other": [1000] * 10}, index=[f"p{i}" for i in range(10)])
    >>> stars = eco_stars(jobs)
    >>> stars.loc[("p0", "carpets"), ["size", "specialisation", "focus", "stars"]].to_dict()
    {'size': True, 'specialisation': True, 'focus': True, 'stars': 3}
    >>> int(stars.loc[("p1", "carpets"), "stars"])
    0
    """
    _check_probability(size_quantile, "size_quantile")
    _check_probability(focus_quantile, "focus_quantile")
    if not (isinstance(specialisation_threshold, int | float) and specialisation_threshold > 0):
        raise AnalyticsInputError(
            "bad_parameter", f"specialisation_threshold must be a number above 0, got {specialisation_threshold!r}.",
            parameter="specialisation_threshold", value=str(specialisation_threshold),
        )
    m = as_matrix(employment, name="employment", min_rows=2)
    e = _dense(m)
    # also checks the given totals, naming the region or category at fault
    dense = Matrix(values=e, rows=m.rows, columns=m.columns)
    lq = _location_quotient(dense, region_totals=region_totals, industry_totals=industry_totals,
                            grand_total=grand_total)
    rows = e.sum(axis=1) if region_totals is None else _aligned(region_totals, m.rows)
    share = e / np.asarray(rows, dtype=float)[:, None]
    everywhere = np.ones_like(e, dtype=bool)
    size_threshold = _column_quantiles(e, everywhere, size_quantile)
    focus_threshold = _column_quantiles(share, everywhere, focus_quantile)
    present = e > 0
    size = present & (e >= size_threshold[None, :])
    specialised = present & (lq >= specialisation_threshold)
    focus = present & (share >= focus_threshold[None, :])
    n_regions = e.shape[0]
    return pd.DataFrame(
        {
            "employment": e.ravel(),
            "lq": lq.ravel(),
            "focus_share": share.ravel(),
            "size_threshold": np.tile(size_threshold, n_regions),
            "focus_threshold": np.tile(focus_threshold, n_regions),
            "size": size.ravel(),
            "specialisation": specialised.ravel(),
            "focus": focus.ravel(),
            "stars": (size.astype(int) + specialised + focus).ravel(),
        },
        index=_long_index(m, ("region", "category")),
    )


def _aligned(vector: Any, labels: pd.Index) -> np.ndarray:
    """A vector already validated by ``location_quotient``, in the order of ``labels``."""
    if isinstance(vector, pd.Series):
        return vector.reindex(labels).to_numpy(dtype=float)
    return np.asarray(vector, dtype=float).ravel()


def _same_shape(employment: Matrix, other: Any, *, name: str) -> np.ndarray:
    """``other`` as a dense array laid out like ``employment`` (a DataFrame is aligned on the labels)."""
    if isinstance(other, pd.DataFrame):
        missing_rows = employment.rows.difference(other.index)
        missing_columns = employment.columns.difference(other.columns)
        if len(missing_rows) or len(missing_columns):
            what = (f"region {missing_rows[0]!r}" if len(missing_rows) else f"cluster {missing_columns[0]!r}")
            raise AnalyticsInputError("label_mismatch", f"{name}: has no {what} of employment.",
                                      label=str(missing_rows[0] if len(missing_rows) else missing_columns[0]))
        other = other.reindex(index=employment.rows, columns=employment.columns)
    m = as_matrix(other, name=name)
    values = _dense(m)
    if values.shape != employment.values.shape:
        raise AnalyticsInputError(
            "shape_mismatch", f"{name}: is {values.shape[0]} x {values.shape[1]} but employment is "
            f"{employment.values.shape[0]} x {employment.values.shape[1]}.",
        )
    return values


def cmp_strength(
    employment: Any,
    establishments: Any,
    *,
    lq: Any = None,
    region_totals: Any = None,
    national_totals: Any = None,
    national_grand_total: float | None = None,
    traded: Any = True,
) -> pd.DataFrame:
    r"""U.S. Cluster Mapping strength flags of every region and cluster, exactly as published.

    For each cluster :math:`c`, quantiles :math:`Q_p` are taken over the regions with employment in it
    (:math:`E_{rc} > 0`), with linear interpolation (R type 7, numpy's default).  A region is

    * **strong** if :math:`LQ_{rc} \ge Q_{.75}(LQ_c)`, :math:`LQ_{rc} \ge 1`,
      :math:`E_{rc} > Q_{.25}(E_c)` and :math:`Est_{rc} > Q_{.25}(Est_c)` (a top-quartile specialisation
      that is not tiny);
    * **strong10**: the same with :math:`Q_{.90}` (top 10 %);
    * **qualifying**: :math:`LQ_{rc} > Q_{.25}(LQ_c)` with the two size conditions;
    * **significant**: :math:`LQ_{rc} > Q_{.50}(LQ_c)` with the two size conditions.

    The LQ is relative to *traded* employment for traded clusters (local totals for local clusters):
    :math:`LQ_{rc} = (E_{rc} / E_r^T) / (E_c^{US} / E^{US,T})`; pass those totals, or the published LQ.
    The Cluster Mapping rates only traded clusters: for clusters marked not ``traded`` the flags are NA,
    as in its published files.

    Parameters
    ----------
    employment, establishments : array-like, sparse matrix or DataFrame
        Region x cluster employment and number of establishments (same regions and clusters).
    lq : array-like or DataFrame, optional
        Location quotients to use as they are (e.g. published); default: computed from the totals below.
    region_totals : array-like or Series, optional
        :math:`E_r^T`, each region's traded (or local) employment.  Default: row sums.
    national_totals : array-like or Series, optional
        :math:`E_c^{US}` per cluster.  Default: column sums.
    national_grand_total : float, optional
        :math:`E^{US,T}`.  Default: the sum of ``national_totals``.
    traded : bool, or array-like / Series of bool per cluster
        Clusters that get flags (default: all).

    Returns
    -------
    DataFrame
        One row per (region, cluster): ``employment``, ``establishments``, ``lq``, the thresholds
        ``q25_lq``, ``q50_lq``, ``q75_lq``, ``q90_lq``, ``q25_emp``, ``q25_est``, the size test ``size``, and
        the flags ``strong``, ``strong10``, ``qualifying``, ``significant`` (nullable booleans).

    References
    ----------
    Delgado, M., Porter, M. E. & Stern, S. (2016) Defining clusters of related industries, Journal of
    Economic Geography 16(1).  U.S. Cluster Mapping (http://clustermapping.us), Institute for Strategy
    and Competitiveness, Harvard Business School: the strength flags of its region-cluster files.

    Examples
    --------
    >>> import numpy as np
    >>> emp = np.array([[50, 5], [10, 5], [20, 5], [30, 5], [40, 5]])
    >>> est = np.array([[6, 1], [2, 1], [3, 1], [4, 1], [5, 1]])
    >>> flags = cmp_strength(emp, est).xs(0, level="cluster")
    >>> flags[["lq", "q75_lq", "strong", "qualifying"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                lq  q75_lq  strong  qualifying
    region
    0       1.0606   1.037    True        True
    1       0.7778   1.037   False       False
    2       0.9333   1.037   False       False
    3       1.0000   1.037   False        True
    4       1.0370   1.037    True        True
    """
    e_matrix = as_matrix(employment, name="employment")
    e = _dense(e_matrix)
    est = _same_shape(e_matrix, establishments, name="establishments")
    if lq is None:
        lq_values = _location_quotient(
            Matrix(values=e, rows=e_matrix.rows, columns=e_matrix.columns), region_totals=region_totals,
            industry_totals=national_totals, grand_total=national_grand_total,
        )
    else:
        lq_values = _same_shape(e_matrix, lq, name="lq")
    rated = _traded(traded, e_matrix.columns)

    present = e > 0
    q = {p: _column_quantiles(lq_values, present, p) for p in (0.25, 0.5, 0.75, 0.9)}
    q25_emp = _column_quantiles(e, present, 0.25)
    q25_est = _column_quantiles(est, present, 0.25)
    size = (e > q25_emp[None, :]) & (est > q25_est[None, :])
    flags = {
        "strong": (lq_values >= q[0.75][None, :]) & (lq_values >= 1.0) & size,
        "strong10": (lq_values >= q[0.9][None, :]) & (lq_values >= 1.0) & size,
        "qualifying": (lq_values > q[0.25][None, :]) & size,
        "significant": (lq_values > q[0.5][None, :]) & size,
    }
    n_regions = e.shape[0]
    result = pd.DataFrame(
        {
            "employment": e.ravel(),
            "establishments": est.ravel(),
            "lq": lq_values.ravel(),
            "q25_lq": np.tile(q[0.25], n_regions),
            "q50_lq": np.tile(q[0.5], n_regions),
            "q75_lq": np.tile(q[0.75], n_regions),
            "q90_lq": np.tile(q[0.9], n_regions),
            "q25_emp": np.tile(q25_emp, n_regions),
            "q25_est": np.tile(q25_est, n_regions),
            "size": size.ravel(),
        },
        index=_long_index(e_matrix, ("region", "cluster")),
    )
    unrated = ~np.tile(rated, n_regions)
    for name, flag in flags.items():
        column = pd.array(flag.ravel(), dtype="boolean")
        column[unrated] = pd.NA
        result[name] = column
    return result


def _traded(traded: Any, clusters: pd.Index) -> np.ndarray:
    if isinstance(traded, bool | np.bool_):
        return np.full(len(clusters), bool(traded))
    if isinstance(traded, pd.Series):
        missing = clusters.difference(traded.index)
        if len(missing):
            raise AnalyticsInputError("missing_label", f"traded: no value for cluster {missing[0]!r}.",
                                      label=str(missing[0]))
        traded = traded.reindex(clusters)
    values = np.asarray(traded)
    if values.shape != (len(clusters),) or values.dtype != bool:
        raise AnalyticsInputError(
            "bad_parameter", f"traded: give True/False, or one boolean per cluster ({len(clusters)}).",
            parameter="traded",
        )
    return values


_PUBLISHED_COLUMNS = ("emp_tl", "est_tl", "region_emp_per_tf", "cluster_emp_per_tf", "traded_b")


def _as_bool(series: pd.Series, column: str) -> pd.Series:
    if series.dtype == bool:
        return series
    text = series.astype(str).str.strip().str.upper()
    mapped = text.map({"TRUE": True, "FALSE": False, "1": True, "0": False, "T": True, "F": False})
    if mapped.isna().any():
        i = int(np.flatnonzero(mapped.isna().to_numpy())[0])
        raise AnalyticsInputError("non_boolean", f"published: row {i + 1}, column {column!r}: "
                                  f"{series.iloc[i]!r} is not TRUE or FALSE.", row=i + 1, column=column)
    return mapped.astype(bool)


def cmp_from_published(
    frame: pd.DataFrame,
    *,
    region_col: str = "region_name_t",
    cluster_col: str = "cluster_name_t",
) -> dict[str, dict[str, Any]]:
    r"""Rebuild the inputs of :func:`cmp_strength` from a published U.S. Cluster Mapping region-cluster file.

    The files give, per region and cluster, employment ``emp_tl``, establishments ``est_tl``, the cluster's
    share of the region's traded (or local) employment ``region_emp_per_tf`` :math:`= E_{rc}/E_r^T` and the
    region's share of the cluster's national employment ``cluster_emp_per_tf`` :math:`= E_{rc}/E_c^{US}`.
    National totals are not sums of the regions (the nation has more areas than the file), so they are
    recovered as :math:`E_c^{US} = E_{rc} / \text{cluster\_emp\_per\_tf}` and
    :math:`E_r^T = E_{rc} / \text{region\_emp\_per\_tf}` from any row with employment (median over rows,
    rounded to whole jobs: the shares are published to about 7 significant digits).  The national traded
    (local) total is the sum of the national totals of the traded (local) clusters.

    Parameters
    ----------
    frame : DataFrame
        The published rows (one per region and cluster), with the columns ``emp_tl``, ``est_tl``,
        ``region_emp_per_tf``, ``cluster_emp_per_tf``, ``traded_b`` and the two label columns.
    region_col, cluster_col : str
        Columns naming the region and the cluster.

    Returns
    -------
    dict
        ``{"traded": kwargs, "local": kwargs}`` (only the kinds present), each usable as
        ``cmp_strength(**kwargs)``: ``employment``, ``establishments`` (region x cluster DataFrames),
        ``region_totals``, ``national_totals`` (Series), ``national_grand_total`` and ``traded``.

    References
    ----------
    U.S. Cluster Mapping (http://clustermapping.us), Institute for Strategy and Competitiveness, Harvard
    Business School; file layout of its region-cluster downloads.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "region_name_t": ["A", "A", "B", "B"], "cluster_name_t": ["x", "y", "x", "y"],
    ...     "emp_tl": [30, 70, 50, 50], "est_tl": [3, 7, 5, 5],
    ...     "region_emp_per_tf": [0.3, 0.7, 0.5, 0.5], "cluster_emp_per_tf": [0.1, 0.07, 50 / 300, 0.05],
    ...     "traded_b": [True, True, True, True]})
    >>> inputs = cmp_from_published(rows)["traded"]
    >>> inputs["national_totals"].to_dict(), inputs["national_grand_total"]
    ({'x': 300.0, 'y': 1000.0}, 1300.0)
    """
    require_columns(frame, {c: c for c in (*_PUBLISHED_COLUMNS, region_col, cluster_col)}, name="published")
    data = frame.copy()
    data["traded_b"] = _as_bool(data["traded_b"], "traded_b")
    for column in ("emp_tl", "est_tl", "region_emp_per_tf", "cluster_emp_per_tf"):
        data[column] = pd.to_numeric(data[column], errors="coerce")
        bad = data[column].isna() | (data[column] < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise AnalyticsInputError("non_numeric", f"published: row {i + 1}, column {column!r}: "
                                      f"{frame[column].iloc[i]!r} is not a number zero or more.",
                                      row=i + 1, column=column)
    kind_of_cluster = data.groupby(cluster_col)["traded_b"].agg(["min", "max"])
    mixed = kind_of_cluster.index[kind_of_cluster["min"] != kind_of_cluster["max"]]
    if len(mixed):
        raise AnalyticsInputError("inconsistent", f"published: cluster {mixed[0]!r} is marked both traded and "
                                  "local.", label=str(mixed[0]))

    with_jobs = data[(data["emp_tl"] > 0) & (data["region_emp_per_tf"] > 0) & (data["cluster_emp_per_tf"] > 0)]
    national = (with_jobs["emp_tl"] / with_jobs["cluster_emp_per_tf"]).groupby(with_jobs[cluster_col]).median()
    regional = (with_jobs["emp_tl"] / with_jobs["region_emp_per_tf"]).groupby(
        [with_jobs[region_col], with_jobs["traded_b"]]).median()

    result: dict[str, dict[str, Any]] = {}
    for kind, is_traded in (("traded", True), ("local", False)):
        part = data[data["traded_b"] == is_traded]
        if part.empty:
            continue
        employment = long_to_matrix(part, region_col=region_col, industry_col=cluster_col, value_col="emp_tl",
                                    name="published")
        establishments = long_to_matrix(part, region_col=region_col, industry_col=cluster_col,
                                        value_col="est_tl", name="published").reindex_like(employment)
        clusters_without_jobs = employment.columns.difference(national.index)
        if len(clusters_without_jobs):
            raise AnalyticsInputError(
                "empty_industry", f"published: cluster {clusters_without_jobs[0]!r} has no region with "
                "employment; its national total cannot be recovered.", label=str(clusters_without_jobs[0]),
            )
        national_totals = national.reindex(employment.columns).round()
        region_totals = regional.xs(is_traded, level="traded_b").reindex(employment.index)
        if region_totals.isna().any():
            region = region_totals.index[region_totals.isna().to_numpy()][0]
            raise AnalyticsInputError(
                "empty_region", f"published: region {region!r} has no {kind} employment; its {kind} total "
                "cannot be recovered.", label=str(region),
            )
        result[kind] = {
            "employment": employment,
            "establishments": establishments,
            "region_totals": region_totals.round(),
            "national_totals": national_totals,
            "national_grand_total": float(national_totals.sum()),
            "traded": is_traded,
        }
    return result
