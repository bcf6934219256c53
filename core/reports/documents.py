"""The report as files: XLSX workbooks (openpyxl) and the DOCX section a manager pastes
into the department's reform report (python-docx). Documents are always Vietnamese."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.clock import local_today
from core.dossiers.forms import vn_date_phrase
from core.dossiers.settings import dossier_settings
from core.i18n import format_figure
from core.reports.periods import Period
from core.reports.queue_stats import PeriodStatistics
from core.reports.reform import ReformReport
from core.reports.tables import (
    DECIMAL,
    INT,
    PERCENT,
    Table,
    official_table,
    queue_table,
    satisfaction_table,
    statistics_tables,
)
from core.spreadsheets import put_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMBER_FORMATS = {INT: "#,##0", DECIMAL: "0.0", PERCENT: "0.0%"}
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F4")


def report_filename(period: Period, extension: str, table: str = "bao-cao-tthc") -> str:
    return f"{table}-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"


def vn_number(value, decimals: int = 0) -> str:
    """1234567 → '1.234.567'; 75.5 → '75,5': the documents are Vietnamese."""
    return format_figure(value, decimals, "vi")


def period_caption(period: Period, note: str | None = None) -> str:
    """The period as the documents name it, and `note` (e.g. when its figures were closed)."""
    caption = f"Kỳ báo cáo {period.title_vi()} ({period.range_vi()})"
    return f"{caption}. {note}" if note else caption


# --- XLSX -------------------------------------------------------------------------------


def _sheet_title(table: Table) -> str:
    return str(table.title)[:31]


def _write_cell(sheet, row: int, column: int, value, kind: str):
    if kind == PERCENT and value is not None:
        value = value / 100
    cell = put_cell(sheet, row, column, str(value) if hasattr(value, "__html__") else value)
    if kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    cell.border = BOX
    return cell


def _title_rows(sheet, table: Table, caption: str, width: int) -> None:
    put_cell(sheet, 1, 1, str(table.title).upper()).font = Font(bold=True, size=14)
    put_cell(sheet, 2, 1, caption).font = Font(italic=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _header_cell(sheet, row: int, column: int, value) -> None:
    cell = put_cell(sheet, row, column, str(value))
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.border = BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _write_table(sheet, table: Table, caption: str) -> None:
    width = len(table.headers)
    _title_rows(sheet, table, caption, width)
    first = 4
    if table.groups:
        # Two header rows, the groups over the columns they hold, then the form's numbers
        # (1)…(13); the columns beside the form are left unnumbered.
        for column, header in enumerate(table.headers, start=1):
            _header_cell(sheet, first + 1, column, header)
            if not table.grouped(column):
                _header_cell(sheet, first, column, header)
                sheet.merge_cells(
                    start_row=first, start_column=column, end_row=first + 1, end_column=column
                )
        for header, low, high in table.groups:
            _header_cell(sheet, first, low, header)
            sheet.merge_cells(start_row=first, start_column=low, end_row=first, end_column=high)
        for column in range(1, width + 1):
            _header_cell(sheet, first + 2, column, table.column_label(column))
        data_row = first + 3
    else:
        for column, header in enumerate(table.headers, start=1):
            _header_cell(sheet, first, column, header)
        data_row = first + 1
    sheet.freeze_panes = sheet.cell(row=data_row, column=3 if table.groups else 2)
    for offset, values in enumerate(table.all_rows()):
        is_total = table.total is not None and offset == len(table.rows)
        for column, (value, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
            cell = _write_cell(sheet, data_row + offset, column, value, kind)
            if is_total:
                cell.font = Font(bold=True)
    for column in range(1, width + 1):
        longest = max([len(str(row[column - 1] or "")) for row in table.all_rows()] + [8])
        wide = column == 2 if table.groups else column == 1
        sheet.column_dimensions[get_column_letter(column)].width = (
            min(max(longest + 2, 24), 48) if wide else 13
        )
    sheet.row_dimensions[first].height = 32
    sheet.row_dimensions[first + 1].height = 45


def tables_xlsx(tables: list[Table], period: Period, note: str | None = None) -> bytes:
    """A workbook with one sheet per table; `note` follows the period under each title."""
    with force_locale("vi"):
        workbook = Workbook()
        workbook.remove(workbook.active)
        for table in tables:
            sheet = workbook.create_sheet(_sheet_title(table))
            _write_table(sheet, table, period_caption(period, note))
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def scope_note(report: ReformReport, note: str | None) -> str | None:
    """The period's note, after what the table covers when it is not the centre by field:
    one agency, or the centre's agencies one per row (in Vietnamese)."""
    if report.agency is not None:
        scope = f"Cơ quan: {report.agency[1]} ({report.agency[0]})"
    elif report.by == "agency":
        scope = "Toàn trung tâm, theo cơ quan"
    else:
        return note
    return f"{scope}. {note}" if note else scope


def report_xlsx(report: ReformReport, stats: PeriodStatistics, note: str | None = None) -> bytes:
    note = scope_note(report, note)
    with force_locale("vi"):
        tables = statistics_tables(report, stats)
        return tables_xlsx(tables, report.period, note)


# --- DOCX -------------------------------------------------------------------------------


def narrative(report: ReformReport, stats: PeriodStatistics) -> list[str]:
    """The report's paragraphs, with the period's figures, in Vietnamese."""
    total = report.total
    period = report.period
    new = total.received_online + total.received_direct
    online_share = (
        f" ({vn_number(100 * total.received_online / new, 1)}% số hồ sơ mới)" if new else ""
    )
    rate = (
        f"tỷ lệ giải quyết đúng hạn (trước hạn và đúng hạn) đạt {vn_number(total.on_time_rate, 1)}%"
        if total.on_time_rate is not None
        else "chưa có hồ sơ được giải quyết trong kỳ"
    )
    paragraphs = [
        f"Trong {period.title_vi()} ({period.range_vi()}), Bộ phận tiếp nhận và trả kết quả đã "
        f"tiếp nhận {vn_number(total.received_total)} hồ sơ thủ tục hành chính, trong đó "
        f"{vn_number(total.received_online)} hồ sơ trực tuyến{online_share}, "
        f"{vn_number(total.received_direct)} hồ sơ trực tiếp hoặc qua dịch vụ bưu chính và "
        f"{vn_number(total.carried_over)} hồ sơ từ kỳ trước chuyển qua. Đã giải quyết "
        f"{vn_number(total.resolved_total)} hồ sơ, gồm {vn_number(total.resolved_early)} hồ sơ "
        f"trước hạn, {vn_number(total.resolved_on_time)} hồ sơ đúng hạn và "
        f"{vn_number(total.resolved_late)} hồ sơ quá hạn; {rate}. Đang giải quyết "
        f"{vn_number(total.pending_total)} hồ sơ, trong đó {vn_number(total.pending_on_time)} "
        f"hồ sơ trong hạn và {vn_number(total.pending_overdue)} hồ sơ quá hạn.",
        f"Trong kỳ có {vn_number(total.withdrawn)} hồ sơ được người nộp xin rút và "
        f"{vn_number(total.stopped)} hồ sơ bị dừng giải quyết (không tính vào bảng số "
        f"liệu) và {vn_number(stats.apologies)} phiếu xin lỗi và hẹn lại ngày trả kết "
        "quả đã được gửi tới người nộp hồ sơ.",
    ]
    queue = stats.queue
    if queue.issued:
        paragraphs.append(
            f"Hệ thống xếp hàng tự động đã cấp {vn_number(queue.issued)} số thứ tự, phục vụ "
            f"{vn_number(queue.served)} lượt công dân ({vn_number(queue.no_show)} lượt vắng mặt "
            f"khi được gọi). Thời gian chờ trung bình {vn_number(queue.average_wait_minutes, 1)} "
            f"phút, 90% lượt được gọi trong vòng {vn_number(queue.p90_wait_minutes)} phút; "
            f"{vn_number(queue.quick_share, 1)}% lượt được gọi trong 15 phút. Thời gian phục vụ "
            f"trung bình tại quầy {vn_number(queue.average_service_minutes, 1)} phút."
        )
    satisfaction = stats.satisfaction
    if satisfaction.total:
        shares = satisfaction.shares()
        paragraphs.append(
            f"Có {vn_number(satisfaction.total)} lượt đánh giá mức độ hài lòng tại quầy và qua "
            f"điện thoại: {vn_number(shares['very_satisfied'], 1)}% rất hài lòng, "
            f"{vn_number(shares['satisfied'], 1)}% hài lòng, {vn_number(shares['neutral'], 1)}% "
            f"bình thường và {vn_number(shares['unsatisfied'], 1)}% không hài lòng (hài lòng trở "
            f"lên: {vn_number(satisfaction.satisfied_share, 1)}%)."
        )
    return paragraphs


def _docx_value(value, kind: str) -> str:
    if value is None:
        return "" if kind not in (DECIMAL, PERCENT) else "–"
    if kind == PERCENT:
        return vn_number(value, 1)
    if kind == DECIMAL:
        return vn_number(value, 1)
    if kind == INT:
        return vn_number(value)
    return str(value)


def _docx_table(document, table: Table, size: int = 10) -> None:
    grouped = bool(table.groups)
    header_rows = 3 if grouped else 1
    rows = table.all_rows()
    docx_table = document.add_table(rows=header_rows + len(rows), cols=len(table.headers))
    docx_table.style = "Table Grid"
    docx_table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def put(row: int, column: int, text: str, bold: bool = False, center: bool = True):
        cell = docx_table.cell(row, column)
        cell.text = ""
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    if grouped:
        for column, header in enumerate(table.headers):
            number = column + 1
            put(1, column, str(header), bold=True)
            put(2, column, table.column_label(number))
            if not table.grouped(number):
                put(0, column, str(header), bold=True)
                docx_table.cell(0, column).merge(docx_table.cell(1, column))
                put(0, column, str(header), bold=True)
        for header, low, high in table.groups:
            docx_table.cell(0, low - 1).merge(docx_table.cell(0, high - 1))
            put(0, low - 1, str(header), bold=True)
    else:
        for column, header in enumerate(table.headers):
            put(0, column, str(header), bold=True)
    for offset, values in enumerate(rows):
        is_total = table.total is not None and offset == len(table.rows)
        for column, (value, kind) in enumerate(zip(values, table.kinds, strict=True)):
            put(
                header_rows + offset,
                column,
                _docx_value(value, kind),
                bold=is_total,
                center=kind != "text",
            )


def _borderless_table(document, columns: int, widths: list[float]):
    table = document.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Cm(width)
    return table


def _line(cell, text: str, *, bold=False, italic=False, underline=False, size=13, first=False):
    """A centred line in a heading's cell (`first`: the cell's own empty paragraph)."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    return paragraph


def _official_heading(document, settings: dict[str, str], day) -> None:
    """The heading of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): on
    the left the governing body, the agency (bold, a short line under it) and the number;
    on the right the national name, the motto (bold, underlined) and the place and date."""
    table = _borderless_table(document, 2, [10.5, 15.2])
    left, right = table.rows[0].cells
    _line(left, settings["parent_agency"].upper(), size=12, first=True)
    _line(left, settings["agency_name"].upper(), bold=True, size=12)
    _line(left, "————————", size=8)
    _line(left, f"Số:        /{settings['report_symbol']}", size=13)
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, size=13)
    _line(right, "", size=8)
    _line(right, f"{settings['place_name']}, {vn_date_phrase(day)}", italic=True, size=13)


def _signature_and_recipients(document, settings: dict[str, str]) -> None:
    """The end of the document: "Nơi nhận" on the left, the signer on the right."""
    document.add_paragraph()
    table = _borderless_table(document, 2, [12.7, 13.0])
    left, right = table.rows[0].cells
    heading = left.paragraphs[0]
    run = heading.add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    recipients = [part.strip() for part in settings["report_recipients"].split(";")]
    recipients = [part for part in recipients if part]
    for number, recipient in enumerate(recipients, start=1):
        ending = "." if number == len(recipients) else ";"
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        line.add_run(f"- {recipient}{ending}").font.size = Pt(11)
    _line(right, settings["signer_title"].upper(), bold=True, size=13, first=True)
    for _ in range(4):  # the signature and the seal
        _line(right, "", size=13)
    _line(right, settings["signer_name"], bold=True, size=13)


def report_docx(report: ReformReport, stats: PeriodStatistics, note: str | None = None) -> bytes:
    """The report ready to send: the official heading (settings: province, governing body,
    agency, number's symbol, place), the title, narrative, the official table, queue and
    satisfaction figures, then the signer and "Nơi nhận"; `note` follows the period."""
    settings = dossier_settings()
    note = scope_note(report, note)
    with force_locale("vi"):
        document = Document()
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        for margin in ("left_margin", "right_margin"):
            setattr(section, margin, Cm(2))
        section.top_margin = section.bottom_margin = Cm(1.8)
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        _official_heading(document, settings, local_today())
        kind = document.add_paragraph()
        kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
        kind.paragraph_format.space_before = Pt(12)
        kind.paragraph_format.space_after = Pt(0)
        kind.add_run("BÁO CÁO").bold = True
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = heading.add_run(f"Kết quả giải quyết thủ tục hành chính {report.period.title_vi()}")
        run.bold = True
        caption = document.add_paragraph(period_caption(report.period, note))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in narrative(report, stats):
            paragraph = document.add_paragraph(text)
            paragraph.paragraph_format.first_line_indent = Cm(1)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for table, title in (
            (official_table(report), "Bảng 1. Kết quả giải quyết thủ tục hành chính"),
            (
                queue_table("services", "", "Dịch vụ", stats.by_service, stats.queue),
                "Bảng 2. Số liệu hàng đợi theo dịch vụ",
            ),
            (
                satisfaction_table(
                    "satisfaction_counters",
                    "",
                    "Quầy",
                    stats.satisfaction_by_counter,
                    stats.satisfaction,
                ),
                "Bảng 3. Mức độ hài lòng theo quầy (tỷ lệ %)",
            ),
        ):
            label = document.add_paragraph()
            label.add_run(title).bold = True
            _docx_table(document, table, size=10 if table.key == "tthc" else 11)
        _signature_and_recipients(document, settings)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()
