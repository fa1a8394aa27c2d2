"""Aggregation of raw records into region x industry (x year) tables, where the data lives.

Raw records (one row per establishment, or per establishment and year) can be hundreds of millions of
rows.  They are never loaded into pandas: :func:`open_source` gives an `Ibis <https://ibis-project.org>`_
table over the data (DuckDB reads CSV and Parquet files directly; PySpark runs the same expressions on a
cluster; a database URL runs them in that database), :func:`aggregate` and :func:`plant_shares` build one
Ibis expression each, the backend executes it, and only the aggregated result (one row per region,
industry and year) comes back as a pandas DataFrame.  :func:`to_matrices` and :func:`to_sparse` turn that
long result into the region x industry matrices the indicator functions take.

Validation rides on the aggregation itself: the same query that sums employment also counts missing
values and finds the smallest value of every column, so checking costs no extra pass over the data.
Only when a problem is found does a second query fetch an example row for the error message.  No result
is returned when any check fails.

Long form (the result of :func:`aggregate`): columns ``region``, ``industry``, ``year`` (when a year
column was given), ``employment`` (when a value column was given), ``establishments``, ``wages`` (when a
wage column was given).
"""

from __future__ import annotations

import difflib
import glob
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple
from urllib.parse import unquote, urlsplit

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from khooshe.analytics.validation import AnalyticsInputError

__all__ = [
    "BACKENDS",
    "MEASURES",
    "LabelledSparse",
    "aggregate",
    "open_source",
    "plant_shares",
    "to_matrices",
    "to_panel",
    "to_sparse",
]

BACKENDS = ("duckdb", "pyspark")
#: Measure columns of the long form, in output order.
MEASURES = ("employment", "establishments", "wages")
KEYS = ("region", "industry", "year")

_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz")
_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
# Roles whose column is summed (it must hold numbers); the other roles identify a group.
_MEASURE_ROLES = ("value", "wage")
#: Names of the DuckDB views that :func:`open_source` made over Parquet files: DuckDB answers an ungrouped
#: count or minimum of a Parquet column from the file's statistics, without reading the rows.
_DUCKDB_PARQUET: set[str] = set()
_ROLE_LABELS = {
    "region": "region", "industry": "industry", "year": "year", "establishment": "establishment",
    "value": "value (employment)", "wage": "wage",
}


# -- opening a source -----------------------------------------------------------------------------------


def open_source(
    source: Any,
    *,
    backend: Literal["duckdb", "pyspark"] = "duckdb",
    table: str | None = None,
    spark_session: Any = None,
) -> ir.Table:
    """Open raw records as an Ibis table, without loading them into memory.

    Parameters
    ----------
    source : str, Path, pandas.DataFrame or ibis Table
        - a CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``, ``.pq``) file, a glob pattern
          (``data/*.parquet``) or a folder of such files (Hive-style partition folders included);
        - a database URL, ``sqlite:///path/to/file.sqlite3`` or ``postgres://user@host:5432/name``,
          together with ``table``: the database itself then runs the aggregation;
        - with ``backend="pyspark"``, a file or folder on the cluster's file system (``hdfs://``,
          ``s3a://``, ``file://``; a folder is read as Parquet);
        - a pandas DataFrame (registered with the backend as an in-memory table);
        - an Ibis table, returned as it is.
    backend : {"duckdb", "pyspark"}
        Engine for files and DataFrames.  DuckDB (embedded, the default) suits anything one machine can
        hold on disk; PySpark the data that outgrows one machine.  Not used for database URLs.
    table : str, optional
        Table (or view) name; required with a database URL and only allowed there.
    spark_session : pyspark.sql.SparkSession, optional
        The session to run on with ``backend="pyspark"``; default: the active session, or a new local one.

    Returns
    -------
    ibis.expr.types.Table
        A lazy table bound to its backend: nothing has been read yet beyond the schema.

    Raises
    ------
    AnalyticsInputError
        ``unknown_backend``, ``source_not_found`` (no file matches; names the path),
        ``unsupported_source`` (not a CSV, Parquet, database URL or DataFrame), ``missing_table``
        (no table name, or a name the database does not have; lists the tables), ``bad_argument``.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"province": ["Kerman", "Yazd"], "isic": ["1079", "1311"], "staff": [12, 40]})
    >>> t = open_source(records)
    >>> t.columns
    ('province', 'isic', 'staff')
    >>> int(t.staff.sum().execute())
    52
    """
    if backend not in BACKENDS:
        raise AnalyticsInputError(
            "unknown_backend", f"backend {backend!r} is not supported; use one of {', '.join(BACKENDS)}.",
            value=str(backend), available=list(BACKENDS),
        )
    if isinstance(source, ir.Table):
        return source
    if isinstance(source, pd.DataFrame):
        if table is not None:
            raise _table_not_allowed(table)
        connection = _connect(backend, spark_session)
        # A view over a memtable: DuckDB scans the DataFrame in place, Spark makes it a temporary view.
        return connection.create_view(ibis.util.gen_name("khooshe_records"), ibis.memtable(source))
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        scheme = urlsplit(text).scheme.split("+", 1)[0].lower() if "://" in text else ""
        if scheme in _DATABASE_SCHEMES:
            if backend != "duckdb":
                raise AnalyticsInputError(
                    "unsupported_backend",
                    f"a database URL is aggregated by the database itself, not by {backend}; leave "
                    "backend at its default or export the table to Parquet for Spark.",
                    value=backend,
                )
            return _open_database(text, table)
        if scheme and (backend != "pyspark" or table is not None):
            raise AnalyticsInputError(
                "unsupported_source",
                f"{scheme}:// is neither a database URL (sqlite:///, postgres://) nor a local file; "
                "use backend='pyspark' for files on a cluster file system, or copy them locally.",
                value=scheme,
            )
        if table is not None:
            raise _table_not_allowed(table)
        if scheme:  # hdfs://, s3a://, ...: only Spark can see them
            return _open_remote(text, spark_session)
        return _open_files(text, backend, spark_session)
    raise AnalyticsInputError(
        "unsupported_source",
        f"cannot read records from a {type(source).__name__}; give a CSV or Parquet path, a database URL, "
        "a pandas DataFrame or an Ibis table.",
        value=type(source).__name__,
    )


def _table_not_allowed(table: str) -> AnalyticsInputError:
    return AnalyticsInputError(
        "bad_argument", f"table={table!r} only applies to a database URL source.", argument="table",
    )


def _connect(backend: str, spark_session: Any):
    if backend == "duckdb":
        return ibis.duckdb.connect(threads=_free_cores())
    # Imported only here: PySpark (and its JVM) is needed only by those who ask for it.
    from pyspark.sql import SparkSession

    session = spark_session or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    return ibis.pyspark.connect(session)


def duckdb_threads(table: ir.Table, threads: int | None = None) -> int | None:
    """The number of threads of the DuckDB connection of ``table`` (None on another backend); with
    ``threads``, set it to that and return the number it had."""
    try:
        backend = ibis.get_backend(table)
    except Exception:  # noqa: BLE001 - e.g. an unbound expression
        return None
    if backend.name != "duckdb":
        return None
    # Each result is read to the end: DuckDB refuses other work on a connection with an unfinished result.
    current = int(backend.raw_sql("SELECT current_setting('threads')").fetchall()[0][0])
    if threads is not None and threads != current:
        backend.raw_sql(f"SET threads = {int(threads)}").fetchall()
    return current


def _free_cores() -> int:
    """DuckDB's threads: the cores the rest of the machine leaves free, at least one: the load average
    less this process (running as it asks, so counted in it).

    A group-by on two threads builds two hash tables and merges them: on 10 million rows it costs a
    quarter more CPU time than on one, which pays off only when the second thread has a core to itself.
    On a busy machine one thread finished sooner as well (6.1 against 6.9 s at load average 17, 2 cores).
    """
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system
        return cores
    return max(1, min(cores, int(cores - max(busy - 1, 0) + 0.5)))


def _file_format(path: str) -> str | None:
    lower = path.lower()
    if lower.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(_CSV_SUFFIXES):
        return "csv"
    return None


def _open_files(pattern: str, backend: str, spark_session: Any) -> ir.Table:
    if os.path.isdir(pattern):
        files = [f for f in glob.glob(os.path.join(pattern, "**", "*"), recursive=True) if os.path.isfile(f)]
        files = [f for f in files if _file_format(f)]
    else:
        files = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else (
            [pattern] if os.path.isfile(pattern) else [])
    if not files:
        raise AnalyticsInputError(
            "source_not_found",
            f"no CSV or Parquet file found at {pattern!r}; check the path (relative paths start from "
            f"{os.getcwd()!r}).",
            path=pattern,
        )
    formats = {_file_format(f) for f in files}
    if None in formats or len(formats) > 1:
        odd = next((f for f in files if _file_format(f) != _file_format(files[0])), files[0])
        raise AnalyticsInputError(
            "unsupported_source",
            f"{odd!r} is not a CSV ({', '.join(_CSV_SUFFIXES)}) or Parquet ({', '.join(_PARQUET_SUFFIXES)}) "
            "file, or CSV and Parquet files are mixed; give files of one format.",
            path=odd,
        )
    (file_format,) = formats
    connection = _connect(backend, spark_session)
    if os.path.isdir(pattern):
        # DuckDB needs a glob over the folder; Spark reads a folder (and its partitions) natively.
        target = pattern if backend == "pyspark" else os.path.join(pattern, "**", f"*{_suffix(files[0])}")
    else:
        target = pattern
    if file_format == "parquet":
        opened = connection.read_parquet(target)
        if backend == "duckdb":
            _DUCKDB_PARQUET.add(opened.op().name)
        return opened
    return connection.read_csv(target)


def _open_remote(url: str, spark_session: Any) -> ir.Table:
    """A file or folder on a cluster file system, read by Spark (a folder is taken to hold Parquet)."""
    connection = _connect("pyspark", spark_session)
    if _file_format(url) == "csv":
        return connection.read_csv(url)
    return connection.read_parquet(url)


def _suffix(path: str) -> str:
    lower = path.lower()
    return next(s for s in _PARQUET_SUFFIXES + _CSV_SUFFIXES if lower.endswith(s))


def _open_database(url: str, table: str | None) -> ir.Table:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()  # postgresql+psycopg:// as Django/SQLAlchemy write it
    if scheme == "sqlite":
        # sqlite:///abs/path and sqlite:////abs/path (the project's DATABASE_URL) both mean /abs/path.
        path = "/" + unquote(parts.path).lstrip("/") if parts.path.startswith("/") else unquote(parts.path)
        if not os.path.isfile(path):  # connecting would silently create an empty database
            raise AnalyticsInputError(
                "source_not_found", f"no SQLite database file at {path!r}.", path=path,
            )
        connection = ibis.sqlite.connect(path)
    else:
        connection = ibis.connect(parts._replace(scheme="postgres").geturl())
    tables = sorted(connection.list_tables())
    if not table or table not in tables:
        shown = ", ".join(tables[:50]) + (" ..." if len(tables) > 50 else "")
        what = "give the table name with table=..." if not table else f"there is no table {table!r}"
        raise AnalyticsInputError(
            "missing_table", f"{what}; tables in the database: {shown or '(none)'}.",
            table=table, available=tables,
        )
    return connection.table(table)


# -- column checks --------------------------------------------------------------------------------------


def _as_table(table: Any) -> ir.Table:
    if isinstance(table, ir.Table):
        return table
    if isinstance(table, pd.DataFrame):
        return open_source(table)
    raise AnalyticsInputError(
        "unsupported_source",
        f"expected an Ibis table (from open_source) or a pandas DataFrame, got a {type(table).__name__}.",
        value=type(table).__name__,
    )


def _missing_column(role: str, column: str, available: list[str]) -> AnalyticsInputError:
    close = difflib.get_close_matches(column, available, n=1, cutoff=0.6)
    close += [c for c in available if c.lower() == column.lower() and c not in close]
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return AnalyticsInputError(
        "missing_column",
        f"data: the {_ROLE_LABELS[role]} column {column!r} is not in the data; available columns: "
        f"{', '.join(available)}.{hint}",
        column=column, role=role, available=available, suggestion=close[0] if close else None,
    )


@dataclass(frozen=True)
class _Columns:
    """The columns of every role, checked: ``exprs`` reads them (cast, or the year of a date)."""

    table: ir.Table
    names: dict[str, str]
    exprs: dict[str, ir.Column]
    cast: frozenset[str]  # roles read through try_cast: the aggregation counts values that did not cast

    @property
    def keys(self) -> list[str]:
        """Column names of the identifying roles, shown in an example row."""
        return [column for role, column in self.names.items() if role not in _MEASURE_ROLES]


def _prepare(table: Any, roles: Mapping[str, str | None]) -> _Columns:
    """Check the names and types of the columns of every role (``None``: role not used)."""
    t = _as_table(table)
    available = list(t.columns)
    names = {role: column for role, column in roles.items() if column is not None}
    for role, column in names.items():
        if not isinstance(column, str):
            raise AnalyticsInputError(
                "bad_argument", f"the {_ROLE_LABELS[role]} column must be given by name, got {column!r}.",
                role=role, value=repr(column),
            )
        if column not in available:
            raise _missing_column(role, column, available)
    seen: dict[str, str] = {}
    for role, column in names.items():
        if column in seen:
            raise AnalyticsInputError(
                "same_column",
                f"data: column {column!r} is given both as the {_ROLE_LABELS[seen[column]]} and the "
                f"{_ROLE_LABELS[role]} column; each role needs its own column.",
                column=column, roles=[seen[column], role],
            )
        seen[column] = role

    exprs: dict[str, ir.Column] = {}
    cast: set[str] = set()
    for role, column in names.items():
        col = t[column]
        dtype = col.type()
        if role in _MEASURE_ROLES:
            if dtype.is_string():  # e.g. a CSV column with a stray word that Spark read as text
                col = col.try_cast("float64")
                cast.add(role)
            elif not dtype.is_numeric() or dtype.is_boolean():
                raise _wrong_type(role, column, dtype, "numbers")
        elif role == "year":
            if dtype.is_date() or dtype.is_timestamp():
                col = col.year()
            elif dtype.is_string() or dtype.is_floating() or dtype.is_decimal():
                col = col.try_cast("int64")
                cast.add(role)
            elif not dtype.is_integer():
                raise _wrong_type(role, column, dtype, "whole-number years or dates")
        elif dtype.is_nested():
            raise _wrong_type(role, column, dtype, "codes or names")
        exprs[role] = col
    return _Columns(t, names, exprs, frozenset(cast))


def _wrong_type(role: str, column: str, dtype: Any, wanted: str) -> AnalyticsInputError:
    return AnalyticsInputError(
        "wrong_type",
        f"data: the {_ROLE_LABELS[role]} column {column!r} holds {dtype} values; it must hold {wanted}.",
        column=column, role=role, dtype=str(dtype),
    )


def _check_metrics(c: _Columns, keys: Mapping[str, Any]) -> dict[str, Any]:
    """Aggregates computed with the result, per group: rows, non-empty cells, smallest measure.

    A role that is a key of the result needs no count: an empty key cell makes a group whose key is
    empty.  A key read through a cast still needs one, to tell an empty cell from a value that did not
    cast.
    """
    checks: dict[str, Any] = {"_rows": c.table.count()}
    for role, expr in c.exprs.items():
        if role not in keys or role in c.cast:
            checks[f"_count_{role}"] = expr.count()
        if role in c.cast:
            checks[f"_raw_{role}"] = c.table[c.names[role]].count()
        if role in _MEASURE_ROLES:
            checks[f"_min_{role}"] = expr.min()
    return checks


def _combine_checks(p: ir.Table, names: list[str]) -> dict[str, Any]:
    """Re-aggregate per-group check columns one level up (counts add up, minima take the minimum)."""
    return {name: p[name].min() if name.startswith("_min_") else p[name].sum() for name in names}


def _checked_apart(t: ir.Table) -> bool:
    """Whether the checks are cheaper as one ungrouped query than as columns of the grouped one.

    True for a Parquet file opened with DuckDB: the ungrouped counts and minima come from the file's
    statistics (a few milliseconds for 10 million rows), whereas two minima per group cost a sixth of the
    grouped query.  Elsewhere (CSV, databases, Spark) a second query would read every record again.
    """
    op = t.op()
    return isinstance(op, ops.DatabaseTable) and op.name in _DUCKDB_PARQUET


def _raise_for_problems(
    frame: pd.DataFrame, c: _Columns, sums: Mapping[str, str], *, missing_values: str,
    checks: pd.DataFrame | None = None,
) -> None:
    """Raise the first problem that the check columns of ``frame`` show, with an example row.

    ``sums`` maps a measure role to its sum's column in ``frame`` (a NaN or infinite value anywhere
    makes that sum non-finite, so no extra check column is needed for it).  ``checks``: the check
    columns, when they were computed apart from ``frame`` (one row, every role counted).
    """
    checks = frame if checks is None else checks
    if checks.empty or checks["_rows"].sum() == 0:
        raise AnalyticsInputError("empty_data", "data: there are no records to aggregate.")
    t = c.table
    rows = int(checks["_rows"].sum())
    for role in sorted(c.cast):
        if checks[f"_count_{role}"].sum() < checks[f"_raw_{role}"].sum():
            column = c.names[role]
            count, example = _example(c, t[column].notnull() & c.exprs[role].isnull(), column)
            wanted = "a whole number" if role == "year" else "a number"
            raise AnalyticsInputError(
                "non_numeric",
                f"data: column {column!r} holds {_show(example[column])}, which is not {wanted} "
                f"({count} row(s), for example {_describe(example)}); correct or remove those rows.",
                column=column, role=role, value=str(example[column]), count=count, row=_plain(example),
            )
    for role, column in c.names.items():
        if role in _MEASURE_ROLES and missing_values == "zero":
            continue
        counted = f"_count_{role}" in checks
        if (int(checks[f"_count_{role}"].sum()) < rows) if counted else frame[role].isna().any():
            count, example = _example(c, t[column].isnull(), column)
            hint = " or pass missing_values='zero' to count them as 0" if role in _MEASURE_ROLES else ""
            raise AnalyticsInputError(
                "missing_value",
                f"data: the {_ROLE_LABELS[role]} column {column!r} is empty in {count} row(s), for example "
                f"{_describe(example)}; fill those rows{hint}.",
                column=column, role=role, count=count, row=_plain(example),
            )
    for role, total in sums.items():
        column, expr = c.names[role], c.exprs[role]
        if expr.type().is_floating() and not np.isfinite(frame[total].to_numpy(dtype=float)).all():
            # x - x is 0 for every finite x and NaN for NaN and +-inf.  (isnan() alone is not enough:
            # DuckDB 2.0 folds it to false on a Parquet column whose statistics leave the NaN out.)
            count, example = _example(c, expr.isnan() | expr.isinf() | ((expr - expr) != 0), column)
            raise AnalyticsInputError(
                "non_finite",
                f"data: column {column!r} holds {_show(example[column])} ({count} row(s), for example "
                f"{_describe(example)}); give finite numbers (0 when there is no activity).",
                column=column, role=role, value=str(example[column]), count=count, row=_plain(example),
            )
        smallest = checks[f"_min_{role}"].min()
        if pd.notna(smallest) and smallest < 0:
            count, example = _example(c, expr < 0, column)
            raise AnalyticsInputError(
                "negative_value",
                f"data: column {column!r} holds the negative value {_show(example[column])} ({count} row(s), "
                f"for example {_describe(example)}); employment, establishments and wages must be zero "
                "or more.",
                column=column, role=role, value=float(example[column]), count=count, row=_plain(example),
            )


def _example(c: _Columns, predicate: Any, column: str) -> tuple[int, dict[str, Any]]:
    """Number of records matching ``predicate`` and the first one (its key columns and ``column``)."""
    bad = c.table.filter(predicate)
    count = int(_execute(bad.count()))
    first = _execute(bad.select(*dict.fromkeys([*c.keys, column])).limit(1))
    # No example only if the backend's predicate disagrees with its aggregate; still raise, with no row.
    return count, first.iloc[0].to_dict() if len(first) else dict.fromkeys([*c.keys, column])


def _describe(row: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in row.items())


def _is_empty(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _show(value: Any) -> str:
    return "(empty)" if _is_empty(value) else repr(_py(value))


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _plain(row: Mapping[str, Any]) -> dict[str, str | None]:
    return {k: None if _is_empty(v) else str(_py(v)) for k, v in row.items()}


def _backend_errors() -> tuple[type[BaseException], ...]:
    """Errors a backend raises for unreadable *data* (a malformed file), as opposed to our own bugs."""
    import duckdb

    errors: list[type[BaseException]] = [duckdb.ConversionException, duckdb.InvalidInputException,
                                          duckdb.IOException]
    if "pyspark" in sys.modules:  # never import PySpark just to name its errors
        from pyspark.errors import AnalysisException, SparkRuntimeException

        errors += [AnalysisException, SparkRuntimeException]
    return tuple(errors)


_DUCKDB_CSV = re.compile(
    r'CSV Error on Line: (?P<line>\d+).*?converting column "(?P<column>[^"]+)"\. Could not convert string '
    r'"(?P<value>[^"]*)"', re.S,
)


def _execute(expr: Any, *, arrow: bool = False) -> Any:
    """Run an expression on its backend; a file the backend cannot read becomes an input error."""
    try:
        return expr.to_pyarrow() if arrow else expr.execute()
    except _backend_errors() as exc:
        text = str(exc)
        found = _DUCKDB_CSV.search(text)
        if found:
            raise AnalyticsInputError(
                "non_numeric",
                f"data: line {found['line']} of the file, column {found['column']!r}: {found['value']!r} is "
                "not a number; correct or remove that line.",
                column=found["column"], row=int(found["line"]), value=found["value"],
            ) from None
        raise AnalyticsInputError(
            "unreadable_source", f"data: the records could not be read: {text.strip().splitlines()[0]}",
            detail=text,
        ) from exc


# -- aggregation ----------------------------------------------------------------------------------------


def aggregate(
    table: Any,
    *,
    region_col: str,
    industry_col: str,
    value_col: str | None = None,
    year_col: str | None = None,
    establishment_col: str | None = None,
    wage_col: str | None = None,
    missing_values: Literal["error", "zero"] = "error",
    establishment_years: Sequence[Any] | Literal["latest"] | None = None,
    plant_squares: bool = False,
    analysed_years: Sequence[Any] | Literal["latest"] | None = None,
    provisional: Callable[[pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    r"""Sum raw records per region, industry (and year) in the backend; return the small long table.

    For every group :math:`g` = (region, industry[, year]) of records :math:`k`:

    .. math::

        \text{employment}_g = \sum_{k \in g} v_k, \qquad
        \text{establishments}_g = |g| \text{ or } |\{\text{establishment}_k : k \in g\}|, \qquad
        \text{wages}_g = \sum_{k \in g} w_k

    This is the input of every indicator: what the U.S. Cluster Mapping Project and the European Cluster
    Observatory compute from County Business Patterns / Eurostat SBS records before any quotient.

    Parameters
    ----------
    table : ibis Table or pandas DataFrame
        Raw records, usually from :func:`open_source`.  A DataFrame is opened with DuckDB.
    region_col, industry_col : str
        Columns naming the region and the industry (any codes: text or numbers); never empty.
    value_col : str, optional
        Employment (or any additive size) of each record; summed into ``employment``.
    year_col : str, optional
        Year of each record: whole numbers, text such as ``"2021"``, or dates/timestamps (their year).
    establishment_col : str, optional
        Establishment identifier; ``establishments`` then counts *distinct* establishments (a plant listed
        twice in a year counts once).  Without it every record is one establishment.
    wage_col : str, optional
        Wages (or any additive money amount) of each record; summed into ``wages``.
    missing_values : {"error", "zero"}
        What an empty value or wage cell means: an error (the default), or zero.  Empty region, industry,
        year or establishment cells are always an error.
    establishment_years : list of years or "latest", optional
        With ``establishment_col`` and ``year_col``: count distinct establishments only in these years
        (``"latest"``: the last year of the data); ``establishments`` is NaN in the other years.  The
        exact distinct count per group is the most expensive part of the aggregation; restricted to the
        years an analysis uses it is cheap: when no establishment appears twice in such a year (one row
        per establishment and year, checked with one query over that year's records), each group's
        number of records *is* its number of distinct establishments, and only the years where some
        establishment repeats are counted distinct.  The result is the same exact count either way.
        Default: every year, counted distinct.
    plant_squares : bool
        With ``value_col``: add ``employment_squares``, the sum over the group's records of the squared
        value, :math:`\sum_{k \in g} v_k^2`: with one record per plant (establishment and year), the
        numerator of the plant Herfindahl of :func:`khooshe.analytics.indicators.ellison_glaeser_from_cells`,
        so Ellison-Glaeser needs no second pass over the records.
    analysed_years : list of years or "latest", optional
        With ``year_col``: return only the groups of the first year of the data and of these years
        (``"latest"``: the last year), what an analysis of one year against the start of the data uses;
        the years present in the data are in ``result.attrs["years"]`` either way.  Where the checks come
        from the file's statistics (a Parquet file on DuckDB) the other years' records are not grouped at
        all, which saves most of the query when the data has many years; elsewhere they are grouped (the
        checks of every record ride on the grouped query) and left out afterwards.  Same groups, same
        values either way.
    provisional : callable, optional
        With ``establishment_years``: called once, with the checked result before the establishments are
        counted distinct (a frame that is not changed afterwards; ``establishments`` is each group's number
        of records with an establishment, the distinct count unless an establishment repeats in the year).
        Lets a caller start work on the usual case while the repeats are looked for; it must check the
        final result.

    Returns
    -------
    pandas.DataFrame
        Columns ``region``, ``industry``, [``year``], [``employment``], ``establishments``, [``wages``],
        [``employment_squares``]; one row per group that has records, sorted by region, industry and
        year.  ``employment``, ``wages`` and ``employment_squares`` are float64, ``year`` int64,
        ``establishments`` int64 (float64, NaN outside ``establishment_years`` when they are given).

    Raises
    ------
    AnalyticsInputError
        Before any result is returned: ``missing_column`` (names the column, lists the available ones and
        the closest name), ``same_column``, ``wrong_type``, ``non_numeric`` (column, an example row, the
        number of rows; for a CSV that DuckDB could not type, the line of the file), ``missing_value``,
        ``non_finite``, ``negative_value``, ``empty_data``, ``unreadable_source``, ``bad_argument``
        (``establishment_years`` without an establishment and a year column, ``plant_squares`` without a
        value column).

    Notes
    -----
    One query, executed where the data lives (DuckDB, Spark or the database); with
    ``establishment_years``, one more small query per call (and a third, for the repeated years only,
    when an establishment appears twice in a year).  Its check columns (rows,
    non-empty cells and the minimum of each measure, per group) make validation free; an example row is
    fetched only when a check fails.  For a Parquet file opened with DuckDB the checks are instead one
    ungrouped query that DuckDB answers from the file's statistics, cheaper than carrying them per group;
    the errors are the same.

    References
    ----------
    Delgado, M., Porter, M. E. & Stern, S. (2016) Defining clusters of related industries, Journal of
    Economic Geography 16(1): establishment-level County Business Patterns aggregated by county and
    industry.  Ibis (https://ibis-project.org): one dataframe API compiled to DuckDB, Spark and SQL.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({
    ...     "province": ["Kerman", "Kerman", "Kerman", "Yazd"],
    ...     "isic": ["1079", "1079", "2410", "1311"],
    ...     "staff": [12, 30, 250, 40],
    ...     "payroll": [1.5, 4.0, 60.0, 5.5]})
    >>> aggregate(records, region_col="province", industry_col="isic", value_col="staff",
    ...           wage_col="payroll")
       region industry  employment  establishments  wages
    0  Kerman     1079        42.0               2    5.5
    1  Kerman     2410       250.0               1   60.0
    2    Yazd     1311        40.0               1    5.5
    """
    if missing_values not in ("error", "zero"):
        raise AnalyticsInputError(
            "bad_argument", f"missing_values must be 'error' or 'zero', got {missing_values!r}.",
            argument="missing_values", value=str(missing_values),
        )
    if establishment_years is not None and (establishment_col is None or year_col is None):
        raise AnalyticsInputError(
            "bad_argument", "establishment_years needs both an establishment column and a year column.",
            argument="establishment_years",
        )
    if plant_squares and value_col is None:
        raise AnalyticsInputError(
            "bad_argument", "plant_squares needs a value (employment) column.", argument="plant_squares",
        )
    if analysed_years is not None and year_col is None:
        raise AnalyticsInputError(
            "bad_argument", "analysed_years needs a year column.", argument="analysed_years",
        )
    c = _prepare(table, {"region": region_col, "industry": industry_col, "year": year_col,
                         "establishment": establishment_col, "value": value_col, "wage": wage_col})
    t, exprs = c.table, c.exprs
    keys = {key: exprs[key] for key in KEYS if key in exprs}
    metrics: dict[str, Any] = {}
    if "value" in exprs:
        metrics["employment"] = exprs["value"].sum()
    if "establishment" not in exprs:
        metrics["establishments"] = t.count()
    elif establishment_years is None:
        metrics["establishments"] = exprs["establishment"].nunique()
    else:  # records with an establishment, per group: the distinct count where no establishment repeats
        metrics["establishments"] = exprs["establishment"].count()
    if "wage" in exprs:
        metrics["wages"] = exprs["wage"].sum()
    if plant_squares:
        # float64 before squaring: a squared int64 could overflow on very large plants
        size = exprs["value"].cast("float64")
        metrics["employment_squares"] = (size * size).sum()
    present = wanted = None
    years_later = False  # the years present are read after grouping (the first and last came with the checks)
    if _checked_apart(t):  # the grouped query without check columns, the checks from the statistics
        # A whole-number year column also gives its first and last year from the statistics: the wanted
        # years are then known without reading the column, which is read after the grouped query.
        span = {"_first_year": exprs["year"].min(), "_last_year": exprs["year"].max()} if (
            analysed_years is not None and "year" not in c.cast and exprs["year"].type().is_integer()) else {}
        checks = _execute(t.aggregate(**_check_metrics(c, {}), **span), arrow=True).to_pandas()
        grouped = t
        if analysed_years is not None:  # read the years first (one column), then group only those wanted
            bounds = _year_bounds(checks) if span else None
            if bounds is not None:
                wanted, years_later = _wanted_years(bounds, analysed_years), True
                grouped = t.filter(exprs["year"].isin(wanted))
            else:
                present = _present_years(c)
                wanted = _wanted_years(present, analysed_years)
                if present is not None and not set(present) <= set(wanted):
                    grouped = t.filter(exprs["year"].isin(wanted))
        if "establishment" not in exprs or (
                establishment_years is not None
                and int(checks["_count_establishment"].sum()) == int(checks["_rows"].sum())):
            # Records counted on the grouped (perhaps filtered) table: Ibis refuses the count of ``t`` there.
            # With an establishment column that every record fills (the distinct count comes later), counting
            # rows is the same as counting identifiers, and reads no identifier.
            metrics["establishments"] = grouped.count()
        frame = _fetch(grouped.group_by(**keys).aggregate(**metrics), list(keys))
    else:
        frame = _fetch(t.group_by(**keys).aggregate(**metrics, **_check_metrics(c, keys)), list(keys))
        checks = None

    sums = {role: name for role, name in (("value", "employment"), ("wage", "wages")) if role in exprs}
    _raise_for_problems(frame, c, sums, missing_values=missing_values, checks=checks)
    measures = [m for m in (*MEASURES, "employment_squares") if m in metrics]
    out = _tidy(frame, list(keys), measures, integer=("establishments",))
    if establishment_years is not None:
        if provisional is not None:
            early = out.copy(deep=False)  # (``out`` is not changed below: a new frame gets the final counts)
            if analysed_years is not None:  # (the years of its records only, when the others are not read yet)
                early.attrs["years"] = present if present is not None else sorted(pd.unique(out["year"]).tolist())
            provisional(early)
        out = out.assign(establishments=_establishments_in_years(c, frame, establishment_years))
    if analysed_years is not None:
        if years_later:
            present = _present_years(c)
        elif present is None:  # grouped every year (or the years could not be read apart): select here
            present = sorted(pd.unique(out["year"]).tolist())
            wanted = _wanted_years(present, analysed_years)
            out = out[out["year"].isin(wanted)].reset_index(drop=True)
        out.attrs["years"] = present
    return out


def _present_years(c: _Columns) -> list[Any] | None:
    """The distinct years of the records, sorted; None when a year is missing or did not read as a year
    (the grouped query then reports it as it does without ``analysed_years``)."""
    years = _execute(c.table.select(year=c.exprs["year"]).distinct(), arrow=True).column("year").to_pylist()
    if any(y is None for y in years):
        return None
    return sorted(years)


def _year_bounds(checks: pd.DataFrame) -> list[Any] | None:
    """The first and last year from the checks, when every record has one (else None: the years are
    then read, and a missing one reported, as before)."""
    rows, counted = int(checks["_rows"].sum()), int(checks["_count_year"].sum())
    first, last = checks["_first_year"].iloc[0], checks["_last_year"].iloc[0]
    if rows == 0 or counted < rows or pd.isna(first) or pd.isna(last):
        return None
    return sorted({int(first), int(last)})


def _wanted_years(present: list[Any] | None, analysed_years: Sequence[Any] | str) -> list[Any]:
    """The first year present and the analysed ones (``"latest"``: the last year present)."""
    if not present:
        return []
    if isinstance(analysed_years, str):
        if analysed_years != "latest":
            raise AnalyticsInputError(
                "bad_argument", f"analysed_years must be a list of years or 'latest', got {analysed_years!r}.",
                argument="analysed_years", value=analysed_years,
            )
        chosen = [present[-1]]
    else:
        chosen = list(analysed_years)
    return list(dict.fromkeys([present[0], *chosen]))


def _establishments_in_years(c: _Columns, frame: pd.DataFrame, years: Sequence[Any] | str) -> np.ndarray:
    """Distinct establishments per group of ``frame`` in ``years`` (NaN in the other years), exact.

    ``frame["establishments"]`` holds each group's records with an establishment.  One query counts, per
    selected year, records and distinct establishments: in a year where they are equal no establishment
    repeats, so every group's records are distinct establishments.  Only the years where some
    establishment repeats are counted distinct per group, by a second query over those years' records.
    """
    present = pd.unique(frame["year"])
    if isinstance(years, str):
        if years != "latest":
            raise AnalyticsInputError(
                "bad_argument", f"establishment_years must be a list of years or 'latest', got {years!r}.",
                argument="establishment_years", value=years,
            )
        wanted = [max(present.tolist())]
    else:
        known = set(present.tolist())
        wanted = [y for y in dict.fromkeys(years) if y in known]
    counts = np.full(len(frame), np.nan)
    if not wanted:
        return counts
    t, year, establishment = c.table, c.exprs["year"], c.exprs["establishment"]
    selected = t.filter(year.isin(wanted))
    in_years = frame["year"].isin(wanted).to_numpy()
    counts[in_years] = frame["establishments"].to_numpy(dtype=float)[in_years]
    repeated = _years_with_repeats(c, selected, wanted, records=int(counts[in_years].sum()))
    if repeated:
        keys = {key: c.exprs[key] for key in KEYS}
        again = t.filter(year.isin(repeated))
        exact = _execute(again.group_by(**keys).aggregate(_distinct=establishment.nunique()), arrow=True).to_pandas()
        position = pd.MultiIndex.from_frame(frame[list(KEYS)]).get_indexer(
            pd.MultiIndex.from_frame(exact[list(KEYS)]))
        counts[position] = exact["_distinct"].to_numpy(dtype=float)
    return counts


#: Up to this many establishment identifiers are checked for repeats in NumPy rather than by the backend.
_IDS_IN_MEMORY = 50_000_000


def _years_with_repeats(c: _Columns, selected: ir.Table, years: list[Any], *, records: int) -> list[Any]:
    """The years among ``years`` in which some establishment has more than one record (of ``selected``,
    the records of those years; ``records`` of them have an establishment).

    Whole-number identifiers on DuckDB come into NumPy (16 MB for the 2 million records of a year):
    identifiers already in increasing order (a register sorted by its key) have no repeat, others are
    sorted; a third of the CPU time of the backend's ``COUNT(DISTINCT)``.  Elsewhere (text identifiers,
    Spark, databases, more than :data:`_IDS_IN_MEMORY` records) the backend compares the number of
    records with the number of distinct establishments per year.
    """
    year, establishment = c.exprs["year"], c.exprs["establishment"]
    if (records <= _IDS_IN_MEMORY and establishment.type().is_integer()
            and ibis.get_backend(selected).name == "duckdb"):
        ids = _execute(selected.filter(establishment.notnull()).select(_year=year, _id=establishment), arrow=True)
        in_year, every_id = ids.column("_year").to_numpy(), ids.column("_id").to_numpy()
        repeated = []
        for wanted in years:
            found = every_id if len(years) == 1 else every_id[in_year == wanted]
            if found.size > 1 and not (found[1:] > found[:-1]).all():
                found = np.sort(found)
                if (found[1:] == found[:-1]).any():
                    repeated.append(wanted)
        return repeated
    # through Arrow: Ibis's own conversion to pandas imports GeoPandas, half a second
    per_year = _execute(selected.group_by(_year=year).aggregate(
        _records=establishment.count(), _distinct=establishment.nunique()), arrow=True).to_pandas()
    return per_year.loc[per_year["_records"] > per_year["_distinct"], "_year"].tolist()


def _fetch(expr: Any, keys: list[str]) -> pd.DataFrame:
    """Execute a grouped expression and return it sorted by its keys.

    Through Arrow, which converts to pandas many times faster than Ibis's own conversion.  Sorted here
    rather than by the backend (an ORDER BY costs a third of the aggregation on DuckDB), and by integer
    ranks: Arrow's own sort on text keys takes half a second for the 400,000 groups of 10 million rows,
    ranks take a few hundredths.
    """
    table = _execute(expr, arrow=True)
    ranks, texts = [], {}
    for key in reversed(keys):  # np.lexsort sorts by the last key first
        column = table.column(key).combine_chunks()
        encoded = pc.dictionary_encode(column)
        order = pc.array_sort_indices(encoded.dictionary).to_numpy()
        rank_of = np.empty(len(order) + 1, dtype=np.int64)
        rank_of[order] = np.arange(len(order))
        rank_of[-1] = len(order)  # an empty key (reported as an error afterwards) sorts last
        codes = encoded.indices.fill_null(-1).to_numpy()
        ranks.append(rank_of[codes])
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            # One Python string per distinct text, shared by its rows (Arrow's to_pandas makes one per row:
            # 800,000 for the 400,000 groups of 10 million rows); None where the key is empty.
            distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)
            distinct[:-1] = encoded.dictionary.to_pylist()
            texts[key] = (distinct, codes)
    order = np.lexsort(ranks)
    frame = table.drop_columns(list(texts)).to_pandas().take(order)
    frame.index = pd.RangeIndex(len(frame))
    for position, name in enumerate(table.column_names):  # the text keys back in their places
        if name in texts:
            distinct, codes = texts[name]
            frame.insert(position, name, distinct[codes[order]])
    return frame


def _tidy(frame: pd.DataFrame, keys: list[str], measures: list[str], *, integer: tuple[str, ...]) -> pd.DataFrame:
    """Drop the check columns and give every backend's result the same dtypes."""
    out = frame[keys + measures]
    dtypes = {m: "int64" if m in integer else "float64" for m in measures}
    # Spark reads a CSV's whole numbers as int32 where DuckDB reads int64.
    dtypes.update({k: "int64" for k in keys if pd.api.types.is_integer_dtype(out[k])})
    # Missing values counted as zero (missing_values="zero") leave an all-empty group's sum empty.
    if out[measures].isna().to_numpy().any():
        out = out.fillna({m: 0 for m in measures})
    return out.astype(dtypes, copy=False)  # ``out`` is already a copy: columns of the right type stay as they are


def plant_shares(
    table: Any,
    *,
    industry_col: str,
    value_col: str,
    establishment_col: str | None = None,
    year_col: str | None = None,
    missing_values: Literal["error", "zero"] = "error",
) -> pd.DataFrame:
    r"""Plant Herfindahl :math:`H_i` of every industry (and year), computed in the backend.

    How much of an industry's employment sits in a few big plants: :math:`H_i` is near 0 when the
    industry is many small plants and 1 when it is a single plant.  It is the plant-level input of the
    Ellison-Glaeser agglomeration index, which discounts the concentration that big plants alone cause.

    .. math::

        H_i = \sum_{k \in i} z_k^2, \qquad z_k = \frac{e_k}{\sum_{k' \in i} e_{k'}}

    where :math:`e_k` is the employment of plant :math:`k` (the sum of its records when
    ``establishment_col`` is given, otherwise each record is a plant).

    Parameters
    ----------
    table : ibis Table or pandas DataFrame
        Establishment records, usually from :func:`open_source`.
    industry_col, value_col : str
        Industry and employment columns.
    establishment_col : str, optional
        Plant identifier: records of the same plant (in an industry and year) are added up first.
    year_col : str, optional
        Year column: one :math:`H_i` per industry and year.
    missing_values : {"error", "zero"}
        As in :func:`aggregate`.

    Returns
    -------
    pandas.DataFrame
        Columns ``industry``, [``year``], ``plants`` (number of plants), ``employment`` (the industry's
        total) and ``herfindahl`` (:math:`H_i`; NaN for an industry whose employment is 0).

    Raises
    ------
    AnalyticsInputError
        The same checks as :func:`aggregate`.

    References
    ----------
    Ellison, G. & Glaeser, E. L. (1997) Geographic concentration in U.S. manufacturing industries: a
    dartboard approach, Journal of Political Economy 105(5), 889-927 (the plant Herfindahl :math:`H`).
    REAT ``herf`` / ``ellison.a`` (Wieland).

    Examples
    --------
    Three plants of 10, 30 and 60 employees: :math:`0.1^2 + 0.3^2 + 0.6^2 = 0.46`.

    >>> import pandas as pd
    >>> plants = pd.DataFrame({"isic": ["1079"] * 3 + ["2410"], "staff": [10, 30, 60, 500]})
    >>> plant_shares(plants, industry_col="isic", value_col="staff")
      industry  plants  employment  herfindahl
    0     1079       3       100.0        0.46
    1     2410       1       500.0        1.00
    """
    if missing_values not in ("error", "zero"):
        raise AnalyticsInputError(
            "bad_argument", f"missing_values must be 'error' or 'zero', got {missing_values!r}.",
            argument="missing_values", value=str(missing_values),
        )
    c = _prepare(table, {"industry": industry_col, "year": year_col, "establishment": establishment_col,
                         "value": value_col})
    t, exprs = c.table, c.exprs
    keys = {key: exprs[key] for key in ("industry", "year") if key in exprs}
    checks = _check_metrics(c, keys)
    # float64 before squaring: a squared int64 sum could overflow on very large plants.
    size = exprs["value"].cast("float64")
    if "establishment" in exprs:
        p = t.group_by(**keys, _plant=exprs["establishment"]).aggregate(_size=size.sum(), **checks)
        size_p = p["_size"].fill_null(0)
        grouped = p.group_by(*keys).aggregate(
            plants=p.count(), employment=size_p.sum(), _squares=(size_p * size_p).sum(),
            **_combine_checks(p, list(checks)),
        )
    else:
        filled = size.fill_null(0)
        grouped = t.group_by(**keys).aggregate(
            plants=t.count(), employment=filled.sum(), _squares=(filled * filled).sum(), **checks,
        )
    frame = _fetch(grouped, list(keys))
    _raise_for_problems(frame, c, {"value": "employment"}, missing_values=missing_values)
    out = _tidy(frame, list(keys), ["plants", "employment", "_squares"], integer=("plants",))
    total = out["employment"].to_numpy()
    squares = out.pop("_squares").to_numpy()
    out["herfindahl"] = np.divide(squares, total**2, out=np.full(len(out), np.nan), where=total > 0)
    return out


# -- long form to matrices ------------------------------------------------------------------------------


class LabelledSparse(NamedTuple):
    """A sparse region x industry matrix with its labels (unpacks as ``matrix, regions, industries``)."""

    matrix: sp.csr_matrix
    regions: pd.Index
    industries: pd.Index


def _measures_of(long_frame: Any, measures: list[str] | None) -> list[str]:
    """Check that ``long_frame`` is a long form; return the measures to put in matrices."""
    if not isinstance(long_frame, pd.DataFrame):
        raise AnalyticsInputError(
            "unsupported_source", f"expected the long DataFrame from aggregate(), got a {type(long_frame).__name__}.",
            value=type(long_frame).__name__,
        )
    available = list(map(str, long_frame.columns))
    for key in ("region", "industry"):
        if key not in long_frame.columns:
            raise _missing_column(key, key, available)
    wanted = measures if measures is not None else [
        m for m in (*MEASURES, "employment_squares") if m in long_frame.columns]
    missing = [m for m in wanted if m not in long_frame.columns]
    if missing or not wanted:
        raise AnalyticsInputError(
            "missing_column",
            f"data: the measure column {missing[0]!r} is not in the data" if missing else
            f"data: no measure column ({', '.join(MEASURES)}) in the data"
            f"; available columns: {', '.join(available)}.",
            column=missing[0] if missing else None, role="measure", available=available,
        )
    return wanted


def _year_rows(long_frame: pd.DataFrame, year: Any) -> tuple[np.ndarray | None, Any]:
    """Which rows belong to ``year`` (None: all rows, the frame has no year column) and the year."""
    if "year" not in long_frame.columns:
        if year is not None:
            raise _missing_column("year", "year", list(map(str, long_frame.columns)))
        return None, None
    years = sorted(pd.unique(long_frame["year"]).tolist())
    if year is None:
        if len(years) != 1:
            raise AnalyticsInputError(
                "year_required",
                f"data: the records cover {len(years)} years ({_years(years)}); choose one with year=.",
                available=years,
            )
        year = years[0]
    if year not in years:
        raise AnalyticsInputError(
            "unknown_year", f"data: there is no year {year!r}; the years are {_years(years)}.",
            value=str(year), available=years,
        )
    return long_frame["year"].to_numpy() == year, year


def _years(years: list[Any]) -> str:
    return ", ".join(map(str, years[:10])) + (" ..." if len(years) > 10 else "")


def _check_values(frame: pd.DataFrame, measures: list[str]) -> None:
    for m in measures:
        values = frame[m]
        if not pd.api.types.is_numeric_dtype(values):
            raise AnalyticsInputError(
                "non_numeric", f"data: column {m!r} is not numeric ({values.dtype}); give numbers only.",
                column=m, dtype=str(values.dtype),
            )
        bad = ~(values.to_numpy(dtype=float) >= 0)  # negative or missing
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AnalyticsInputError(
                "missing_value" if pd.isna(values.iloc[i]) else "negative_value",
                f"data: row {frame.index[i]!r}, column {m!r}: {values.iloc[i]!r}; give numbers of zero or more.",
                column=m, row=str(frame.index[i]), value=str(values.iloc[i]),
            )


def _label_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray, pd.Index]:
    """Sorted region and industry labels and every row's position among them (one hashing pass each)."""
    rows, regions = pd.factorize(frame["region"], sort=True)
    cols, industries = pd.factorize(frame["industry"], sort=True)
    for key, codes in (("region", rows), ("industry", cols)):
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise AnalyticsInputError(
                "missing_value", f"data: row {frame.index[i]!r} has no {key}.", column=key, row=str(frame.index[i]),
            )
    return rows, pd.Index(regions, name="region"), cols, pd.Index(industries, name="industry")


def _check_unique(frame: pd.DataFrame, cell: np.ndarray) -> None:
    """Each cell (region, industry[, year]) once: a repeated one would be silently overwritten."""
    order = np.argsort(cell, kind="stable")
    repeated = np.flatnonzero(cell[order][1:] == cell[order][:-1])
    if repeated.size:
        i = int(order[repeated[0] + 1])
        row = frame.iloc[i]
        when = f" in year {row['year']!r}" if "year" in frame.columns else ""
        raise AnalyticsInputError(
            "duplicate_row",
            f"data: region {row['region']!r} and industry {row['industry']!r} appear more than once{when}; "
            "aggregate() gives one row each.",
            row=str(frame.index[i]), region=str(row["region"]), industry=str(row["industry"]),
        )


def _cells(long_frame: Any, year: Any, align: bool, measures: list[str] | None):
    """Validate the long form; return the rows of ``year``, the labels and each row's matrix position."""
    wanted = _measures_of(long_frame, measures)
    selected, year = _year_rows(long_frame, year)
    frame = long_frame if selected is None else long_frame[selected]
    _check_values(frame, wanted)
    rows, regions, cols, industries = _label_codes(long_frame if align else frame)
    if align and selected is not None:
        rows, cols = rows[selected], cols[selected]
    _check_unique(frame, rows.astype(np.int64) * len(industries) + cols)
    return frame, wanted, regions, industries, rows, cols


def _dense(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, regions: pd.Index, industries: pd.Index):
    matrix = np.zeros((len(regions), len(industries)))
    matrix[rows, cols] = values
    return pd.DataFrame(matrix, index=regions, columns=industries)


def to_matrices(
    long_frame: pd.DataFrame, *, year: Any = None, align: bool = False, measures: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Region x industry matrices (one per measure) from the long result of :func:`aggregate`.

    Cell :math:`(r, i)` of the ``employment`` matrix is :math:`E_{ri}`, the employment of industry
    :math:`i` in region :math:`r`; a region-industry pair without records is 0.

    Parameters
    ----------
    long_frame : pandas.DataFrame
        The result of :func:`aggregate` (columns ``region``, ``industry``, [``year``] and measures).
    year : optional
        The year to take when the frame has a ``year`` column (required when it holds several years).
    align : bool
        If True, rows and columns are every region and industry of the whole frame (all years), so that
        matrices of different years line up for growth and shift-share; the default keeps those of
        ``year`` only (no all-zero row or column).
    measures : list of str, optional
        The measure columns to make matrices of (only these are checked); default: every measure of the
        frame (``employment``, ``establishments``, ``wages``, ``employment_squares``).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"employment": ..., "establishments": ..., "wages": ...}`` (the measures asked for), float64,
        index ``region`` and columns ``industry``, both sorted.

    Raises
    ------
    AnalyticsInputError
        ``missing_column``, ``year_required`` (lists the years), ``unknown_year``, ``negative_value``,
        ``non_numeric``, ``duplicate_row``.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"region": ["Kerman", "Kerman", "Yazd"], "industry": ["1079", "2410", "1311"],
    ...                      "employment": [42.0, 250.0, 40.0], "establishments": [2, 1, 1]})
    >>> to_matrices(long)["employment"]  # doctest: +NORMALIZE_WHITESPACE
    industry  1079   1311   2410
    region
    Kerman    42.0    0.0  250.0
    Yazd       0.0   40.0    0.0
    """
    frame, measures, regions, industries, rows, cols = _cells(long_frame, year, align, measures)
    return {m: _dense(frame[m].to_numpy(dtype=float), rows, cols, regions, industries) for m in measures}


def to_panel(long_frame: pd.DataFrame) -> dict[Any, dict[str, pd.DataFrame]]:
    """The matrices of every year, on the same regions and industries: the input of growth and shift-share.

    The same as ``{year: to_matrices(long_frame, year=year, align=True) for year in years}``, with the
    labels worked out once for all years.

    Parameters
    ----------
    long_frame : pandas.DataFrame
        The result of :func:`aggregate` with a ``year`` column.

    Returns
    -------
    dict
        ``{year: {"employment": DataFrame, ...}}``, years in increasing order; every matrix has every
        region and industry of the frame (sorted), 0 where a year has no record.

    Raises
    ------
    AnalyticsInputError
        As :func:`to_matrices`; ``missing_column`` without a ``year`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"region": ["Kerman", "Kerman", "Yazd"], "industry": ["1079", "1079", "1311"],
    ...                      "year": [2020, 2021, 2021], "employment": [40.0, 42.0, 7.0]})
    >>> panel = to_panel(long)
    >>> list(panel)
    [2020, 2021]
    >>> panel[2020]["employment"].to_numpy().tolist()
    [[40.0, 0.0], [0.0, 0.0]]
    """
    measures = _measures_of(long_frame, None)
    if "year" not in long_frame.columns:
        raise _missing_column("year", "year", list(map(str, long_frame.columns)))
    _check_values(long_frame, measures)
    rows, regions, cols, industries = _label_codes(long_frame)
    year_codes, years = pd.factorize(long_frame["year"], sort=True)
    if (year_codes < 0).any():
        i = int(np.flatnonzero(year_codes < 0)[0])
        raise AnalyticsInputError(
            "missing_value", f"data: row {long_frame.index[i]!r} has no year.", column="year",
            row=str(long_frame.index[i]),
        )
    _check_unique(long_frame, (year_codes.astype(np.int64) * len(regions) + rows) * len(industries) + cols)
    panel = {}
    for k, year in enumerate(years.tolist()):
        mask = year_codes == k
        panel[year] = {m: _dense(long_frame[m].to_numpy(dtype=float)[mask], rows[mask], cols[mask], regions,
                                 industries) for m in measures}
    return panel


def to_sparse(
    long_frame: pd.DataFrame, *, measure: str = "employment", year: Any = None, align: bool = False,
) -> LabelledSparse:
    """One measure as a SciPy CSR region x industry matrix, for big, mostly empty matrices.

    The same cells as :func:`to_matrices`, without ever building the dense matrix: memory grows with the
    number of region-industry pairs that have activity, not with regions x industries.  Zero cells are
    not stored.

    Parameters
    ----------
    long_frame : pandas.DataFrame
        The result of :func:`aggregate`.
    measure : {"employment", "establishments", "wages"}
        The column to put in the matrix.
    year, align
        As in :func:`to_matrices`.

    Returns
    -------
    LabelledSparse
        ``(matrix, regions, industries)``: a float64 ``scipy.sparse.csr_matrix`` and the sorted labels of
        its rows and columns.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"region": ["Kerman", "Kerman", "Yazd"], "industry": ["1079", "2410", "1311"],
    ...                      "employment": [42.0, 250.0, 40.0]})
    >>> matrix, regions, industries = to_sparse(long)
    >>> matrix.nnz, list(regions), list(industries)
    (3, ['Kerman', 'Yazd'], ['1079', '1311', '2410'])
    >>> matrix.toarray()
    array([[ 42.,   0., 250.],
           [  0.,  40.,   0.]])
    """
    if measure not in MEASURES:
        raise AnalyticsInputError(
            "bad_argument", f"measure must be one of {', '.join(MEASURES)}, got {measure!r}.",
            argument="measure", value=str(measure),
        )
    frame, _, regions, industries, rows, cols = _cells(long_frame, year, align, [measure])
    values = frame[measure].to_numpy(dtype=float)
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(regions), len(industries)))
    matrix.eliminate_zeros()
    return LabelledSparse(matrix, regions, industries)
