"""Spreadsheets: reading a CSV (UTF-8, header row) or XLSX sheet into numbered rows keyed by
header, and the one way every export writes a cell (`put_cell`; `stream_cell` for a
workbook written in streaming mode)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell

from core.errors import InvalidInput

# What makes a spreadsheet program read a text as a formula (or the start of one).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def put_cell(sheet, row: int, column: int, value):
    """Write `value` into a cell of an openpyxl sheet. Text that begins like a formula (an
    applicant named "=HYPERLINK(…)") stays text, with the quote prefix that keeps editing
    the cell from turning it into one either. Every exported workbook writes through here."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def stream_cell(sheet, value, font=None):
    """`put_cell` for a write-only (streaming) sheet: a cell to `sheet.append`, with the
    same rule for text that looks like a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def cell_text(value) -> str:
    """A cell as text; spreadsheet dates keep their ISO form."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header names (lower-case) and every non-empty row with its line number."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            raw = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    elif suffix in (".csv", ".txt"):
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                raw = list(csv.reader(handle))
        except UnicodeDecodeError:
            raise InvalidInput(_l("Tệp CSV phải được lưu với mã UTF-8.")) from None
    else:
        raise InvalidInput(_l("Chỉ nhận tệp .csv hoặc .xlsx."))
    if not raw:
        raise InvalidInput(_l("Tệp không có dòng tiêu đề."))
    headers = [cell_text(name).lower() for name in raw[0]]
    rows = []
    for line, values in enumerate(raw[1:], start=2):
        texts = [cell_text(value) for value in values]
        if not any(texts):
            continue
        texts += [""] * (len(headers) - len(texts))
        rows.append((line, dict(zip(headers, texts, strict=False))))
    return headers, rows
