"""The statistics as tables: one definition for the page, the XLSX and the DOCX."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from core.queue.opening_hours import WEEKDAY_NAMES
from core.queue.ratings import SCORE_LABELS
from core.reports.queue_stats import PeriodStatistics, QueueFigures, Satisfaction
from core.reports.reform import COUNT_KEYS, ReformReport

TEXT, INT, DECIMAL, PERCENT = "text", "int", "decimal", "percent"
DELTA, DELTA_PERCENT = "delta", "delta_percent"  # a signed change, in units or in points

FORM_COLUMNS = 13  # the form's numbered columns (1)–(13); the extra columns follow, unnumbered
FORM_GROUPS = [
    # (header, first column, last column), columns numbered as on the form (1–13)
    (_l("Số hồ sơ nhận giải quyết"), 3, 6),
    (_l("Số hồ sơ đã giải quyết"), 7, 10),
    (_l("Số hồ sơ đang giải quyết"), 11, 13),
]
OFFICIAL_HEADERS = [
    _l("STT"),
    _l("Lĩnh vực"),
    _l("Tổng số"),
    _l("Trực tuyến (trong kỳ)"),
    _l("Trực tiếp, bưu chính (trong kỳ)"),
    _l("Từ kỳ trước chuyển qua"),
    _l("Tổng số"),
    _l("Trước hạn"),
    _l("Đúng hạn"),
    _l("Quá hạn"),
    _l("Tổng số"),
    _l("Trong hạn"),
    _l("Quá hạn"),
    # Beside the form, not part of it:
    _l("Tỷ lệ đúng hạn trên số đã giải quyết (%)"),
    _l("Tỷ lệ đúng hạn trên số tiếp nhận (%)"),
    _l("Rút hồ sơ"),
    _l("Dừng giải quyết"),
]
OFFICIAL_GROUPS = [
    *FORM_GROUPS,
    (_l("Ngoài biểu mẫu"), FORM_COLUMNS + 1, len(OFFICIAL_HEADERS)),
]
# The official table's columns after the field's name, by their key in the report's JSON.
OFFICIAL_KEYS = (*COUNT_KEYS, "on_time_rate", "evaluation_rate", "withdrawn", "stopped")
OFFICIAL_KINDS = [INT, TEXT] + [INT] * len(COUNT_KEYS) + [PERCENT, PERCENT, INT, INT]


@dataclass
class Table:
    key: str
    title: object
    headers: list
    kinds: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    chart: str | None = None  # how the page draws it: bar, line, doughnut, heatmap
    # Header groups over columns (numbered from 1) and how many columns the form numbers;
    # only the official table (and its difference) has them.
    groups: list[tuple] = field(default_factory=list)
    numbered: int = 0

    def all_rows(self) -> list[list]:
        return self.rows + ([self.total] if self.total else [])

    def column_label(self, column: int) -> str:
        """'(n)' under a column the form numbers; nothing under the others."""
        return f"({column})" if column <= self.numbered else ""

    def grouped(self, column: int) -> bool:
        return any(low <= column <= high for _, low, high in self.groups)


def _official_row(number, name, values: dict) -> list:
    """A row of the table; a count the values lack (closed before it existed) shows 0."""
    return [number, name, *(values.get(key, 0) for key in OFFICIAL_KEYS)]


def official_table(report: ReformReport) -> Table:
    """The Circular 01/2020 form's table, with the rates and the withdrawn and stopped
    counts beside it."""
    headers = list(OFFICIAL_HEADERS)
    if report.by == "agency":
        headers[1] = _l("Cơ quan")
    table = Table(
        "tthc",
        _l("Kết quả giải quyết thủ tục hành chính"),
        headers,
        list(OFFICIAL_KINDS),
        groups=list(OFFICIAL_GROUPS),
        numbered=FORM_COLUMNS,
    )
    for number, (name, counts) in enumerate(report.rows, start=1):
        label = f"{report.names.get(name, '')} ({name})" if report.by == "agency" else name
        table.rows.append(_official_row(number, label, counts.as_dict()))
    table.total = _official_row(None, _l("Tổng cộng"), report.total.as_dict())
    return table


def difference_table(difference: dict) -> Table:
    """The official table's columns as changes (`core.reports.closing.difference`):
    the figures now less the closed ones, by field and in total."""
    kinds = [DELTA_PERCENT if kind == PERCENT else DELTA for kind in OFFICIAL_KINDS]
    table = Table(
        "tthc_difference",
        _l("Chênh lệch: số liệu hiện tại trừ số liệu đã chốt"),
        list(OFFICIAL_HEADERS),
        [INT, TEXT, *kinds[2:]],
        groups=list(OFFICIAL_GROUPS),
        numbered=FORM_COLUMNS,
    )
    for number, row in enumerate(difference["rows"], start=1):
        table.rows.append(_official_row(number, row["field"], row))
    table.total = _official_row(None, _l("Tổng cộng"), difference["total"])
    return table


QUEUE_HEADERS = [
    _l("Số phát ra"),
    _l("Đã phục vụ"),
    _l("Vắng mặt"),
    _l("Chờ TB (phút)"),
    _l("Chờ P90 (phút)"),
    _l("Phục vụ TB (phút)"),
    _l("Phục vụ P90 (phút)"),
    _l("Được gọi trong 15 phút (%)"),
]
QUEUE_KINDS = [INT, INT, INT, DECIMAL, INT, DECIMAL, INT, PERCENT]


def _queue_row(label, figures: QueueFigures) -> list:
    values = figures.as_dict()
    return [
        label,
        values["issued"],
        values["served"],
        values["no_show"],
        values["average_wait_minutes"],
        values["p90_wait_minutes"],
        values["average_service_minutes"],
        values["p90_service_minutes"],
        values["quick_share"],
    ]


def queue_table(key: str, title, first_header, groups, total: QueueFigures | None) -> Table:
    table = Table(key, title, [first_header, *QUEUE_HEADERS], [TEXT, *QUEUE_KINDS], chart="bar")
    table.rows = [_queue_row(str(label), figures) for label, figures in groups]
    if total is not None:
        table.total = _queue_row(_l("Tổng cộng"), total)
    return table


def arrival_table(key: str, title, first_header, groups) -> Table:
    """Arrivals by weekday or hour: tickets issued, average wait, share called quickly."""
    table = Table(
        key,
        title,
        [first_header, _l("Số phát ra"), _l("Chờ TB (phút)"), _l("Được gọi trong 15 phút (%)")],
        [TEXT, INT, DECIMAL, PERCENT],
        chart="bar",
    )
    for label, figures in groups:
        values = figures.as_dict()
        table.rows.append(
            [str(label), values["issued"], values["average_wait_minutes"], values["quick_share"]]
        )
    return table


def hour_table(stats: PeriodStatistics) -> Table:
    hours = [(f"{hour:02d}:00", figures) for hour, figures in stats.by_hour]
    return arrival_table("hours", _l("Theo giờ trong ngày"), _l("Giờ"), hours)


def heatmap_table(stats: PeriodStatistics) -> Table:

    hours = stats.arrival_hours
    table = Table(
        "arrivals",
        _l("Lượng người đến theo thứ và giờ"),
        [_l("Thứ"), *(f"{hour:02d}h" for hour in hours)],
        [TEXT] + [INT] * len(hours),
        chart="heatmap",
    )
    for weekday in stats.arrival_weekdays:
        table.rows.append(
            [
                str(WEEKDAY_NAMES[weekday]),
                *(stats.arrivals.get((weekday, hour), 0) for hour in hours),
            ]
        )
    return table


def satisfaction_table(key: str, title, first_header, groups, total: Satisfaction | None):
    headers = [first_header, *(SCORE_LABELS[score] for score in SCORE_LABELS)]
    headers += [_l("Số lượt"), _l("Hài lòng trở lên (%)")]
    table = Table(key, title, headers, [TEXT] + [PERCENT] * 4 + [INT, PERCENT], chart="stacked")

    def row(label, satisfaction: Satisfaction) -> list:
        shares = satisfaction.shares()
        return [
            str(label),
            *(shares[score.value] for score in SCORE_LABELS),
            satisfaction.total,
            satisfaction.satisfied_share,
        ]

    table.rows = [row(label, value) for label, value in groups]
    if total is not None:
        table.total = row(_l("Tổng cộng"), total)
    return table


def months_table(stats: PeriodStatistics) -> Table:
    table = Table(
        "months",
        _l("Xu hướng theo tháng"),
        [
            _l("Tháng"),
            _l("Số phát ra"),
            _l("Đã phục vụ"),
            _l("Hồ sơ tiếp nhận"),
            _l("Hồ sơ đã giải quyết"),
            _l("Giải quyết quá hạn"),
        ],
        [TEXT, INT, INT, INT, INT, INT],
        chart="line",
    )
    for month in stats.months:
        year, number = month["month"].split("-")
        table.rows.append(
            [
                f"{number}/{year}",
                month["tickets"],
                month["served"],
                month["received"],
                month["resolved"],
                month["late"],
            ]
        )
    return table


def statistics_tables(report: ReformReport, stats: PeriodStatistics) -> list[Table]:
    """Every table of the statistics page, in page order."""
    return [
        official_table(report),
        queue_table(
            "services", _l("Hàng đợi theo dịch vụ"), _l("Dịch vụ"), stats.by_service, stats.queue
        ),
        queue_table("counters", _l("Theo quầy"), _l("Quầy"), stats.by_counter, None),
        queue_table("officers", _l("Theo cán bộ"), _l("Cán bộ"), stats.by_officer, None),
        arrival_table("weekdays", _l("Theo thứ trong tuần"), _l("Thứ"), stats.by_weekday),
        hour_table(stats),
        heatmap_table(stats),
        satisfaction_table(
            "satisfaction_counters",
            _l("Mức độ hài lòng theo quầy"),
            _l("Quầy"),
            stats.satisfaction_by_counter,
            stats.satisfaction,
        ),
        satisfaction_table(
            "satisfaction_officers",
            _l("Mức độ hài lòng theo cán bộ"),
            _l("Cán bộ"),
            stats.satisfaction_by_officer,
            None,
        ),
        months_table(stats),
    ]
