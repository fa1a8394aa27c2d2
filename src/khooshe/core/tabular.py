"""Tabular import and export (CSV, XLSX).

Two layers:

- ``export_rows`` / ``export_response``: the display export of any registered model (its list columns).
- ``TabularSpec``: a declarative description of one model's file (stable English headers, one ``Column``
  per header that parses a cell and writes it back, the record's key and the checks that need the
  database). A model whose ``ModelConfig.tabular_spec`` is set gets an import page, ``khooshe import`` /
  ``khooshe export``, and an export that writes exactly what the import reads back.

The import (``import_file``) reads the file as a stream (csv module, openpyxl read-only) in batches:

1. the header is checked first (unknown, duplicated and missing required columns);
2. a *check pass* parses and validates every row (one query per batch for existing keys, never one per
   row; reference data such as sectors and regions is loaded once) and writes nothing;
3. only when the check pass found no error, an *apply pass* runs in ONE transaction: every batch is
   checked again against the database (it may have changed since) and written with bulk_create /
   bulk_update, M2M rows through the through tables, and one audit ``LogEntry`` per created or changed
   record. Any error rolls the whole transaction back: all rows or none.

Problems carry the row number the user sees in the spreadsheet (the header is row 1), the column, the
value and a translated reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import pickle
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import DatabaseError, connections, models, reset_queries, router, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.encoding import smart_str
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from khooshe.core.page_cache import bump_page_cache

from . import jalali
from .text import fold, normalize

SUPPORTED_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Problems kept in an ImportRun's stored report (the CLI prints them all).
STORED_PROBLEMS = 20_000


# -- display export (any registered model) --------------------------------------------------------------
class _Echo:
    def write(self, value):
        return value


def export_rows(config, queryset, language: str | None = None):
    """Header row then one row per record, as the list shows them (display values)."""
    columns = config.export_column_objects
    yield [str(c.label) for c in columns]
    for obj in queryset.iterator(chunk_size=2000):  # prefetching works per chunk since Django 4.1
        yield [c.text(obj, language) for c in columns]


def export_response(config, queryset, fmt: str, *, user=None):
    """An HTTP download of ``queryset``: the spec's import format when the model has one, else the list."""
    spec = config.tabular_spec
    language = get_language()
    if fmt not in SUPPORTED_FORMATS:
        return HttpResponse(_("Unknown export format “%(format)s”: use csv or xlsx.") % {"format": fmt},
                            status=400, content_type="text/plain; charset=utf-8")
    rows = spec.export_rows(queryset) if spec is not None else export_rows(config, queryset, language)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{config.url_slug}-{stamp}"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, rows, title=str(config.verbose_name_plural))
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Persian text correctly
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(target, rows: Iterable[list], *, title: str = "data") -> None:
    """Write rows to an XLSX workbook (write-only mode: memory does not grow with the row count).

    Text cells stay text: codes such as "01" or national IDs keep their leading zeros.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for row in rows:
        sheet.append(row)
    workbook.save(target)


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in str(title) if c not in "[]:*?/\\")
    return (cleaned or "data")[:31]


def write_table(path: Path, rows: Iterable[list], *, title: str = "data") -> None:
    """Write rows to ``path``: CSV (UTF-8 with BOM, for Excel) or XLSX, chosen by the extension."""
    fmt = table_format(path.name)
    if fmt == "xlsx":
        write_xlsx(str(path), rows, title=title)
        return
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(row)


# -- reading files ---------------------------------------------------------------------------------------
class TableError(Exception):
    """The file cannot be read at all (wrong type, broken workbook, undecodable text)."""


def table_format(name: str) -> str:
    """"csv" or "xlsx" from a file name; TableError for anything else."""
    suffix = Path(str(name)).suffix.lower().lstrip(".")
    if suffix not in SUPPORTED_FORMATS:
        raise TableError(_("“%(name)s” is neither a .csv nor a .xlsx file: save the spreadsheet in one of "
                           "these formats and try again.") % {"name": Path(str(name)).name})
    return suffix


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1256"  # Excel's "CSV" on a Persian Windows: Arabic code page


def _detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class TableReader:
    """Stream the rows of a CSV or XLSX file: ``header`` then ``rows()`` of (row number, cells).

    Row numbers are those of the spreadsheet: the header is row 1, the first record row 2. CSV files may be
    UTF-8 (with or without BOM), UTF-16 or Windows-1256, separated by commas, semicolons or tabs.
    """

    def __init__(self, path: Path | str, fmt: str):
        self.path, self.fmt = Path(path), fmt
        self.header: list[str] = []
        self._handles: list = []
        self._iter: Iterator = iter(())

    def __enter__(self) -> TableReader:
        self._handles = []  # a reader may be entered again, for a second pass
        if self.fmt == "xlsx":
            from openpyxl import load_workbook
            from openpyxl.utils.exceptions import InvalidFileException

            try:
                workbook = load_workbook(self.path, read_only=True, data_only=True)
            except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
                raise TableError(_("The file is not a readable XLSX workbook (%(error)s): open it in your "
                                   "spreadsheet program and save it again as .xlsx.") % {"error": exc}) from exc
            self._handles.append(workbook)
            sheet = workbook.worksheets[0]
            self._max_row = sheet.max_row
            self._iter = sheet.iter_rows(values_only=True)
        else:
            raw = open(self.path, "rb")  # noqa: SIM115 (closed in __exit__)
            self._handles.append(raw)
            sample = raw.read(1 << 20)
            raw.seek(0)
            encoding = _detect_encoding(sample)
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            self._handles.insert(0, text)
            first_line = sample.split(b"\n", 1)[0].decode(encoding.replace("-sig", ""), errors="replace")
            self._iter = csv.reader(text, delimiter=_detect_delimiter(first_line))
        # Not through a generator wrapper: closing one would close openpyxl's row generator too.
        try:
            first = next(self._iter)
        except StopIteration:
            first = ()
        except UnicodeDecodeError as exc:
            raise TableError(_("The file is not UTF-8 text: in your spreadsheet program save it as “CSV UTF-8” "
                               "or as .xlsx.")) from exc
        self.header = [cell_text(value) for value in first]
        while self.header and not self.header[-1]:
            self.header.pop()
        return self

    def _read(self) -> Iterator:
        try:
            yield from self._iter
        except UnicodeDecodeError as exc:
            raise TableError(_("The file is not UTF-8 text: in your spreadsheet program save it as “CSV UTF-8” "
                               "or as .xlsx.")) from exc
        except csv.Error as exc:
            raise TableError(_("The CSV file is malformed (%(error)s): check its quotes.") % {"error": exc}) from exc

    def rows(self) -> Iterator[tuple[int, tuple]]:
        yield from enumerate(self._read(), start=2)

    def estimate_rows(self) -> int | None:
        """How many record rows the file holds, roughly (for a progress bar)."""
        if self.fmt == "xlsx":
            return max((self._max_row or 1) - 1, 0) or None
        count = 0
        with open(self.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                count += block.count(b"\n")
        return max(count - 1, 0) or None

    def __exit__(self, *exc_info):
        for handle in self._handles:
            try:
                handle.close()
            except Exception:  # noqa: BLE001 (closing a half-read file must not hide the real error)
                pass


class SpillReader:
    """Rows saved by the check pass (raw cells, pickled per batch in a temporary file) read again by the
    import pass, so that a workbook is parsed once: openpyxl costs more than the rest of a check."""

    def __init__(self, header: list[str], spill):
        self.header, self._spill = header, spill

    def __enter__(self) -> SpillReader:
        self._spill.seek(0)
        return self

    def __exit__(self, *exc_info):
        pass

    def rows(self) -> Iterator[tuple[int, tuple]]:
        while True:
            try:
                batch = pickle.load(self._spill)
            except EOFError:
                return
            yield from batch

    def estimate_rows(self) -> int | None:
        return None


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a useless ".0", dates in ISO, surrounding space stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def normalize_cell(text: str) -> str:
    """``text.normalize`` with a fast path for ASCII cells (numbers, codes, URLs), where it only collapses
    white space: a 100,000-row file has millions of cells."""
    if text.isascii():
        return " ".join(text.split())
    return normalize(text)


def fold_cell(text: str) -> str:
    """``text.fold`` with the same ASCII fast path."""
    if text.isascii():
        return " ".join(text.lower().split())
    return fold(text)


def shown(value: Any, limit: int = 100) -> str:
    """A value as quoted in a report: text, cut to ``limit`` characters."""
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- problems and the report ----------------------------------------------------------------------------
@dataclass
class Problem:
    """One problem of a file: ``row`` as in the spreadsheet (1 = header, None = the whole file)."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}

    def as_text(self) -> str:
        if not (self.row or self.column or self.value):
            return self.message
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("File")
        if self.column:
            where += f", {self.column}"
        if self.value:
            where += f" “{self.value}”"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did; also what a check pass *would* do (``dry_run``)."""

    kind: str
    file_name: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    applied: bool = False
    details: dict[str, int] = field(default_factory=dict)  # e.g. roles created by a people import
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, value: Any, message: str) -> None:
        self.errors.append(Problem(row, column, shown(value), str(message)))

    def warning(self, row: int | None, column: str, value: Any, message: str) -> None:
        self.warnings.append(Problem(row, column, shown(value), str(message)))

    def summary(self) -> str:
        """One translated sentence: what was (or would be) done."""
        counts = {"rows": self.rows, "created": self.created, "updated": self.updated,
                  "unchanged": self.unchanged, "errors": len(self.errors)}
        if self.errors:
            return _("%(rows)s rows checked: %(errors)s problems found. Nothing was written; correct the file "
                     "and import it again.") % counts
        if self.applied:
            return _("%(rows)s rows imported: %(created)s created, %(updated)s updated, %(unchanged)s "
                     "unchanged.") % counts
        return _("%(rows)s rows checked, no problems: importing will create %(created)s, update %(updated)s "
                 "and leave %(unchanged)s unchanged.") % counts

    def to_json(self, limit: int = STORED_PROBLEMS) -> dict:
        return {
            "kind": self.kind, "file_name": self.file_name, "dry_run": self.dry_run, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "applied": self.applied, "details": self.details,
            "errors": [p.as_dict() for p in self.errors[:limit]], "error_count": len(self.errors),
            "warnings": [p.as_dict() for p in self.warnings[:limit]], "warning_count": len(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        report = cls(kind=data.get("kind", ""), file_name=data.get("file_name", ""))
        for name in ("dry_run", "rows", "created", "updated", "unchanged", "applied", "details"):
            if name in data:
                setattr(report, name, data[name])
        report.errors = [Problem(**p) for p in data.get("errors", [])]
        report.warnings = [Problem(**p) for p in data.get("warnings", [])]
        return report


class CellError(Exception):
    """A cell's value is wrong; the message says why and what to write instead."""


# -- columns --------------------------------------------------------------------------------------------
class Column:
    """One header of a file: parses a cell into a model value and reads it back for the export.

    ``field`` is the model attribute (defaults to ``name``; None for a column that no field holds
    directly). ``required``: the header must be present and the cell filled. An empty cell sets the
    field's empty value (clears it); a column left out of the file leaves the field unchanged.
    """


    is_m2m = False

    def __init__(self, name: str, field: str | None = "", *, required: bool = False, help_text: str = "",
                 example: str = "", model_field: models.Field | None = None, default: Any = None):
        self.name = name
        self.default = default  # the value of an empty cell, when not the field's empty value
        self.field_name = name if field == "" else field
        self.required = required
        self.help_text = help_text
        self.example = example
        # A field of another model (e.g. a person's role title) gives label, length and null-ness.
        self.model_field: models.Field | None = model_field

    def bind(self, model: type[models.Model]) -> None:
        if self.field_name and self.model_field is None:
            self.model_field = model._meta.get_field(self.field_name)

    @property
    def label(self) -> str:
        if self.model_field is not None:
            return str(self.model_field.verbose_name)
        return self.name.replace("_", " ")

    def header_keys(self) -> set[str]:
        """Folded header spellings accepted for this column: its name and its label in English and Persian."""
        keys = {header_key(self.name)}
        if self.model_field is not None:
            for language in ("en", "fa"):
                with translation.override(language):
                    keys.add(header_key(str(self.model_field.verbose_name)))
        return keys

    def prepare(self, ctx: ImportContext) -> None:
        """Load what parsing needs once per import (reference data, choice labels)."""

    @property
    def empty_value(self):
        if self.default is not None:
            return self.default
        if self.model_field is not None and self.model_field.null:
            return None
        return ""

    def parse(self, raw: Any, ctx: ImportContext):
        text = cell_text(raw)
        if not text:
            if self.required:
                raise CellError(_("This cell is required: fill it in."))
            return self.empty_value
        return self.convert(raw, text, ctx)

    def convert(self, raw: Any, text: str, ctx: ImportContext):
        max_length = getattr(self.model_field, "max_length", None)
        if max_length and len(text) > max_length:
            raise CellError(_("Too long: %(length)s characters, at most %(max)s are allowed.")
                            % {"length": len(text), "max": max_length})
        return text

    def read(self, obj):
        """The model value of this column (export, and the before/after snapshot of an import)."""
        return getattr(obj, self.field_name)

    def apply(self, obj, value) -> None:
        """Set a parsed value on the record."""
        setattr(obj, self.field_name, value)

    def to_cell(self, value) -> Any:
        """The value written in the export (what ``parse`` reads back)."""
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def audit_text(self, value) -> str:
        """How a value appears in the change history."""
        if value is None:
            return "None"
        return smart_str(self.to_cell(value))


class TextColumn(Column):
    """Free text. ``normalized`` applies the shared Persian normalizer (names)."""

    def __init__(self, *args, normalized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.normalized = normalized

    def convert(self, raw, text, ctx):
        return super().convert(raw, normalize_cell(text) if self.normalized else text, ctx)


class IntegerColumn(Column):
    """A whole number, optionally within [min_value, max_value]; Persian digits are accepted."""

    def __init__(self, *args, min_value: int | None = None, max_value: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_value, self.max_value = min_value, max_value

    def convert(self, raw, text, ctx):
        if isinstance(raw, bool):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
        if isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, int):
            number = raw
        else:
            try:
                number = int(normalize_cell(text).replace(",", ""))
            except ValueError:
                raise CellError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
        self.check_range(number)
        return number

    def check_range(self, number) -> None:
        if (self.min_value is not None and number < self.min_value) or (
                self.max_value is not None and number > self.max_value):
            raise CellError(_("%(value)s is out of range: write a number from %(min)s to %(max)s.")
                            % {"value": number, "min": self.min_value, "max": self.max_value})


class FloatColumn(IntegerColumn):
    """A decimal number (latitude, longitude)."""

    def convert(self, raw, text, ctx):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            number = float(raw)
        else:
            try:
                number = float(normalize_cell(text).replace("/", ".").replace(",", "."))
            except ValueError:
                raise CellError(_("“%(value)s” is not a number: write it like 30.28.") % {"value": text}) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise CellError(_("“%(value)s” is not a number: write it like 30.28.") % {"value": text})
        self.check_range(number)
        return number


class DateColumn(Column):
    """A date: ISO (2024-08-02), Jalali (1403/05/12, Persian digits too) or a spreadsheet date cell."""


    def convert(self, raw, text, ctx):
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return jalali.parse_date(text)
        except ValueError:
            raise CellError(_("“%(value)s” is not a date: write it as 2024-08-02 or as the Jalali date "
                              "1403/05/12.") % {"value": text}) from None


class ChoiceColumn(Column):
    """One of a field's choices: the code ("startup"), its English label or its Persian label."""


    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._choices = choices
        self._lookup: dict[str, Any] | None = None

    @property
    def choices(self) -> list[tuple[Any, Any]]:
        if self._choices is not None:
            return list(self._choices)
        return list(self.model_field.choices or [])

    @property
    def codes(self) -> list:
        return [code for code, _label in self.choices if code != ""]

    def lookup(self) -> dict[str, Any]:
        if self._lookup is None:
            table: dict[str, Any] = {}
            for code, label in self.choices:
                for language in ("en", "fa"):
                    with translation.override(language):
                        table.setdefault(fold(str(label)), code)
            for code, _label in self.choices:  # a code always wins over a label that spells the same
                table[fold(str(code))] = code
            self._lookup = table
        return self._lookup

    def convert(self, raw, text, ctx):
        code = self.lookup().get(fold_cell(text))
        if code is None:
            raise CellError(_("“%(value)s” is not one of the allowed values: %(choices)s.")
                            % {"value": text, "choices": ", ".join(str(c) for c in self.codes)})
        if code == "" and self.required:
            raise CellError(_("This cell is required: fill it in."))
        return code


class UrlColumn(Column):
    _validator = URLValidator()

    def convert(self, raw, text, ctx):
        url = text if "://" in text else f"https://{text}"
        try:
            self._validator(url)
        except ValidationError:
            raise CellError(_("“%(value)s” is not a web address such as https://example.com.")
                            % {"value": text}) from None
        return super().convert(raw, url, ctx)


class EmailColumn(Column):
    def convert(self, raw, text, ctx):
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(_("“%(value)s” is not an email address.") % {"value": text}) from None
        return super().convert(raw, text, ctx)


class M2MColumn(Column):
    """A many-to-many field written as tokens separated by ";" (e.g. sector codes "C;1071").

    The parsed value is a sorted tuple of canonical tokens; subclasses map tokens to ids and back.
    """

    is_m2m = True
    separators = (";", "،", ",")

    def split(self, text: str) -> list[str]:
        for separator in self.separators[1:]:
            text = text.replace(separator, self.separators[0])
        return [part.strip() for part in text.split(self.separators[0]) if part.strip()]

    @property
    def empty_value(self):
        return ()

    def convert(self, raw, text, ctx):
        tokens, unknown = set(), []
        for part in self.split(text):
            token = self.canonical(part, ctx)
            if token is None:
                unknown.append(part)
            else:
                tokens.add(token)
        if unknown:
            raise CellError(self.unknown_message(unknown))
        return tuple(sorted(tokens, key=token_order))

    def canonical(self, part: str, ctx: ImportContext) -> str | None:
        raise NotImplementedError

    def unknown_message(self, parts: list[str]) -> str:
        return _("Unknown values: %(values)s.") % {"values": ", ".join(parts)}

    def token_of(self, related_obj) -> str:
        raise NotImplementedError

    def ids_of(self, tokens: tuple, ctx: ImportContext) -> list[int]:
        raise NotImplementedError

    def tokens_of_ids(self, ids: Iterable[int], ctx: ImportContext) -> tuple:
        raise NotImplementedError

    def read(self, obj):
        loaded = getattr(obj, "_tabular_m2m", None)
        if loaded is not None and self.name in loaded:
            return loaded[self.name]
        if obj.pk is None:
            return ()
        return tuple(sorted((self.token_of(o) for o in getattr(obj, self.field_name).all()), key=token_order))

    def apply(self, obj, value) -> None:
        if getattr(obj, "_tabular_m2m", None) is None:
            obj._tabular_m2m = {}
        obj._tabular_m2m[self.name] = tuple(value)

    def to_cell(self, value) -> str:
        return ";".join(value or ())

    def audit_text(self, value) -> str:
        return ";".join(value or ())

    # The through table: one query to load, one delete and one insert per batch.
    def through(self):
        """(through model, its foreign key to this model, its foreign key to the related model)."""
        through = self.model_field.remote_field.through
        return (through, through._meta.get_field(self.model_field.m2m_field_name()),
                through._meta.get_field(self.model_field.m2m_reverse_field_name()))

    def load(self, objs: list, ctx: ImportContext) -> None:
        """Attach the current tokens of existing records (one query)."""
        through, own, other = self.through()
        current: dict[int, list[int]] = {obj.pk: [] for obj in objs}
        if current:
            pairs = through.objects.filter(**{f"{own.attname}__in": list(current)}).values_list(
                own.attname, other.attname)
            for owner_id, related_id in pairs:
                current[owner_id].append(related_id)
        for obj in objs:
            if getattr(obj, "_tabular_m2m", None) is None:
                obj._tabular_m2m = {}
            obj._tabular_m2m[self.name] = self.tokens_of_ids(current[obj.pk], ctx)

    def save(self, objs: list, replace: list, ctx: ImportContext) -> None:
        """Write the tokens of ``objs`` (new records) and ``replace`` (records whose set changed)."""
        through, own, other = self.through()
        if replace:
            through.objects.filter(**{f"{own.attname}__in": [obj.pk for obj in replace]}).delete()
        links = [(obj.pk, related_id)
                 for obj in [*objs, *replace] for related_id in self.ids_of(obj._tabular_m2m[self.name], ctx)]
        if not links:
            return
        # Pairs of integers: plain executemany, without a model instance per link (2-3 per organization).
        connection = connections[router.db_for_write(through)]
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(through._meta.db_table)} ({quote(own.column)}, {quote(other.column)}) "
               "VALUES (%s, %s)")
        with connection.cursor() as cursor:
            cursor.executemany(sql, links)


def token_order(token: str) -> tuple:
    """Order of list tokens: shorter codes (broader sectors) first, e.g. "C;10;1079"."""
    return len(token), token


def header_key(text: str) -> str:
    """A header as compared: folded, with spaces and dashes as underscores ("Name FA" = "name_fa")."""
    return fold(text).replace(" ", "_").replace("-", "_")


# -- the spec and the import context ----------------------------------------------------------------------
@dataclass
class Row:
    """One record row: its spreadsheet number, parsed values (only the columns present and valid), raw cells."""

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    failed: set[str] = field(default_factory=set)  # columns whose cell had an error
    record: Any = None  # the record the row creates or updates (set by TabularSpec.build)


class ImportContext:
    """State of one pass over a file: who imports, reference data, keys already seen in the file."""

    def __init__(self, spec: TabularSpec, *, user, write: bool, file_name: str, report: ImportReport,
                 run_id: int | None = None, source: str = "web", cache: dict | None = None):
        self.spec, self.user, self.write = spec, user, write
        self.file_name, self.report, self.run_id, self.source = file_name, report, run_id, source
        self.cache: dict[str, Any] = cache if cache is not None else {}
        self.seen: dict[str, dict] = {}  # in-file keys: name -> {key: first row number}
        self.columns: list[Column] = []  # the columns present in the file
        self._row_warnings: dict[str, list] = {}
        self.now = timezone.now()

    @property
    def actor(self):
        return self.user if self.user is not None and self.user.is_authenticated else None

    @property
    def may_write(self) -> bool:
        return self.write and not self.report.errors

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def seen_before(self, name: str, key, row: int) -> int | None:
        """The first row where ``key`` was seen in the file under ``name``, or None (and remember it)."""
        table = self.seen.setdefault(name, {})
        first = table.get(key)
        if first is None:
            table[key] = row
        return first

    def warn_rows(self, code: str, row: int, message: str) -> None:
        """Collect one warning for many rows: ``message`` has %(count)s and %(rows)s placeholders."""
        entry = self._row_warnings.setdefault(code, [message, [], 0])
        if len(entry[1]) < 20:
            entry[1].append(row)
        entry[2] += 1

    def finish(self) -> None:
        for message, rows, count in self._row_warnings.values():
            listed = ", ".join(str(r) for r in rows)
            if count > len(rows):
                listed += " " + _("and %(count)s more") % {"count": count - len(rows)}
            self.report.warning(None, "", "", message % {"count": count, "rows": listed})
        self._row_warnings.clear()

    def audit_data(self) -> dict:
        return {"import_file": self.file_name, "import_kind": self.spec.kind, "import_run": self.run_id,
                "source": self.source}


class TabularSpec:
    """A model's file format and import rules. Subclasses set ``kind``, ``model``, ``columns`` and
    implement ``process_batch`` (database checks and, when ``ctx.may_write``, the writes)."""

    kind: str = ""
    model: type[models.Model]
    columns: list[Column] = []
    batch_size = 2000
    key_help: str = ""  # how rows are matched to existing records (shown on the import page)

    def __init__(self):
        for column in self.columns:
            column.bind(self.model)

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def can_import(self, user) -> bool:
        """Whether ``user`` may import at all (None: the command line, trusted)."""
        if user is None:
            return True
        creator = getattr(self.model, "can_be_created_by", None)
        return bool(user.is_authenticated and (creator(user) if creator else user.is_superuser))

    # -- header ---------------------------------------------------------------------------------------------
    def match_header(self, header: list[str], ctx: ImportContext) -> dict[int, Column] | None:
        """Map file columns to spec columns; report unknown, repeated and missing columns.

        Returns None when the rows cannot be read at all (no header, missing required columns).
        """
        report = ctx.report
        if not any(header):
            report.error(1, "", "", _("The file is empty or its first row has no column names. The first row "
                                      "must hold the column names, such as %(example)s.")
                         % {"example": ", ".join(self.headers[:4])})
            return None
        # Column names first: a label never hides another column's name (a relation's origin is labelled
        # "source", which is also the name of its source column).
        keys: dict[str, Column] = {header_key(c.name): c for c in self.columns}
        for column in self.columns:
            for key in column.header_keys():
                keys.setdefault(key, column)
        mapping: dict[int, Column] = {}
        positions: dict[str, list[int]] = {}
        for index, title in enumerate(header):
            if not title:
                continue
            column = keys.get(header_key(title))
            if column is None:
                suggestion = difflib.get_close_matches(header_key(title), self.headers, n=1, cutoff=0.6)
                if suggestion:
                    message = _("Unknown column “%(column)s”: did you mean “%(suggestion)s”?") % {
                        "column": title, "suggestion": suggestion[0]}
                else:
                    message = _("Unknown column “%(column)s”: rename it to one of %(columns)s, or remove it.") % {
                        "column": title, "columns": ", ".join(self.headers)}
                report.error(1, title, title, message)
                continue
            positions.setdefault(column.name, []).append(index)
            mapping.setdefault(index, column)
        for name, indexes in positions.items():
            if len(indexes) > 1:
                letters = ", ".join(_column_letter(i) for i in indexes)
                report.error(1, name, name, _("The column “%(column)s” appears more than once (columns "
                                              "%(letters)s): keep only one.") % {"column": name, "letters": letters})
                for index in indexes[1:]:
                    mapping.pop(index, None)
        missing = [c.name for c in self.required_columns if c.name not in positions]
        for name in missing:
            report.error(1, name, "", _("The required column “%(column)s” is missing: add it to the first row.")
                         % {"column": name})
        if missing:
            return None
        ctx.columns = [c for c in self.columns if c.name in positions]
        for column in ctx.columns:
            column.prepare(ctx)
        self.prepare(ctx)
        return mapping

    def prepare(self, ctx: ImportContext) -> None:
        """Load, once per import, what the row checks need (reference data, the user's access)."""

    # -- rows -----------------------------------------------------------------------------------------------
    def parse_row(self, number: int, cells: tuple, mapping: dict[int, Column], ctx: ImportContext) -> Row:
        row = Row(number, {}, {})
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            row.raw[column.name] = raw
            try:
                row.values[column.name] = column.parse(raw, ctx)
            except CellError as exc:
                row.failed.add(column.name)
                ctx.report.error(number, column.name, raw, str(exc))
        self.check_row(row, ctx)
        return row

    def check_row(self, row: Row, ctx: ImportContext) -> None:
        """Rules between the cells of one row (e.g. an end after a start)."""

    @staticmethod
    def row_error(ctx: ImportContext, row: Row, column: str, message: str, value: Any = None) -> None:
        """Report a problem of ``row`` in ``column`` (the cell's value unless ``value`` is given)."""
        row.failed.add(column)
        ctx.report.error(row.number, column, row.raw.get(column, "") if value is None else value, message)

    def process_batch(self, rows: list[Row], ctx: ImportContext) -> None:
        """Check a batch against the database; write it when ``ctx.may_write``. See ``KeyedRecords``."""
        raise NotImplementedError

    # -- building and writing records (used by the subclasses' process_batch) ----------------------------
    derived_fields: tuple[str, ...] = ()  # fields set by prepare_for_save(), always written on update
    always_tracked: tuple[str, ...] = ()  # columns compared even when absent from the file (derived)

    def tracked_columns(self, ctx: ImportContext) -> list[Column]:
        present = {c.name for c in ctx.columns}
        return [c for c in self.columns if c.field_name and (c.name in present or c.name in self.always_tracked)]

    def new_object(self, row: Row, ctx: ImportContext):
        return self.model()

    def prepare_object(self, obj, ctx: ImportContext) -> None:
        """Derived fields (bulk_create skips save()): the model's own prepare_for_save().

        The search text is left for ``write``: it is never compared, and only written records need it.
        """
        prepare = getattr(obj, "prepare_for_save", None)
        if prepare is None:
            return
        if not hasattr(obj, "refresh_search_text"):
            prepare()
            return
        obj.refresh_search_text = _skip
        try:
            prepare()
        finally:
            del obj.refresh_search_text

    def finish_object(self, obj) -> None:
        """Last derived fields of a record about to be written."""
        if hasattr(obj, "refresh_search_text"):
            obj.refresh_search_text()

    def check_object(self, obj, row: Row, ctx: ImportContext) -> None:
        """Rules on the record as it will be written (cells of the row and unchanged fields together)."""

    def build(self, plans: list[tuple[Row, Any]], ctx: ImportContext) -> tuple[list, list]:
        """Apply each row to its record (new when None): ([(obj, after)], [(obj, before, after, changed)]).

        Counts created / updated / unchanged in the report. Existing records must have their M2M tokens
        loaded (``M2MColumn.load``) before.
        """
        tracked = self.tracked_columns(ctx)
        present = [c for c in ctx.columns if c.field_name]
        creates, updates = [], []
        for row, obj in plans:
            before = None if obj is None else snapshot(obj, tracked)
            if obj is None:
                obj = self.new_object(row, ctx)
            for column in present:
                if column.name in row.values:
                    column.apply(obj, row.values[column.name])
            self.prepare_object(obj, ctx)
            row.record = obj
            errors_before = len(ctx.report.errors)
            self.check_object(obj, row, ctx)
            if len(ctx.report.errors) > errors_before:
                continue
            after = snapshot(obj, tracked)
            if before is None:
                creates.append((obj, after))
                ctx.report.created += 1
            else:
                changed = diff(before, after)
                if changed:
                    updates.append((obj, before, after, changed))
                    ctx.report.updated += 1
                else:
                    ctx.report.unchanged += 1
        return creates, updates

    def write(self, creates: list, updates: list, ctx: ImportContext) -> None:
        """bulk_create / bulk_update the records, their M2M rows and their audit entries."""
        from auditlog.models import LogEntry

        size = self.batch_size
        tracked = self.tracked_columns(ctx)
        for obj, *_rest in [*creates, *updates]:
            self.finish_object(obj)
        new_objs = [obj for obj, _after in creates]
        self.model.objects.bulk_create(new_objs, batch_size=size)
        changed_objs = [obj for obj, *_rest in updates]
        if changed_objs:
            fields = {c.model_field.name for c in tracked if not c.is_m2m
                      and any(c.name in changed for *_x, changed in updates)}
            fields |= set(self.derived_fields)
            if _has_field(self.model, "updated_at"):
                fields.add("updated_at")
                for obj in changed_objs:
                    obj.updated_at = ctx.now
            self.model.objects.bulk_update(changed_objs, sorted(fields), batch_size=size)
        for column in tracked:
            if column.is_m2m:
                column.save(new_objs, [obj for obj, _b, _a, changed in updates if column.name in changed], ctx)
        items = [(obj, LogEntry.Action.CREATE, audit_changes(tracked, None, after, after)) for obj, after in creates]
        items += [(obj, LogEntry.Action.UPDATE, audit_changes(tracked, before, after, changed))
                  for obj, before, after, changed in updates]
        log_entries(ctx, self.model, items)

    # -- export ---------------------------------------------------------------------------------------------
    def export_queryset(self, queryset):
        return queryset

    def export_records(self, queryset) -> Iterator[list]:
        for obj in self.export_queryset(queryset).iterator(chunk_size=2000):
            yield [column.to_cell(column.read(obj)) for column in self.columns]

    def export_rows(self, queryset) -> Iterator[list]:
        """The header then one row per record: exactly the format ``import_file`` reads."""
        yield list(self.headers)
        yield from self.export_records(queryset)

    def template_rows(self) -> list[list]:
        return [list(self.headers)]


def _skip(*args, **kwargs) -> None:
    return None


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
        return True
    except Exception:  # noqa: BLE001 (FieldDoesNotExist)
        return False


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# -- audit ----------------------------------------------------------------------------------------------
def snapshot(obj, columns: Iterable[Column]) -> dict[str, Any]:
    """The values of ``columns`` (fields only) of ``obj``, to diff before and after an update."""
    return {c.name: c.read(obj) for c in columns if c.field_name}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name, value in after.items() if before.get(name) != value]


def log_entries(ctx: ImportContext, model: type[models.Model], items: Iterable[tuple]) -> int:
    """Bulk-create audit LogEntry rows: items are (obj, action, {column: (old, new)}) after the write.

    Bulk writes bypass django-auditlog's signals, so the import records the history itself, in the same
    transaction, with the importing user as the actor and the file named in ``additional_data``.
    """
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    actor = ctx.actor
    extra = ctx.audit_data()
    entries = [
        LogEntry(
            content_type=content_type, object_pk=str(obj.pk), object_id=obj.pk, object_repr=smart_str(obj)[:2000],
            action=action, changes={name: [old, new] for name, (old, new) in changes.items()},
            changes_text="", actor=actor, actor_email=getattr(actor, "email", None) or None,
            timestamp=ctx.now, additional_data=extra,
        )
        for obj, action, changes in items
    ]
    LogEntry.objects.bulk_create(entries, batch_size=ctx.spec.batch_size)
    return len(entries)


def audit_changes(columns: Iterable[Column], before: dict | None, after: dict, names: Iterable[str]) -> dict:
    """{column: (old text, new text)} for ``names``; ``before`` None for a created record."""
    by_name = {c.name: c for c in columns}
    changes = {}
    for name in names:
        column = by_name[name]
        new = column.audit_text(after.get(name))
        if before is None:
            if new in ("None", "", "[]"):
                continue
            changes[name] = ("None", new)
        else:
            changes[name] = (column.audit_text(before.get(name)), new)
    return changes


# -- the import --------------------------------------------------------------------------------------------
class Progress:
    """What the import tells a progress bar; the CLI passes a rich-backed one."""

    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


class _Rollback(Exception):
    pass


def _blank(cells: tuple) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _run_pass(spec: TabularSpec, reader, ctx: ImportContext, progress: Progress, label: str, *,
              total: int | None = None, spill=None) -> list[str] | None:
    """One pass over the rows of ``reader``; returns the header. ``spill``: a binary file that receives the
    raw rows (for ``SpillReader``)."""
    with reader:
        mapping = spec.match_header(reader.header, ctx)
        if mapping is None:
            return None
        progress.start(label, total or reader.estimate_rows())
        batch: list[Row] = []
        raw: list[tuple] = []
        for number, cells in reader.rows():
            if _blank(cells):
                continue
            ctx.report.rows += 1
            batch.append(spec.parse_row(number, cells, mapping, ctx))
            if spill is not None:
                raw.append((number, tuple(cells)))
            if len(batch) >= spec.batch_size:
                spec.process_batch(batch, ctx)
                progress.advance(len(batch))
                batch = []
                reset_queries()  # with DEBUG on, Django keeps every query's SQL: big for bulk inserts
                if spill is not None:
                    pickle.dump(raw, spill, protocol=pickle.HIGHEST_PROTOCOL)
                    raw = []
        if batch:
            spec.process_batch(batch, ctx)
            progress.advance(len(batch))
        if raw:
            pickle.dump(raw, spill, protocol=pickle.HIGHEST_PROTOCOL)
    ctx.finish()
    return reader.header


def import_file(spec: TabularSpec, path: Path | str, *, user=None, file_name: str | None = None,
                dry_run: bool = False, progress: Progress | None = None, source: str = "web", run=None,
                check_first: bool = True) -> ImportReport:
    """Import a CSV/XLSX file of ``spec.kind``: check every row, then write all rows or none.

    Parameters
    ----------
    spec : the model's TabularSpec.
    path : the file; its format comes from ``file_name`` (or the path) extension.
    user : the importing user, or None for the command line (trusted, recorded as "system").
    dry_run : check and report only.
    check_first : run the write-free check pass before the writing pass (the writing pass checks again and
        rolls back on any error, so a confirmation of an already checked upload may skip it).
    run : an existing ``ImportRun`` to update (the web flow), else one is created.

    Returns the ImportReport; ``report.applied`` tells whether anything was written.
    Raises PermissionDenied when the user may not import this kind of record at all.
    """
    from .models import ImportRun

    path = Path(path)
    file_name = file_name or path.name
    if user is not None and not spec.can_import(user):
        raise PermissionDenied(_("You may not import %(kind)s.") % {"kind": spec.title})
    progress = progress or Progress()
    if run is None:
        run = ImportRun.objects.create(user=user if user is not None and user.is_authenticated else None,
                                       kind=spec.kind, file_name=file_name[:255], source=source,
                                       language=get_language() or "")
    report = ImportReport(kind=spec.kind, file_name=file_name, dry_run=dry_run, run_id=run.pk)
    cache: dict = {}
    writing = False
    with tempfile.TemporaryFile(prefix="khooshe-import-") as spill:
        try:
            fmt = table_format(file_name)
            reader, total = TableReader(path, fmt), None
            if check_first or dry_run:
                ctx = ImportContext(spec, user=user, write=False, file_name=file_name, report=report,
                                    run_id=run.pk, source=source, cache=cache)
                keep = spill if fmt == "xlsx" and not dry_run else None
                header = _run_pass(spec, reader, ctx, progress, _("Checking"), spill=keep)
                total = report.rows
                if keep is not None and header is not None:
                    reader = SpillReader(header, spill)
            if report.ok and not dry_run:
                # A fresh report: the writing pass checks (and warns) again, against the database as it is now.
                writing = True
                report = ImportReport(kind=spec.kind, file_name=file_name, run_id=run.pk)
                ctx = ImportContext(spec, user=user, write=True, file_name=file_name, report=report,
                                    run_id=run.pk, source=source, cache=cache)
                try:
                    with transaction.atomic():
                        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
                        _reindex_after_commit(spec)
                        _run_pass(spec, reader, ctx, progress, _("Importing"), total=total)
                        if report.errors:
                            raise _Rollback
                        report.applied = True
                except _Rollback:
                    pass
                except DatabaseError as exc:
                    report.error(None, "", "", _("The import could not be written and nothing was changed: "
                                                 "%(error)s") % {"error": exc})
        except TableError as exc:
            report.error(None, "", "", str(exc))
    _record(run, report, failed=writing and not report.applied)
    return report


def _record(run, report: ImportReport, *, failed: bool) -> None:
    from .models import ImportRun

    if report.applied:
        run.status = ImportRun.Status.APPLIED
    elif failed:
        run.status = ImportRun.Status.FAILED
    elif report.errors:
        run.status = ImportRun.Status.INVALID
    else:
        run.status = ImportRun.Status.CHECKED
    run.rows, run.created, run.updated, run.unchanged = report.rows, report.created, report.updated, report.unchanged
    run.error_count, run.warning_count = len(report.errors), len(report.warnings)
    run.report = report.to_json()
    run.finished_at = timezone.now()
    run.save()


def _reindex_after_commit(spec) -> None:
    """Bulk writes send no signals: rebuild the search index of the imported model after the commit."""
    model = getattr(spec, "model", None)
    if model is not None:
        from khooshe.search.documents import after_bulk_write

        after_bulk_write(model)
