"""PDF of a FormDocument with fpdf2 and the bundled DejaVu Serif (full Vietnamese)."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
from fpdf import FPDF
from fpdf.fonts import FontFace

from core.dossiers.forms import FormDocument

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts" / "print"
FAMILY = "DejaVuSerif"
PAGE_SIZES = {"A5": (148, 210), "A4": (210, 297)}


class FormPDF(FPDF):
    def __init__(self, document: FormDocument):
        super().__init__(
            orientation="L" if document.landscape else "P",
            unit="mm",
            format=PAGE_SIZES[document.page],
        )
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSerif.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSerif-Bold.ttf")
        self.add_font(FAMILY, "I", FONT_DIR / "DejaVuSerif-Italic.ttf")
        small = document.page == "A5"
        self.set_margins(14 if small else 10, 8, 10)
        self.set_auto_page_break(True, margin=8)
        self.base_size = 8.5 if small else 8
        self.set_title(document.title)
        self.set_creator(document.agency)

    def text_line(self, text: str, style: str = "", size: float | None = None, align="L"):
        self.set_font(FAMILY, style, size or self.base_size)
        self.multi_cell(
            0, (size or self.base_size) * 0.46, text, align=align, new_x="LMARGIN", new_y="NEXT"
        )


def render_pdf(document: FormDocument) -> bytes:
    pdf = FormPDF(document)
    pdf.add_page()
    size = pdf.base_size
    width = pdf.epw
    pdf.set_font(FAMILY, "I", size - 1.5)
    pdf.cell(0, 4, document.number_and_basis, align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left = width * 0.4
    pdf.set_font(FAMILY, "", size - 1)
    pdf.multi_cell(left, 4, document.parent_agency.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", size - 1)
    pdf.multi_cell(left, 4, document.agency.upper(), align="C", new_x="LEFT", new_y="NEXT")
    if document.number_line:
        pdf.set_font(FAMILY, "", size - 1)
        pdf.multi_cell(left, 4, document.number_line, align="C", new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    pdf.set_font(FAMILY, "B", size - 1)
    pdf.multi_cell(
        width - left, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.multi_cell(
        width - left, 4, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(FAMILY, "I", size - 1)
    pdf.multi_cell(width - left, 5, document.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_bottom) + 3)
    pdf.text_line(document.title, "B", size + 1.5, align="C")
    if document.subtitle:
        pdf.text_line(document.subtitle, "B", size, align="C")
    pdf.ln(2)
    for block in document.blocks:
        render_block(pdf, block)
    if document.qr_url:
        render_qr(pdf, document)
    if document.signatures:
        render_signatures(pdf, document)
    return bytes(pdf.output())


def render_block(pdf: FormPDF, block) -> None:
    size = pdf.base_size
    if block.kind == "para":
        pdf.text_line(block.text)
    elif block.kind == "fields":
        for label, value in block.fields:
            pdf.set_font(FAMILY, "", size)
            pdf.multi_cell(
                0,
                size * 0.46,
                f"{label}: **{value}**",
                markdown=True,
                new_x="LMARGIN",
                new_y="NEXT",
            )
    elif block.kind == "table":
        pdf.set_font(FAMILY, "", size - 0.5)
        heading = FontFace(emphasis="BOLD", fill_color=(240, 240, 240))
        with pdf.table(
            col_widths=block.widths,
            headings_style=heading,
            line_height=(size - 0.5) * 0.46,
            text_align="LEFT",
            padding=1,
        ) as table:
            table.row(block.headers)
            for values in block.rows:
                table.row(values)
        pdf.ln(1)


def render_qr(pdf: FormPDF, document: FormDocument) -> None:
    image = qrcode.make(document.qr_url, border=1).get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    if pdf.get_y() + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    y = pdf.get_y() + 1
    pdf.image(buffer, x=pdf.l_margin, y=y, w=18, h=18)
    pdf.set_xy(pdf.l_margin + 21, y + 5)
    pdf.set_font(FAMILY, "I", pdf.base_size - 1)
    pdf.multi_cell(
        pdf.epw - 25, 4, f"{document.qr_caption}\n{document.qr_url}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(y + 23)


def render_signatures(pdf: FormPDF, document: FormDocument) -> None:
    if pdf.get_y() + 28 > pdf.h - pdf.b_margin:
        pdf.add_page()
    column = pdf.epw / len(document.signatures)
    top = pdf.get_y() + 2
    for index, (title, hint, name) in enumerate(document.signatures):
        x = pdf.l_margin + index * column
        pdf.set_xy(x, top)
        pdf.set_font(FAMILY, "B", pdf.base_size)
        pdf.multi_cell(column, 4.5, title, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "I", pdf.base_size - 1.5)
        pdf.multi_cell(column, 4, hint, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x, top + 20)
        pdf.set_font(FAMILY, "B", pdf.base_size)
        pdf.multi_cell(column, 4.5, name, align="C")
