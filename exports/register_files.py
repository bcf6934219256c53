"""The dossier register (form 07) for a period, written to a file without holding its rows:
they are read in batches (core.dossiers.register.stream_entries) and written as they come.

- XLSX: openpyxl's write-only workbook streams each row to a temporary file.
- PDF: fpdf2, drawn row by row (no table object holding every row); each finished page's
  content is deflated and written to a spool file at once, and the document is written to
  its file object by object (`RegisterPDF`, `StreamingProducer`): what stays in memory is
  a small record per page, not the pages or the file.
The file is written under a temporary name readable by its owner only, then renamed: a
half-written file is never found.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from fpdf import FPDF
from fpdf.output import OutputProducer
from fpdf.syntax import Name, PDFContentStream, PDFObject
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.dossiers.forms import REGISTER_HEADERS, register_row
from core.dossiers.register import (
    RegisterPeriod,
    register_heading,
    stream_entries,
)
from core.private_files import create_private_file, make_private_folder
from core.spreadsheets import FORMULA_LEADS, stream_cell

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts" / "print"
FAMILY = "DejaVuSerif"
# Form 07's column widths (relative), as on the printed form (core.dossiers.forms.register).
WIDTHS = [4, 12, 12, 11, 10, 9, 4, 6, 6, 6, 6, 8, 6, 6]
# On the PDF the code gets the room of a whole code on one line (a code cut in two is not
# found by a reader's search), taken from the narrow number columns.
PDF_WIDTHS = [3, 13.5, 12, 11, 10, 9, 3, 6, 6, 6, 6, 8, 6, 6]
FORMATS = ("xlsx", "pdf")
Progress = Callable[[int], None]


def write_register(
    period: RegisterPeriod, file_format: str, path: Path, progress: Progress | None = None
) -> int:
    """Write the period's register to `path`; `progress(rows written so far)` is called
    as it goes. Returns the number of entries."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    path = Path(path)
    make_private_folder(path.parent)
    # A file of this build's own: a job queued again while a lost worker still builds it
    # is built twice, each renamed into place whole.
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}.part")
    create_private_file(partial)
    try:
        writer = write_xlsx if file_format == "xlsx" else write_pdf
        written = writer(period, partial, progress or (lambda done: None))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return written


def write_xlsx(period: RegisterPeriod, path: Path, progress: Progress) -> int:
    document = register_heading(period)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"So theo doi {period.slug}"[:31])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width * 1.6
    sheet.freeze_panes = "A5"
    bold = Font(bold=True)
    sheet.append([stream_cell(sheet, document.title, Font(bold=True, size=14))])
    sheet.append([stream_cell(sheet, f"{document.agency} — {document.subtitle}")])
    sheet.append([])
    headers = []
    for header in REGISTER_HEADERS:
        cell = stream_cell(sheet, header, bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        headers.append(cell)
    sheet.append(headers)

    def cell(value):
        # A plain value is written as it is (cheaper); formula-looking text as text.
        risky = isinstance(value, str) and value.startswith(FORMULA_LEADS)
        return stream_cell(sheet, value) if risky else value

    written = 0
    for dossier in stream_entries(period):
        sheet.append([cell(value) for value in register_row(dossier)])
        written += 1
        progress(written)
    workbook.save(path)
    return written


class SpooledPage:
    """Where a finished page's deflated content lies in the spool file."""

    def __init__(self, offset: int, length: int):
        self.offset = offset
        self.length = length


class SpooledContentStream(PDFContentStream):
    """A page's content stream read back from the spool only when it is written out."""

    def __init__(self, spool: BinaryIO, page: SpooledPage):
        PDFObject.__init__(self)
        self._spool = spool
        self._page = page
        self.filter = Name("FlateDecode")
        self.length = page.length

    def content_stream(self) -> bytes:
        self._spool.seek(self._page.offset)
        return self._spool.read(self._page.length)


class FileSink:
    """What fpdf2 takes for its output buffer: each object is written to the file as it is
    serialised; only the length (for the cross-reference table) and a running digest (for
    the file's identifier) stay in memory."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.size = 0
        self.digest = hashlib.md5(usedforsecurity=False)

    def __iadd__(self, data: bytes) -> FileSink:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)
        return self

    def __len__(self) -> int:
        return self.size


class StreamingProducer(OutputProducer):
    """fpdf2's output written straight to the file (`RegisterPDF.sink`), with the pages'
    contents taken from the spool: the finished file is never in memory."""

    def __init__(self, fpdf: RegisterPDF):
        super().__init__(fpdf)
        self.buffer = fpdf.sink

    def _add_pages(self, _slice=slice(0, None)):
        spooled = {}
        for page in self.fpdf.pages.values():
            if isinstance(page.contents, SpooledPage):
                spooled[id(page)] = page.contents
                page.contents = bytearray()
        pages = super()._add_pages(_slice)
        replaced = {}
        for page in pages:
            if id(page) in spooled:
                stream = SpooledContentStream(self.fpdf.spool, spooled[id(page)])
                stream.id = page.contents.id
                replaced[id(page.contents)] = stream
                page.contents = stream
        self.pdf_objs = [replaced.get(id(obj), obj) for obj in self.pdf_objs]
        return pages


class RegisterPDF(FPDF):
    """A4 landscape, DejaVu Serif (full Vietnamese). Each finished page is deflated and
    written to a spool file at once, and the document goes to its file object by object
    (`StreamingProducer`): the memory does not grow with the register."""

    def __init__(self, title: str, agency: str, spool: BinaryIO):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSerif.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSerif-Bold.ttf")
        self.add_font(FAMILY, "I", FONT_DIR / "DejaVuSerif-Italic.ttf")
        self.set_margins(10, 8, 10)
        self.set_auto_page_break(False)
        self.set_title(title)
        self.set_creator(agency)
        self.title_text = title
        self.spool = spool
        self.sink: FileSink | None = None

    def add_page(self, *args, **kwargs):
        finished = self.page
        super().add_page(*args, **kwargs)
        if finished:
            self.spool_page(finished)

    def spool_page(self, number: int) -> None:
        page = self.pages[number]
        if isinstance(page.contents, bytearray):
            data = zlib.compress(bytes(page.contents))
            self.spool.seek(0, os.SEEK_END)
            page.contents = SpooledPage(self.spool.tell(), len(data))
            self.spool.write(data)

    def footer(self):
        self.set_y(-7)
        self.set_font(FAMILY, "I", 6.5)
        self.cell(0, 3, f"{self.title_text} — Trang {self.page_no()}", align="R")

    def _default_file_id(self, buffer) -> str:
        if not isinstance(buffer, FileSink):
            return super()._default_file_id(buffer)
        digest = buffer.digest.copy()
        if self.creation_date:
            digest.update(self.creation_date.strftime("%Y%m%d%H%M%S").encode("utf8"))
        value = digest.hexdigest().upper()
        return f"<{value}><{value}>"

    def finish(self, path: Path) -> None:
        # The last page is finished by output(); its footer is drawn there.
        with path.open("wb") as file:
            self.sink = FileSink(file)
            self.output("", output_producer_class=StreamingProducer)


LINE = 2.9  # mm per line of 6.5 pt text
SIZE = 6.5
PAD = 0.8


class RowDrawer:
    """Draws the table's rows as raw PDF operators, one write per row: fpdf2's cell and
    text methods cost ~0.1 ms a call, ~30 calls a row, which is minutes at 50,000 rows.
    Widths come from the font's own table (`cw`, as fpdf2's get_string_width reads it),
    cached per word (a bounded cache); text goes through the font's subset (`encode_text`)
    as fpdf2's text() does. The font and size are those current when the drawer is made."""

    def __init__(self, pdf: FPDF, widths: list[float]):
        self.pdf = pdf
        self.widths = widths
        self.font = pdf.current_font
        self.size_pt = pdf.font_size_pt
        self.scale = self.size_pt * 0.001 / pdf.k  # font units → mm
        self.space = self.width_of(" ")
        # The words of procedures, statuses and places repeat; codes, numbers and names
        # mostly do not: a bounded cache keeps the first and lets the others go.
        self.word_width = lru_cache(maxsize=4096)(self.width_of)

    def width_of(self, text: str) -> float:
        widths = self.font.cw
        return sum(widths[ord(char)] for char in text) * self.scale

    def wrap(self, text: str, room: float) -> list[str]:
        """`text` in lines no wider than `room` (a word wider than that is cut)."""
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                width = self.word_width(word)
                if line and used + self.space + width <= room:
                    line, used = f"{line} {word}", used + self.space + width
                    continue
                if line:
                    lines.append(line)
                while width > room and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self.width_of(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    width = self.width_of(word)
                line, used = word, width
            lines.append(line)
        return lines or [""]

    def row(self, values: list[str]) -> tuple[float, list[list[str]]]:
        """A row's height and each cell's lines (drawn by `draw`, on a new page if the
        caller finds it does not fit)."""
        pairs = zip(values, self.widths, strict=True)
        cells = [self.wrap(value, width - 2 * PAD) for value, width in pairs]
        return max(len(lines) for lines in cells) * LINE + 2 * PAD, cells

    def draw(self, cells: list[list[str]], height: float, *, fill: bool = False) -> None:
        pdf = self.pdf
        k, page_height = pdf.k, pdf.h
        x, y = pdf.l_margin, pdf.get_y()
        operators = []
        if not pdf.current_font_is_set_on_page:
            operators.append(pdf._set_font_for_page(self.font, self.size_pt))
        if fill:
            operators.append(
                f"q 0.94 g {x * k:.2f} {(page_height - y) * k:.2f} "
                f"{sum(self.widths) * k:.2f} {-height * k:.2f} re f Q"
            )
        for lines, width in zip(cells, self.widths, strict=True):
            operators.append(
                f"{x * k:.2f} {(page_height - y) * k:.2f} {width * k:.2f} {-height * k:.2f} re S"
            )
            for index, line in enumerate(lines):
                if line:
                    baseline = y + PAD + (index + 0.8) * LINE
                    operators.append(
                        f"BT {(x + PAD) * k:.2f} {(page_height - baseline) * k:.2f} Td "
                        f"{self.font.encode_text(line)} ET"
                    )
            x += width
        pdf._out("\n".join(operators))
        pdf.set_y(y + height)


def write_pdf(period: RegisterPeriod, path: Path, progress: Progress) -> int:
    document = register_heading(period)
    with tempfile.TemporaryFile(dir=path.parent) as spool:
        return draw_pdf(
            period, document, RegisterPDF(document.title, document.agency, spool), path, progress
        )


def draw_pdf(
    period: RegisterPeriod, document, pdf: RegisterPDF, path: Path, progress: Progress
) -> int:
    pdf.add_page()
    widths = [pdf.epw * part / sum(PDF_WIDTHS) for part in PDF_WIDTHS]
    heading(pdf, document)
    bottom = pdf.h - 10
    pdf.set_font(FAMILY, "B", SIZE)
    headers = RowDrawer(pdf, widths)
    header_height, header_cells = headers.row(REGISTER_HEADERS)
    pdf.set_font(FAMILY, "", SIZE)
    rows = RowDrawer(pdf, widths)

    def header_row():
        pdf.set_font(FAMILY, "B", SIZE)
        headers.draw(header_cells, header_height, fill=True)
        pdf.set_font(FAMILY, "", SIZE)

    header_row()
    written = 0
    for dossier in stream_entries(period):
        height, cells = rows.row(register_row(dossier))
        if pdf.get_y() + height > bottom:
            pdf.add_page()
            header_row()
        rows.draw(cells, height)
        written += 1
        progress(written)
    if not written:
        pdf.set_font(FAMILY, "I", SIZE + 1)
        pdf.cell(0, 6, "Chưa có hồ sơ trong kỳ này.", new_x="LMARGIN", new_y="NEXT")
    pdf.finish(path)
    return written


def heading(pdf: FPDF, document) -> None:
    """Form 07's heading: the agency, the national motto, the title."""
    size = 8
    pdf.set_font(FAMILY, "I", size - 1.5)
    pdf.cell(0, 4, document.number_and_basis, align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left = pdf.epw * 0.4
    pdf.set_font(FAMILY, "", size - 1)
    pdf.multi_cell(left, 4, document.parent_agency.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", size - 1)
    pdf.multi_cell(left, 4, document.agency.upper(), align="C", new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    right = pdf.epw - left
    pdf.multi_cell(
        right, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.multi_cell(right, 4, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "I", size - 1)
    pdf.multi_cell(right, 5, document.place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_bottom) + 3)
    pdf.set_font(FAMILY, "B", size + 1.5)
    pdf.multi_cell(0, 5, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if document.subtitle:
        pdf.set_font(FAMILY, "B", size)
        pdf.multi_cell(0, 4, document.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
