"""Input checks shared by every analytics function.

Every public function validates its input up front, before computing anything, and raises
:class:`AnalyticsInputError` naming the bad column, row or value.  The error carries a stable ``code``
and ``params`` so that the web layer (which may import Django) can show a translated message; the
English ``str()`` is for the command line, logs and notebooks.

Matrices are region x industry (rows x columns).  A function accepts a NumPy array, a SciPy sparse
matrix or a pandas DataFrame (index = regions, columns = industries) and, when given a DataFrame,
returns labelled results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp


class AnalyticsInputError(ValueError):
    """Bad input to an analytics function.

    Parameters
    ----------
    code : str
        Stable identifier of the problem (``missing_column``, ``negative_value`` ...), used by the web
        layer to look up a translated message.
    message : str
        English explanation that names the column / row / value and what to do.
    **params
        The values named in the message (``column``, ``row``, ``value`` ...).
    """

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    @property
    def column(self) -> str | None:
        return self.params.get("column")


@dataclass(frozen=True)
class Matrix:
    """A validated region x industry matrix with its labels."""

    values: np.ndarray | sp.csr_matrix
    rows: pd.Index
    columns: pd.Index

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.values)

    def dense(self) -> np.ndarray:
        return self.values.toarray() if sp.issparse(self.values) else self.values

    def frame(self, values: np.ndarray) -> pd.DataFrame:
        """Label a dense result of the same shape."""
        return pd.DataFrame(values, index=self.rows, columns=self.columns)


def as_matrix(
    data: Any,
    *,
    name: str = "values",
    allow_sparse: bool = True,
    allow_negative: bool = False,
    min_rows: int = 1,
    min_columns: int = 1,
) -> Matrix:
    """Validate ``data`` as a finite, numeric 2-D matrix and return it with labels.

    Raises :class:`AnalyticsInputError` for a non-numeric, non-finite or negative entry (naming its row
    and column), a wrong number of dimensions, or too few rows/columns.
    """
    if isinstance(data, pd.DataFrame):
        rows, columns = data.index, data.columns
        # Each distinct dtype checked once: checking the 600 columns' dtypes one by one, for the ~30
        # matrices of a run, cost a fifth of a second.
        dtypes = data.dtypes
        numeric = {dtype: pd.api.types.is_numeric_dtype(dtype) for dtype in set(dtypes.tolist())}
        non_numeric = [] if all(numeric.values()) else [c for c, dtype in dtypes.items() if not numeric[dtype]]
        if non_numeric:
            column = non_numeric[0]
            bad = pd.to_numeric(data[column], errors="coerce").isna() & data[column].notna()
            row = data.index[bad.to_numpy()][0] if bad.any() else None
            value = data.loc[row, column] if row is not None else None
            raise AnalyticsInputError(
                "non_numeric",
                f"{name}: column {column!r} is not numeric (row {row!r} holds {value!r}); "
                "give numbers only.",
                column=str(column), row=None if row is None else str(row), value=None if value is None else str(value),
            )
        values: np.ndarray | sp.csr_matrix = data.to_numpy(dtype=float, na_value=np.nan)
    elif sp.issparse(data):
        if not allow_sparse:
            data = data.toarray()
        values = sp.csr_matrix(data, dtype=float) if sp.issparse(data) else np.asarray(data, dtype=float)
        rows, columns = pd.RangeIndex(values.shape[0]), pd.RangeIndex(values.shape[1])
    else:
        try:
            values = np.asarray(data, dtype=float)
        except (TypeError, ValueError) as exc:
            raise AnalyticsInputError(
                "non_numeric", f"{name}: the matrix holds a value that is not a number ({exc}).",
            ) from None
        if values.ndim != 2:
            raise AnalyticsInputError(
                "not_2d", f"{name}: expected a 2-D region x industry matrix, got {values.ndim} dimension(s).",
                ndim=values.ndim,
            )
        rows, columns = pd.RangeIndex(values.shape[0]), pd.RangeIndex(values.shape[1])

    stored = values.data if sp.issparse(values) else values
    bad = ~np.isfinite(stored)
    if bad.any():
        r, c = _position(values, bad)
        raise AnalyticsInputError(
            "non_finite", f"{name}: missing or infinite value at row {rows[r]!r}, column {columns[c]!r}; "
            "fill it with a number (0 if there is no activity).",
            row=str(rows[r]), column=str(columns[c]),
        )
    if not allow_negative:
        neg = stored < 0
        if neg.any():
            r, c = _position(values, neg)
            raise AnalyticsInputError(
                "negative_value", f"{name}: negative value {float(stored[neg][0])!r} at row {rows[r]!r}, "
                f"column {columns[c]!r}; counts, employment and money must be zero or more.",
                row=str(rows[r]), column=str(columns[c]), value=float(stored[neg][0]),
            )
    if values.shape[0] < min_rows:
        raise AnalyticsInputError(
            "too_few_regions", f"{name}: needs at least {min_rows} region(s), got {values.shape[0]}.",
            minimum=min_rows, got=values.shape[0],
        )
    if values.shape[1] < min_columns:
        raise AnalyticsInputError(
            "too_few_industries", f"{name}: needs at least {min_columns} industr(ies), got {values.shape[1]}.",
            minimum=min_columns, got=values.shape[1],
        )
    return Matrix(values=values, rows=pd.Index(rows), columns=pd.Index(columns))


def _position(values: np.ndarray | sp.csr_matrix, mask: np.ndarray) -> tuple[int, int]:
    """Row and column of the first True in ``mask`` (over the dense array, or a CSR's stored data)."""
    if sp.issparse(values):
        coo = values.tocoo()
        i = int(np.flatnonzero(mask)[0])
        return int(coo.row[i]), int(coo.col[i])
    r, c = np.argwhere(mask)[0]
    return int(r), int(c)


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None], *, name: str = "data") -> None:
    """Check that every named column exists; ``columns`` maps the role (``region``) to the column name."""
    available = list(map(str, frame.columns))
    for role, column in columns.items():
        if column is None:
            continue
        if column not in frame.columns:
            raise AnalyticsInputError(
                "missing_column",
                f"{name}: the {role} column {column!r} is not in the data; available columns: "
                f"{', '.join(available)}.",
                column=column, role=role, available=available,
            )


def long_to_matrix(
    frame: pd.DataFrame,
    *,
    region_col: str,
    industry_col: str,
    value_col: str,
    name: str = "data",
) -> pd.DataFrame:
    """Pivot long records (one row per region and industry) into a region x industry DataFrame.

    Rejects missing columns, non-numeric or negative values and duplicate region-industry rows, each
    with a message that names the column, row and value.  Absent pairs become 0.
    """
    require_columns(frame, {"region": region_col, "industry": industry_col, "value": value_col}, name=name)
    values = pd.to_numeric(frame[value_col], errors="coerce")
    bad = values.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise AnalyticsInputError(
            "non_numeric",
            f"{name}: row {i + 1}, column {value_col!r}: {frame[value_col].iloc[i]!r} is not a number.",
            column=value_col, row=i + 1, value=str(frame[value_col].iloc[i]),
        )
    negative = values < 0
    if negative.any():
        i = int(np.flatnonzero(negative.to_numpy())[0])
        raise AnalyticsInputError(
            "negative_value",
            f"{name}: row {i + 1}, column {value_col!r}: {values.iloc[i]!r} is negative; values must be zero or more.",
            column=value_col, row=i + 1, value=float(values.iloc[i]),
        )
    duplicated = frame.duplicated([region_col, industry_col], keep="first")
    if duplicated.any():
        i = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise AnalyticsInputError(
            "duplicate_row",
            f"{name}: row {i + 1} repeats region {frame[region_col].iloc[i]!r} and industry "
            f"{frame[industry_col].iloc[i]!r}; give one row per region and industry (sum them first).",
            row=i + 1, region=str(frame[region_col].iloc[i]), industry=str(frame[industry_col].iloc[i]),
        )
    return (
        frame.assign(**{value_col: values})
        .pivot(index=region_col, columns=industry_col, values=value_col)
        .fillna(0.0)
    )
