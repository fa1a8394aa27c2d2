"""Spreadsheet files for import tests: the same rows written as CSV or XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook


def write_file(tmp_path: Path, name: str, rows: list[list]) -> Path:
    """Write ``rows`` to ``tmp_path / name``: XLSX when the name ends with .xlsx, else UTF-8 CSV."""
    path = tmp_path / name
    if name.endswith(".xlsx"):
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return path
