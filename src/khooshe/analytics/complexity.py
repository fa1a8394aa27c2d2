"""Economic complexity: RCA, presence, diversity, ubiquity, ECI/PCI, Fitness-Complexity, proximity,
relatedness density and complexity outlook, with exactly the conventions of Harvard Growth Lab's
``ecomplexity`` 0.5.3 package, and :func:`complexity_panel`, a drop-in replacement of
``ecomplexity.ecomplexity()`` that gives the same table many times faster.

Matrices are region x product (country x product, region x industry).  Every function accepts a NumPy
array, a SciPy sparse matrix or a pandas DataFrame (index = regions, columns = products).  Vectors
(diversity, ECI, ...) come back as pandas Series, labelled when the input was a DataFrame (a RangeIndex
otherwise); matrices come back as a DataFrame for a DataFrame, an ndarray for an ndarray and, where the
result keeps the zeros of the input (RCA, RPOP, presence), a CSR matrix for a sparse matrix.

Where ``ecomplexity`` and EconGeo/other references differ, this module follows ``ecomplexity``; the
differences are listed in ``docs/analytics/complexity.md``.  How the speed is obtained (the same arithmetic
as ``ecomplexity`` except for the eigenvector, which is taken from a symmetric matrix on the smaller side
of the network) is explained next to each private helper.
"""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp

from khooshe.analytics.validation import AnalyticsInputError, Matrix, as_matrix, require_columns

try:  # installed with scikit-learn (a dependency of esda)
    import threadpoolctl
except ImportError:  # pragma: no cover - only the speed on a busy machine depends on it
    threadpoolctl = None

__all__ = [
    "ComplexityWarning",
    "complexity_outlook",
    "complexity_panel",
    "density",
    "diversity",
    "eci_pci",
    "fitness_complexity",
    "presence",
    "proximity",
    "rca",
    "rpop",
    "ubiquity",
]

PRESENCE_TESTS = ("rca", "rpop", "both", "manual")
# Eigenvalues closer than this make the ECI eigenvector (and so the ranking) not uniquely defined.
EIGENVALUE_GAP_TOLERANCE = 1e-9
# ECI's sign is chosen so that it correlates positively with diversity; a smaller correlation is noise.
SIGN_CORRELATION_TOLERANCE = 1e-9
# Integer counts up to 2**24 are exact in float32: M'M is then computed in float32, twice as fast.
_FLOAT32_EXACT = 2**24


class ComplexityWarning(UserWarning):
    """A result is defined but fragile or incomplete (degenerate eigenvalues, no convergence, NaN year)."""


# --------------------------------------------------------------------------------------------------
# Input helpers
# --------------------------------------------------------------------------------------------------


def _check_positive(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not np.isfinite(number) or number <= 0:
        raise AnalyticsInputError(
            "invalid_parameter", f"{name} must be a positive number, got {value!r}.", parameter=name, value=str(value),
        )
    return number


def _line_sums(values: np.ndarray | sp.csr_matrix, axis: int) -> np.ndarray:
    """Row (axis=1) or column (axis=0) sums as a flat float array, without densifying a sparse matrix."""
    if sp.issparse(values):
        return np.asarray(values.sum(axis=axis), dtype=float).ravel()
    return np.nansum(values, axis=axis).astype(float, copy=False)


def _require_nonempty_lines(matrix: Matrix, *, name: str, what: str = "value") -> None:
    """Reject an all-zero region (row) or product (column): every ratio on it would be 0/0."""
    rows, cols = _line_sums(matrix.values, 1), _line_sums(matrix.values, 0)
    if (rows == 0).any():
        label = matrix.rows[int(np.flatnonzero(rows == 0)[0])]
        raise AnalyticsInputError(
            "empty_region",
            f"{name}: region {label!r} has no {what} in any product (all zeros); remove it before computing.",
            row=str(label),
        )
    if (cols == 0).any():
        label = matrix.columns[int(np.flatnonzero(cols == 0)[0])]
        raise AnalyticsInputError(
            "all_zero_industry",
            f"{name}: product/industry {label!r} has no {what} in any region (all zeros); remove it before "
            "computing.",
            column=str(label),
        )


def _require_size(matrix: Matrix, *, name: str) -> None:
    if matrix.values.shape[0] < 2:
        raise AnalyticsInputError(
            "single_region", f"{name}: complexity compares regions, so it needs at least 2 regions, got "
            f"{matrix.values.shape[0]}.", got=matrix.values.shape[0],
        )
    if matrix.values.shape[1] < 2:
        raise AnalyticsInputError(
            "too_few_industries", f"{name}: complexity needs at least 2 products/industries, got "
            f"{matrix.values.shape[1]}.", minimum=2, got=matrix.values.shape[1],
        )


def _presence_matrix(M: Any, *, name: str = "presence") -> Matrix:
    """Validate a presence matrix M (usually 0/1; ecomplexity's "both" test gives 0/1/2)."""
    return as_matrix(M, name=name)


def _as_float(values: np.ndarray | sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    return values.astype(float) if values.dtype != float else values


def _vector(values: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    return pd.Series(values, index=index, name=name)


def _matrix_like(template: Matrix, values: np.ndarray | sp.csr_matrix, *, labelled: bool,
                 rows: pd.Index | None = None, columns: pd.Index | None = None):
    """Return ``values`` as a DataFrame when the input was labelled, else as it is."""
    if not labelled:
        return values
    dense = values.toarray() if sp.issparse(values) else values
    return pd.DataFrame(dense, index=template.rows if rows is None else rows,
                        columns=template.columns if columns is None else columns)


def _aligned_vector(vector: Any, labels: pd.Index, *, labelled: bool, name: str, what: str) -> np.ndarray:
    """A 1-D input (population, PCI) as a float array in the order of ``labels``.

    A Series is aligned on its index when the matrix is labelled; anything else must have one entry per label.
    """
    if isinstance(vector, pd.Series) and labelled:
        missing = labels.difference(vector.index)
        if len(missing):
            raise AnalyticsInputError(
                "missing_value", f"{name}: no value for {what} {missing[0]!r}; give one for every {what}.",
                row=str(missing[0]),
            )
        vector = vector.reindex(labels)
    array = np.asarray(vector.to_numpy() if isinstance(vector, pd.Series) else vector)
    if array.ndim != 1 or array.shape[0] != len(labels):
        raise AnalyticsInputError(
            "wrong_length", f"{name}: expected {len(labels)} values (one per {what}), got shape {array.shape}.",
            expected=len(labels), got=str(array.shape),
        )
    try:
        array = array.astype(float)
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", f"{name}: holds a value that is not a number.") from None
    bad = ~np.isfinite(array)
    if bad.any():
        label = labels[int(np.flatnonzero(bad)[0])]
        raise AnalyticsInputError(
            "non_finite", f"{name}: missing or infinite value for {what} {label!r}.", row=str(label),
        )
    return array


def _aligned_proximity(proximity_matrix: Any, M: Matrix, *, labelled: bool) -> np.ndarray:
    """The product x product proximity as a dense array in M's product order."""
    if isinstance(proximity_matrix, pd.DataFrame) and labelled:
        products = M.columns
        for axis_name, axis in (("rows", proximity_matrix.index), ("columns", proximity_matrix.columns)):
            missing = products.difference(axis)
            if len(missing):
                raise AnalyticsInputError(
                    "proximity_mismatch",
                    f"proximity: product {missing[0]!r} of the presence matrix is not in the proximity {axis_name}.",
                    column=str(missing[0]),
                )
        proximity_matrix = proximity_matrix.loc[products, products]
    phi = as_matrix(proximity_matrix, name="proximity")
    n = M.values.shape[1]
    if phi.values.shape != (n, n):
        raise AnalyticsInputError(
            "proximity_mismatch",
            f"proximity: expected a {n} x {n} product x product matrix, got {phi.values.shape[0]} x "
            f"{phi.values.shape[1]}.", expected=n, got=str(phi.values.shape),
        )
    dense = phi.dense()
    if (dense.sum(axis=1) == 0).any():
        label = M.columns[int(np.flatnonzero(dense.sum(axis=1) == 0)[0])]
        raise AnalyticsInputError(
            "all_zero_industry", f"proximity: product {label!r} has zero proximity to every product.",
            column=str(label),
        )
    return dense


# --------------------------------------------------------------------------------------------------
# Numerical cores.  They repeat ecomplexity 0.5.3's arithmetic operation by operation (same order, same
# dtypes) so that results agree to the last bits, except where a faster but equivalent route is noted.
# --------------------------------------------------------------------------------------------------


def _rca_values(x: np.ndarray | sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    """Balassa RCA, in ecomplexity's order: (x / row total) / (column total / sum of column totals)."""
    if sp.issparse(x):
        coo = x.tocoo()
        row_total = _line_sums(x, 1)
        col_total = _line_sums(x, 0)
        share = col_total / col_total.sum()
        data = coo.data / row_total[coo.row] / share[coo.col]
        return sp.csr_matrix((data, (coo.row, coo.col)), shape=x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = x / np.sum(x, axis=1)[:, np.newaxis]
        loc_total = np.sum(x, axis=0)[np.newaxis, :]
        world_total = np.sum(loc_total, axis=1)[:, np.newaxis]
        return num / (loc_total / world_total)


def _rpop_values(x: np.ndarray | sp.csr_matrix, pop: np.ndarray) -> np.ndarray | sp.csr_matrix:
    """RPOP, in ecomplexity's order: (x / population) / (column total / total population)."""
    if sp.issparse(x):
        coo = x.tocoo()
        per_head = _line_sums(x, 0) / np.nansum(pop)
        data = coo.data / pop[coo.row] / per_head[coo.col]
        return sp.csr_matrix((data, (coo.row, coo.col)), shape=x.shape)
    num = x / pop[:, np.newaxis]
    loc_total = np.sum(x, axis=0)[np.newaxis, :]
    return num / (loc_total / np.nansum(pop))


def _binary(values: np.ndarray | sp.csr_matrix, threshold: float) -> np.ndarray | sp.csr_matrix:
    """1 where value >= threshold (NaN counts as 0), as int64 like ecomplexity's np.where(..., 1, 0)."""
    if sp.issparse(values):
        # threshold > 0, so the implicit zeros stay 0 and the result stays sparse.
        out = values.copy().tocsr()
        out.data = (np.nan_to_num(out.data) >= threshold).astype(np.int64)
        out.eliminate_zeros()
        return out
    if np.isnan(values).any():
        values = np.nan_to_num(values)
    return (values >= threshold).astype(np.int64)


def _top_eigenpairs(gram: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` largest eigenvalues (descending) and eigenvectors of a symmetric matrix."""
    n = gram.shape[0]
    count = min(count, n)
    values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - count, n - 1], check_finite=False)
    return values[::-1], vectors[:, ::-1]


def _complexity_eigenvector(m: np.ndarray | sp.csr_matrix, div: np.ndarray, ubi: np.ndarray,
                            *, where: str = "") -> np.ndarray:
    """PCI eigenvector kp (up to a positive or negative scale) of ecomplexity's Mpp = M'_p M_c.

    ecomplexity diagonalises the non-symmetric product x product matrix Mpp = D_p^-1 M' D_c^-1 M with
    ``np.linalg.eig`` (O(P^3), the slowest step).  Mpp is similar to the symmetric matrix
    S_p = D_p^-1/2 M' D_c^-1 M D_p^-1/2 = A'A with A = D_c^-1/2 M D_p^-1/2, and A'A and AA' share their
    non-zero eigenvalues, so the eigenvector of the second largest eigenvalue is taken with ``eigh`` on the
    smaller of A'A and AA' (one eigenpair subset): kp = D_p^-1/2 w, or kp = D_p^-1 M' D_c^-1/2 w from the
    region side.  Same eigenvector, only its scale differs, and every published output is scale-free.
    """
    n_regions, n_products = m.shape
    inv_sqrt_div, inv_sqrt_ubi = 1.0 / np.sqrt(div), 1.0 / np.sqrt(ubi)
    if sp.issparse(m):
        a = sp.diags(inv_sqrt_div) @ m @ sp.diags(inv_sqrt_ubi)
        gram = (a @ a.T if n_regions <= n_products else a.T @ a).toarray()
    else:
        a = m * inv_sqrt_div[:, np.newaxis] * inv_sqrt_ubi[np.newaxis, :]
        gram = a @ a.T if n_regions <= n_products else a.T @ a
    values, vectors = _top_eigenpairs(gram, 3)
    gaps = np.abs(np.diff(values))
    if values.shape[0] < 3:
        gaps = np.append(gaps, abs(values[1]))  # two regions: the 2nd eigenvalue must not be 0
    if gaps.min() < EIGENVALUE_GAP_TOLERANCE:
        warnings.warn(
            f"{where}ECI/PCI are not uniquely defined: the second largest eigenvalue ({values[1]:.6g}) is "
            f"(almost) equal to another one ({', '.join(f'{v:.6g}' for v in values)}). The region-product "
            "network may be disconnected or too small; the ranking is then arbitrary.",
            ComplexityWarning, stacklevel=3,
        )
    w = vectors[:, 1]
    if n_regions <= n_products:
        return (m.T @ (w * inv_sqrt_div)) / ubi
    return w * inv_sqrt_ubi


def _eci_pci_raw(m: np.ndarray | sp.csr_matrix, div: np.ndarray, ubi: np.ndarray,
                 *, where: str = "", panel: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Un-normalised ECI (kc) and PCI (kp) with ecomplexity's sign: corr(diversity, ECI) > 0.

    ``m`` has no zero row or column.  ecomplexity takes kc = (M / diversity) @ kp, then multiplies both by
    the sign of the correlation of kc with diversity: 0 or NaN when that correlation is 0 or undefined,
    which blanks the year.  ``panel=True`` keeps that; the matrix functions keep the eigenvector as it is
    instead (after the warning), rather than return zeros and NaN.
    """
    kp = _complexity_eigenvector(m, div, ubi, where=where)
    kc = np.asarray((sp.diags(1.0 / div) @ m) @ kp if sp.issparse(m) else (m / div[:, np.newaxis]) @ kp)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        correlation = np.corrcoef(div, kc)[0, 1]
    if np.isnan(correlation):
        warnings.warn(
            f"{where}every region has the same diversity, so the sign of ECI/PCI (ECI must correlate "
            "positively with diversity) is undefined and they are NaN, as in ecomplexity.",
            ComplexityWarning, stacklevel=3,
        )
    elif abs(correlation) < SIGN_CORRELATION_TOLERANCE:
        warnings.warn(
            f"{where}the sign of ECI/PCI is not determined: ECI is uncorrelated with diversity "
            f"(correlation {correlation:.3g}), so which end is 'complex' is arbitrary.",
            ComplexityWarning, stacklevel=3,
        )
    s1 = np.sign(correlation)
    if not panel and not s1:
        s1 = 1.0
    return s1 * kc, s1 * kp


def _proximity_values(m: np.ndarray | sp.csr_matrix, ubi: np.ndarray) -> np.ndarray:
    """phi_pq = min(P(p|q), P(q|p)) = (M'M)_pq / max(u_p, u_q), in ecomplexity's order.

    The co-occurrence counts M'M are integers: when M is integer-valued and the counts stay below 2**24
    they are computed exactly in float32 (about twice as fast as float64; ecomplexity multiplies int64
    matrices, which NumPy does without BLAS, 20 to 50 times slower).  Division by the larger ubiquity
    gives bit for bit ecomplexity's min(C/u_q, C/u_p) (rounding is monotonic), in one pass instead of
    two divisions and a transposed minimum; with a zero ubiquity (0/0) ecomplexity's NaN are kept.
    """
    if sp.issparse(m):
        counts = (m.T @ m).toarray().astype(float)
    else:
        peak = float(np.max(m)) if m.size else 0.0
        integral = np.issubdtype(m.dtype, np.integer) or bool(np.all(np.mod(m, 1) == 0))
        if integral and peak * peak * m.shape[0] < _FLOAT32_EXACT:
            m32 = np.ascontiguousarray(m, dtype=np.float32)
            counts = (m32.T @ m32).astype(np.float64)
        else:
            mf = np.ascontiguousarray(m, dtype=np.float64)
            counts = mf.T @ mf
    if (ubi > 0).all():
        ubi = ubi.astype(np.float64)
        return counts / np.maximum.outer(ubi, ubi)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = counts / ubi[np.newaxis, :]
    return np.minimum(phi, phi.T)


def _density_values(m: np.ndarray | sp.csr_matrix, phi: np.ndarray, *, symmetric: bool | None = None) -> np.ndarray:
    """density_cp = sum_q M_cq phi_qp / sum_q phi_pq (ecomplexity's calc_density, diagonal included)."""
    if symmetric is None:
        symmetric = bool(np.isfinite(phi).all() and np.array_equal(phi, phi.T))
    if symmetric:
        # A finite symmetric proximity (ours is, unless a product is absent): phi / den holds the same
        # numbers as ecomplexity's phi.T / den, in C order, which BLAS multiplies faster.
        weights = phi / phi.sum(axis=1)[np.newaxis, :]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = phi.T / np.nansum(phi, axis=1)[np.newaxis, :]
    if sp.issparse(m):
        return np.asarray(m @ weights)
    return np.asarray(m, dtype=np.float64) @ weights


def _outlook_values(m: np.ndarray, density_values: np.ndarray, phi: np.ndarray,
                    pci: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw COI and COG, ecomplexity's coicog.calc_coi_cog (the Stata formulas) operation by operation."""
    absent = 1 - m
    coi = ((density_values * absent) * pci).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = phi * (pci / phi.sum(axis=1))[:, np.newaxis]
    cog = absent * (np.asarray(absent, dtype=np.float64) @ weights)
    return coi, cog


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


# --------------------------------------------------------------------------------------------------
# Public matrix functions
# --------------------------------------------------------------------------------------------------


def rca(values: Any) -> Any:
    r"""Revealed comparative advantage (Balassa index) of each region in each product.

    How much more a region exports (or employs) in a product than the world (or country) as a whole does.

    .. math:: RCA_{cp} = \frac{X_{cp} / \sum_{p'} X_{cp'}}{\sum_{c'} X_{c'p} / \sum_{c',p'} X_{c'p'}}

    Parameters
    ----------
    values : DataFrame, ndarray or sparse matrix
        Region x product values (exports, employment), zero or more.

    Returns
    -------
    Same kind as ``values`` (CSR for sparse input: RCA is zero wherever the value is zero).

    Raises
    ------
    AnalyticsInputError
        ``empty_region`` / ``all_zero_industry`` for an all-zero row or column, and the checks of
        :func:`khooshe.analytics.validation.as_matrix`.

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage. The Manchester School
    33(2), 99-123.  Operation order of ``ecomplexity`` 0.5.3 (``ComplexityData.calculate_rca``).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame([[6, 2], [2, 6]], index=["A", "B"], columns=["cars", "rice"])
    >>> rca(X)
       cars  rice
    A   1.5   0.5
    B   0.5   1.5
    """
    matrix = as_matrix(values, name="values")
    _require_nonempty_lines(matrix, name="rca")
    result = _rca_values(matrix.values)
    return _matrix_like(matrix, result, labelled=isinstance(values, pd.DataFrame))


def rpop(values: Any, population: Any) -> Any:
    r"""Per-capita revealed comparative advantage (RPOP) of each region in each product.

    How much a region exports of a product per inhabitant, compared with the world's exports per inhabitant.

    .. math:: RPOP_{cp} = \frac{X_{cp} / pop_c}{\sum_{c'} X_{c'p} / \sum_{c'} pop_{c'}}

    Parameters
    ----------
    values : DataFrame, ndarray or sparse matrix
        Region x product values, zero or more.
    population : Series or 1-D array
        Population of each region (aligned on the index when both are labelled), positive.

    Returns
    -------
    Same kind as ``values`` (CSR for sparse input).

    References
    ----------
    ``ecomplexity`` 0.5.3, ``ComplexityData.calculate_rpop`` (Growth Lab's per-capita presence test).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame([[6, 2], [2, 6]], index=["A", "B"], columns=["cars", "rice"])
    >>> rpop(X, pd.Series({"A": 1.0, "B": 3.0})).round(3)
        cars  rice
    A  3.000   1.0
    B  0.333   1.0
    """
    matrix = as_matrix(values, name="values")
    _require_nonempty_lines(matrix, name="rpop")
    pop = _population(population, matrix, labelled=isinstance(values, pd.DataFrame))
    result = _rpop_values(matrix.values, pop)
    return _matrix_like(matrix, result, labelled=isinstance(values, pd.DataFrame))


def _population(population: Any, matrix: Matrix, *, labelled: bool) -> np.ndarray:
    if population is None:
        raise AnalyticsInputError(
            "missing_population", "population: the rpop presence test needs the population of every region.",
        )
    pop = _aligned_vector(population, matrix.rows, labelled=labelled, name="population", what="region")
    if (pop <= 0).any():
        label = matrix.rows[int(np.flatnonzero(pop <= 0)[0])]
        raise AnalyticsInputError(
            "non_positive_population", f"population: region {label!r} has population "
            f"{pop[pop <= 0][0]!r}; it must be positive.", row=str(label),
        )
    return pop


def presence(values: Any, *, threshold: float = 1.0, method: str = "rca", population: Any = None,
             rpop_threshold: float = 1.0) -> Any:
    r"""Presence matrix M: 1 where a region is a significant exporter (producer) of a product.

    ``method="rca"``: :math:`M_{cp} = [RCA_{cp} \ge t]`; ``"rpop"``: :math:`M_{cp} = [RPOP_{cp} \ge t_{pop}]`;
    ``"both"``: :math:`M_{cp} = [RCA_{cp} \ge t] + [RPOP_{cp} \ge t_{pop}]`, which is 0, 1 or **2**, exactly as
    ``ecomplexity`` 0.5.3 does (its diversity, ubiquity and proximity then count a double pass twice); use
    ``presence(...).clip(upper=1)`` for "present by either test".

    Parameters
    ----------
    values : DataFrame, ndarray or sparse matrix
        Region x product values, zero or more.
    threshold : float, default 1.0
        RCA threshold (``rca_mcp_threshold`` in ecomplexity); must be positive.
    method : {"rca", "rpop", "both"}
        Which test decides presence.
    population : Series or 1-D array, optional
        Population per region; required for ``"rpop"`` and ``"both"``.
    rpop_threshold : float, default 1.0
        RPOP threshold (``rpop_mcp_threshold``).

    Returns
    -------
    int64 matrix of the same kind as ``values`` (CSR for sparse input).

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26),
    10570-10575.  ``ecomplexity`` 0.5.3, ``ComplexityData.calculate_mcp``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame([[6, 2], [2, 6]], index=["A", "B"], columns=["cars", "rice"])
    >>> presence(X)
       cars  rice
    A     1     0
    B     0     1
    """
    if method not in ("rca", "rpop", "both"):
        raise AnalyticsInputError(
            "invalid_parameter", f"method must be 'rca', 'rpop' or 'both', got {method!r}.",
            parameter="method", value=str(method),
        )
    threshold = _check_positive(threshold, "threshold")
    rpop_threshold = _check_positive(rpop_threshold, "rpop_threshold")
    matrix = as_matrix(values, name="values")
    _require_nonempty_lines(matrix, name="presence")
    labelled = isinstance(values, pd.DataFrame)
    result = None
    if method in ("rca", "both"):
        result = _binary(_rca_values(matrix.values), threshold)
    if method in ("rpop", "both"):
        pop = _population(population, matrix, labelled=labelled)
        by_pop = _binary(_rpop_values(matrix.values, pop), rpop_threshold)
        result = by_pop if result is None else result + by_pop
    return _matrix_like(matrix, result, labelled=labelled)


def diversity(M: Any) -> pd.Series:
    r"""Diversity of each region: the number of products it is present in.

    .. math:: k_{c,0} = \sum_p M_{cp}

    Examples
    --------
    >>> diversity([[1, 1, 0], [0, 1, 0]]).tolist()
    [2.0, 1.0]
    """
    matrix = _presence_matrix(M)
    return _vector(_line_sums(matrix.values, 1), matrix.rows, "diversity")


def ubiquity(M: Any) -> pd.Series:
    r"""Ubiquity of each product: the number of regions present in it.

    .. math:: k_{p,0} = \sum_c M_{cp}

    Examples
    --------
    >>> ubiquity([[1, 1, 0], [0, 1, 0]]).tolist()
    [1.0, 2.0, 0.0]
    """
    matrix = _presence_matrix(M)
    return _vector(_line_sums(matrix.values, 0), matrix.columns, "ubiquity")


def _checked_presence(M: Any, *, name: str) -> tuple[Matrix, np.ndarray, np.ndarray]:
    matrix = _presence_matrix(M, name=name)
    _require_size(matrix, name=name)
    _require_nonempty_lines(matrix, name=name, what="presence")
    values = _as_float(matrix.values)
    return Matrix(values, matrix.rows, matrix.columns), _line_sums(values, 1), _line_sums(values, 0)


def eci_pci(M: Any) -> tuple[pd.Series, pd.Series]:
    r"""Economic Complexity Index of regions and Product Complexity Index, by the eigenvector method.

    ECI says how many and how exclusive the capabilities of a region are; PCI how many and how exclusive
    the capabilities a product needs.  With diversity :math:`k_c` and ubiquity :math:`k_p`:

    .. math::
        \tilde M_{pp'} = \sum_c \frac{M_{cp} M_{cp'}}{k_p k_c}, \qquad
        \tilde M \, K = \lambda_2 K, \qquad
        kc = \frac{M}{k_c} K

    :math:`K` is the eigenvector of the second largest eigenvalue.  The sign makes ECI correlate positively
    with diversity; then :math:`ECI = (kc - \overline{kc}) / sd(kc)` and, as ``ecomplexity`` does,
    :math:`PCI = (K - \overline{kc}) / sd(kc)` (PCI normalised with **ECI's** mean and standard deviation,
    population sd, ddof=0), which keeps ECI equal to the mean PCI of a region's products.

    Parameters
    ----------
    M : DataFrame, ndarray or sparse matrix
        Region x product presence matrix (see :func:`presence`); no all-zero row or column.

    Returns
    -------
    eci, pci : Series
        Indexed by region and by product.

    Raises
    ------
    AnalyticsInputError
        ``empty_region`` (diversity 0), ``all_zero_industry`` (ubiquity 0), ``single_region``,
        ``too_few_industries``, ``undefined_sign`` (all regions equally diverse).

    Warns
    -----
    ComplexityWarning
        When the eigenvalue is degenerate (a disconnected network) or ECI is uncorrelated with diversity:
        the ranking, or its direction, is then arbitrary.

    References
    ----------
    Hidalgo & Hausmann (2009), PNAS 106(26); Hausmann, Hidalgo et al. (2014), The Atlas of Economic
    Complexity, MIT Press.  Sign and normalisation of ``ecomplexity`` 0.5.3 (``calc_eci_pci``).

    Examples
    --------
    >>> eci, pci = eci_pci([[1, 1], [0, 1]])
    >>> eci.round(6).tolist(), pci.round(6).tolist()
    ([1.0, -1.0], [3.0, -1.0])
    """
    matrix, div, ubi = _checked_presence(M, name="eci_pci")
    if np.all(div == div[0]):
        raise AnalyticsInputError(
            "undefined_sign", "eci_pci: every region has the same diversity, so the sign of ECI (which must "
            "correlate positively with diversity) is undefined.",
        )
    kc, kp = _eci_pci_raw(matrix.values, div, ubi)
    mean, sd = kc.mean(), kc.std()
    return _vector((kc - mean) / sd, matrix.rows, "eci"), _vector((kp - mean) / sd, matrix.columns, "pci")


def fitness_complexity(M: Any, *, max_iterations: int = 1000,
                       tolerance: float = 1e-10) -> tuple[pd.Series, pd.Series]:
    r"""Fitness of regions and Complexity of products (Tacchella et al. 2012), by iteration.

    A region is fit when it makes many products, above all complex ones; a product is complex when only
    fit regions make it (the least fit producer weighs most).  Starting from :math:`F = Q = 1`:

    .. math::
        \tilde F_c^{(n)} = \sum_p M_{cp} Q_p^{(n-1)}, \qquad
        \tilde Q_p^{(n)} = \frac{1}{\sum_c M_{cp} / F_c^{(n-1)}}, \qquad
        F^{(n)} = \tilde F^{(n)} / \langle \tilde F^{(n)} \rangle, \quad
        Q^{(n)} = \tilde Q^{(n)} / \langle \tilde Q^{(n)} \rangle

    Iterates until the largest absolute change of F and Q is below ``tolerance``.

    Parameters
    ----------
    M : DataFrame, ndarray or sparse matrix
        Region x product presence matrix; no all-zero row or column.
    max_iterations : int, default 1000
    tolerance : float, default 1e-10

    Returns
    -------
    fitness, complexity : Series
        Both have mean 1.

    Warns
    -----
    ComplexityWarning
        If the iteration has not converged after ``max_iterations`` (typical of perfectly nested matrices,
        where the fitness of the least diversified regions tends to zero); the last iterate is returned.

    References
    ----------
    Tacchella, A., Cristelli, M., Caldarelli, G., Gabrielli, A. & Pietronero, L. (2012). A new metrics for
    countries' fitness and products' complexity. Scientific Reports 2, 723.

    Examples
    --------
    >>> fitness, complexity = fitness_complexity([[1, 1, 1], [1, 1, 0], [1, 0, 1]])
    >>> fitness.round(4).tolist(), complexity.round(4).tolist()
    ([1.3416, 0.8292, 0.8292], [0.7082, 1.1459, 1.1459])
    """
    if not isinstance(max_iterations, (int, np.integer)) or max_iterations < 1:
        raise AnalyticsInputError(
            "invalid_parameter", f"max_iterations must be a positive integer, got {max_iterations!r}.",
            parameter="max_iterations", value=str(max_iterations),
        )
    tolerance = _check_positive(tolerance, "tolerance")
    matrix, _, _ = _checked_presence(M, name="fitness_complexity")
    m = matrix.values
    mt = m.T.tocsr() if sp.issparse(m) else m.T
    fitness_values, complexity_values = np.ones(m.shape[0]), np.ones(m.shape[1])
    change = np.inf
    with np.errstate(divide="ignore", over="ignore"):
        for _ in range(max_iterations):
            f_new = np.asarray(m @ complexity_values).ravel()
            q_new = 1.0 / np.asarray(mt @ (1.0 / fitness_values)).ravel()
            f_new /= f_new.mean()
            q_new /= q_new.mean()
            change = max(np.abs(f_new - fitness_values).max(), np.abs(q_new - complexity_values).max())
            fitness_values, complexity_values = f_new, q_new
            if change < tolerance:
                break
        else:
            warnings.warn(
                f"fitness_complexity did not converge in {max_iterations} iterations (last change "
                f"{change:.3g} > tolerance {tolerance:g}); the last iterate is returned.",
                ComplexityWarning, stacklevel=2,
            )
    return (_vector(fitness_values, matrix.rows, "fitness"),
            _vector(complexity_values, matrix.columns, "complexity"))


def proximity(M: Any) -> Any:
    r"""Product space proximity: how often two products are both present in the same regions.

    The minimum of the two conditional probabilities of presence (Hidalgo et al. 2007):

    .. math:: \phi_{pq} = \min\{P(M_p=1 \mid M_q=1),\ P(M_q=1 \mid M_p=1)\}
              = \frac{\sum_c M_{cp} M_{cq}}{\max(k_p, k_q)}

    The diagonal is kept, as in ``ecomplexity``: :math:`\phi_{pp} = 1` for a 0/1 matrix (EconGeo's
    ``relatedness`` sets it to 0).

    Parameters
    ----------
    M : DataFrame, ndarray or sparse matrix
        Region x product presence matrix; no all-zero product.

    Returns
    -------
    Product x product DataFrame (labelled input) or ndarray, symmetric.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabasi, A.-L. & Hausmann, R. (2007). The product space conditions the
    development of nations. Science 317(5837), 482-487.  ``ecomplexity`` 0.5.3 ``calc_discrete_proximity``.

    Examples
    --------
    >>> proximity([[1, 1, 0], [1, 0, 1], [1, 1, 0]]).round(3)
    array([[1.   , 0.667, 0.333],
           [0.667, 1.   , 0.   ],
           [0.333, 0.   , 1.   ]])
    """
    matrix = _presence_matrix(M)
    ubi = _line_sums(matrix.values, 0)
    if (ubi == 0).any():
        label = matrix.columns[int(np.flatnonzero(ubi == 0)[0])]
        raise AnalyticsInputError(
            "all_zero_industry", f"proximity: product/industry {label!r} is present in no region, so its "
            "proximity is undefined; remove it.", column=str(label),
        )
    phi = _proximity_values(matrix.values, ubi)
    return _matrix_like(matrix, phi, labelled=isinstance(M, pd.DataFrame), rows=matrix.columns)


def density(M: Any, proximity: Any) -> Any:
    r"""Relatedness density: the share of a product's related products that the region already has.

    .. math:: \omega_{cp} = \frac{\sum_q M_{cq}\,\phi_{qp}}{\sum_q \phi_{qp}}

    Between 0 and 1 (EconGeo's ``relatedness_density`` multiplies by 100); the sums include
    :math:`q = p`, so with ``ecomplexity``'s proximity (diagonal 1) a product the region has counts for itself.

    Parameters
    ----------
    M : DataFrame, ndarray or sparse matrix
        Region x product presence matrix.
    proximity : DataFrame or ndarray
        Product x product proximity (:func:`proximity`); a DataFrame is aligned on M's product labels.

    Returns
    -------
    Region x product DataFrame (labelled input) or ndarray.

    References
    ----------
    Hidalgo et al. (2007), Science 317; Hausmann et al. (2014), The Atlas of Economic Complexity.
    ``ecomplexity`` 0.5.3 ``calc_density``.

    Examples
    --------
    >>> M = [[1, 1, 0], [1, 0, 1], [1, 1, 0]]
    >>> density(M, proximity(M)).round(3)
    array([[0.833, 1.   , 0.25 ],
           [0.667, 0.4  , 1.   ],
           [0.833, 1.   , 0.25 ]])
    """
    matrix = _presence_matrix(M)
    labelled = isinstance(M, pd.DataFrame)
    phi = _aligned_proximity(proximity, matrix, labelled=labelled)
    return _matrix_like(matrix, _density_values(_as_float(matrix.values), phi), labelled=labelled)


def complexity_outlook(M: Any, proximity: Any, pci: Any = None) -> tuple[pd.Series, Any]:
    r"""Complexity outlook index (COI) of regions and complexity outlook gain (COG) of region x product.

    COI: how many complex products lie near what a region already makes (its room to diversify).
    COG: how much a region's outlook improves if it starts making a product it does not make yet.

    .. math::
        COI_c = \mathrm{std}\Big(\sum_p \omega_{cp} (1 - M_{cp}) PCI_p\Big), \qquad
        COG_{cp} = (1 - M_{cp}) \sum_q (1 - M_{cq}) \frac{\phi_{qp}}{\sum_{q'} \phi_{qq'}} PCI_q

    where :math:`\omega` is :func:`density` and std() standardises over regions (mean 0, sd 1).

    With ``pci=None`` (recommended) the result is exactly ``ecomplexity``'s: it computes COI and COG from
    the *un-normalised* PCI eigenvector and divides COG by the standard deviation of the un-normalised ECI,
    which equals using :math:`PCI + \overline{kc}/sd(kc)` in the formulas above.  Given an explicit
    ``pci`` (e.g. the PCI of :func:`eci_pci`, or the product complexity of :func:`fitness_complexity`), the
    formulas are applied to it as it is.

    Parameters
    ----------
    M : DataFrame, ndarray or sparse matrix
        Region x product presence matrix, no all-zero row or column.
    proximity : DataFrame or ndarray
        Product x product proximity (:func:`proximity`).
    pci : Series or 1-D array, optional
        Product complexity to use instead of ecomplexity's.

    Returns
    -------
    coi : Series
        Per region.
    cog : DataFrame or ndarray
        Region x product; zero where the region already has the product.

    References
    ----------
    Hausmann, R., Hidalgo, C. A. et al. (2014). The Atlas of Economic Complexity, MIT Press (technical
    box on complexity outlook).  ``ecomplexity`` 0.5.3 ``calc_coi_cog`` (the Stata ``ecomplexity`` formulas).

    Examples
    --------
    >>> M = [[0, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    >>> coi, cog = complexity_outlook(M, proximity(M))
    >>> coi.round(3).tolist()
    [-0.865, 0.157, 1.574, -0.865]
    >>> cog.round(3)[2].tolist()  # region 2 has products 0 and 1: gains only from 2 and 3
    [0.0, 0.0, 0.968, 1.235]
    """
    labelled = isinstance(M, pd.DataFrame)
    matrix, div, ubi = _checked_presence(M, name="complexity_outlook")
    phi = _aligned_proximity(proximity, matrix, labelled=labelled)
    m = matrix.dense()
    if pci is None:
        kc, kp = _eci_pci_raw(m, div, ubi)
        scale = kc.std()
    else:
        kp = _aligned_vector(pci, matrix.columns, labelled=labelled, name="pci", what="product")
        scale = 1.0
    coi, cog = _outlook_values(m, _density_values(m, phi), phi, kp)
    return (_vector(_standardise(coi), matrix.rows, "coi"),
            _matrix_like(matrix, cog / scale, labelled=labelled))


# --------------------------------------------------------------------------------------------------
# The panel: a drop-in replacement of ecomplexity.ecomplexity()
# --------------------------------------------------------------------------------------------------

OUTPUT_COLUMNS = ("diversity", "ubiquity", "mcp", "eci", "pci", "density", "coi", "cog", "rca", "rpop")


def _single_threaded_blas():
    """BLAS on one thread while a panel is computed.

    A year's matrices are small (a few hundred rows): OpenBLAS threads gain little on them, and on a
    shared machine they wait for each other's descheduled threads; measured on the benchmark panel with
    other jobs running, one thread was 4 to 5 times faster than two.
    """
    global _BLAS_CONTROLLER
    if threadpoolctl is None:
        return nullcontext()
    if _BLAS_CONTROLLER is None:  # finding the loaded BLAS libraries takes milliseconds: do it once
        _BLAS_CONTROLLER = threadpoolctl.ThreadpoolController()
    return _BLAS_CONTROLLER.limit(limits=1, user_api="blas")


_BLAS_CONTROLLER = None


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _validate_panel(frame: Any, time_col: str, loc_col: str, prod_col: str, val_col: str,
                    presence_test: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalyticsInputError(
            "not_a_table", f"data: expected a pandas DataFrame of long records, got {type(frame).__name__}.",
        )
    require_columns(frame, {"time": time_col, "region": loc_col, "product": prod_col, "value": val_col})
    if presence_test not in PRESENCE_TESTS:
        raise AnalyticsInputError(
            "invalid_parameter", f"presence_test must be one of {', '.join(PRESENCE_TESTS)}, got "
            f"{presence_test!r}.", parameter="presence_test", value=str(presence_test),
        )
    if len(frame) == 0:
        raise AnalyticsInputError("empty_data", "data: the table has no rows.")
    clash = [c for c in frame.columns if c in OUTPUT_COLUMNS and c not in (time_col, loc_col, prod_col, val_col)]
    if clash:
        raise AnalyticsInputError(
            "reserved_column", f"data: column {clash[0]!r} has the name of a result column; rename it.",
            column=str(clash[0]),
        )
    values = frame[val_col]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = (numbers.isna() & values.notna()).to_numpy()
        i = _first_row(bad) if bad.any() else 0
        raise AnalyticsInputError(
            "non_numeric", f"data: column {val_col!r} is not numeric (row {i + 1} holds {values.iloc[i]!r}); "
            "give numbers only.", column=val_col, row=i + 1, value=str(values.iloc[i]),
        )
    array = values.to_numpy(dtype=float, na_value=np.nan)  # also for pandas' nullable dtypes
    bad = ~np.isfinite(array)
    if bad.any():
        i = _first_row(bad)
        raise AnalyticsInputError(
            "non_finite", f"data: row {i + 1}, column {val_col!r}: the value is missing or infinite; "
            "give 0 if there is no activity.", column=val_col, row=i + 1,
        )
    negative = array < 0
    if negative.any():
        i = _first_row(negative)
        raise AnalyticsInputError(
            "negative_value", f"data: row {i + 1}, column {val_col!r}: {array[i]!r} is negative; values must "
            "be zero or more.", column=val_col, row=i + 1, value=float(array[i]),
        )


def _factorize_key(frame: pd.DataFrame, column: str, role: str) -> tuple[np.ndarray, pd.Index]:
    """Sorted integer codes of a key column; a missing key (code -1) is an error naming its row."""
    codes, uniques = pd.factorize(frame[column], sort=True)
    if (codes < 0).any():
        i = _first_row(codes < 0)
        raise AnalyticsInputError(
            "missing_value", f"data: row {i + 1}, column {column!r}: the {role} is missing.", column=column, row=i + 1,
        )
    return codes, pd.Index(uniques)


def _duplicate_error(frame: pd.DataFrame, time_col: str, loc_col: str, prod_col: str) -> AnalyticsInputError:
    i = _first_row(frame.duplicated([time_col, loc_col, prod_col]).to_numpy())
    return AnalyticsInputError(
        "duplicate_row",
        f"data: row {i + 1} repeats {time_col} {frame[time_col].iloc[i]!r}, region {frame[loc_col].iloc[i]!r} "
        f"and product {frame[prod_col].iloc[i]!r}; give one row per year, region and product (sum them first).",
        row=i + 1, region=str(frame[loc_col].iloc[i]), industry=str(frame[prod_col].iloc[i]),
    )


def _population_table(population: Any, time_col: str, loc_col: str, times: pd.Index,
                      locs: pd.Index) -> np.ndarray:
    """Population as a (year x region) array over the panel's labels, NaN where not given."""
    if not isinstance(population, pd.DataFrame):
        raise AnalyticsInputError(
            "missing_population", f"population: the rpop presence test needs a table with columns "
            f"{time_col!r}, {loc_col!r} and the population.",
        )
    require_columns(population, {"time": time_col, "region": loc_col}, name="population")
    others = [c for c in population.columns if c not in (time_col, loc_col)]
    if len(others) != 1:
        raise AnalyticsInputError(
            "invalid_population", f"population: expected exactly one column besides {time_col!r} and "
            f"{loc_col!r} (the population), got {others!r}.", columns=[str(c) for c in others],
        )
    pop_col = others[0]
    if population.duplicated([time_col, loc_col]).any():
        i = _first_row(population.duplicated([time_col, loc_col]).to_numpy())
        raise AnalyticsInputError(
            "duplicate_row", f"population: row {i + 1} repeats {time_col} {population[time_col].iloc[i]!r} and "
            f"region {population[loc_col].iloc[i]!r}.", row=i + 1,
        )
    values = pd.to_numeric(population[pop_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        i = _first_row(bad)
        raise AnalyticsInputError(
            "non_positive_population", f"population: row {i + 1}, column {pop_col!r}: "
            f"{population[pop_col].iloc[i]!r} is not a positive number.", column=str(pop_col), row=i + 1,
        )
    table = np.full((len(times), len(locs)), np.nan)
    t, r = times.get_indexer(population[time_col]), locs.get_indexer(population[loc_col])
    keep = (t >= 0) & (r >= 0)
    table[t[keep], r[keep]] = values[keep]
    return table


def _complexity_year(x: np.ndarray, *, presence_test: str, threshold: float, rpop_threshold: float,
                     pop: np.ndarray | None, where: str) -> dict[str, np.ndarray]:
    """Every ecomplexity output for one year's dense region x product matrix (no all-zero line)."""
    out: dict[str, np.ndarray] = {}
    if presence_test == "manual":
        mcp = x
        out["rca"] = x
    else:
        out["rca"] = _rca_values(x)
        if presence_test != "rpop":
            mcp = _binary(out["rca"], threshold)
        if presence_test in ("rpop", "both"):
            out["rpop"] = _rpop_values(x, pop)
            by_pop = _binary(out["rpop"], rpop_threshold)
            mcp = by_pop if presence_test == "rpop" else mcp + by_pop
    div = np.nansum(mcp, axis=1)
    ubi = np.nansum(mcp, axis=0)
    out.update(mcp=mcp, diversity=div, ubiquity=ubi)

    # ECI / PCI, with ecomplexity's handling of regions / products that pass no presence test: it drops
    # them, computes, and puts NaN back (np.insert); with exactly one such region or product its loop over
    # a 0-d array fails and the whole year gets NaN.  Any NaN ECI then makes every normalised value NaN.
    zero_loc, zero_prod = div == 0, ubi == 0
    eci = np.full(x.shape[0], np.nan)
    pci = np.full(x.shape[1], np.nan)
    if zero_loc.any() or zero_prod.any():
        warnings.warn(f"{where}diversity or ubiquity is 0 for some regions/products (no presence): as in "
                      "ecomplexity, ECI, PCI, COI and COG are NaN for them or for the whole year; lower the "
                      "threshold or drop them.", ComplexityWarning, stacklevel=3)
    if zero_loc.sum() != 1 and zero_prod.sum() != 1:
        keep_loc, keep_prod = ~zero_loc, ~zero_prod
        if keep_loc.sum() >= 2 and keep_prod.sum() >= 2:
            sub = np.asarray(mcp[keep_loc][:, keep_prod], dtype=np.float64)
            kc, kp = _eci_pci_raw(sub, div[keep_loc].astype(float), ubi[keep_prod].astype(float),
                                  where=where, panel=True)
            eci[keep_loc], pci[keep_prod] = kc, kp

    phi = _proximity_values(mcp, ubi)
    out["density"] = _density_values(mcp, phi, symmetric=bool((ubi > 0).all()))
    coi, cog = _outlook_values(mcp, out["density"], phi, pci)
    # ecomplexity's normalisation (as the Stata package): PCI with ECI's mean and sd keeps
    # ECI = mean PCI of the region's products; COG is scaled like PCI; COI is standardised on its own.
    mean, sd = eci.mean(), eci.std()
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN years stay NaN, quietly (warned above)
        out["pci"] = (pci - mean) / sd
        out["cog"] = cog / sd
        out["eci"] = (eci - mean) / sd
        out["coi"] = (coi - coi.mean()) / coi.std()
    return out


def complexity_panel(frame: pd.DataFrame, *, time_col: str, loc_col: str, prod_col: str, val_col: str,
                     presence_test: str = "rca", threshold: float = 1, population: pd.DataFrame | None = None,
                     rpop_threshold: float = 1) -> pd.DataFrame:
    r"""Every complexity indicator of a (year, region, product, value) panel, as ``ecomplexity`` gives it.

    A drop-in replacement of ``ecomplexity.ecomplexity(frame, {"time": time_col, "loc": loc_col, "prod":
    prod_col, "val": val_col}, presence_test, rca_mcp_threshold=threshold, rpop_mcp_threshold=rpop_threshold,
    pop=population)``: the same rows in the same order, the same columns (``diversity, ubiquity, mcp, eci,
    pci, density, coi, cog, rca`` and ``rpop`` for the rpop/both tests, then any other column of ``frame``)
    with the same dtypes and values (to about 1e-12), many times faster.

    For each year, regions and products whose values are all zero are left out of the computation (their
    rows come back with NaN results, as in ``ecomplexity``); the remaining regions x products form a full
    rectangle (absent pairs get value 0).  The formulas are those of :func:`rca`, :func:`presence`,
    :func:`eci_pci`, :func:`proximity`, :func:`density` and :func:`complexity_outlook` (``pci=None``).
    A year where some region or product passes no presence test gets NaN ECI/PCI, as in ``ecomplexity``.

    Unlike ``ecomplexity``, bad input is rejected instead of coerced: a missing column, a non-numeric,
    missing, infinite or negative value, a duplicate (year, region, product) row, a year with fewer than two
    regions or products with activity, a missing or non-positive population.  ``ecomplexity``'s
    log-supermodularity check (a printed diagnostic) is not run.

    Parameters
    ----------
    frame : DataFrame
        Long records, one row per year, region and product.
    time_col, loc_col, prod_col, val_col : str
        Column names of the year, region (location), product (industry) and value.
    presence_test : {"rca", "rpop", "both", "manual"}
        ``"manual"`` takes the values as the presence matrix itself.
    threshold : float, default 1
        RCA threshold of presence.
    population : DataFrame, optional
        Columns ``time_col``, ``loc_col`` and one population column; required by "rpop" and "both".
    rpop_threshold : float, default 1
        RPOP threshold of presence.

    Returns
    -------
    DataFrame
        Columns ``loc_col, prod_col, val_col, time_col, diversity, ubiquity, mcp, eci, pci, density, coi, cog,
        rca[, rpop]`` and the other columns of ``frame``, sorted by year, region, product.

    References
    ----------
    ``ecomplexity`` 0.5.3 (Harvard Growth Lab, https://github.com/cid-harvard/py-ecomplexity).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "year": 2020,
    ...     "province": ["A", "A", "A", "A", "B", "B", "B", "C", "C", "D"],
    ...     "isic": ["1010", "1392", "2610", "2720", "1010", "1392", "2610", "1010", "1392", "1010"],
    ...     "exports": [10.0, 10, 10, 10, 10, 10, 5, 10, 5, 10]})
    >>> out = complexity_panel(data, time_col="year", loc_col="province", prod_col="isic", val_col="exports")
    >>> out.loc[out.isic == "2610", ["province", "rca", "mcp", "eci", "pci", "density", "cog"]].round(3)
       province  rca  mcp    eci    pci  density    cog
    2         A  1.5    1  1.387  1.105     0.75 -0.000
    6         B  1.2    1  0.470  1.105     0.75  0.000
    10        C  0.0    0 -0.674  1.105     0.25  0.968
    14        D  0.0    0 -1.183  1.105     0.00  0.885
    """
    _validate_panel(frame, time_col, loc_col, prod_col, val_col, presence_test)
    threshold = _check_positive(threshold, "threshold")
    rpop_threshold = _check_positive(rpop_threshold, "rpop_threshold")

    # Sorted codes: the output is sorted by year, region, product like ecomplexity's outer merge.
    (time_codes, times), (loc_codes, locs), (prod_codes, prods) = (
        _factorize_key(frame, column, role)
        for role, column in (("time", time_col), ("region", loc_col), ("product", prod_col)))
    n_loc, n_prod = len(locs), len(prods)
    values = frame[val_col].to_numpy(dtype=getattr(frame[val_col].dtype, "numpy_dtype", None))
    pop_table = None
    if presence_test in ("rpop", "both"):
        if population is None:
            raise AnalyticsInputError(
                "missing_population", f"population: presence_test={presence_test!r} needs the population "
                "of every region and year.",
            )
        pop_table = _population_table(population, time_col, loc_col, times, locs)

    # One pass over the records: rows grouped by year, each year scattered into a dense region x product
    # matrix (the output is that full rectangle anyway).
    order = np.argsort(time_codes, kind="stable")
    bounds = np.searchsorted(time_codes[order], np.arange(len(times) + 1))
    cell = loc_codes.astype(np.int64) * n_prod + prod_codes
    results, rect_keys, dropped = [], [], []
    for t in range(len(times)):
        rows = order[bounds[t]:bounds[t + 1]]
        counts = np.bincount(cell[rows], minlength=n_loc * n_prod)
        if (counts > 1).any():
            raise _duplicate_error(frame, time_col, loc_col, prod_col)
        full = np.zeros(n_loc * n_prod, dtype=values.dtype)
        full[cell[rows]] = values[rows]
        full = full.reshape(n_loc, n_prod)
        active = full > 0
        loc_keep = np.flatnonzero(active.any(axis=1))
        prod_keep = np.flatnonzero(active.any(axis=0))
        where = f"Year {times[t]!r}: "
        if len(loc_keep) < 2 or len(prod_keep) < 2:
            what = "regions" if len(loc_keep) < 2 else "products"
            raise AnalyticsInputError(
                "single_region" if what == "regions" else "too_few_industries",
                f"data: {time_col} {times[t]!r} has {min(len(loc_keep), len(prod_keep))} {what} with a non-zero "
                f"value; complexity needs at least 2.", time=str(times[t]),
            )
        x = full[np.ix_(loc_keep, prod_keep)]
        pop = None
        if pop_table is not None:
            pop = pop_table[t, loc_keep]
            if np.isnan(pop).any():
                raise AnalyticsInputError(
                    "missing_population", f"population: no population for region "
                    f"{locs[loc_keep[_first_row(np.isnan(pop))]]!r} in {time_col} {times[t]!r}.",
                    row=str(locs[loc_keep[_first_row(np.isnan(pop))]]), time=str(times[t]),
                )
        with _single_threaded_blas():
            year = _complexity_year(x, presence_test=presence_test, threshold=threshold,
                                    rpop_threshold=rpop_threshold, pop=pop, where=where)
        year.update(loc=loc_keep, prod=prod_keep, val=x)
        results.append(year)
        rect_keys.append(((t * n_loc + loc_keep[:, None]) * n_prod + prod_keep[None, :]).ravel())
        loc_ok = np.zeros(n_loc, bool)
        loc_ok[loc_keep] = True
        prod_ok = np.zeros(n_prod, bool)
        prod_ok[prod_keep] = True
        dropped.append(rows[~(loc_ok[loc_codes[rows]] & prod_ok[prod_codes[rows]])])
    return _assemble_panel(frame, results, np.concatenate(rect_keys), np.concatenate(dropped),
                           codes=(time_codes, loc_codes, prod_codes), labels=(times, locs, prods),
                           columns=(time_col, loc_col, prod_col, val_col), presence_test=presence_test)


def _assemble_panel(frame: pd.DataFrame, results: list[dict], rect_keys: np.ndarray, dropped: np.ndarray, *,
                    codes: tuple[np.ndarray, np.ndarray, np.ndarray], labels: tuple[pd.Index, pd.Index, pd.Index],
                    columns: tuple[str, str, str, str], presence_test: str) -> pd.DataFrame:
    """Build ecomplexity's output table: each year's rectangle plus the input rows it left out.

    ecomplexity outer-merges its rectangles back with the input on (time, loc, prod, val), which sorts the
    rows by those keys and adds the left-out rows with NaN results; here the left-out rows are inserted
    into the already sorted rectangles at their sorted position (no merge, no sort of the big table).
    """
    time_col, loc_col, prod_col, val_col = columns
    time_codes, loc_codes, prod_codes = codes
    times, locs, prods = labels
    n_loc, n_prod = len(locs), len(prods)
    n_rect, n_drop = rect_keys.shape[0], dropped.shape[0]
    drop_keys = (time_codes[dropped].astype(np.int64) * n_loc + loc_codes[dropped]) * n_prod + prod_codes[dropped]
    drop_order = np.argsort(drop_keys, kind="stable")
    dropped, drop_keys = dropped[drop_order], drop_keys[drop_order]
    drop_pos = np.searchsorted(rect_keys, drop_keys) + np.arange(n_drop)
    is_rect = np.ones(n_rect + n_drop, dtype=bool)
    is_rect[drop_pos] = False

    # Rectangle rows between two left-out rows are contiguous: with few left-out rows, copy those runs.
    runs = np.diff(np.concatenate([[0], drop_pos - np.arange(n_drop), [n_rect]])) if n_drop <= 256 else None

    def place(rect_values: np.ndarray, drop_values: np.ndarray | None = None) -> np.ndarray:
        """Interleave; results of left-out rows are NaN (which turns ecomplexity's int columns to float)."""
        if n_drop == 0:
            return rect_values
        dtype = rect_values.dtype if drop_values is not None else np.result_type(rect_values.dtype, np.float64)
        out = np.empty(n_rect + n_drop, dtype=dtype)
        if runs is None:
            out[is_rect] = rect_values
        else:
            source = target = 0
            for length in runs:
                out[target:target + length] = rect_values[source:source + length]
                source, target = source + length, target + length + 1
        out[drop_pos] = np.nan if drop_values is None else drop_values
        return out

    def per_cell(name: str) -> np.ndarray:
        return np.concatenate([r[name].ravel() for r in results])

    def per_region(name: str) -> np.ndarray:
        return np.concatenate([np.repeat(r[name], len(r["prod"])) for r in results])

    def per_product(name: str) -> np.ndarray:
        return np.concatenate([np.tile(r[name], len(r["loc"])) for r in results])

    # Labels are placed as integer codes and looked up once (cheaper than moving Python objects twice).
    year_codes = np.concatenate([np.full(len(r["loc"]) * len(r["prod"]), t) for t, r in enumerate(results)])
    data: dict[str, Any] = {
        loc_col: locs.to_numpy()[place(per_region("loc"), loc_codes[dropped])],
        prod_col: prods.to_numpy()[place(per_product("prod"), prod_codes[dropped])],
        val_col: place(per_cell("val"), frame[val_col].to_numpy()[dropped]),
        time_col: times.to_numpy()[place(year_codes, time_codes[dropped])],
        "diversity": place(per_region("diversity")),
        "ubiquity": place(per_product("ubiquity")),
        "mcp": place(per_cell("mcp")),
        "eci": place(per_region("eci")),
        "pci": place(per_product("pci")),
        "density": place(per_cell("density")),
        "coi": place(per_region("coi")),
        "cog": place(per_cell("cog")),
        "rca": place(per_cell("rca")),
    }
    if presence_test in ("rpop", "both"):
        data["rpop"] = place(per_cell("rpop"))
    output = pd.DataFrame(data, copy=False)
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        # The input row behind each output row (-1: a rectangle cell absent from the input), as the merge does.
        source = np.full(output.shape[0], -1, dtype=np.int64)
        in_rect = np.setdiff1d(np.arange(frame.shape[0]), dropped, assume_unique=True)
        keys = (time_codes[in_rect].astype(np.int64) * n_loc + loc_codes[in_rect]) * n_prod + prod_codes[in_rect]
        source[np.flatnonzero(is_rect)[np.searchsorted(rect_keys, keys)]] = in_rect
        source[drop_pos] = dropped
        taken = frame[extra].reset_index(drop=True).reindex(source)
        output = pd.concat([output, taken.set_axis(output.index)], axis=1)
    return output
