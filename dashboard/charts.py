"""Chart specifications built from the tables themselves, so a chart never says
something its table does not. The page's script (static/js/dashboard-charts.js) draws
them with the vendored Chart.js."""

from __future__ import annotations

from flask_babel import gettext as _

from core.reports.tables import Table

# table key: (chart type, [(column index, colour)], stacked, horizontal)
SPECS = {
    "tthc": (
        "bar",
        [(7, "#1a7f37"), (8, "#0b3d91"), (9, "#c8102e"), (11, "#7f9cc8"), (12, "#f2b705")],
        True,
        True,
    ),
    "services": ("bar", [(4, "#0b3d91"), (5, "#f2b705")], False, False),
    "counters": ("bar", [(2, "#0b3d91"), (3, "#c8102e")], False, False),
    "officers": ("bar", [(2, "#0b3d91"), (3, "#c8102e")], False, False),
    "weekdays": ("bar", [(1, "#0b3d91")], False, False),
    "hours": ("bar", [(1, "#0b3d91")], False, False),
    "satisfaction_counters": (
        "bar",
        [(1, "#1a7f37"), (2, "#7fbf7f"), (3, "#f2b705"), (4, "#c8102e")],
        True,
        True,
    ),
    "satisfaction_officers": (
        "bar",
        [(1, "#1a7f37"), (2, "#7fbf7f"), (3, "#f2b705"), (4, "#c8102e")],
        True,
        True,
    ),
    "months": (
        "line",
        [(1, "#0b3d91"), (3, "#1a7f37"), (4, "#f2b705"), (5, "#c8102e")],
        False,
        False,
    ),
}


def chart_spec(table: Table) -> dict | None:
    """Labels and series for Chart.js, or None for tables shown only as tables."""
    if table.key not in SPECS or not table.rows:
        return None
    kind, columns, stacked, horizontal = SPECS[table.key]
    label_column = 1 if table.key == "tthc" else 0
    return {
        "type": kind,
        "stacked": stacked,
        "horizontal": horizontal,
        "percent": table.key.startswith("satisfaction"),
        "labels": [str(row[label_column]) for row in table.rows],
        "series": [
            {
                "label": str(table.headers[column])
                if table.key != "tthc"
                else _tthc_label(column, table),
                "color": colour,
                "data": [row[column] if row[column] is not None else 0 for row in table.rows],
            }
            for column, colour in columns
        ],
    }


def _tthc_label(column: int, table: Table) -> str:
    resolved = _("Đã giải quyết")
    pending = _("Đang giải quyết")
    group = resolved if column <= 9 else pending
    return f"{group}: {str(table.headers[column]).lower()}"
