"""Dashboard pages: thin views over the live view, the reform report and the queue statistics."""

from flask import abort, current_app, jsonify, render_template, request

from core.clock import local_today
from core.i18n import in_request_language
from core.reports.documents import (
    DOCX_TYPE,
    XLSX_TYPE,
    report_docx,
    report_filename,
    tables_xlsx,
)
from core.reports.live import live_state
from core.reports.periods import presets
from core.reports.queue_stats import period_statistics
from core.reports.reform import reform_report
from core.reports.tables import statistics_tables

from . import blueprint
from .charts import chart_spec
from .choices import filter_choices
from .filters import selection_from_request


def download(content: bytes, mimetype: str, filename: str):
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.get("/")
def index():
    return render_template(
        "dashboard/live.html",
        state=live_state(),
        refresh_seconds=current_app.config["DASHBOARD_REFRESH_SECONDS"],
    )


def report_and_statistics(selection):
    """The official table and every other figure of the selected period and filters."""
    report = reform_report(selection.period, selection.filters)
    stats = period_statistics(selection.period, selection.filters, apologies=report.total.apologies)
    return report, stats


@blueprint.get("/state.json")
def state():
    return jsonify(live_state())


@blueprint.get("/stats")
def statistics():
    selection = selection_from_request()
    report, stats = report_and_statistics(selection)
    return render_template(
        "dashboard/stats.html",
        selection=selection,
        report=report,
        stats=stats,
        tables=statistics_tables(report, stats),
        presets=presets(local_today()),
        choices=filter_choices(),
        chart_spec=chart_spec,
        error=in_request_language(selection.error) if selection.error else None,
    )


@blueprint.get("/stats.xlsx")
def statistics_xlsx():
    selection = selection_from_request()
    report, stats = report_and_statistics(selection)
    tables = statistics_tables(report, stats)
    wanted = request.args.get("table")
    if wanted:
        tables = [table for table in tables if table.key == wanted]
        if not tables:
            abort(404)
    name = report_filename(selection.period, "xlsx", f"thong-ke-{wanted}" if wanted else "thong-ke")
    return download(tables_xlsx(tables, selection.period), XLSX_TYPE, name)


@blueprint.get("/report.docx")
def report_document():
    selection = selection_from_request()
    report, stats = report_and_statistics(selection)
    content = report_docx(report, stats)
    return download(content, DOCX_TYPE, report_filename(selection.period, "docx"))


@blueprint.get("/report.json")
def report_json():
    selection = selection_from_request()
    return jsonify(reform_report(selection.period, selection.filters).as_json())
