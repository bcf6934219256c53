"""The dossier register (sổ theo dõi hồ sơ) as a form page, a PDF and an XLSX workbook."""

from __future__ import annotations

import io

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.dossiers import forms as dossier_forms
from core.dossiers.reception import register_entries
from core.dossiers.settings import dossier_settings
from core.spreadsheets import put_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register_document(year: int):
    return dossier_forms.register(register_entries(year), year, dossier_settings())


def register_workbook(year: int):
    document = register_document(year)
    table = document.blocks[0]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"So theo doi {year}"
    put_cell(sheet, 1, 1, document.title).font = Font(bold=True, size=14)
    put_cell(sheet, 2, 1, f"{document.agency} — {document.subtitle}")
    for column, header in enumerate(table.headers, start=1):
        cell = put_cell(sheet, 4, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row, entry in enumerate(register_entries(year), start=5):
        for column, value in enumerate(dossier_forms.register_row(entry), start=1):
            put_cell(sheet, row, column, value)
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width * 1.6
    sheet.freeze_panes = "A5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = current_app.response_class(buffer.getvalue(), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="so-theo-doi-ho-so-{year}.xlsx"'
    )
    return response
