"""The statistics as tables: one definition for the page, the XLSX and the DOCX."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from core.queue.opening_hours import WEEKDAY_NAMES
from core.queue.ratings import SCORE_LABELS
from core.reports.queue_stats import PeriodStatistics, QueueFigures, Satisfaction
from core.reports.reform import COUNT_KEYS, ReformReport

TEXT, INT, DECIMAL, PERCENT = "text", "int", "decimal", "percent"

OFFICIAL_GROUPS = [
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
    _l("Tỷ lệ đúng hạn (%)"),
    _l("Rút hồ sơ (ngoài bảng)"),
]


@dataclass
class Table:
    key: str
    title: object
    headers: list
    kinds: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    chart: str | None = None  # how the page draws it: bar, line, doughnut, heatmap

    def all_rows(self) -> list[list]:
        return self.rows + ([self.total] if self.total else [])


def official_table(report: ReformReport) -> Table:
    table = Table(
        "tthc",
        _l("Kết quả giải quyết thủ tục hành chính"),
        list(OFFICIAL_HEADERS),
        [INT, TEXT] + [INT] * 11 + [PERCENT, INT],
    )
    for number, (name, counts) in enumerate(report.rows, start=1):
        values = counts.as_dict()
        table.rows.append(
            [
                number,
                name,
                *(values[key] for key in COUNT_KEYS),
                counts.on_time_rate,
                counts.withdrawn,
            ]
        )
    totals = report.total.as_dict()
    table.total = [
        None,
        _l("Tổng cộng"),
        *(totals[key] for key in COUNT_KEYS),
        report.total.on_time_rate,
        report.total.withdrawn,
    ]
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
