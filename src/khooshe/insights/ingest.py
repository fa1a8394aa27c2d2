"""Reading an uploaded CSV/XLSX/Parquet file, checking it and storing it as the dataset's Parquet file.

DuckDB reads CSV and Parquet where they lie (nothing is loaded into pandas, so a file of millions of rows
needs little memory); an XLSX sheet is first copied into a Parquet file with openpyxl's streaming reader.
Every column is read as text and the mapped numeric columns are converted by us, so that "01" stays
"01" (an industry code) and Persian digits (۱۲۳), Arabic digits and thousands separators are understood.

The checks run before anything is stored and raise ``AnalyticsInputError`` naming the column, the row
(1 = the first row under the header) and the value; ``errors.ERROR_MESSAGES`` translates them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from khooshe.analytics.validation import AnalyticsInputError

PREVIEW_ROWS = 10
XLSX_BATCH_ROWS = 50_000
RAW_FILE = "raw.parquet"  # the XLSX sheet as text columns, made while staging

# Roles of the columns of a dataset and the canonical column names of the stored Parquet file.
ROLES = ("region", "industry", "value", "year", "establishment", "wage")
REQUIRED_ROLES = ("region", "industry", "value")
NUMERIC_ROLES = ("value", "wage")
KEY_ROLES = ("region", "industry", "establishment")

EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet",
              ".pq": "parquet"}

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫"
_ASCII_DIGITS = "01234567890123456789."


@dataclass
class Preview:
    columns: list[str]
    rows: list[list[str]]
    guesses: dict[str, str] = field(default_factory=dict)  # role -> column that looks like it


@dataclass
class Stored:
    rows: int
    columns: list[list[str]]  # [name, type] of the stored file
    mapping: dict[str, str]  # role -> column of the original file (empty roles left out)


def detect_format(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        raise AnalyticsInputError("unsupported_format", f"Cannot read files of type {suffix or '(none)'!r}; "
                                  "upload CSV (UTF-8), XLSX or Parquet.", extension=suffix or "?")
    return fmt


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _unreadable(fmt: str, exc: Exception) -> AnalyticsInputError:
    detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return AnalyticsInputError("unreadable_file", f"The file could not be read as {fmt.upper()}: {detail}",
                               format=fmt.upper(), detail=detail)


def _csv_encoding(path: Path) -> str:
    head = path.open("rb").read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8"


def source_relation(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> None:
    """Create the view ``src`` over the staged file (every column as text for CSV/XLSX)."""
    try:
        if fmt == "csv":
            relation = con.read_csv(str(path), header=True, all_varchar=True, encoding=_csv_encoding(path))
        else:
            relation = con.read_parquet(str(path))
        relation.to_view("src")
        con.execute("SELECT * FROM src LIMIT 1").fetchall()  # reading errors show here, not later
    except duckdb.Error as exc:
        raise _unreadable(fmt, exc) from None


def stage(original: Path, fmt: str) -> Path:
    """Prepare a staged upload for reading: an XLSX sheet becomes ``raw.parquet`` next to it.

    Returns the path DuckDB reads (the original for CSV and Parquet)."""
    if fmt != "xlsx":
        return original
    target = original.with_name(RAW_FILE)
    _xlsx_to_parquet(original, target)
    return target


def readable_path(folder: Path) -> tuple[Path, str] | None:
    """The file of a staged upload or stored dataset folder that DuckDB reads, with its format."""
    raw = folder / RAW_FILE
    if raw.exists():
        return raw, "parquet"
    for candidate in sorted(folder.glob("original.*")):
        return candidate, EXTENSIONS.get(candidate.suffix.lower(), "csv")
    return None


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _xlsx_to_parquet(source: Path, target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _unreadable("xlsx", exc) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(v not in (None, "") for v in header):
            raise AnalyticsInputError("no_columns", "The first sheet has no header row with column names.")
        names, seen = [], set()
        for i, value in enumerate(header, start=1):
            name = (_cell_text(value) or f"column_{i}").strip()
            base, n = name, 2
            while name in seen:  # two columns with the same title: keep both
                name, n = f"{base}_{n}", n + 1
            seen.add(name)
            names.append(name)
        schema = pa.schema([(name, pa.string()) for name in names])
        with pq.ParquetWriter(target, schema, compression="zstd") as writer:
            batch: list[list] = [[] for _ in names]
            count = 0
            for row in rows:
                cells = [_cell_text(v) for v in row[: len(names)]]
                if not any(c is not None for c in cells):
                    continue  # blank lines (and the empty rows Excel keeps at the end)
                cells += [None] * (len(names) - len(cells))
                for column, cell in zip(batch, cells, strict=True):
                    column.append(cell)
                count += 1
                if count == XLSX_BATCH_ROWS:
                    writer.write_table(pa.table(batch, schema=schema))
                    batch, count = [[] for _ in names], 0
            writer.write_table(pa.table(batch, schema=schema))
    except AnalyticsInputError:
        raise
    except Exception as exc:
        raise _unreadable("xlsx", exc) from None
    finally:
        workbook.close()


# Common spellings of each role's column, to pre-select the mapping (Persian and English).
_GUESSES = {
    "region": ("region", "province", "state", "county", "area", "geo", "استان", "منطقه", "شهرستان", "region_code"),
    "industry": ("industry", "isic", "sector", "activity", "naics", "nace", "cluster", "product", "صنعت",
                 "رشته", "فعالیت", "بخش", "کد"),
    "value": ("employment", "employees", "emp", "jobs", "workers", "value", "اشتغال", "شاغلان", "کارکنان",
              "تعداد"),
    "year": ("year", "سال"),
    "establishment": ("establishment", "firm", "plant", "company", "کارگاه", "بنگاه", "شرکت"),
    "wage": ("wage", "wages", "payroll", "salary", "دستمزد", "حقوق"),
}


def guess_mapping(columns: list[str]) -> dict[str, str]:
    guesses: dict[str, str] = {}
    taken: set[str] = set()
    for role in ROLES:
        for column in columns:
            lowered = column.strip().lower()
            if column not in taken and any(word in lowered for word in _GUESSES[role]):
                guesses[role] = column
                taken.add(column)
                break
    return guesses


def preview(path: Path, fmt: str, limit: int = PREVIEW_ROWS) -> Preview:
    """The column names and the first rows of a staged file, as text."""
    with duckdb.connect() as con:
        source_relation(con, path, fmt)
        try:
            columns = [row[0] for row in con.execute("DESCRIBE src").fetchall()]
            if not columns:
                raise AnalyticsInputError("no_columns", "The file has no header row with column names.")
            select = ", ".join(f"CAST({_quote(c)} AS VARCHAR)" for c in columns)
            rows = con.execute(f"SELECT {select} FROM src LIMIT {int(limit)}").fetchall()
        except duckdb.Error as exc:
            raise _unreadable(fmt, exc) from None
    return Preview(columns=columns, rows=[["" if v is None else v for v in row] for row in rows],
                   guesses=guess_mapping(columns))


_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")
# Above this many distinct region (or industry) spellings to correct, DuckDB's translate() does it instead.
MAX_SPELLING_FIXES = 5000


def check_mapping(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping without empty roles, after checking it names existing, distinct columns."""
    mapping = {role: column for role, column in mapping.items() if role in ROLES and column}
    for role in REQUIRED_ROLES:
        if role not in mapping:
            raise AnalyticsInputError("mapping_required", f"Choose the column that holds the {role}.", role=role)
    for role, column in mapping.items():
        if column not in columns:
            raise AnalyticsInputError(
                "missing_column", f"The {role} column {column!r} is not in the data; available columns: "
                f"{', '.join(columns)}.", column=column, role=role, available=list(columns))
    seen: dict[str, str] = {}
    for role, column in mapping.items():
        if column in seen:
            raise AnalyticsInputError(
                "mapping_duplicate", f"The column {column!r} is chosen for both the {seen[column]} and the {role}.",
                column=column, role=seen[column], other=role)
        seen[column] = role
    return mapping


def _is_numeric(kind: str) -> bool:
    return kind.upper().startswith(_NUMERIC_TYPES)


def _clean_view(con, mapping: dict[str, str], types: dict[str, str]) -> None:
    """The view ``cleaned``: per mapped role a text column ``<role>_raw`` (trimmed, '' as NULL) and, for
    the numeric roles, ``<role>_num``. Persian/Arabic digits and separators are converted only in values
    that are not plain ASCII: DuckDB's translate() is slow and most files never need it."""
    inner = [f"nullif(trim(CAST({_quote(column)} AS VARCHAR)), '') AS {role}_raw" for role, column in mapping.items()]
    outer = [f"{role}_raw" for role in mapping]
    for role, column in mapping.items():
        if role not in NUMERIC_ROLES and role != "year":
            continue
        if _is_numeric(types.get(column, "")):
            inner.append(f"CAST({_quote(column)} AS DOUBLE) AS {role}_typed")
            outer.append(f"{role}_typed AS {role}_num")
            continue
        text = f"{role}_raw"
        plain = f"replace({text}, ',', '')"
        other = f"replace(replace(translate({text}, '{_PERSIAN_DIGITS}', '{_ASCII_DIGITS}'), ',', ''), '٬', '')"
        outer.append(f"TRY_CAST(CASE WHEN strlen({text}) = length({text}) THEN {plain} ELSE {other} END AS DOUBLE) "
                     f"AS {role}_num")
    con.execute(f"CREATE TEMP VIEW cleaned AS SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM src)")


def _problems(mapping: dict[str, str]) -> list[tuple[str, str, str]]:
    """(code, role, SQL condition over ``cleaned`` that is true on a bad row), in the order reported."""
    checks = []
    for role in ROLES:
        if role not in mapping:
            continue
        raw, num = f"{role}_raw", f"{role}_num"
        if role in ("region", "industry"):
            checks.append(("missing_value", role, f"{raw} IS NULL"))
        elif role in NUMERIC_ROLES or role == "year":
            if role != "wage":
                checks.append(("missing_value", role, f"{raw} IS NULL"))
            checks.append(("non_numeric", role, f"{raw} IS NOT NULL AND {num} IS NULL"))
            checks.append(("non_finite", role, f"{num} IS NOT NULL AND NOT isfinite({num})"))
            if role == "year":
                checks.append(("non_integer_year", role,
                               f"isfinite({num}) AND ({num} <> floor({num}) OR {num} < 1 OR {num} > 9999)"))
            else:
                checks.append(("negative_value", role, f"isfinite({num}) AND {num} < 0"))
    return checks


def _first_bad_row(con, condition: str, role: str) -> tuple[int, str | None]:
    """Row number (1 = first row under the header) and raw value of the first row matching ``condition``;
    on one thread, so that the numbering follows the file."""
    con.execute("SET threads = 1")
    row, value = con.execute(
        f"SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST({role}_raw AS VARCHAR) AS v, "
        f"({condition}) AS bad FROM cleaned) WHERE bad LIMIT 1").fetchone()
    return int(row), value


def _raise_problem(code: str, role: str, column: str, row: int, value: str | None):
    shown = "" if value is None else str(value)
    english = {
        "missing_value": f"Row {row}: the {role} column {column!r} is empty.",
        "non_numeric": f"Row {row}, column {column!r}: {shown!r} is not a number.",
        "non_finite": f"Row {row}, column {column!r}: the value is missing or infinite.",
        "negative_value": f"Row {row}, column {column!r}: {shown} is negative; values must be zero or more.",
        "non_integer_year": f"Row {row}, column {column!r}: {shown!r} is not a year.",
    }[code]
    raise AnalyticsInputError(code, english, column=column, row=row, value=shown, role=role)


def _spelling(con, role: str) -> str:
    """SQL giving the region/industry value in its canonical spelling (``core.text.normalize``: one form
    of ک/ی, ASCII digits, no diacritics...). Only the distinct values that change are listed, so the
    usual file costs nothing."""
    from khooshe.core.text import normalize

    column = f"{role}_raw"
    values = [row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM cleaned").fetchall()]
    fixes = {value: normalize(value) for value in values if value is not None and normalize(value) != value}
    if not fixes:
        return column
    if len(fixes) > MAX_SPELLING_FIXES:
        return f"translate({column}, '{_PERSIAN_DIGITS}يك', '{_ASCII_DIGITS}یک')"
    cases = " ".join(f"WHEN {_literal(old)} THEN {_literal(new)}" for old, new in fixes.items())
    return f"CASE {column} {cases} ELSE {column} END"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def store(path: Path, fmt: str, mapping: dict[str, str], target: Path) -> Stored:
    """Check the staged file against the mapping and write ``target`` (Parquet) with canonical columns:
    region, industry, value, and year / establishment / wage when mapped."""
    with duckdb.connect() as con:
        try:
            return _store(con, path, fmt, mapping, target)
        except duckdb.Error as exc:  # whatever DuckDB could not read or convert: say so, never a crash
            raise _unreadable(fmt, exc) from None


def _store(con, path: Path, fmt: str, mapping: dict[str, str], target: Path) -> Stored:
    source_relation(con, path, fmt)
    types = {name: str(kind) for name, kind, *_ in con.execute("DESCRIBE src").fetchall()}
    mapping = check_mapping(list(types), mapping)
    _clean_view(con, mapping, types)
    checks = _problems(mapping)
    # One pass over the file counts every kind of problem; the first bad row of the first problem
    # found is then looked up to name it.
    counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for _code, _role, condition in checks)
    total, *found = con.execute(f"SELECT count(*), {counts} FROM cleaned").fetchone()
    if total == 0:
        raise AnalyticsInputError("empty_file", "The file has no rows of data under its header row.")
    for (code, role, condition), n in zip(checks, found, strict=True):
        if n:
            row, value = _first_bad_row(con, condition, role)
            _raise_problem(code, role, mapping[role], row, value)
    selects = [f"{_spelling(con, 'region')} AS region", f"{_spelling(con, 'industry')} AS industry",
               "value_num AS value"]
    if "year" in mapping:
        selects.append("CAST(year_num AS INTEGER) AS year")
    if "establishment" in mapping:
        selects.append("establishment_raw AS establishment")
    if "wage" in mapping:
        selects.append("coalesce(wage_num, 0) AS wage")
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"COPY (SELECT {', '.join(selects)} FROM cleaned) TO '{_sql_path(target)}' "
                "(FORMAT parquet, COMPRESSION zstd)")
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_sql_path(target)}')").fetchall()
    return Stored(rows=int(total), columns=[[name, str(kind)] for name, kind, *_ in described], mapping=mapping)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
