"""Related industries: relatedness matrices, cluster definitions and their validation.

The method follows Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of
Economic Geography* 16(1): 1-38 (DPS), the method behind the U.S. Cluster Mapping definitions:

1. a *relatedness* (similarity) matrix between industries: co-location across regions
   (:func:`colocation_relatedness`), input-output links (:func:`input_output_relatedness`) and, when the
   user has one, occupation similarity; several are combined by :func:`combine_relatedness`;
2. a grouping of industries into clusters (:func:`define_clusters`: Leiden modularity communities or
   average-linkage hierarchical clustering);
3. the DPS validation scores of that grouping (:func:`validation_scores`);
4. a readable network of the relatedness for drawing (:func:`relatedness_network`, the maximum spanning
   tree plus the strongest links, as the product space of Hidalgo et al. 2007 is drawn).

A relatedness matrix here is a square, symmetric industry x industry matrix (a DataFrame whose index and
columns list the same industries, or an array).  Its diagonal is never used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.cluster import hierarchy
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import squareform

from khooshe.analytics.validation import AnalyticsInputError, Matrix, as_matrix

__all__ = [
    "ClusterValidation",
    "colocation_relatedness",
    "combine_relatedness",
    "define_clusters",
    "input_output_relatedness",
    "relatedness_network",
    "validation_scores",
]

COLOCATION_METHODS = ("lq_correlation", "establishment_correlation", "both")
CLUSTER_METHODS = ("leiden", "hierarchical")


# -- co-location ---------------------------------------------------------------------------------------

def colocation_relatedness(
    employment: Any,
    *,
    establishments: Any = None,
    method: str = "lq_correlation",
) -> pd.DataFrame:
    r"""Relatedness of industries from how they locate together across regions.

    Two industries are related when they are strong in the same regions: the relatedness is the Pearson
    correlation, across regions, of their employment location quotients (``"lq_correlation"``) or of their
    establishment counts (``"establishment_correlation"``); ``"both"`` averages the two correlations.

    .. math::

        LQ_{rj} = \frac{E_{rj} / E_r}{E_j / E}, \qquad
        R_{ij} = \operatorname{corr}_r(LQ_{ri}, LQ_{rj})
               = \frac{\sum_r (LQ_{ri} - \overline{LQ_i})(LQ_{rj} - \overline{LQ_j})}
                      {\sqrt{\sum_r (LQ_{ri} - \overline{LQ_i})^2 \sum_r (LQ_{rj} - \overline{LQ_j})^2}}

    with :math:`E_{rj}` the employment of industry *j* in region *r*, :math:`E_r`, :math:`E_j` and
    :math:`E` the region, industry and grand totals.  The establishment version correlates the counts
    :math:`N_{ri}` and :math:`N_{rj}` directly.  An industry whose location quotient (or count) is the
    same in every region carries no co-location signal: its correlations with the others are 0.

    Parameters
    ----------
    employment : DataFrame, ndarray or scipy sparse matrix
        Region x industry employment (index = regions, columns = industries), zero or more.  At least three
        regions (with two, every correlation is +1 or -1) and two industries.
    establishments : same type, optional
        Region x industry establishment counts, same regions and industries as ``employment``; required
        by ``"establishment_correlation"`` and ``"both"``.
    method : {"lq_correlation", "establishment_correlation", "both"}

    Returns
    -------
    DataFrame
        Industry x industry relatedness in [-1, 1], symmetric, diagonal 1.

    Raises
    ------
    AnalyticsInputError
        ``unknown_method``; ``missing_establishments``; the checks of ``as_matrix`` (``non_numeric``,
        ``negative_value``, ``non_finite``, ``too_few_regions``, ``too_few_industries``);
        ``empty_region`` (a region with no employment), ``all_zero_industry``, ``shape_mismatch`` /
        ``label_mismatch`` (establishments not on the same regions and industries).

    Notes
    -----
    These are the co-location measures (LC_Emp, LC_Estab) of Delgado, Porter & Stern (2016), computed
    across the regions given.  A sparse input stays sparse: the location quotients are a row and column
    rescaling, and the covariance is :math:`(X^\top X - n\,\bar x \bar x^\top)/(n-1)`.

    References
    ----------
    Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related industries. *Journal of
    Economic Geography* 16(1), 1-38. https://doi.org/10.1093/jeg/lbv017

    Examples
    --------
    >>> import pandas as pd
    >>> employment = pd.DataFrame(
    ...     {"textiles": [50, 10, 5, 0], "clothing": [40, 12, 2, 1], "software": [1, 5, 30, 40]},
    ...     index=["Yazd", "Isfahan", "Tehran", "Alborz"])
    >>> colocation_relatedness(employment).round(2)
              textiles  clothing  software
    textiles      1.00      0.93     -0.98
    clothing      0.93      1.00     -0.98
    software     -0.98     -0.98      1.00
    """
    if method not in COLOCATION_METHODS:
        raise AnalyticsInputError(
            "unknown_method", f"method {method!r} is not one of {', '.join(COLOCATION_METHODS)}.",
            value=method, allowed=list(COLOCATION_METHODS),
        )
    emp = as_matrix(employment, name="employment", min_rows=3, min_columns=2)
    _require_no_empty_rows(emp, "employment")
    _require_no_zero_columns(emp, "employment")
    est = None
    if method != "lq_correlation":
        if establishments is None:
            raise AnalyticsInputError(
                "missing_establishments",
                f"method {method!r} needs the establishment counts (establishments=...).",
                method=method,
            )
        est = _aligned_like(establishments, emp, name="establishments")
        _require_no_zero_columns(est, "establishments")

    results = []
    if method in ("lq_correlation", "both"):
        results.append(_column_correlation(_location_quotients(emp.values)))
    if est is not None:
        results.append(_column_correlation(est.values))
    relatedness = results[0] if len(results) == 1 else (results[0] + results[1]) / 2.0
    return pd.DataFrame(relatedness, index=emp.columns, columns=emp.columns)


def _location_quotients(values: np.ndarray | sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    """LQ_rj = E_rj E / (E_r E_j): a row and column rescaling, so a sparse matrix stays sparse."""
    if sp.issparse(values):
        row = np.asarray(values.sum(axis=1)).ravel()
        col = np.asarray(values.sum(axis=0)).ravel()
        total = row.sum()
        return sp.csr_matrix(sp.diags(total / row) @ values @ sp.diags(1.0 / col))
    row = values.sum(axis=1, keepdims=True)
    col = values.sum(axis=0, keepdims=True)
    return values * (row.sum() / row) / col


def _column_correlation(x: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """Pearson correlation between the columns of ``x``; a constant column correlates 0 with the others."""
    n = x.shape[0]
    if sp.issparse(x):
        mean = np.asarray(x.mean(axis=0)).ravel()
        gram = (x.T @ x).toarray()
        cov = gram - n * np.outer(mean, mean)
        # X'X - n m m' loses the digits of a column whose spread is tiny next to its mean; recompute the
        # rows of those (rare) columns from their centred values: D'(X - 1m') = (X'D)' - (D'1) m'.
        lossy = np.flatnonzero(np.diag(cov) <= 1e-6 * np.diag(gram))
        if lossy.size:
            centred = x[:, lossy].toarray() - mean[lossy]
            rows = np.asarray((x.T @ centred).T) - np.outer(centred.sum(axis=0), mean)
            rows[:, lossy] = centred.T @ centred
            cov[lossy, :] = rows
            cov[:, lossy] = rows.T
        magnitude = np.sqrt(np.diag(gram))
    else:
        centred = x - x.mean(axis=0)
        cov = centred.T @ centred
        magnitude = np.sqrt((x * x).sum(axis=0))
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    # A column of identical values has no correlation with anything: 0, not NaN. "Identical" up to
    # rounding (e.g. LQs that are all 1 in exact arithmetic): a spread below 1e-9 of the values' size.
    constant = sd <= 1e-9 * magnitude
    scale = np.where(constant, np.inf, sd)
    corr = cov / scale[:, None] / scale[None, :]
    np.clip(corr, -1.0, 1.0, out=corr)
    np.fill_diagonal(corr, 1.0)
    return corr


def _require_no_empty_rows(matrix: Matrix, name: str) -> None:
    totals = np.asarray(matrix.values.sum(axis=1)).ravel()
    empty = np.flatnonzero(totals <= 0)
    if empty.size:
        labels = [str(matrix.rows[i]) for i in empty]
        raise AnalyticsInputError(
            "empty_region",
            f"{name}: region(s) {', '.join(map(repr, labels[:10]))} have no activity at all; "
            "remove them (their location quotients are undefined).",
            row=labels[0], rows=labels,
        )


def _require_no_zero_columns(matrix: Matrix, name: str) -> None:
    totals = np.asarray(matrix.values.sum(axis=0)).ravel()
    zero = np.flatnonzero(totals <= 0)
    if zero.size:
        labels = [str(matrix.columns[j]) for j in zero]
        raise AnalyticsInputError(
            "all_zero_industry",
            f"{name}: industr(ies) {', '.join(map(repr, labels[:10]))} are zero in every region; "
            "remove them (their relatedness is undefined).",
            column=labels[0], columns=labels,
        )


def _aligned_like(data: Any, reference: Matrix, *, name: str) -> Matrix:
    """Validate ``data`` as a matrix on the same rows and columns as ``reference`` (reordered by label)."""
    matrix = as_matrix(data, name=name, min_rows=1, min_columns=1)
    if isinstance(data, pd.DataFrame) and not (
        isinstance(reference.rows, pd.RangeIndex) and isinstance(reference.columns, pd.RangeIndex)
    ):
        for axis, mine, theirs in (("region", matrix.rows, reference.rows),
                                   ("industry", matrix.columns, reference.columns)):
            missing = theirs.difference(mine, sort=False)
            extra = mine.difference(theirs, sort=False)
            if len(missing) or len(extra):
                label = missing[0] if len(missing) else extra[0]
                where = "is missing from" if len(missing) else "is not in employment but is in"
                raise AnalyticsInputError(
                    "label_mismatch",
                    f"{name}: {axis} {label!r} {where} {name}; give both matrices the same regions and "
                    "industries.",
                    axis=axis, label=str(label),
                )
        frame = data.loc[reference.rows, reference.columns]
        matrix = as_matrix(frame, name=name)
    elif matrix.values.shape != reference.values.shape:
        raise AnalyticsInputError(
            "shape_mismatch",
            f"{name}: shape {matrix.values.shape} differs from employment's {reference.values.shape}; "
            "give both matrices the same regions and industries.",
            shape=list(matrix.values.shape), expected=list(reference.values.shape),
        )
    return Matrix(values=matrix.values, rows=reference.rows, columns=reference.columns)


# -- input-output links and combination -----------------------------------------------------------------

def input_output_relatedness(flows: Any) -> pd.DataFrame:
    r"""Relatedness of industries from how much they buy from and sell to each other.

    Two industries are related when a large share of what one sells goes to the other, or a large share of
    what one buys comes from the other, in either direction.

    .. math::

        \mathrm{Output}_{ij} = \frac{F_{ij}}{\sum_k F_{ik}}, \qquad
        \mathrm{Input}_{ij} = \frac{F_{ji}}{\sum_k F_{ki}}, \qquad
        IO_{ij} = \max(\mathrm{Input}_{ij}, \mathrm{Input}_{ji}, \mathrm{Output}_{ij}, \mathrm{Output}_{ji})

    where :math:`F_{ij}` is the value industry *i* sells to industry *j* (rows sell, columns buy, as in an
    input-output "use" table).  Shares are taken of the flows given (including an industry's purchases from
    itself); an industry with no sales (or purchases) has output (input) shares 0.

    Parameters
    ----------
    flows : DataFrame, ndarray or scipy sparse matrix
        Square industry x industry flows, zero or more; a DataFrame lists the same industries in its index
        and columns.

    Returns
    -------
    DataFrame
        Symmetric industry x industry relatedness in [0, 1], diagonal 1.

    References
    ----------
    Delgado, Porter & Stern (2016), the IO measure of section 3 (the maximum of the input and output shares
    in both directions).

    Examples
    --------
    >>> import pandas as pd
    >>> flows = pd.DataFrame([[0, 30, 10], [5, 0, 0], [0, 20, 35]],
    ...                      index=["steel", "cars", "glass"], columns=["steel", "cars", "glass"])
    >>> input_output_relatedness(flows).round(3)
           steel  cars  glass
    steel   1.00   1.0   0.25
    cars    1.00   1.0   0.40
    glass   0.25   0.4   1.00
    """
    matrix = as_matrix(flows, name="flows", min_rows=2, min_columns=2)
    labels = _square_labels(matrix, flows, name="flows")
    values = matrix.values
    if isinstance(flows, pd.DataFrame) and not labels.equals(matrix.columns):
        values = as_matrix(flows.loc[labels, labels], name="flows").values
    sales = np.asarray(values.sum(axis=1)).ravel()
    purchases = np.asarray(values.sum(axis=0)).ravel()
    inv_sales = np.divide(1.0, sales, out=np.zeros_like(sales), where=sales > 0)
    inv_purchases = np.divide(1.0, purchases, out=np.zeros_like(purchases), where=purchases > 0)
    if sp.issparse(values):
        output = sp.diags(inv_sales) @ values            # share of i's sales going to j
        inputs = sp.diags(inv_purchases) @ values.T      # share of i's purchases coming from j
        both = output.maximum(inputs)
        io = both.maximum(both.T).toarray()
    else:
        output = values * inv_sales[:, None]
        inputs = values.T * inv_purchases[:, None]
        both = np.maximum(output, inputs)
        io = np.maximum(both, both.T)
    np.fill_diagonal(io, 1.0)
    return pd.DataFrame(io, index=labels, columns=labels)


def combine_relatedness(
    matrices: Mapping[str, Any] | Sequence[Any],
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> pd.DataFrame:
    r"""Combine several relatedness matrices into one, after putting them on the same scale.

    Each matrix is standardised over its off-diagonal pairs (mean 0, standard deviation 1), so that a
    correlation (-1 to 1) and an input-output share (0 to 1) count alike, then the standardised matrices are
    averaged with the given weights (equal by default).

    .. math::

        Z^{(k)}_{ij} = \frac{R^{(k)}_{ij} - \mu_k}{\sigma_k}, \qquad
        R_{ij} = \frac{\sum_k w_k Z^{(k)}_{ij}}{\sum_k w_k}

    where :math:`\mu_k` and :math:`\sigma_k` are the mean and (population) standard deviation of
    :math:`R^{(k)}_{ij}` over the pairs :math:`i < j`.  The same transformation is applied to the diagonal,
    which stays the largest value when it was (a correlation's 1).

    Parameters
    ----------
    matrices : mapping of name -> relatedness matrix, or a sequence of them
        E.g. ``{"colocation": ..., "input_output": ..., "occupation": ...}``.  All on the same industries
        (DataFrames are aligned by label to the first one).
    weights : mapping of name -> weight, or a sequence, optional
        Zero or more, not all zero.  A mapping may leave a matrix out (weight 0).

    Returns
    -------
    DataFrame
        The combined, standardised relatedness (a z-score scale: 0 is an average pair).

    References
    ----------
    Delgado, Porter & Stern (2016) combine their co-location, input-output and occupation similarity
    matrices into one after standardising each; this function does the same with user-chosen weights.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1, .8, .2], [.8, 1, .5], [.2, .5, 1]])
    >>> b = np.array([[1, .1, .0], [.1, 1, .9], [.0, .9, 1]])
    >>> combine_relatedness({"colocation": a, "input_output": b}).round(3)
           0      1      2
    0  1.848  0.323 -1.026
    1  0.323  1.848  0.703
    2 -1.026  0.703  1.848
    """
    if isinstance(matrices, Mapping):
        names = [str(k) for k in matrices]
        items = list(matrices.values())
    elif isinstance(matrices, Sequence) and not isinstance(matrices, str | bytes):
        names = [f"matrices[{k}]" for k in range(len(matrices))]
        items = list(matrices)
    else:
        raise AnalyticsInputError(
            "not_a_collection", "matrices: give a mapping of name -> relatedness matrix, or a list of them.",
        )
    if not items:
        raise AnalyticsInputError("no_matrices", "matrices: give at least one relatedness matrix.")
    w = _combination_weights(weights, names)

    base_values, labels = _relatedness_values(items[0], name=names[0])
    upper = np.triu_indices(len(labels), 1)
    combined = np.zeros_like(base_values)
    for name, item, weight in zip(names, items, w, strict=True):
        values = base_values if item is items[0] else _relatedness_values(item, name=name, like=labels)[0]
        pairs = values[upper]
        sd = pairs.std()
        if not sd > 0:
            raise AnalyticsInputError(
                "constant_relatedness",
                f"{name}: every pair of industries has the same relatedness ({pairs[0]!r}); it cannot be "
                "standardised. Leave it out.",
                matrix=name,
            )
        combined += weight * (values - pairs.mean()) / sd
    return pd.DataFrame(combined / w.sum(), index=labels, columns=labels)


def _combination_weights(weights: Any, names: list[str]) -> np.ndarray:
    if weights is None:
        return np.ones(len(names))
    if isinstance(weights, Mapping):
        unknown = [str(k) for k in weights if str(k) not in names]
        if unknown:
            raise AnalyticsInputError(
                "unknown_matrix", f"weights: {unknown[0]!r} is not one of the matrices ({', '.join(names)}).",
                value=unknown[0], allowed=names,
            )
        by_name = {str(k): v for k, v in weights.items()}
        raw = [by_name.get(n, 0.0) for n in names]
    else:
        raw = list(weights)
        if len(raw) != len(names):
            raise AnalyticsInputError(
                "weights_length", f"weights: {len(raw)} weight(s) for {len(names)} matrices; give one each.",
                got=len(raw), expected=len(names),
            )
    try:
        w = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise AnalyticsInputError("non_numeric", "weights: every weight must be a number.") from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise AnalyticsInputError(
            "bad_weight", f"weights: the weight of {names[k]!r} is {raw[k]!r}; give a number zero or more.",
            matrix=names[k], value=str(raw[k]),
        )
    if w.sum() <= 0:
        raise AnalyticsInputError("zero_weights", "weights: all weights are zero; give at least one positive.")
    return w


# -- validated relatedness input -------------------------------------------------------------------------

def _square_labels(matrix: Matrix, data: Any, *, name: str) -> pd.Index:
    """The industry labels of a square matrix whose rows and columns must list the same industries."""
    n_rows, n_cols = matrix.values.shape
    if n_rows != n_cols:
        raise AnalyticsInputError(
            "not_square",
            f"{name}: expected a square industry x industry matrix, got {n_rows} rows and {n_cols} columns.",
            rows=n_rows, columns=n_cols,
        )
    if not isinstance(data, pd.DataFrame):
        return matrix.columns
    for axis, labels in (("row", matrix.rows), ("column", matrix.columns)):
        duplicated = labels[labels.duplicated()]
        if len(duplicated):
            raise AnalyticsInputError(
                "duplicate_industry", f"{name}: industry {duplicated[0]!r} appears twice as a {axis}.",
                industry=str(duplicated[0]), axis=axis,
            )
    if not matrix.rows.equals(matrix.columns):
        only_rows = matrix.rows.difference(matrix.columns, sort=False)
        only_cols = matrix.columns.difference(matrix.rows, sort=False)
        if len(only_rows) or len(only_cols):
            label, axis = (only_rows[0], "rows") if len(only_rows) else (only_cols[0], "columns")
            raise AnalyticsInputError(
                "label_mismatch",
                f"{name}: industry {label!r} is in the {axis} but not in the "
                f"{'columns' if axis == 'rows' else 'rows'}; rows and columns must list the same industries.",
                label=str(label), axis=axis,
            )
    return matrix.rows


def _relatedness_values(data: Any, *, name: str = "relatedness",
                        like: pd.Index | None = None) -> tuple[np.ndarray, pd.Index]:
    """Validate a relatedness matrix (square, same labels both ways, finite, symmetric) as a dense array.

    With ``like``, the matrix must be on those industries (a DataFrame is reordered to them).
    """
    matrix = as_matrix(data, name=name, allow_negative=True, min_rows=2, min_columns=2)
    labels = _square_labels(matrix, data, name=name)
    values = matrix.dense()
    if isinstance(data, pd.DataFrame) and not labels.equals(matrix.columns):
        values = data.loc[labels, labels].to_numpy(dtype=float)
    if like is not None:
        if isinstance(data, pd.DataFrame) and not isinstance(like, pd.RangeIndex):
            missing = like.difference(labels, sort=False)
            extra = labels.difference(like, sort=False)
            if len(missing) or len(extra):
                label = missing[0] if len(missing) else extra[0]
                raise AnalyticsInputError(
                    "label_mismatch",
                    f"{name}: industry {label!r} is {'missing' if len(missing) else 'extra'} compared with the "
                    "first matrix; all matrices must cover the same industries.",
                    label=str(label), matrix=name,
                )
            values = data.loc[like, like].to_numpy(dtype=float)
            labels = like
        elif values.shape[0] != len(like):
            raise AnalyticsInputError(
                "shape_mismatch",
                f"{name}: {values.shape[0]} industries, the first matrix has {len(like)}.",
                got=values.shape[0], expected=len(like),
            )
        else:
            labels = like
    asymmetry = np.abs(values - values.T)
    tolerance = 1e-9 * np.maximum(1.0, np.abs(values))
    if (asymmetry > tolerance).any():
        i, j = np.unravel_index(np.argmax(asymmetry - tolerance), asymmetry.shape)
        raise AnalyticsInputError(
            "not_symmetric",
            f"{name}: relatedness of {labels[i]!r} to {labels[j]!r} ({values[i, j]!r}) differs from the "
            f"reverse ({values[j, i]!r}); give a symmetric matrix, e.g. (R + R.T) / 2.",
            row=str(labels[i]), column=str(labels[j]),
        )
    return values, labels


# -- cluster definitions ----------------------------------------------------------------------------------

def define_clusters(
    relatedness: Any,
    *,
    method: str = "leiden",
    resolution: float = 1.0,
    n_clusters: int | None = None,
    seed: int = 0,
) -> pd.Series:
    r"""Group industries into clusters of related industries.

    ``"leiden"`` finds communities of the network whose links are the positive relatedness values,
    maximising modularity with the Leiden algorithm; ``"hierarchical"`` joins industries and groups by
    average relatedness (UPGMA on the distance :math:`1 - R`).

    Leiden maximises the (generalised) modularity

    .. math::

        Q = \frac{1}{2m} \sum_{ij} \Big(A_{ij} - \gamma \frac{k_i k_j}{2m}\Big)\, \delta(c_i, c_j)

    with :math:`A_{ij} = \max(R_{ij}, 0)` for :math:`i \ne j`, :math:`k_i = \sum_j A_{ij}`,
    :math:`2m = \sum_i k_i` and :math:`\gamma` the ``resolution`` (larger: more, smaller clusters).
    Hierarchical clustering merges, at each step, the two groups with the highest average relatedness
    between their industries; the tree is cut into ``n_clusters`` groups or, by default, where that average
    relatedness is no longer positive.

    Parameters
    ----------
    relatedness : DataFrame or ndarray
        Square, symmetric industry x industry relatedness (diagonal ignored).
    method : {"leiden", "hierarchical"}
    resolution : float, default 1.0
        Leiden only: :math:`\gamma` above; 1 is plain modularity.
    n_clusters : int, optional
        Hierarchical only: the number of clusters to cut the tree into (ties can give fewer).
    seed : int, default 0
        Leiden only: the random seed; the same seed gives the same clusters.

    Returns
    -------
    Series
        Industry -> cluster id (1, 2, ...; cluster 1 is the largest, ties by first industry), named
        ``"cluster"``.  An industry with no positive relatedness to any other forms its own cluster.

    References
    ----------
    Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing well-connected
    communities. *Scientific Reports* 9, 5233 (package ``leidenalg``: ``ModularityVertexPartition``, and
    ``RBConfigurationVertexPartition`` for :math:`\gamma \ne 1`).  Delgado, Porter & Stern (2016) use
    hierarchical clustering of the relatedness matrix (``scipy.cluster.hierarchy.linkage``, ``"average"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> names = ["dates", "pistachio", "saffron", "software", "games"]
    >>> r = pd.DataFrame(np.array([[1, .7, .6, -.2, -.3],
    ...                            [.7, 1, .8, -.1, -.2],
    ...                            [.6, .8, 1, -.3, -.1],
    ...                            [-.2, -.1, -.3, 1, .9],
    ...                            [-.3, -.2, -.1, .9, 1]]), index=names, columns=names)
    >>> define_clusters(r).tolist()
    [1, 1, 1, 2, 2]
    >>> define_clusters(r, method="hierarchical", n_clusters=2).tolist()
    [1, 1, 1, 2, 2]
    """
    if method not in CLUSTER_METHODS:
        raise AnalyticsInputError(
            "unknown_method", f"method {method!r} is not one of {', '.join(CLUSTER_METHODS)}.",
            value=method, allowed=list(CLUSTER_METHODS),
        )
    if method == "leiden" and n_clusters is not None:
        raise AnalyticsInputError(
            "n_clusters_not_supported",
            "n_clusters: Leiden finds the number of clusters itself; use resolution to get more or fewer, "
            "or method='hierarchical' to ask for a number.",
            method=method,
        )
    if not (isinstance(resolution, int | float) and np.isfinite(resolution) and resolution > 0):
        raise AnalyticsInputError(
            "bad_resolution", f"resolution must be a positive number, got {resolution!r}.", value=str(resolution),
        )
    values, labels = _relatedness_values(relatedness)
    m = len(labels)
    if n_clusters is not None and (
        isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer) or not 1 <= n_clusters <= m
    ):
        raise AnalyticsInputError(
            "bad_n_clusters", f"n_clusters must be a whole number from 1 to {m} (the industries), got "
            f"{n_clusters!r}.", value=str(n_clusters), maximum=m,
        )
    if method == "leiden":
        membership = _leiden(values, resolution=float(resolution), seed=int(seed))
    else:
        membership = _hierarchical(values, n_clusters)
    return pd.Series(_relabel_by_size(membership), index=labels, name="cluster")


def _leiden(values: np.ndarray, *, resolution: float, seed: int) -> np.ndarray:
    import igraph
    import leidenalg

    m = values.shape[0]
    i, j = np.triu_indices(m, 1)
    weight = values[i, j]
    positive = weight > 0  # modularity needs non-negative weights: keep the related pairs only
    graph = igraph.Graph(n=m)
    # add_edges takes the array as it is; Graph(edges=...) wanted a list of 180,000 pairs (0.2 s of the
    # ~1.3 s Leiden run at 600 industries).  The same edges in the same order: the same partition.
    graph.add_edges(np.column_stack((i[positive], j[positive])))
    graph.es["weight"] = weight[positive].tolist()
    if resolution == 1.0:
        partition = leidenalg.find_partition(
            graph, leidenalg.ModularityVertexPartition, weights="weight", n_iterations=-1, seed=seed,
        )
    else:
        partition = leidenalg.find_partition(
            graph, leidenalg.RBConfigurationVertexPartition, weights="weight", n_iterations=-1, seed=seed,
            resolution_parameter=resolution,
        )
    return np.asarray(partition.membership)


def _hierarchical(values: np.ndarray, n_clusters: int | None) -> np.ndarray:
    # Distance 1 - R as DPS; average linkage is unchanged by adding a constant to every distance, so shift
    # it when a relatedness exceeds 1 (standardised matrices) to keep distances non-negative.
    off_diagonal = values[~np.eye(values.shape[0], dtype=bool)]
    top = max(1.0, float(off_diagonal.max()))
    distance = top - values
    np.fill_diagonal(distance, 0.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method="average")
    if n_clusters is not None:
        return hierarchy.fcluster(tree, t=n_clusters, criterion="maxclust")
    # Default cut: keep merging while the average relatedness between the two groups is positive.
    return hierarchy.fcluster(tree, t=np.nextafter(top, -np.inf), criterion="distance")


def _relabel_by_size(membership: np.ndarray) -> np.ndarray:
    """Cluster ids 1..k: the largest cluster first, ties broken by the position of its first industry."""
    _, first, inverse, counts = np.unique(membership, return_index=True, return_inverse=True,
                                          return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty_like(order)
    rank[order] = np.arange(1, len(order) + 1)
    return rank[inverse]


# -- DPS validation scores ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClusterValidation:
    """Delgado-Porter-Stern validation scores of a set of cluster definitions.

    Attributes
    ----------
    vs_cr : float
        Share of clusters whose within-cluster relatedness exceeds their relatedness to every other cluster.
    vs_ir : float
        Share of industries more related (on average) to their own cluster than to any other cluster.
    clusters : DataFrame
        Per cluster (index = cluster id): ``size``, ``within_relatedness``, ``max_between_relatedness``,
        ``closest_cluster``, ``mean_between_relatedness`` (to every industry outside), ``passes``.
    industries : DataFrame
        Per industry: ``cluster``, ``own_cluster_relatedness``, ``max_other_relatedness``,
        ``closest_other_cluster``, ``passes``.
    between : DataFrame
        Cluster x cluster average relatedness (diagonal: within-cluster relatedness).
    """

    vs_cr: float
    vs_ir: float
    clusters: pd.DataFrame
    industries: pd.DataFrame
    between: pd.DataFrame


def validation_scores(relatedness: Any, clusters: Any) -> ClusterValidation:
    r"""How well a set of clusters groups related industries: the Delgado-Porter-Stern validation scores.

    **VS-CR** (cluster relatedness) is the share of clusters whose industries are, on average, more related
    to each other than to the industries of *each* other cluster.  **VS-IR** (industry relatedness) is the
    share of industries that are, on average, more related to the other industries of their own cluster than
    to the industries of any other cluster.  Both are 1 for a perfect grouping.

    .. math::

        WCR_c = \frac{1}{n_c (n_c - 1)} \sum_{i \ne j \in c} R_{ij}, \qquad
        BCR_{cc'} = \frac{1}{n_c n_{c'}} \sum_{i \in c} \sum_{j \in c'} R_{ij}, \qquad
        VS\text{-}CR = \frac{1}{K} \sum_c \mathbf{1}\big[WCR_c > \max_{c' \ne c} BCR_{cc'}\big]

    .. math::

        WCR_i = \frac{1}{n_{c(i)} - 1} \sum_{j \in c(i), j \ne i} R_{ij}, \qquad
        BCR_{i c'} = \frac{1}{n_{c'}} \sum_{j \in c'} R_{ij}, \qquad
        VS\text{-}IR = \frac{1}{N} \sum_i \mathbf{1}\big[WCR_i > \max_{c' \ne c(i)} BCR_{ic'}\big]

    for *K* clusters of sizes :math:`n_c` and *N* industries.  Comparisons are strict.  A cluster of one
    industry has no within-cluster pair: its :math:`WCR` is undefined (NaN) and it, and its industry, count
    as failing.  The diagonal of *R* is never used.

    Parameters
    ----------
    relatedness : DataFrame or ndarray
        Square, symmetric industry x industry relatedness (the matrix the clusters are judged on: DPS score
        each grouping against each of their relatedness matrices in turn).
    clusters : Series or array-like
        Industry -> cluster id (any labels), e.g. the result of :func:`define_clusters`; a Series must cover
        exactly the industries of ``relatedness``, an array is taken in the matrix's order.  At least two
        clusters.

    Returns
    -------
    ClusterValidation
        ``vs_cr``, ``vs_ir`` (shares from 0 to 1) and the per-cluster, per-industry and cluster x cluster
        detail.

    References
    ----------
    Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related industries. *Journal of
    Economic Geography* 16(1), 1-38: the cluster-level (VS-CR) and industry-level (VS-IR) validation scores.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .9, .1, .0],
    ...               [.9, 1, .2, .1],
    ...               [.1, .2, 1, .3],
    ...               [.0, .1, .3, 1]])
    >>> scores = validation_scores(r, [1, 1, 2, 2])
    >>> scores.vs_cr, scores.vs_ir
    (1.0, 1.0)
    >>> validation_scores(r, [1, 2, 1, 2]).vs_ir
    0.0
    """
    values, labels = _relatedness_values(relatedness)
    assignment = _cluster_assignment(clusters, labels)
    cluster_ids, member = np.unique(assignment.to_numpy(), return_inverse=True)
    k, m = len(cluster_ids), len(labels)
    if k < 2:
        raise AnalyticsInputError(
            "too_few_clusters", "clusters: all industries are in one cluster; validation needs at least two.",
            clusters=k,
        )
    off = values.copy()
    np.fill_diagonal(off, 0.0)
    onehot = sp.csr_matrix((np.ones(m), (np.arange(m), member)), shape=(m, k))
    sizes = np.asarray(onehot.sum(axis=0)).ravel()
    to_cluster = np.asarray((onehot.T @ off.T).T)          # m x k: sum of R_ij over j in each cluster
    totals = np.asarray(onehot.T @ to_cluster)             # k x k: sum of R_ij over i in c, j in c'

    with np.errstate(invalid="ignore", divide="ignore"):
        pair_counts = np.outer(sizes, sizes) - np.diag(sizes)   # n_c (n_c - 1) within, n_c n_c' between
        between = totals / pair_counts
        within = np.diag(between).copy()                          # NaN for single-industry clusters
        others = between.copy()
        np.fill_diagonal(others, -np.inf)
        closest = others.argmax(axis=1)
        max_between = others[np.arange(k), closest]
        outside = (totals.sum(axis=1) - np.diag(totals)) / (sizes * (m - sizes))
        cluster_passes = within > max_between

        own_counts = sizes[member] - 1
        own = to_cluster[np.arange(m), member] / own_counts
        own[own_counts == 0] = np.nan
        other = to_cluster / sizes[None, :]
        other[np.arange(m), member] = -np.inf
        closest_other = other.argmax(axis=1)
        max_other = other[np.arange(m), closest_other]
        industry_passes = own > max_other

    cluster_frame = pd.DataFrame(
        {
            "size": sizes.astype(int),
            "within_relatedness": within,
            "max_between_relatedness": max_between,
            "closest_cluster": cluster_ids[closest],
            "mean_between_relatedness": outside,
            "passes": cluster_passes,
        },
        index=pd.Index(cluster_ids, name="cluster"),
    )
    industry_frame = pd.DataFrame(
        {
            "cluster": assignment.to_numpy(),
            "own_cluster_relatedness": own,
            "max_other_relatedness": max_other,
            "closest_other_cluster": cluster_ids[closest_other],
            "passes": industry_passes,
        },
        index=labels,
    )
    return ClusterValidation(
        vs_cr=float(cluster_passes.mean()),
        vs_ir=float(industry_passes.mean()),
        clusters=cluster_frame,
        industries=industry_frame,
        between=pd.DataFrame(between, index=cluster_frame.index, columns=cluster_frame.index),
    )


def _cluster_assignment(clusters: Any, labels: pd.Index) -> pd.Series:
    if isinstance(clusters, pd.Series):
        if clusters.index.has_duplicates:
            dup = clusters.index[clusters.index.duplicated()][0]
            raise AnalyticsInputError(
                "duplicate_industry", f"clusters: industry {dup!r} appears twice.", industry=str(dup),
            )
        missing = labels.difference(clusters.index, sort=False)
        if len(missing):
            raise AnalyticsInputError(
                "unassigned_industry",
                f"clusters: industry {missing[0]!r} of the relatedness matrix has no cluster; assign every "
                "industry.", industry=str(missing[0]), industries=[str(x) for x in missing[:20]],
            )
        extra = clusters.index.difference(labels, sort=False)
        if len(extra):
            raise AnalyticsInputError(
                "unknown_industry",
                f"clusters: industry {extra[0]!r} is not in the relatedness matrix.", industry=str(extra[0]),
            )
        assignment = clusters.reindex(labels)
    else:
        values = np.asarray(clusters, dtype=object).ravel()
        if len(values) != len(labels):
            raise AnalyticsInputError(
                "shape_mismatch",
                f"clusters: {len(values)} cluster ids for {len(labels)} industries; give one per industry.",
                got=len(values), expected=len(labels),
            )
        assignment = pd.Series(values, index=labels)
    missing_id = assignment.isna()
    if missing_id.any():
        industry = assignment.index[missing_id.to_numpy()][0]
        raise AnalyticsInputError(
            "missing_cluster_id", f"clusters: industry {industry!r} has no cluster id.", industry=str(industry),
        )
    try:
        np.unique(assignment.to_numpy())
    except TypeError:
        raise AnalyticsInputError(
            "mixed_cluster_ids", "clusters: cluster ids must all be of one kind (all numbers or all text).",
        ) from None
    return assignment


# -- network for drawing ---------------------------------------------------------------------------------

def relatedness_network(
    relatedness: Any,
    *,
    threshold: float | None = None,
    max_edges_per_node: int | None = None,
) -> pd.DataFrame:
    r"""A readable network of related industries to draw: its backbone plus the strongest links.

    The backbone is the maximum spanning tree of the positive relatedness (the strongest links that connect
    every industry without a cycle; a forest when some industries have no positive link).  Non-tree links
    are added when their relatedness is at least ``threshold``; with ``max_edges_per_node`` = *k*, an added
    link must be among the *k* strongest added candidates of both its industries, so no industry gets more
    than *k* links besides the backbone.  With neither option, the strongest links are added until the
    network has twice as many links as industries (an average of four links per industry), about as dense
    as the product-space drawing.  Links with relatedness of zero or less are never drawn.

    Parameters
    ----------
    relatedness : DataFrame or ndarray
        Square, symmetric industry x industry relatedness (diagonal ignored).
    threshold : float, optional
        Add every non-tree link at least this strong (Hidalgo et al. use 0.55 for product proximity).
    max_edges_per_node : int, optional
        Cap on the added (non-tree) links per industry, 0 or more.

    Returns
    -------
    DataFrame
        One row per link: ``industry_a``, ``industry_b`` (``industry_a`` before ``industry_b`` in the matrix's
        order), ``weight`` (the relatedness) and ``backbone`` (True for the spanning-tree links), strongest
        first.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product space conditions the
    development of nations. *Science* 317, 482-487 (maximum spanning tree plus links above a threshold; the
    Atlas of Economic Complexity draws its product space the same way).

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .9, .2, .1],
    ...               [.9, 1, .6, .3],
    ...               [.2, .6, 1, .8],
    ...               [.1, .3, .8, 1]])
    >>> relatedness_network(r, threshold=0.25)
       industry_a  industry_b  weight  backbone
    0           0           1     0.9      True
    1           2           3     0.8      True
    2           1           2     0.6      True
    3           1           3     0.3     False
    """
    if threshold is not None and not (isinstance(threshold, int | float) and np.isfinite(threshold)):
        raise AnalyticsInputError(
            "bad_threshold", f"threshold must be a number, got {threshold!r}.", value=str(threshold),
        )
    if max_edges_per_node is not None and (
        isinstance(max_edges_per_node, bool) or not isinstance(max_edges_per_node, int | np.integer)
        or max_edges_per_node < 0
    ):
        raise AnalyticsInputError(
            "bad_max_edges_per_node",
            f"max_edges_per_node must be a whole number zero or more, got {max_edges_per_node!r}.",
            value=str(max_edges_per_node),
        )
    values, labels = _relatedness_values(relatedness)
    m = len(labels)
    upper = np.triu(values, 1)
    positive = upper > 0
    # Maximum spanning tree = minimum spanning tree of (top + 1 - R) over the positive links; every cost
    # stays > 0 because csgraph reads a 0 as "no link".
    top = float(upper[positive].max()) if positive.any() else 0.0
    cost = np.where(positive, top + 1.0 - upper, 0.0)
    tree = minimum_spanning_tree(sp.csr_matrix(cost)).tocoo()
    in_tree = np.zeros((m, m), dtype=bool)
    in_tree[np.minimum(tree.row, tree.col), np.maximum(tree.row, tree.col)] = True

    candidate = positive & ~in_tree
    if threshold is not None:
        candidate &= upper >= threshold
    if max_edges_per_node is not None:
        candidate &= _mutual_top_k(np.where(candidate, upper, -np.inf), int(max_edges_per_node))
    elif threshold is None:
        # Default density: strongest candidates until 2 m links in all (average degree 4).
        room = max(0, 2 * m - int(in_tree.sum()))
        ci, cj = np.nonzero(candidate)
        keep = np.argsort(-upper[ci, cj], kind="stable")[:room]
        candidate = np.zeros_like(candidate)
        candidate[ci[keep], cj[keep]] = True

    ai, bj = np.nonzero(in_tree | candidate)
    weight = upper[ai, bj]
    order = np.lexsort((bj, ai, -weight))
    ai, bj = ai[order], bj[order]
    return pd.DataFrame({
        "industry_a": labels[ai],
        "industry_b": labels[bj],
        "weight": upper[ai, bj],
        "backbone": in_tree[ai, bj],
    })


def _mutual_top_k(weights: np.ndarray, k: int) -> np.ndarray:
    """Upper-triangle mask of links among the k strongest of both endpoints (``weights``: -inf = no link)."""
    full = np.maximum(weights, weights.T)  # symmetric view of the upper-triangle candidates
    # Rank of each link in its row, strongest first (ties broken by column order).
    rank = np.empty(full.shape, dtype=np.int64)
    order = np.argsort(-full, axis=1, kind="stable")
    np.put_along_axis(rank, order, np.arange(full.shape[1])[None, :], axis=1)
    in_top = (rank < k) & np.isfinite(full)
    return np.triu(in_top & in_top.T, 1)
