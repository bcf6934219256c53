"""The evaluation of units and officers as tables: what the page, its charts and the XLSX
file show, built once from `core.reports.evaluation`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.reports.evaluation import Evaluation, Figures
from core.reports.tables import Table

HEADERS = [
    _l("Bước đã xử lý"),
    _l("Đúng hạn"),
    _l("Quá hạn"),
    _l("Tỷ lệ đúng hạn (%)"),
    _l("Thời gian trung bình (giờ)"),
    _l("Phân vị 90 (giờ)"),
    _l("Thời gian cho phép trung bình (giờ)"),
    _l("Đang giữ"),
    _l("Đang quá hạn"),
    _l("Hồ sơ trễ hạn có bước trễ"),
    _l("Tỷ trọng trong hồ sơ trễ hạn (%)"),
]
KINDS = ["int", "int", "int", "percent", "decimal", "decimal", "decimal", "int", "int", "int"]


def row(label: list, figures: Figures, *, share: bool) -> list:
    values = [
        figures.handled,
        figures.on_time,
        figures.late,
        figures.on_time_percent,
        figures.average_hours,
        figures.p90_hours,
        figures.average_allowance,
        figures.held,
        figures.overdue,
        figures.late_dossiers,
    ]
    return [*label, *values, *([figures.late_share] if share else [])]


def evaluation_tables(evaluation: Evaluation) -> list[Table]:
    """Per agency, per unit (with its share in the agency's late dossiers), per officer."""
    agencies = Table(
        "evaluation_agencies",
        _l("Đánh giá theo cơ quan"),
        [_l("Cơ quan"), *HEADERS[:-1]],
        ["text", *KINDS],
    )
    units = Table(
        "evaluation_units",
        _l("Đánh giá theo đơn vị"),
        [_l("Cơ quan"), _l("Đơn vị"), *HEADERS],
        ["text", "text", *KINDS, "percent"],
    )
    officers = Table(
        "evaluation_officers",
        _l("Đánh giá theo cán bộ"),
        [_l("Cơ quan"), _l("Đơn vị"), _l("Cán bộ"), *HEADERS[:-1]],
        ["text", "text", "text", *KINDS],
    )
    for figures in evaluation.agencies:
        agencies.rows.append(row([figures.name], figures, share=False))
    for figures in evaluation.units:
        units.rows.append(row([figures.agency, figures.name], figures, share=True))
    for figures in evaluation.officers:
        label = [figures.agency, figures.unit, f"{figures.name} ({figures.key})"]
        officers.rows.append(row(label, figures, share=False))
    return [agencies, units, officers]


def unit_chart(table: Table) -> dict | None:
    """On time and late steps per unit, stacked (Chart.js, drawn by the dashboard's script)."""
    if not table.rows:
        return None
    return {
        "type": "bar",
        "stacked": True,
        "horizontal": True,
        "percent": False,
        "labels": [f"{row[1]} ({row[0]})" for row in table.rows],
        "series": [
            {"label": str(_l("Đúng hạn")), "color": "#1a7f37", "data": [r[3] for r in table.rows]},
            {"label": str(_l("Quá hạn")), "color": "#c8102e", "data": [r[4] for r in table.rows]},
        ],
    }
