"""Regional indicators: location quotients, specialisation, concentration, growth and agglomeration.

Every matrix is region x industry (rows x columns) and may be a NumPy array, a SciPy sparse matrix or a
pandas DataFrame (index = regions, columns = industries); see :func:`khooshe.analytics.validation.as_matrix`.
Labelled input gives labelled output (a DataFrame or a Series indexed by region or industry).

Names and definitions follow the R packages EconGeo (Balland) and REAT (Wieland); where they differ, the
docstring says which one is followed and why.  Notation: ``E_ri`` employment (or any count) of industry
``i`` in region ``r``, ``E_r`` the region's total, ``E_i`` the industry's (national) total, ``E`` the grand
total, ``s_ri = E_ri / E_r`` the share of industry ``i`` in region ``r`` and ``s_i = E_i / E`` its national
share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analytics.validation import AnalyticsInputError, Matrix, as_matrix, require_columns

__all__ = [
    "ShiftShare",
    "cagr",
    "ellison_glaeser",
    "ellison_glaeser_coagglomeration",
    "ellison_glaeser_from_cells",
    "entropy",
    "gini",
    "hachman",
    "herfindahl",
    "hoover",
    "krugman_dissimilarity",
    "krugman_specialisation",
    "location_quotient",
    "locational_gini",
    "shares",
    "shift_share",
    "shift_share_dynamic",
    "specialisation",
]


# -- private helpers ------------------------------------------------------------------------------------


def _entry_rows(csr: sp.csr_matrix) -> np.ndarray:
    """Row index of every stored entry of a CSR matrix (aligned with ``csr.data``)."""
    return np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))


def _scale(m: np.ndarray | sp.csr_matrix, row: np.ndarray | None = None, col: np.ndarray | None = None):
    """``m * row[:, None] * col[None, :]``, keeping a sparse matrix sparse (same pattern)."""
    if sp.issparse(m):
        out = m.copy()
        if row is not None:
            out.data *= row[_entry_rows(out)]
        if col is not None:
            out.data *= col[out.indices]
        return out
    out = m
    if row is not None:
        out = out * row[:, None]
    if col is not None:
        out = out * col[None, :]
    return out


def _sum(m: np.ndarray | sp.csr_matrix, axis: int) -> np.ndarray:
    return np.asarray(m.sum(axis=axis), dtype=float).ravel()


def _labelled(data: Any) -> bool:
    return isinstance(data, pd.DataFrame | pd.Series)


def _as_result(result: np.ndarray | sp.csr_matrix, m: Matrix, labelled: bool):
    """Give a region x industry result the input's form: DataFrame, sparse matrix or array."""
    if labelled:
        dense = result.toarray() if sp.issparse(result) else result
        return m.frame(dense)
    return result


def _as_vector(values: np.ndarray, index: pd.Index, labelled: bool, name: str):
    return pd.Series(values, index=index, name=name) if labelled else values


def _vector(data: Any, labels: pd.Index, *, name: str, kind: str) -> np.ndarray:
    """Validate an externally given vector (totals, weights) against the matrix's ``labels``.

    A Series is aligned by label (every label must be present); anything else must have one finite,
    non-negative number per label, in order.
    """
    if isinstance(data, pd.Series):
        missing = labels.difference(data.index)
        if len(missing):
            raise AnalyticsInputError(
                "missing_label", f"{name}: no value for {kind} {missing[0]!r}; give one value per {kind}.",
                label=str(missing[0]), kind=kind,
            )
        data = data.reindex(labels)
    try:
        values = np.asarray(data, dtype=float).ravel()
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", f"{name}: holds a value that is not a number.") from None
    if values.size != len(labels):
        raise AnalyticsInputError(
            "length_mismatch", f"{name}: expected {len(labels)} value(s), one per {kind}, got {values.size}.",
            expected=len(labels), got=int(values.size),
        )
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AnalyticsInputError(
            "negative_value" if np.isfinite(values[i]) else "non_finite",
            f"{name}: {kind} {labels[i]!r} has {values[i]!r}; give a finite number, zero or more.",
            label=str(labels[i]), value=float(values[i]),
        )
    return values


def _require_positive(totals: np.ndarray, labels: pd.Index, *, kind: str, name: str) -> None:
    """Refuse an empty region (or industry): every share and LQ of it would be 0/0."""
    zero = totals <= 0
    if zero.any():
        label = labels[int(np.flatnonzero(zero)[0])]
        code = "empty_region" if kind == "region" else "empty_industry"
        raise AnalyticsInputError(
            code, f"{name}: {kind} {label!r} has a total of 0 (nothing in any "
            f"{'industry' if kind == 'region' else 'region'}); remove it or fill in its data.",
            label=str(label), kind=kind,
        )


def _totals(
    m: Matrix,
    *,
    name: str,
    region_totals: Any = None,
    industry_totals: Any = None,
    grand_total: float | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Region totals, industry totals and grand total: given, or summed from the matrix."""
    if region_totals is None:
        rows = _sum(m.values, axis=1)
    else:
        rows = _vector(region_totals, m.rows, name="region_totals", kind="region")
        _require_at_least(rows, _max(m.values, axis=1), m.rows, kind="region", name="region_totals")
    _require_positive(rows, m.rows, kind="region", name=name)
    if industry_totals is None:
        if m.values.shape[0] < 2:
            raise AnalyticsInputError(
                "single_region", f"{name}: one region only; an industry's national share needs at least two "
                "regions, or give the national totals (industry_totals).",
            )
        cols = _sum(m.values, axis=0)
    else:
        cols = _vector(industry_totals, m.columns, name="industry_totals", kind="industry")
        _require_at_least(cols, _max(m.values, axis=0), m.columns, kind="industry", name="industry_totals")
    _require_positive(cols, m.columns, kind="industry", name=name)
    if grand_total is None:
        grand = float(cols.sum())
    else:
        grand = float(grand_total)
        if not np.isfinite(grand) or grand < cols.max():
            raise AnalyticsInputError(
                "total_too_small", f"grand_total: {grand_total!r} is smaller than the largest industry total "
                f"({cols.max():g}); give the national total of all industries.", value=grand,
            )
    return rows, cols, grand


def _max(m: np.ndarray | sp.csr_matrix, axis: int) -> np.ndarray:
    return np.asarray(m.max(axis=axis).toarray() if sp.issparse(m) else m.max(axis=axis), dtype=float).ravel()


def _require_at_least(totals: np.ndarray, largest: np.ndarray, labels: pd.Index, *, kind: str, name: str) -> None:
    """A given total can never be smaller than one of its own cells (a share above 1 is a data error)."""
    small = totals < largest
    if small.any():
        i = int(np.flatnonzero(small)[0])
        raise AnalyticsInputError(
            "total_too_small", f"{name}: the total of {kind} {labels[i]!r} ({totals[i]:g}) is smaller than one "
            f"of its values ({largest[i]:g}); check that the totals belong to this data.",
            label=str(labels[i]), total=float(totals[i]), value=float(largest[i]),
        )


def _gini_of_rows(m: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """Gini coefficient of every row (zeros included): ``2 sum_k k x_(k) / (n sum x) - (n + 1) / n``.

    Sparse rows are sorted on their stored entries only: the ``n - k`` zeros take the lowest ranks.
    """
    n_rows, n = m.shape
    if sp.issparse(m):
        csr = sp.csr_matrix(m)
        rows = _entry_rows(csr)
        order = np.lexsort((csr.data, rows))  # by row, then by value; rows stay in CSR order
        data = csr.data[order]
        counts = np.diff(csr.indptr)
        position = np.arange(data.size) - np.repeat(csr.indptr[:-1], counts)
        rank = n - counts[rows] + position + 1
        weighted = np.bincount(rows, weights=rank * data, minlength=n_rows)
        total = np.bincount(rows, weights=data, minlength=n_rows)
    else:
        ordered = np.sort(m, axis=1)
        weighted = ordered @ np.arange(1, n + 1, dtype=float)
        total = ordered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2.0 * weighted / (n * total) - (n + 1.0) / n


def _transpose(m: np.ndarray | sp.csr_matrix):
    return sp.csr_matrix(m.T) if sp.issparse(m) else m.T


def _check_axis(axis: int) -> int:
    if axis not in (0, 1):
        raise AnalyticsInputError(
            "bad_parameter", f"axis must be 0 (per industry, over regions) or 1 (per region, over industries), "
            f"got {axis!r}.", parameter="axis", value=str(axis),
        )
    return axis


def _vector_or_matrix(data: Any, *, name: str) -> tuple[Matrix, bool]:
    """Accept a 1-D vector as a one-column matrix (returns the matrix and whether the input was 1-D)."""
    if isinstance(data, pd.Series):
        return as_matrix(data.to_frame(), name=name), True
    if not sp.issparse(data) and not isinstance(data, pd.DataFrame):
        try:
            array = np.asarray(data, dtype=float)
        except (TypeError, ValueError):
            raise AnalyticsInputError("non_numeric", f"{name}: holds a value that is not a number.") from None
        if array.ndim == 1:
            return as_matrix(array.reshape(-1, 1), name=name), True
    return as_matrix(data, name=name), False


# -- shares and location quotients ---------------------------------------------------------------------


def shares(values: Any, *, within: Literal["region", "industry"] = "region"):
    r"""Shares of each cell in its region's total or in its industry's total.

    ``within="region"`` gives the industry mix of each region, :math:`s_{ri} = E_{ri} / E_r` (rows sum to
    1); ``within="industry"`` gives each region's share of the industry, :math:`E_{ri} / E_i` (columns sum
    to 1).  A sparse matrix stays sparse.

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry counts (employment, establishments, wages ...), zero or more.
    within : {"region", "industry"}
        The total each cell is divided by.

    Returns
    -------
    Same form as ``values`` (DataFrame, CSR matrix or array).

    Raises
    ------
    AnalyticsInputError
        ``empty_region`` / ``empty_industry`` when a total is 0, and the checks of ``as_matrix``.

    References
    ----------
    EconGeo ``share_tech_city`` in ``location.quotient``; REAT ``locq``.

    Examples
    --------
    >>> shares([[1, 3], [2, 2]])
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
    >>> shares([[1, 3], [2, 2]], within="industry")
    array([[0.33333333, 0.6       ],
           [0.66666667, 0.4       ]])
    """
    m = as_matrix(values, name="values")
    if within == "region":
        totals = _sum(m.values, axis=1)
        _require_positive(totals, m.rows, kind="region", name="values")
        result = _scale(m.values, row=1.0 / totals)
    elif within == "industry":
        totals = _sum(m.values, axis=0)
        _require_positive(totals, m.columns, kind="industry", name="values")
        result = _scale(m.values, col=1.0 / totals)
    else:
        raise AnalyticsInputError(
            "bad_parameter", f"within must be 'region' or 'industry', got {within!r}.",
            parameter="within", value=str(within),
        )
    return _as_result(result, m, _labelled(values))


def location_quotient(
    values: Any,
    *,
    region_totals: Any = None,
    industry_totals: Any = None,
    grand_total: float | None = None,
):
    r"""Location quotient (Balassa's revealed comparative advantage) of every region and industry.

    How much more (LQ > 1) or less (LQ < 1) an industry weighs in a region than in the whole country:

    .. math:: LQ_{ri} = \frac{E_{ri} / E_r}{E_i / E}

    By default the totals are the sums of the matrix.  Give them explicitly when the matrix is only part
    of the economy: the U.S. Cluster Mapping divides by the region's *traded* employment and uses national
    totals that include areas not in the matrix.  A sparse matrix stays sparse (zeros have LQ 0).

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry counts, zero or more.
    region_totals : array-like or Series, optional
        :math:`E_r` per region (a Series is aligned on the region labels).  Default: row sums.
    industry_totals : array-like or Series, optional
        :math:`E_i` per industry, e.g. national totals.  Default: column sums.
    grand_total : float, optional
        :math:`E`.  Default: the sum of ``industry_totals`` (so the national shares sum to 1).

    Returns
    -------
    Same form as ``values``.

    Raises
    ------
    AnalyticsInputError
        ``empty_region`` (a region whose total is 0, named), ``empty_industry``, ``single_region`` (one
        region and no national totals), ``total_too_small`` (a given total below one of its cells),
        ``missing_label`` / ``length_mismatch`` for a given total that does not fit the matrix.

    References
    ----------
    Balassa, B. (1965) Trade liberalisation and revealed comparative advantage, The Manchester School 33.
    EconGeo ``location.quotient``; REAT ``locq``; Delgado, Porter & Stern (2016) for the traded-total
    variant used by the U.S. Cluster Mapping.

    Examples
    --------
    >>> location_quotient([[10, 30], [20, 40]])
    array([[0.83333333, 1.07142857],
           [1.11111111, 0.95238095]])
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"textiles": [90, 10], "software": [10, 90]}, index=["Yazd", "Tehran"])
    >>> location_quotient(frame).round(2)
            textiles  software
    Yazd         1.8       0.2
    Tehran       0.2       1.8
    """
    m = as_matrix(values, name="values")
    result = _location_quotient(m, region_totals=region_totals, industry_totals=industry_totals,
                                grand_total=grand_total)
    return _as_result(result, m, _labelled(values))


def _location_quotient(m: Matrix, *, region_totals=None, industry_totals=None, grand_total=None):
    """LQ of an already validated matrix (errors still name its labels); used by ``stars`` too."""
    rows, cols, grand = _totals(
        m, name="values", region_totals=region_totals, industry_totals=industry_totals, grand_total=grand_total
    )
    return _scale(m.values, row=1.0 / rows, col=grand / cols)


# -- specialisation of regions -------------------------------------------------------------------------


def _national_shares(m: Matrix, industry_totals: Any, *, name: str) -> np.ndarray:
    if industry_totals is None:
        cols = _sum(m.values, axis=0)
    else:
        cols = _vector(industry_totals, m.columns, name="industry_totals", kind="industry")
    _require_positive(cols, m.columns, kind="industry", name=name)
    return cols / cols.sum()


def _abs_difference_sum(s: np.ndarray | sp.csr_matrix, reference: np.ndarray) -> np.ndarray:
    r"""Per row :math:`\sum_i |s_{ri} - t_{ri}|` for a reference ``t`` that is dense.

    For a sparse ``s`` only stored entries are visited: where :math:`s_{ri} = 0` the term is
    :math:`t_{ri}`, so the sum is :math:`\sum_i t_{ri} + \sum_{s_{ri} \ne 0} (|s_{ri} - t_{ri}| - t_{ri})`.
    ``reference`` is either one row (the same for every region) or a function of the stored entries
    (see :func:`krugman_specialisation`).
    """
    if sp.issparse(s):
        rows = _entry_rows(s)
        t = reference[s.indices] if reference.ndim == 1 else reference[rows, s.indices]
        correction = np.bincount(rows, weights=np.abs(s.data - t) - t, minlength=s.shape[0])
        base = reference.sum() if reference.ndim == 1 else reference.sum(axis=1)
        return base + correction
    return np.abs(s - reference).sum(axis=1)


def specialisation(values: Any, *, industry_totals: Any = None) -> pd.DataFrame:
    r"""Three measures of how specialised each region is (REAT ``spec``).

    * ``hoover``: Hoover coefficient of specialisation, the share of the region's employment that would
      have to change industry for the region to look like the nation (0 = same mix, 1 = totally
      different): :math:`H_r = \tfrac12 \sum_i |s_{ri} - s_i|` (EconGeo ``spec.coeff``).
    * ``gini``: Gini coefficient of the region's location quotients over industries, 0 when every
      :math:`LQ_{ri} = 1` (REAT ``gini.spec``):
      :math:`G_r = \frac{2}{n^2 \overline{LQ}_r} \sum_{k=1}^{n} k\,(LQ_{r(k)} - \overline{LQ}_r)`, the
      :math:`LQ_{r(k)}` sorted increasingly.
    * ``krugman``: Krugman coefficient of specialisation against the average mix of the *other* regions
      (REAT ``krugman.spec2``; see :func:`krugman_specialisation`).

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry employment: at least two regions, or one region with ``industry_totals``
        (its ``krugman`` is then NaN: there is no other region).
    industry_totals : array-like or Series, optional
        National totals per industry for :math:`s_i` and the LQs (default: column sums).

    Returns
    -------
    DataFrame
        One row per region, columns ``hoover``, ``gini``, ``krugman``.

    References
    ----------
    Hoover, E. M. & Giarratani, F. (1985) An Introduction to Regional Economics, table 9-4.
    Farhauer, O. & Kroell, A. (2013) Standorttheorien, Springer.  REAT ``spec``, ``gini.spec``,
    ``krugman.spec2``; EconGeo ``spec.coeff``.

    Examples
    --------
    >>> specialisation([[50, 50], [10, 90], [40, 60]]).round(4)
       hoover    gini  krugman
    0  0.1667  0.1667      0.5
    1  0.2333  0.3182      0.7
    2  0.0667  0.0714      0.2
    """
    m = as_matrix(values, name="values", min_rows=1 if industry_totals is not None else 2)
    rows = _sum(m.values, axis=1)
    _require_positive(rows, m.rows, kind="region", name="values")
    national = _national_shares(m, industry_totals, name="values")
    s = _scale(m.values, row=1.0 / rows)
    lq = _scale(s, col=1.0 / national)
    single = m.values.shape[0] == 1  # no other region to compare with
    return pd.DataFrame(
        {
            "hoover": 0.5 * _abs_difference_sum(s, national),
            "gini": _gini_of_rows(lq),
            "krugman": np.full(1, np.nan) if single else _krugman_vs_others(s),
        },
        index=m.rows,
    )


def _krugman_vs_others(s: np.ndarray | sp.csr_matrix) -> np.ndarray:
    r"""REAT ``krugman.spec2`` for every region: :math:`\sum_i |s_{ri} - \bar s_{-r,i}|`, where
    :math:`\bar s_{-r,i} = (S_i - s_{ri}) / (J - 1)` is the unweighted mean share of the other regions."""
    n_regions = s.shape[0]
    column_sum = _sum(s, axis=0)
    if sp.issparse(s):
        rows = _entry_rows(s)
        others_at_entries = (column_sum[s.indices] - s.data) / (n_regions - 1)
        zero_term = column_sum / (n_regions - 1)  # where s_ri = 0 the term is the others' mean share
        correction = np.abs(s.data - others_at_entries) - zero_term[s.indices]
        return zero_term.sum() + np.bincount(rows, weights=correction, minlength=n_regions)
    others = (column_sum[None, :] - s) / (n_regions - 1)
    return np.abs(s - others).sum(axis=1)


def krugman_specialisation(values: Any, *, industry_totals: Any = None) -> pd.DataFrame:
    r"""Krugman specialisation index and coefficient of every region.

    How different a region's industry mix is from a reference mix; 0 = identical, 2 = no industry in
    common.

    * ``index`` (EconGeo ``Krugman.index``), against the national mix:
      :math:`K_r = \sum_i |s_{ri} - s_i|`.  Half of it is the Hoover coefficient of specialisation
      (EconGeo ``spec.coeff``, column ``hoover`` of :func:`specialisation`).
    * ``coefficient`` (REAT ``krugman.spec2``, the "Krugman coefficient of regional specialisation" of
      Farhauer & Kroell), against the unweighted average mix of all *other* regions:
      :math:`KC_r = \sum_i |s_{ri} - \frac{1}{J-1}\sum_{l \ne r} s_{li}|`.

    The two differ because the national mix weights regions by size and includes the region itself.
    For the original two-region coefficient :math:`K_{jl}` (REAT ``krugman.spec``) see
    :func:`krugman_dissimilarity`.

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry employment (at least two regions).
    industry_totals : array-like or Series, optional
        National totals per industry for the ``index`` (default: column sums).

    Returns
    -------
    DataFrame
        One row per region, columns ``index`` and ``coefficient``.

    References
    ----------
    Krugman, P. (1991) Geography and Trade, MIT Press.  EconGeo ``Krugman.index``; REAT
    ``krugman.spec2`` (its example: Sweden against Norway, Denmark, Finland, Iceland gives 0.1595).

    Examples
    --------
    >>> import pandas as pd
    >>> jobs = pd.DataFrame(
    ...     [[45000, 15000, 32000, 10000, 30000], [35000, 12000, 30000, 8000, 22000],
    ...      [40000, 10000, 25000, 9000, 18000], [30000, 11000, 18000, 3000, 13000],
    ...      [40000, 6000, 11000, 2000, 12000]],
    ...     index=["Sweden", "Norway", "Denmark", "Finland", "Iceland"])
    >>> round(float(krugman_specialisation(jobs).loc["Sweden", "coefficient"]), 4)
    0.1595
    """
    m = as_matrix(values, name="values", min_rows=2)
    rows = _sum(m.values, axis=1)
    _require_positive(rows, m.rows, kind="region", name="values")
    national = _national_shares(m, industry_totals, name="values")
    s = _scale(m.values, row=1.0 / rows)
    return pd.DataFrame(
        {"index": _abs_difference_sum(s, national), "coefficient": _krugman_vs_others(s)}, index=m.rows
    )


def krugman_dissimilarity(values: Any):
    r"""Krugman coefficient between every pair of regions (REAT ``krugman.spec``).

    :math:`K_{jl} = \sum_i |s_{ji} - s_{li}|`: 0 when two regions have the same industry mix, 2 when
    they have no industry in common.

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry employment.

    Returns
    -------
    ndarray or DataFrame
        Symmetric region x region matrix (dense: it has one cell per pair of regions).

    References
    ----------
    Krugman, P. (1991) Geography and Trade.  REAT ``krugman.spec`` (its example gives 2 for two regions
    with no common industry).

    Examples
    --------
    >>> krugman_dissimilarity([[20, 10, 70, 0, 0], [0, 0, 0, 60, 40]])
    array([[0., 2.],
           [2., 0.]])
    """
    from scipy.spatial.distance import cdist

    m = as_matrix(values, name="values")
    rows = _sum(m.values, axis=1)
    _require_positive(rows, m.rows, kind="region", name="values")
    s = _scale(m.values, row=1.0 / rows)
    dense = s.toarray() if sp.issparse(s) else s  # the result is region x region and dense anyway
    result = cdist(dense, dense, metric="cityblock")
    return pd.DataFrame(result, index=m.rows, columns=m.rows) if _labelled(values) else result


def hachman(values: Any, *, industry_totals: Any = None):
    r"""Hachman index of every region: how closely its industry mix resembles the nation's.

    1 = the same mix, towards 0 = very different.  It is the inverse of the region's employment-weighted
    mean location quotient:

    .. math:: HI_r = \Big(\sum_i s_{ri}\, LQ_{ri}\Big)^{-1} = \Big(\sum_i \frac{s_{ri}^2}{s_i}\Big)^{-1}

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry employment (at least two regions unless ``industry_totals`` is given).
    industry_totals : array-like or Series, optional
        National totals per industry (default: column sums).

    Returns
    -------
    ndarray, or Series indexed by region for labelled input.

    References
    ----------
    Hachman, F. (1994) Economic Report to the Governor, Utah; EconGeo ``Hachman``.

    Examples
    --------
    >>> hachman([[50, 50], [10, 90], [40, 60]]).round(4)
    array([0.8889, 0.8032, 0.9804])
    """
    m = as_matrix(values, name="values", min_rows=1 if industry_totals is not None else 2)
    rows = _sum(m.values, axis=1)
    _require_positive(rows, m.rows, kind="region", name="values")
    national = _national_shares(m, industry_totals, name="values")
    s = _scale(m.values, row=1.0 / rows)
    squared = s.multiply(s).tocsr() if sp.issparse(s) else s * s
    weighted = _sum(_scale(squared, col=1.0 / national), axis=1)
    return _as_vector(1.0 / weighted, m.rows, _labelled(values), "hachman")


# -- diversity and concentration -----------------------------------------------------------------------


def herfindahl(values: Any, *, axis: int = 1, normalised: bool = False):
    r"""Herfindahl-Hirschman index: the sum of squared shares.

    Per region over industries (``axis=1``, the default; EconGeo ``Herfindahl``): 1 when the region has a
    single industry, :math:`1/n` when all :math:`n` industries are equally large.  Per industry over
    regions with ``axis=0``.  A 1-D vector gives one number (REAT ``herf``).

    .. math:: HHI = \sum_k a_k^2,\quad a_k = x_k / \sum x, \qquad
              HHI^* = \frac{HHI - 1/n}{1 - 1/n} \text{ (normalised, REAT ``coefnorm``)}

    :math:`n` counts every cell of the row (zeros included), as REAT does.

    Parameters
    ----------
    values : array-like, sparse matrix, DataFrame, or a 1-D vector
    axis : {1, 0}
        1 = one value per region, 0 = one value per industry.
    normalised : bool
        Rescale to [0, 1].

    Returns
    -------
    float for a vector; ndarray, or Series for labelled input.

    References
    ----------
    Herfindahl, O. C. (1959); Hirschman, A. O. (1945).  EconGeo ``Herfindahl``; REAT ``herf`` (its
    example: sales 20, 50, 20, 10 give 0.34, normalised 0.12).

    Examples
    --------
    >>> herfindahl([20, 50, 20, 10])
    0.34
    >>> round(herfindahl([20, 50, 20, 10], normalised=True), 2)
    0.12
    >>> herfindahl([[1, 1], [1, 0]])
    array([0.5, 1. ])
    """
    m, is_vector = _vector_or_matrix(values, name="values")
    axis = 0 if is_vector else _check_axis(axis)
    x = m.values if axis == 1 else _transpose(m.values)
    labels = m.rows if axis == 1 else m.columns
    totals = _sum(x, axis=1)
    _require_positive(totals, labels, kind="region" if axis == 1 else "industry", name="values")
    squares = _sum(x.multiply(x) if sp.issparse(x) else x * x, axis=1)
    hhi = squares / totals**2
    if normalised:
        n = x.shape[1]
        if n < 2:
            raise AnalyticsInputError("bad_parameter", "normalised Herfindahl needs at least two values.")
        hhi = (hhi - 1.0 / n) / (1.0 - 1.0 / n)
    if is_vector:
        return float(hhi[0])
    return _as_vector(hhi, labels, _labelled(values), "herfindahl")


def entropy(values: Any, *, axis: int = 1, base: float = 2.0):
    r"""Shannon entropy of the shares: how evenly activity is spread (diversity).

    Per region over industries by default (EconGeo ``entropy``): 0 when the region has a single industry,
    :math:`\log n` when all :math:`n` industries are equally large.

    .. math:: H = -\sum_k a_k \log_b a_k, \quad a_k = x_k / \sum x, \quad 0 \log 0 = 0

    EconGeo adds 1e-9 inside the logarithm and rounds to 3 decimals; this function is exact (results
    agree with EconGeo to its 3 decimals).

    Parameters
    ----------
    values : array-like, sparse matrix, DataFrame, or a 1-D vector
    axis : {1, 0}
        1 = one value per region, 0 = one value per industry.
    base : float
        Base of the logarithm (2 as EconGeo; ``np.e`` for nats).

    Returns
    -------
    float for a vector; ndarray, or Series for labelled input.

    References
    ----------
    Shannon, C. E. (1948); Frenken, K., Van Oort, F. & Verburg, T. (2007) Related variety, unrelated
    variety and regional economic growth, Regional Studies 41(5).  EconGeo ``entropy``.

    Examples
    --------
    >>> entropy([[1, 1, 1, 1], [4, 0, 0, 0]])
    array([2., 0.])
    """
    if not base > 1:
        raise AnalyticsInputError("bad_parameter", f"base must be greater than 1, got {base!r}.",
                                  parameter="base", value=str(base))
    m, is_vector = _vector_or_matrix(values, name="values")
    axis = 0 if is_vector else _check_axis(axis)
    x = m.values if axis == 1 else _transpose(m.values)
    labels = m.rows if axis == 1 else m.columns
    totals = _sum(x, axis=1)
    _require_positive(totals, labels, kind="region" if axis == 1 else "industry", name="values")
    if sp.issparse(x):
        rows = _entry_rows(x)
        p = x.data / totals[rows]
        terms = np.zeros_like(p)
        positive = p > 0
        terms[positive] = -p[positive] * np.log(p[positive])
        h = np.bincount(rows, weights=terms, minlength=x.shape[0])
    else:
        p = x / totals[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    h = h / np.log(base) + 0.0  # + 0.0 turns -0.0 (a single industry) into 0.0
    if is_vector:
        return float(h[0])
    return _as_vector(h, labels, _labelled(values), "entropy")


def gini(x: Any, *, axis: int = 0, normalised: bool = False):
    r"""Gini coefficient of inequality of a vector (or of each column / row of a matrix).

    0 = all values equal; :math:`(n-1)/n` = everything in one element (1 after normalising).

    .. math:: G = \frac{2 \sum_{k=1}^{n} k\, x_{(k)}}{n \sum_k x_k} - \frac{n+1}{n}, \qquad
              G^* = \frac{n}{n-1} G \text{ (normalised)}

    with :math:`x_{(k)}` sorted increasingly.  Same as REAT ``gini`` (unweighted, ``coefnorm``) and
    EconGeo ``Gini``.

    Parameters
    ----------
    x : 1-D vector, or a matrix (array, sparse matrix or DataFrame)
        Non-negative values.
    axis : {0, 1}
        For a matrix: 0 = one Gini per column (per industry, over regions), 1 = one per row.
    normalised : bool
        Multiply by :math:`n/(n-1)` so that full concentration gives 1.

    Returns
    -------
    float for a vector; ndarray, or Series for labelled input.

    References
    ----------
    Gini, C. (1921) Measurement of inequality of incomes, The Economic Journal 31.  Doersam, P. (2004)
    Wirtschaftsstatistik.  EconGeo ``Gini`` (its example: 0, 10, 10, 30, 50 gives 0.48).

    Examples
    --------
    >>> round(gini([0, 10, 10, 30, 50]), 4)
    0.48
    >>> round(gini([0, 0, 0, 0, 5], normalised=True), 4)
    1.0
    """
    m, is_vector = _vector_or_matrix(x, name="x")
    axis = 0 if is_vector else _check_axis(axis)
    data = _transpose(m.values) if axis == 0 else m.values
    labels = m.columns if axis == 0 else m.rows
    _require_positive(_sum(data, axis=1), labels, kind="industry" if axis == 0 else "region", name="x")
    n = data.shape[1]
    g = _gini_of_rows(data)
    if normalised:
        if n < 2:
            raise AnalyticsInputError("bad_parameter", "normalised Gini needs at least two values.")
        g = g * n / (n - 1)
    if is_vector:
        return float(g[0])
    return _as_vector(g, labels, _labelled(x), "gini")


def locational_gini(
    values: Any,
    *,
    method: Literal["econgeo", "reat"] = "econgeo",
    region_totals: Any = None,
):
    r"""Locational Gini of every industry: how unevenly it is spread compared with all activity.

    ``method="econgeo"`` (default; Krugman 1991, EconGeo ``locational.Gini``): regions are sorted by
    their location quotient; the concentration curve plots the cumulative share of the industry
    (:math:`c_k`) against the cumulative share of total employment (:math:`p_k`), and

    .. math:: LG_i = \tfrac12 \sum_{k=2}^{J} (c_k\, p_{k-1} - c_{k-1}\, p_k)

    0 when the industry is spread like total employment; at most 0.5 (all of it in one small region:
    :math:`(1 - p_r)/2`).

    ``method="reat"`` (REAT ``gini.conc``): the plain Gini (see :func:`gini`) of the industry's location
    quotients over regions, unweighted by region size.

    Parameters
    ----------
    values : array-like, sparse matrix or DataFrame
        Region x industry employment (at least two regions).
    method : {"econgeo", "reat"}
    region_totals : array-like or Series, optional
        Total employment per region (default: row sums), e.g. when the matrix holds a few industries.

    Returns
    -------
    ndarray, or Series indexed by industry for labelled input.

    References
    ----------
    Krugman, P. (1991) Geography and Trade, ch. 2.  EconGeo ``locational.Gini``; REAT ``gini.conc`` (its
    example below gives 0.4068966).

    Examples
    --------
    >>> emp = [[500, 19500], [500, 14500], [1000, 19000], [7000, 33000], [1000, 4000]]
    >>> locational_gini(emp, method="reat").round(7)
    array([0.4068966, 0.0435424])
    >>> locational_gini([[10, 0], [0, 90]]).round(4)  # each industry alone in one region
    array([0.45, 0.05])
    """
    m = as_matrix(values, name="values", min_rows=2)
    if region_totals is None:
        rows = _sum(m.values, axis=1)
    else:
        rows = _vector(region_totals, m.rows, name="region_totals", kind="region")
        _require_at_least(rows, _max(m.values, axis=1), m.rows, kind="region", name="region_totals")
    _require_positive(rows, m.rows, kind="region", name="values")
    cols = _sum(m.values, axis=0)
    _require_positive(cols, m.columns, kind="industry", name="values")
    if method == "reat":
        lq = _scale(m.values, row=1.0 / rows, col=rows.sum() / cols)
        result = _gini_of_rows(_transpose(lq))
    elif method == "econgeo":
        # The concentration curve needs every region in order, zeros included: densify (J x I).
        dense = m.dense()
        population = rows / rows.sum()
        order = np.argsort(dense / population[:, None], axis=0, kind="stable")
        industry = np.take_along_axis(dense, order, axis=0)
        cum_industry = np.cumsum(industry, axis=0) / cols[None, :]
        cum_population = np.cumsum(population[order], axis=0)
        cum_population /= cum_population[-1:, :]
        result = 0.5 * (
            (cum_industry[1:] * cum_population[:-1]).sum(axis=0)
            - (cum_industry[:-1] * cum_population[1:]).sum(axis=0)
        )
    else:
        raise AnalyticsInputError("bad_parameter", f"method must be 'econgeo' or 'reat', got {method!r}.",
                                  parameter="method", value=str(method))
    return _as_vector(result, m.columns, _labelled(values), "locational_gini")


def hoover(values: Any, reference: Any = None, *, axis: int = 0):
    r"""Hoover index: the share of activity that would have to move to match a reference distribution.

    .. math:: HC = \tfrac12 \sum_k \Big| \frac{x_k}{\sum x} - \frac{w_k}{\sum w} \Big|

    0 = distributed like the reference, towards 1 = fully concentrated where the reference is small.

    * For a vector: ``reference`` is a weight per element (population, area); ``None`` compares with
      equal shares :math:`1/n` (REAT ``hoover``).
    * For a matrix with ``axis=0``: one value per industry over regions, ``reference`` a weight per
      region; ``reference="totals"`` uses total employment per region (Hoover's coefficient of
      localisation).  EconGeo ``Hoover.index`` gives the same value x 100 and rounded.
    * With ``axis=1``: one value per region over industries, ``reference`` a weight per industry;
      ``"totals"`` uses national employment per industry (the Hoover coefficient of specialisation,
      EconGeo ``spec.coeff``).

    Parameters
    ----------
    values : 1-D vector, or a matrix (array, sparse matrix or DataFrame)
    reference : None, "totals", array-like or Series
    axis : {0, 1}

    Returns
    -------
    float for a vector; ndarray, or Series for labelled input.

    References
    ----------
    Hoover, E. M. (1936) The measurement of industrial localization, Review of Economics and Statistics
    18(1).  REAT ``hoover``; EconGeo ``Hoover.index`` (its example: 0, 10, 10, 30, 50 against the
    population 10, 15, 20, 25, 30 gives 25, i.e. 0.25).

    Examples
    --------
    >>> hoover([0, 10, 10, 30, 50], [10, 15, 20, 25, 30])
    0.25
    >>> hoover([[0, 10], [0, 15], [1, 20]], "totals").round(4)
    array([0.5435, 0.0121])
    """
    m, is_vector = _vector_or_matrix(values, name="values")
    axis = 0 if is_vector else _check_axis(axis)
    x = _transpose(m.values) if axis == 0 else m.values  # one row per result
    labels = m.columns if axis == 0 else m.rows
    along = m.rows if axis == 0 else m.columns
    kind_along = "region" if axis == 0 else "industry"
    totals = _sum(x, axis=1)
    _require_positive(totals, labels, kind="industry" if axis == 0 else "region", name="values")
    if reference is None:
        weights = np.ones(x.shape[1])
    elif isinstance(reference, str) and reference == "totals":
        if is_vector:
            raise AnalyticsInputError("bad_parameter", 'reference="totals" needs a matrix, not a vector.')
        weights = _sum(x, axis=0)
    else:
        weights = _vector(reference, along, name="reference", kind=kind_along)
    if weights.sum() <= 0:
        raise AnalyticsInputError("bad_parameter", "reference: the weights sum to 0.", parameter="reference")
    w = weights / weights.sum()
    result = 0.5 * _abs_difference_sum(_scale(x, row=1.0 / totals), w)
    if is_vector:
        return float(result[0])
    return _as_vector(result, labels, _labelled(values), "hoover")


# -- growth and shift-share ----------------------------------------------------------------------------


def cagr(start: Any, end: Any, years: float):
    r"""Compound annual growth rate between two values ``years`` apart.

    .. math:: CAGR = \Big(\frac{x_{end}}{x_{start}}\Big)^{1/T} - 1

    Elementwise on numbers, arrays, Series or DataFrames of the same shape.  Where ``start`` is 0 the
    rate is undefined and given as NaN (an industry that did not exist has no growth *rate*; look at the
    absolute change instead).

    Parameters
    ----------
    start, end : number, array-like, Series or DataFrame
        Values at the first and last year, zero or more.
    years : float
        Number of years between them (> 0), e.g. 5 for 2015 to 2020.

    Returns
    -------
    Same form as ``end``.

    References
    ----------
    REAT ``growth`` (``growth.type = "rate"`` gives the total rate; this is its annualised form).

    Examples
    --------
    >>> round(cagr(100, 121, 2), 6)
    0.1
    >>> cagr([100, 0, 50], [200, 10, 25], 1)
    array([ 1. ,  nan, -0.5])
    """
    if not (isinstance(years, int | float | np.integer | np.floating) and np.isfinite(years) and years > 0):
        raise AnalyticsInputError("bad_parameter", f"years must be a number greater than 0, got {years!r}.",
                                  parameter="years", value=str(years))
    scalar = np.isscalar(start) and np.isscalar(end)
    a = _growth_operand(start, "start")
    b = _growth_operand(end, "end")
    if a.shape != b.shape:
        raise AnalyticsInputError("shape_mismatch", f"start has shape {a.shape} but end has shape {b.shape}.")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(a > 0, (b / np.where(a > 0, a, 1.0)) ** (1.0 / years) - 1.0, np.nan)
    if scalar:
        return float(rate)
    if isinstance(end, pd.DataFrame):
        return pd.DataFrame(rate, index=end.index, columns=end.columns)
    if isinstance(end, pd.Series):
        return pd.Series(rate, index=end.index, name=end.name)
    return rate


def _growth_operand(data: Any, name: str) -> np.ndarray:
    if sp.issparse(data):
        data = data.toarray()
    try:
        values = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", f"{name}: holds a value that is not a number.") from None
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        where = np.argwhere(bad)[0] if values.ndim else ()
        value = values[tuple(where)] if values.ndim else float(values)
        raise AnalyticsInputError(
            "negative_value" if np.isfinite(value) else "non_finite",
            f"{name}: value {value!r} at position {tuple(int(i) for i in where)}; give numbers zero or more.",
            value=float(value),
        )
    return values


@dataclass(frozen=True)
class ShiftShare:
    """Result of :func:`shift_share`: three components per region x industry and their totals.

    ``change = national_share + industry_mix + regional_shift`` holds cell by cell and per region.

    Attributes
    ----------
    national_share : region x industry
        Growth the cell would have had growing like the whole nation.
    industry_mix : region x industry
        Extra growth because the industry grew faster (or slower) nationally than the whole economy.
    regional_shift : region x industry
        The rest: the region's own (competitive) advantage or disadvantage in that industry.
    totals : DataFrame
        One row per region: ``base``, ``final``, ``change``, ``national_share``, ``industry_mix``,
        ``regional_shift`` and ``net_total_shift`` (= industry_mix + regional_shift, REAT's name).
    """

    national_share: Any
    industry_mix: Any
    regional_shift: Any
    totals: pd.DataFrame


def _nation(given: Any, m: Matrix, *, name: str) -> np.ndarray:
    if given is None:
        return _sum(m.values, axis=0)
    nation = _vector(given, m.columns, name=name, kind="industry")
    _require_at_least(nation, _max(m.values, axis=0), m.columns, kind="industry", name=name)
    return nation


def _matching(base: Matrix, final: Matrix) -> None:
    if base.values.shape != final.values.shape:
        raise AnalyticsInputError(
            "shape_mismatch", f"base is {base.values.shape[0]} x {base.values.shape[1]} but final is "
            f"{final.values.shape[0]} x {final.values.shape[1]}; give the same regions and industries.",
        )
    for what, a, b in (("regions", base.rows, final.rows), ("industries", base.columns, final.columns)):
        if not a.equals(b):
            raise AnalyticsInputError(
                "label_mismatch", f"base and final do not have the same {what} in the same order "
                f"(first difference: {next((str(x) for x, y in zip(a, b, strict=False) if x != y), '?')!r}).",
            )


def shift_share(
    base: Any,
    final: Any,
    *,
    region: Any = None,
    nation_base: Any = None,
    nation_final: Any = None,
) -> ShiftShare:
    r"""Classic (Dunn 1960) shift-share decomposition of employment change between two years.

    With :math:`g = N^1/N^0 - 1` the national growth of all industries, :math:`g_i = N_i^1/N_i^0 - 1` the
    national growth of industry :math:`i` and :math:`E_{ri}^0, E_{ri}^1` regional employment in the two
    years:

    .. math::

        NS_{ri} &= E_{ri}^0\, g \qquad \text{(national share)}\\
        IM_{ri} &= E_{ri}^0\, (g_i - g) \qquad \text{(industry mix, REAT "industrial mix")}\\
        RS_{ri} &= E_{ri}^1 - E_{ri}^0 (1 + g_i) \qquad \text{(regional or competitive shift)}

    and :math:`E_{ri}^1 - E_{ri}^0 = NS + IM + RS`.  Summed over industries these are REAT ``shift``'s
    components (method "Dunn", terms of Farhauer & Kroell 2013).  REAT writes the regional shift as
    :math:`E^0_{ri}(E^1_{ri}/E^0_{ri} - N^1_i/N^0_i)`, which is NaN for an industry new in the region;
    the form above is equal elsewhere and counts the new jobs as regional shift.

    Parameters
    ----------
    base, final : array-like, sparse matrix or DataFrame
        Region x industry employment in the first and last year (same regions and industries).  A single
        region (one row) is fine when the national vectors are given.
    region : label or list of labels, optional
        Report only these regions (the nation is still all rows, or the given national vectors).
    nation_base, nation_final : array-like or Series, optional
        National employment per industry in the two years (default: column sums of ``base`` / ``final``).

    Returns
    -------
    ShiftShare
        Components in the form of ``base`` (DataFrame, sparse matrix or array) and a ``totals`` table.

    References
    ----------
    Dunn, E. S. (1960) A statistical and analytical technique for regional analysis, Papers of the
    Regional Science Association 6.  Farhauer, O. & Kroell, A. (2013) Standorttheorien.  REAT ``shift``.

    Examples
    --------
    The example of REAT ``shift`` (Farhauer & Kroell): region A against nation X.

    >>> result = shift_share([[90, 20, 10, 60]], [[100, 40, 10, 55]],
    ...                      nation_base=[400, 150, 150, 400], nation_final=[440, 210, 135, 480])
    >>> result.totals.round(6).iloc[0].to_dict()
    {'base': 180.0, 'final': 205.0, 'change': 25.0, 'national_share': 27.0, 'industry_mix': 1.0, 'regional_shift': -3.0, 'net_total_shift': -2.0}
    """
    b = as_matrix(base, name="base")
    f = as_matrix(final, name="final")
    _matching(b, f)
    if b.is_sparse != f.is_sparse:  # one sparse, one dense: work densely rather than mix the two kinds
        b = Matrix(values=b.dense(), rows=b.rows, columns=b.columns)
        f = Matrix(values=f.dense(), rows=f.rows, columns=f.columns)
    n0 = _nation(nation_base, b, name="nation_base")
    n1 = _nation(nation_final, f, name="nation_final")
    if b.values.shape[0] < 2 and (nation_base is None or nation_final is None):
        raise AnalyticsInputError(
            "single_region", "base: one region only; give the national employment (nation_base and "
            "nation_final) to compare it with.",
        )
    if n0.sum() <= 0:
        raise AnalyticsInputError("empty_base", "base: national employment in the first year is 0.")
    g = n1.sum() / n0.sum() - 1.0
    # An industry absent nationally in the first year has no growth rate; its regional base is 0 too,
    # so only the regional shift (the new jobs) is non-zero.
    gi = np.divide(n1, n0, out=np.ones_like(n0), where=n0 > 0) - 1.0

    national_share = _scale(b.values, col=np.full(n0.size, g))
    industry_mix = _scale(b.values, col=gi - g)
    regional_shift = f.values - _scale(b.values, col=1.0 + gi)
    if sp.issparse(regional_shift):
        regional_shift = sp.csr_matrix(regional_shift)

    rows = b.rows
    selected = np.arange(len(rows))
    if region is not None:
        wanted = [region] if np.isscalar(region) or isinstance(region, tuple) else list(region)
        missing = [r for r in wanted if r not in rows]
        if missing:
            raise AnalyticsInputError("missing_label", f"region {missing[0]!r} is not in the data.",
                                      label=str(missing[0]))
        selected = rows.get_indexer(wanted)
        rows = rows[selected]
    base_total = _sum(b.values, axis=1)[selected]
    final_total = _sum(f.values, axis=1)[selected]
    ns_total = _sum(national_share, axis=1)[selected]
    im_total = _sum(industry_mix, axis=1)[selected]
    rs_total = _sum(regional_shift, axis=1)[selected]
    totals = pd.DataFrame(
        {
            "base": base_total,
            "final": final_total,
            "change": final_total - base_total,
            "national_share": ns_total,
            "industry_mix": im_total,
            "regional_shift": rs_total,
            "net_total_shift": im_total + rs_total,
        },
        index=rows,
    )
    labelled = _labelled(base)
    sub = Matrix(values=b.values, rows=rows, columns=b.columns)

    def pick(component):
        component = component[selected]
        return _as_result(sp.csr_matrix(component) if sp.issparse(component) else component, sub, labelled)

    return ShiftShare(
        national_share=pick(national_share),
        industry_mix=pick(industry_mix),
        regional_shift=pick(regional_shift),
        totals=totals,
    )


def shift_share_dynamic(
    years: Sequence[Any] | Mapping[Any, Any],
    *,
    region: Any = None,
    nations: Sequence[Any] | Mapping[Any, Any] | None = None,
) -> ShiftShare:
    r"""Dynamic shift-share (Barff & Knight 1988): the classic decomposition year by year, summed.

    For successive years :math:`t_0 < t_1 < \dots < t_T` the components of :func:`shift_share` over
    each :math:`[t_{k-1}, t_k]` are added up, so that industry growth rates and the mix are updated every
    year (REAT ``shiftd``, method "Dunn").  The total change still equals the sum of the components.

    Parameters
    ----------
    years : sequence or mapping of matrices
        Region x industry employment for each year in order (a mapping is sorted by its keys).
    region : label or list of labels, optional
        As in :func:`shift_share`.
    nations : sequence or mapping of vectors, optional
        National employment per industry for each year (same length / keys as ``years``).

    Returns
    -------
    ShiftShare
        Components summed over the periods.

    References
    ----------
    Barff, R. A. & Knight, P. L. (1988) Dynamic shift-share analysis, Growth and Change 19(2).  REAT
    ``shiftd``.

    Examples
    --------
    The example of REAT ``shiftd`` (region A, three years):

    >>> result = shift_share_dynamic(
    ...     [[[90, 20, 10, 60]], [[100, 40, 10, 55]], [[105, 45, 15, 60]]],
    ...     nations=[[400, 150, 150, 400], [440, 210, 135, 480], [460, 230, 155, 500]])
    >>> result.totals[["change", "national_share", "industry_mix", "regional_shift"]].round(4).iloc[0].to_list()
    [45.0, 39.9644, 0.1637, 4.8719]
    """
    matrices, nation_list = _ordered_years(years, nations)
    if len(matrices) < 2:
        raise AnalyticsInputError("too_few_years", "years: give at least two years.")
    parts = [
        shift_share(a, b, region=region, nation_base=na, nation_final=nb)
        for a, b, na, nb in zip(matrices[:-1], matrices[1:], nation_list[:-1], nation_list[1:], strict=True)
    ]  # one period at a time: a handful of years, each fully vectorised

    def add(name):
        total = getattr(parts[0], name)
        for part in parts[1:]:
            total = total + getattr(part, name)
        return sp.csr_matrix(total) if sp.issparse(total) else total

    totals = parts[0].totals.copy()
    for column in ("national_share", "industry_mix", "regional_shift", "net_total_shift"):
        totals[column] = sum(part.totals[column] for part in parts)
    totals["final"] = parts[-1].totals["final"]
    totals["change"] = totals["final"] - totals["base"]
    return ShiftShare(
        national_share=add("national_share"),
        industry_mix=add("industry_mix"),
        regional_shift=add("regional_shift"),
        totals=totals,
    )


def _ordered_years(years, nations):
    if isinstance(years, Mapping):
        keys = sorted(years)
        matrices = [years[k] for k in keys]
        if nations is not None:
            if not isinstance(nations, Mapping) or set(nations) != set(keys):
                raise AnalyticsInputError("label_mismatch", "nations: give one national vector per year of years.")
            nations = [nations[k] for k in keys]
    else:
        matrices = list(years)
        if nations is not None:
            nations = list(nations)
            if len(nations) != len(matrices):
                raise AnalyticsInputError(
                    "length_mismatch", f"nations: {len(nations)} national vectors for {len(matrices)} years.",
                )
    return matrices, nations if nations is not None else [None] * len(matrices)


# -- Ellison-Glaeser agglomeration ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Plants:
    """Plant-level records reduced to what the Ellison-Glaeser indices need."""

    employment_by_cell: np.ndarray  # region x industry
    plant_herfindahl: np.ndarray  # H_i per industry
    plant_fourth_power: np.ndarray  # sum_k z_k^4 per industry (variance of G under the null)
    plant_count: np.ndarray
    region_share: np.ndarray  # x_r
    regions: pd.Index
    industries: pd.Index


def _plants(
    plants: Any,
    *,
    region_col: str,
    industry_col: str,
    employment_col: str,
    region_shares: Any,
) -> _Plants:
    if isinstance(plants, pd.DataFrame):
        require_columns(plants, {"region": region_col, "industry": industry_col, "employment": employment_col},
                        name="plants")
        employment, region, industry = plants[employment_col], plants[region_col], plants[industry_col]
    elif isinstance(plants, tuple | list) and len(plants) == 3:
        employment, region, industry = (pd.Series(p) for p in plants)
        employment_col, region_col, industry_col = "employment", "region", "industry"
    else:
        raise AnalyticsInputError(
            "bad_input", "plants: give a DataFrame with one row per establishment, or a tuple "
            "(employment, region, industry) of equal-length sequences.",
        )
    if not (len(employment) == len(region) == len(industry)):
        raise AnalyticsInputError("length_mismatch", "plants: employment, region and industry differ in length.")
    if len(employment) == 0:
        raise AnalyticsInputError("empty_data", "plants: there are no establishments.")
    if pd.api.types.is_numeric_dtype(employment):
        values = employment.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(employment, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = employment.iloc[i]
        raise AnalyticsInputError(
            "negative_value" if np.isfinite(values[i]) else "non_numeric",
            f"plants: row {i + 1}, column {employment_col!r}: {raw!r} is not a number of employees "
            "(zero or more).", row=i + 1, column=employment_col, value=str(raw),
        )
    for column, labels in ((region_col, region), (industry_col, industry)):
        missing = labels.isna().to_numpy()
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise AnalyticsInputError("missing_value", f"plants: row {i + 1} has no {column!r}.",
                                      row=i + 1, column=column)
    industry_codes, industries = pd.factorize(industry, sort=True)
    if region_shares is None:
        region_codes, regions = pd.factorize(region, sort=True)
    else:
        if not isinstance(region_shares, pd.Series):
            raise AnalyticsInputError(
                "bad_parameter", "region_shares: give a Series indexed by region (employment, population "
                "or area per region).", parameter="region_shares",
            )
        regions = pd.Index(region_shares.index)
        if regions.has_duplicates:
            raise AnalyticsInputError(
                "duplicate_row", f"region_shares: region {regions[regions.duplicated()][0]!r} appears twice.",
                label=str(regions[regions.duplicated()][0]),
            )
        region_codes = regions.get_indexer(region)
        if (region_codes < 0).any():
            i = int(np.flatnonzero(region_codes < 0)[0])
            raise AnalyticsInputError(
                "missing_label", f"region_shares: no value for region {region.iloc[i]!r} "
                f"(row {i + 1} of plants).", label=str(region.iloc[i]),
            )
    n_regions, n_industries = len(regions), len(industries)
    cell = np.bincount(region_codes * n_industries + industry_codes, weights=values,
                       minlength=n_regions * n_industries).reshape(n_regions, n_industries)
    industry_total = cell.sum(axis=0)
    _require_positive(industry_total, pd.Index(industries), kind="industry", name="plants")
    z = values / industry_total[industry_codes]
    herf = np.bincount(industry_codes, weights=z**2, minlength=n_industries)
    fourth = np.bincount(industry_codes, weights=z**4, minlength=n_industries)
    count = np.bincount(industry_codes, minlength=n_industries)
    if region_shares is None:
        weights = cell.sum(axis=1)
    else:
        weights = _vector(region_shares, regions, name="region_shares", kind="region")
    if weights.sum() <= 0:
        raise AnalyticsInputError("empty_data", "plants: total employment (or region_shares) is 0.")
    return _Plants(
        employment_by_cell=cell,
        plant_herfindahl=herf,
        plant_fourth_power=fourth,
        plant_count=count,
        region_share=weights / weights.sum(),
        regions=pd.Index(regions),
        industries=pd.Index(industries),
    )


def ellison_glaeser(
    plants: Any,
    *,
    region_col: str = "region",
    industry_col: str = "industry",
    employment_col: str = "employment",
    region_shares: pd.Series | None = None,
) -> pd.DataFrame:
    r"""Ellison-Glaeser agglomeration index :math:`\gamma` of every industry, from establishment data.

    Is an industry more concentrated in a few regions than if its plants had been thrown at the map like
    darts?  :math:`\gamma > 0` means clustering beyond what a few big plants alone would cause, around 0
    random location, below 0 dispersion.  EG call :math:`\gamma > 0.05` highly and :math:`< 0.02` not
    very localised.

    .. math::

        G_i = \sum_r (s_{ri} - x_r)^2, \qquad H_i = \sum_k z_k^2, \qquad
        \gamma_i = \frac{G_i - (1 - \sum_r x_r^2) H_i}{(1 - \sum_r x_r^2)(1 - H_i)}

    with :math:`s_{ri}` the region's share of the industry's employment, :math:`x_r` the region's share of
    all employment (of every industry in ``plants``, or ``region_shares``) and :math:`z_k` plant
    :math:`k`'s share of its industry (:math:`H_i` the plant Herfindahl).  ``z`` is the z-score of
    :math:`G_i - (1-\sum x^2)H_i` under the dartboard null, with the variance of EG (1997) as REAT
    ``ellison.a`` computes it.  An industry with a single plant has :math:`H_i = 1` and no
    :math:`\gamma` (NaN).

    Parameters
    ----------
    plants : DataFrame or tuple
        One row per establishment with its region, industry and employment; or a tuple
        ``(employment, region, industry)`` of equal-length sequences.
    region_col, industry_col, employment_col : str
        Column names in ``plants``.
    region_shares : Series, optional
        Reference size of every region (total employment, population or area), indexed by region; it
        may include regions without plants.  Default: the regions' employment in ``plants``.

    Returns
    -------
    DataFrame
        One row per industry: ``gamma``, ``G``, ``H``, ``z``, ``plants``, ``employment``.

    References
    ----------
    Ellison, G. & Glaeser, E. L. (1997) Geographic concentration in U.S. manufacturing industries: a
    dartboard approach, Journal of Political Economy 105(5), eq. 4.  REAT ``ellison.a`` / ``ellison.a2``.

    Examples
    --------
    The example of REAT ``ellison.a`` (Farhauer & Kroell 2014): ten plants in Vienna, Linz and Graz.

    >>> import pandas as pd
    >>> plants = pd.DataFrame({
    ...     "region": ["Wien"] * 5 + ["Linz"] * 4 + ["Graz"],
    ...     "industry": "x",
    ...     "employment": [200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000]})
    >>> sizes = pd.Series({"Wien": 500000, "Linz": 400000, "Graz": 100000})
    >>> round(float(ellison_glaeser(plants, region_shares=sizes).loc["x", "gamma"]), 8)
    0.05990628
    """
    p = _plants(plants, region_col=region_col, industry_col=industry_col, employment_col=employment_col,
                region_shares=region_shares)
    x = p.region_share
    s = p.employment_by_cell / p.employment_by_cell.sum(axis=0, keepdims=True)
    g = ((s - x[:, None]) ** 2).sum(axis=0)
    h = p.plant_herfindahl
    sum_x2, sum_x3 = float((x**2).sum()), float((x**3).sum())
    excess = g - (1.0 - sum_x2) * h
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(h < 1.0, excess / ((1.0 - sum_x2) * (1.0 - h)), np.nan)
        variance = 2.0 * (
            h**2 * (sum_x2 - 2.0 * sum_x3 + sum_x2**2)
            - p.plant_fourth_power * (sum_x2 - 4.0 * sum_x3 + 3.0 * sum_x2**2)
        )
        z = np.where(variance > 0, excess / np.sqrt(np.where(variance > 0, variance, 1.0)), np.nan)
    return pd.DataFrame(
        {
            "gamma": gamma,
            "G": g,
            "H": h,
            "z": z,
            "plants": p.plant_count,
            "employment": p.employment_by_cell.sum(axis=0),
        },
        index=pd.Index(p.industries, name=industry_col),
    )


def ellison_glaeser_from_cells(
    employment: Any,
    plant_squares: Any,
    *,
    region_shares: pd.Series | None = None,
) -> pd.DataFrame:
    r"""Ellison-Glaeser agglomeration :math:`\gamma` from aggregated data: no plant rows needed.

    The same index as :func:`ellison_glaeser`, from what an aggregation in the database gives: the
    region x industry employment :math:`E_{ri}` and, per industry, the sum of its plants' squared sizes
    :math:`Q_i = \sum_{k \in i} e_k^2` (``aggregate(..., plant_squares=True)`` computes it in the same
    pass that sums employment).  The plant Herfindahl is then

    .. math::

        H_i = \sum_{k \in i} z_k^2 = \frac{Q_i}{E_i^2}, \qquad
        G_i = \sum_r (s_{ri} - x_r)^2, \qquad
        \gamma_i = \frac{G_i - (1 - \sum_r x_r^2) H_i}{(1 - \sum_r x_r^2)(1 - H_i)}

    with :math:`s_{ri} = E_{ri} / E_i` and :math:`x_r` the region's share of all employment (or of
    ``region_shares``).  Equal to :func:`ellison_glaeser` on the plants behind the aggregates, up to
    rounding (the z-score needs :math:`\sum_k z_k^4` and is not given here).

    Parameters
    ----------
    employment : DataFrame or 2-D array
        Region x industry employment; rows are every region of the reference (a region without plants
        is a row of zeros).
    plant_squares : Series, 1-D array or region x industry matrix
        :math:`Q_i` per industry (a Series is aligned on the industry labels), or the region x industry
        sums of squared plant sizes (added up over regions).
    region_shares : Series, optional
        Reference size of every region (employment, population or area), indexed by the rows of
        ``employment``.  Default: the regions' employment.

    Returns
    -------
    DataFrame
        One row per industry: ``gamma``, ``G``, ``H``, ``employment``.  An industry without employment,
        or with a single plant (:math:`H_i = 1`), has no :math:`\gamma` (NaN).

    Raises
    ------
    AnalyticsInputError
        ``non_finite``, ``negative_value``, ``non_numeric`` (naming the cell or industry),
        ``length_mismatch``, ``missing_label``, ``empty_data`` (no employment at all), ``bad_input``
        (a sum of squares larger than the squared employment of its industry: not a sum over plants).

    References
    ----------
    Ellison, G. & Glaeser, E. L. (1997) Geographic concentration in U.S. manufacturing industries: a
    dartboard approach, Journal of Political Economy 105(5), eq. 4.  REAT ``ellison.a``.

    Examples
    --------
    The example of :func:`ellison_glaeser` (REAT ``ellison.a``), from the totals of the three regions
    and the sum of the ten plants' squared sizes:

    >>> import pandas as pd
    >>> employment = pd.DataFrame({"x": [13000, 32000, 25000]}, index=["Wien", "Linz", "Graz"])
    >>> sizes = [200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000]
    >>> squares = pd.Series({"x": sum(e**2 for e in sizes)})
    >>> shares = pd.Series({"Wien": 500000, "Linz": 400000, "Graz": 100000})
    >>> result = ellison_glaeser_from_cells(employment, squares, region_shares=shares)
    >>> round(float(result.loc["x", "gamma"]), 8), round(float(result.loc["x", "H"]), 6)
    (0.05990628, 0.244689)
    """
    m = as_matrix(employment, name="employment", allow_sparse=False)
    cell = np.asarray(m.values, dtype=float)
    industries = pd.Index(m.columns)
    if np.ndim(plant_squares) == 2:
        squares = np.asarray(as_matrix(plant_squares, name="plant_squares", allow_sparse=False).values,
                             dtype=float)
        if squares.shape != cell.shape:
            raise AnalyticsInputError(
                "length_mismatch", f"plant_squares: expected a {cell.shape[0]} x {cell.shape[1]} matrix like "
                f"employment, got {squares.shape[0]} x {squares.shape[1]}.", expected=list(cell.shape),
                got=list(squares.shape))
        squares = squares.sum(axis=0)
    else:
        squares = _vector(plant_squares, industries, name="plant_squares", kind="industry")
    total = cell.sum(axis=0)
    too_big = squares > total**2 * (1.0 + 1e-9)
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise AnalyticsInputError(
            "bad_input", f"plant_squares: industry {industries[i]!r} has {squares[i]!r}, more than the square "
            f"of its employment ({total[i]!r}); give the sum over its plants of each plant's employment "
            "squared.", label=str(industries[i]), value=float(squares[i]))
    weights = cell.sum(axis=1) if region_shares is None else _vector(
        region_shares, pd.Index(m.rows), name="region_shares", kind="region")
    if weights.sum() <= 0:
        raise AnalyticsInputError("empty_data", "employment: total employment (or region_shares) is 0.")
    x = weights / weights.sum()
    sum_x2 = float((x**2).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        s = cell / np.where(total > 0, total, np.nan)[None, :]
        g = ((s - x[:, None]) ** 2).sum(axis=0)
        h = np.where(total > 0, squares / total**2, np.nan)
        excess = g - (1.0 - sum_x2) * h
        gamma = np.where(h < 1.0, excess / ((1.0 - sum_x2) * (1.0 - h)), np.nan)
    return pd.DataFrame({"gamma": gamma, "G": np.where(total > 0, g, np.nan), "H": h, "employment": total},
                        index=industries.rename("industry") if industries.name is None else industries)


def ellison_glaeser_coagglomeration(
    plants: Any,
    *,
    groups: Mapping[Any, Sequence[Any]] | Sequence[Sequence[Any]] | None = None,
    region_col: str = "region",
    industry_col: str = "industry",
    employment_col: str = "employment",
    region_shares: pd.Series | None = None,
) -> pd.DataFrame:
    r"""Ellison-Glaeser coagglomeration: do industries locate *together* more than by chance?

    For a group :math:`U` of industries with weights :math:`w_j = E_j / \sum_{U} E` (EG 1997, eq. 5):

    .. math::

        \gamma^c = \frac{G_U / (1 - \sum_r x_r^2) - H_U - \sum_{j \in U} \gamma_j w_j^2 (1 - H_j)}
                        {1 - \sum_{j \in U} w_j^2}

    with :math:`G_U = \sum_r (s_{rU} - x_r)^2` for the group's pooled regional shares and
    :math:`H_U = \sum_j w_j^2 H_j`.  For a *pair* of industries this reduces exactly to the formula of
    Ellison, Glaeser & Kerr (2010), which needs no plant data:

    .. math:: \gamma^c_{jk} = \frac{\sum_r (s_{rj} - x_r)(s_{rk} - x_r)}{1 - \sum_r x_r^2}

    Without ``groups`` the result is that pairwise matrix for every pair of industries (diagonal NaN).
    REAT ``ellison.c`` implements a variant that adds up unweighted industry shares instead of the
    weighted group share; this function follows the paper.

    Parameters
    ----------
    plants : DataFrame or tuple
        As in :func:`ellison_glaeser`.
    groups : mapping of name -> industries, or a list of lists, optional
        Groups of two or more industries.  Default: every pair.
    region_col, industry_col, employment_col, region_shares
        As in :func:`ellison_glaeser`.

    Returns
    -------
    DataFrame
        With ``groups``: one row per group, columns ``gamma_c``, ``G``, ``H``, ``industries``.
        Without: an industry x industry matrix of pairwise :math:`\gamma^c`.

    References
    ----------
    Ellison, G. & Glaeser, E. L. (1997), eq. 5.  Ellison, G., Glaeser, E. L. & Kerr, W. R. (2010) What
    causes industry agglomeration? American Economic Review 100(3).  REAT ``ellison.c``.

    Examples
    --------
    >>> import pandas as pd
    >>> plants = pd.DataFrame({"region": ["a", "a", "b", "b", "c", "c", "a", "b"],
    ...                        "industry": ["x", "x", "x", "y", "y", "z", "z", "z"],
    ...                        "employment": [10, 5, 1, 1, 4, 6, 6, 6]})
    >>> pairs = ellison_glaeser_coagglomeration(plants)
    >>> round(float(pairs.loc["x", "y"]), 4)
    -0.587
    >>> groups = ellison_glaeser_coagglomeration(plants, groups={"xy": ["x", "y"]})
    >>> round(float(groups.loc["xy", "gamma_c"]), 4)
    -0.587
    """
    p = _plants(plants, region_col=region_col, industry_col=industry_col, employment_col=employment_col,
                region_shares=region_shares)
    x = p.region_share
    one_minus = 1.0 - float((x**2).sum())
    industry_total = p.employment_by_cell.sum(axis=0)
    s = p.employment_by_cell / industry_total[None, :]
    deviation = s - x[:, None]
    if groups is None:
        pairs = deviation.T @ deviation / one_minus
        np.fill_diagonal(pairs, np.nan)
        return pd.DataFrame(pairs, index=p.industries, columns=p.industries)

    names, members = _groups(groups, p.industries)
    h = p.plant_herfindahl
    # gamma_j (1 - H_j) = G_j / (1 - sum x^2) - H_j: no division, so one-plant industries are fine too
    gamma_times_rest = (deviation**2).sum(axis=0) / one_minus - h
    # membership: industries x groups, weights w_j within each group
    group_employment = industry_total @ members
    w = members * industry_total[:, None] / group_employment[None, :]
    pooled = p.employment_by_cell @ members / group_employment[None, :]
    g_group = ((pooled - x[:, None]) ** 2).sum(axis=0)
    h_group = (w**2 * h[:, None]).sum(axis=0)
    own = (w**2 * gamma_times_rest[:, None]).sum(axis=0)
    gamma_c = (g_group / one_minus - h_group - own) / (1.0 - (w**2).sum(axis=0))
    return pd.DataFrame(
        {"gamma_c": gamma_c, "G": g_group, "H": h_group,
         "industries": [list(p.industries[members[:, k] > 0]) for k in range(members.shape[1])]},
        index=pd.Index(names, name="group", tupleize_cols=False),
    )


def _groups(groups, industries: pd.Index) -> tuple[list, np.ndarray]:
    """Names and an industries x groups 0/1 membership matrix; each group needs two known industries."""
    if isinstance(groups, Mapping):
        names, lists = list(groups.keys()), [list(v) for v in groups.values()]
    else:
        lists = [list(v) for v in groups]
        names = ["+".join(map(str, v)) for v in lists]
    members = np.zeros((len(industries), len(lists)))
    for k, (name, group) in enumerate(zip(names, lists, strict=True)):  # a few groups, not cells
        codes = industries.get_indexer(group)
        if (codes < 0).any():
            unknown = group[int(np.flatnonzero(codes < 0)[0])]
            raise AnalyticsInputError("missing_label", f"groups: industry {unknown!r} of group {name!r} has no "
                                      "establishments in plants.", label=str(unknown), group=str(name))
        if len(set(codes)) < 2:
            raise AnalyticsInputError("bad_parameter", f"groups: group {name!r} needs at least two different "
                                      "industries.", group=str(name))
        members[codes, k] = 1.0
    return names, members
