"""Reading an analysis run's result tables (Parquet) with DuckDB: one page at a time.

Pages, the API and exports never load a whole table: DuckDB applies the filters, the ORDER BY and the
LIMIT/OFFSET while it reads the file. Column names come from the file's own schema (a requested column
that is not there is refused), values are bound as query parameters.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MAX_PER_PAGE = 1000
EXPORT_BATCH_ROWS = 20_000
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")
ROW_NUMBER = "file_row_number"  # added by read_parquet: the stable last sort key


_database = None
_database_lock = threading.Lock()


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the process's one in-memory DuckDB database (opening a database costs ~50 ms, a
    cursor almost nothing; a cursor serves one thread)."""
    global _database
    with _database_lock:
        if _database is None:
            _database = duckdb.connect()
    return _database.cursor()


class TableQueryError(ValueError):
    """A bad sort, filter or page parameter: ``field`` names the parameter, ``message`` says why."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def kind(self) -> str:
        upper = self.type.upper()
        if upper == "BOOLEAN":
            return "bool"
        if upper.startswith(_NUMERIC):
            return "number"
        return "text"


@dataclass
class Filter:
    column: str
    op: str  # eq | gte | lte | true
    value: object = None


@dataclass
class TablePage:
    columns: list[Column]
    rows: list[tuple]
    total: int
    page: int
    per_page: int
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def records(self) -> list[dict]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def quote(name: str) -> str:
    """A column name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _source(path: Path) -> str:
    return f"read_parquet('{str(path).replace(chr(39), chr(39) * 2)}', file_row_number = true)"


def columns_of(path: Path) -> list[Column]:
    with cursor() as con:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')"
                                ).fetchall()
    return [Column(name, str(kind)) for name, kind, *_ in described]


def _where(columns: dict[str, Column], filters: list[Filter], q: str | None,
           q_values: dict[str, list[str]] | None = None) -> tuple[str, list]:
    clauses, params = [], []
    for item in filters:
        column = columns.get(item.column)
        if column is None:
            raise TableQueryError(item.column, f"There is no column {item.column!r} in this table.")
        name = quote(column.name)
        if item.op == "true":
            if column.kind != "bool":
                raise TableQueryError(item.column, f"The column {item.column!r} is not yes/no.")
            clauses.append(f"{name}")
            continue
        value = item.value
        if column.kind == "number":
            try:
                value = float(str(value).strip())
            except (TypeError, ValueError):
                raise TableQueryError(item.column, f"{value!r} is not a number.") from None
            if not math.isfinite(value):
                raise TableQueryError(item.column, f"{value!r} is not a number.")
        elif column.kind == "bool":
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0", "yes", "no"):
                raise TableQueryError(item.column, f"{value!r} is not true or false.")
            value = text in ("true", "1", "yes")
        else:
            value = str(value)
            name = f"CAST({name} AS VARCHAR)"
        operator = {"eq": "=", "gte": ">=", "lte": "<="}.get(item.op)
        if operator is None:
            raise TableQueryError(item.column, f"Unknown filter {item.op!r}.")
        clauses.append(f"{name} {operator} ?")
        params.append(value)
    if q:
        # The text in any text column, or (``q_values``) one of the values whose name holds the text.
        texts = [c for c in columns.values() if c.kind == "text"]
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        alternatives = [f"lower(CAST({quote(c.name)} AS VARCHAR)) LIKE ? ESCAPE '\\'" for c in texts]
        params.extend([pattern] * len(texts))
        for name, values in (q_values or {}).items():
            if name in columns and values:
                alternatives.append(f"CAST({quote(name)} AS VARCHAR) IN ({', '.join('?' * len(values))})")
                params.extend(str(v) for v in values)
        clauses.append("(" + (" OR ".join(alternatives) or "false") + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def parse_sort(columns: dict[str, Column], sort: str | None) -> list[tuple[str, bool]]:
    """``"-lq,region"`` -> [("lq", True), ("region", False)], refusing unknown columns."""
    order = []
    for part in (sort or "").split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-")
        if name not in columns:
            raise TableQueryError("sort", f"There is no column {name!r} to sort by.")
        order.append((name, descending))
    return order


def _order(order: list[tuple[str, bool]]) -> str:
    parts = [f"{quote(name)} {'DESC' if desc else 'ASC'} NULLS LAST" for name, desc in order]
    return " ORDER BY " + ", ".join([*parts, ROW_NUMBER])


def query(path: Path, *, sort: str | None = None, filters: list[Filter] | None = None, q: str | None = None,
          q_values: dict[str, list[str]] | None = None, page: int = 1, per_page: int = 50,
          columns: list[Column] | None = None) -> TablePage:
    """One page of the table at ``path`` with the rows that match ``filters`` and ``q`` (text contained
    in any text column, case-insensitive), ordered by ``sort``."""
    columns = columns or columns_of(path)
    by_name = {c.name: c for c in columns}
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise TableQueryError("page_size", f"Give a page size between 1 and {MAX_PER_PAGE}.")
    if page < 1:
        raise TableQueryError("page", "Pages are numbered from 1.")
    order = parse_sort(by_name, sort)
    where, params = _where(by_name, filters or [], q, q_values)
    select = ", ".join(quote(c.name) for c in columns)
    with cursor() as con:
        total = con.execute(f"SELECT count(*) FROM {_source(path)}{where}", params).fetchone()[0]
        rows = con.execute(
            f"SELECT {select} FROM {_source(path)}{where}{_order(order)} LIMIT ? OFFSET ?",
            [*params, per_page, (page - 1) * per_page],
        ).fetchall()
    return TablePage(columns=columns, rows=rows, total=int(total), page=page, per_page=per_page, sort=order)


def iterate(path: Path, *, sort: str | None = None, filters: list[Filter] | None = None, q: str | None = None,
            q_values: dict[str, list[str]] | None = None,
            limit: int | None = None) -> tuple[list[Column], Iterator[list[tuple]]]:
    """Every matching row, in batches (for exports)."""
    columns = columns_of(path)
    by_name = {c.name: c for c in columns}
    order = parse_sort(by_name, sort)
    where, params = _where(by_name, filters or [], q, q_values)
    select = ", ".join(quote(c.name) for c in columns)
    sql = f"SELECT {select} FROM {_source(path)}{where}{_order(order)}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"

    def batches() -> Iterator[list[tuple]]:
        with cursor() as con:
            result = con.execute(sql, params)
            while True:
                chunk = result.fetchmany(EXPORT_BATCH_ROWS)
                if not chunk:
                    return
                yield chunk

    return columns, batches()


def fetch_frame(path: Path, sql_columns: list[str] | None = None, filters: list[Filter] | None = None):
    """A (small) table or some of its columns as a pandas DataFrame, e.g. the candidate clusters."""
    columns = columns_of(path)
    by_name = {c.name: c for c in columns}
    wanted = [c for c in (sql_columns or by_name) if c in by_name]
    where, params = _where(by_name, filters or [], None)
    with cursor() as con:
        return con.execute(f"SELECT {', '.join(quote(c) for c in wanted)} FROM {_source(path)}{where} "
                           f"ORDER BY {ROW_NUMBER}", params).df()


def distinct_values(path: Path, column: str, limit: int = 100_000) -> list:
    columns = {c.name for c in columns_of(path)}
    if column not in columns:
        return []
    with cursor() as con:
        return [row[0] for row in con.execute(
            f"SELECT DISTINCT {quote(column)} FROM {_source(path)} WHERE {quote(column)} IS NOT NULL "
            f"ORDER BY 1 LIMIT {int(limit)}").fetchall()]
