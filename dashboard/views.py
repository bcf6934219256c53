"""Dashboard pages: thin views over the live view, the reform report and the queue statistics,
and closing or reopening a report period."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.agencies.registry import list_agencies
from core.appointments.figures import booking_table
from core.clock import local_today, utcnow
from core.errors import InvalidInput
from core.i18n import in_request_language
from core.models import Role
from core.reports.closing import (
    close_period,
    closed_by_name,
    document_note,
    is_over,
    read_report,
    reopen_period,
)
from core.reports.documents import (
    DOCX_TYPE,
    XLSX_TYPE,
    report_docx,
    report_filename,
    scope_note,
    tables_xlsx,
)
from core.reports.evaluation import evaluate, evaluation_scope
from core.reports.evaluation_tables import evaluation_tables, unit_chart
from core.reports.live import live_state
from core.reports.periods import custom_period, parse_day, parse_period_key, presets
from core.reports.queue_stats import period_statistics
from core.reports.tables import difference_table, statistics_tables
from web.commit import FAILED, commit_or_explain
from web.roles import roles_required

from . import blueprint
from .charts import chart_spec
from .choices import filter_choices
from .filters import live_scope_from_request, selection_from_request
from .forms import PeriodForm


def download(content: bytes, mimetype: str, filename: str):
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.get("/")
def index():
    agency_code, scope, error = live_scope_from_request()
    return render_template(
        "dashboard/live.html",
        state=live_state(scope=scope),
        agency_code=agency_code,
        agencies=filter_choices()["agencies"],
        error=in_request_language(error) if error else None,
        refresh_seconds=current_app.config["DASHBOARD_REFRESH_SECONDS"],
    )


def report_and_statistics(selection):
    """The official table as this reading shows it (the stored figures of a closed period
    unless live) and every other figure of the selected period and filters."""
    reading = read_report(selection.period, selection.filters, live=selection.live, by=selection.by)
    stats = period_statistics(
        selection.period, selection.filters, apologies=reading.report.total.apologies
    )
    return reading, stats


def page_tables(selection, reading, stats) -> list:
    """The statistics page's tables, the bookings' last, all under the page's filters."""
    return statistics_tables(reading.report, stats) + [
        booking_table(selection.period, selection.filters)
    ]


@blueprint.get("/state.json")
def state():
    _, scope, _ = live_scope_from_request()
    return jsonify(live_state(scope=scope))


@blueprint.get("/stats")
def statistics():
    selection = selection_from_request()
    reading, stats = report_and_statistics(selection)
    return render_template(
        "dashboard/stats.html",
        selection=selection,
        reading=reading,
        report=reading.report,
        stats=stats,
        tables=statistics_tables(reading.report, stats)
        + [booking_table(selection.period, selection.filters)],
        difference=difference_table(reading.difference) if reading.difference else None,
        closed_by=closed_by_name(reading.closing) if reading.closing else None,
        can_close=reading.closing is None and is_over(selection.period),
        period_over=is_over(selection.period),
        can_reopen=reading.closing is not None and current_user.role == Role.ADMIN,
        presets=presets(local_today()),
        choices=filter_choices(),
        chart_spec=chart_spec,
        error=in_request_language(selection.error) if selection.error else None,
    )


@blueprint.get("/stats.xlsx")
def statistics_xlsx():
    selection = selection_from_request()
    reading, stats = report_and_statistics(selection)
    tables = statistics_tables(reading.report, stats) + [
        booking_table(selection.period, selection.filters)
    ]
    wanted = request.args.get("table")
    if wanted:
        tables = [table for table in tables if table.key == wanted]
        if not tables:
            abort(404)
    name = report_filename(selection.period, "xlsx", f"thong-ke-{wanted}" if wanted else "thong-ke")
    note = scope_note(reading.report, document_note(reading))
    content = tables_xlsx(tables, selection.period, note)
    return download(content, XLSX_TYPE, name)


@blueprint.get("/report.docx")
def report_document():
    selection = selection_from_request()
    reading, stats = report_and_statistics(selection)
    content = report_docx(reading.report, stats, document_note(reading))
    return download(content, DOCX_TYPE, report_filename(selection.period, "docx"))


@blueprint.get("/report.json")
def report_json():
    selection = selection_from_request()
    reading = read_report(selection.period, selection.filters, live=selection.live, by=selection.by)
    return jsonify(reading.as_json())


def period_form_and_period():
    """The form (prefilled from `?period=` on the first view) and the period it names, or
    None after saying why (a flash message)."""
    form = PeriodForm(period=request.args.get("period", ""))
    try:
        return form, parse_period_key(form.period.data or "")
    except InvalidInput as error:
        flash(error.in_request_language(), "error")
        return form, None


def period_page(template: str, form, period, **context):
    """A confirmation page; 422 when a submitted form comes back refused."""
    status = 422 if request.method == "POST" else 200
    reading = read_report(period)
    page = render_template(
        template,
        form=form,
        period=period,
        reading=reading,
        closed_by_name=closed_by_name,
        **context,
    )
    return page, status


@blueprint.route("/periods/close", methods=["GET", "POST"])
def close_period_page():
    """A confirmation page with the figures to be stored, then the closing (POST)."""
    form, period = period_form_and_period()
    if period is None:
        return redirect(url_for(".statistics"))
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if commit_or_explain(lambda: close_period(period, user), form=form) is not FAILED:
            flash(_("Đã chốt số liệu kỳ báo cáo %(days)s.", days=period.dates()), "success")
            return redirect(url_for(".statistics", period=period.key()))
    return period_page(
        "dashboard/period_confirm.html", form, period, closing=True, can_close=is_over(period)
    )


@blueprint.route("/periods/reopen", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reopen_period_page():
    """A confirmation page, then the period reopened (POST; an admin only, audited)."""
    form, period = period_form_and_period()
    if period is None:
        return redirect(url_for(".statistics"))
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if commit_or_explain(lambda: reopen_period(period, user), form=form) is not FAILED:
            flash(
                _(
                    "Đã mở lại kỳ báo cáo %(days)s: số liệu được tính lại từ dữ liệu hiện tại.",
                    days=period.dates(),
                ),
                "success",
            )
            return redirect(url_for(".statistics", period=period.key()))
    return period_page("dashboard/period_confirm.html", form, period, closing=False)


# Who evaluates: managers and admins the centre, the processing officers' leaders their own
# agency or unit (core.reports.evaluation.evaluation_scope).
EVALUATORS = (Role.MANAGER, Role.ADMIN, Role.AGENCY_LEADER, Role.UNIT_HEAD)


def evaluation_selection():
    """The period (`from`, `to`: this month so far unless given) and the scope the signed-in
    member of staff evaluates (the agency chosen, for managers and admins)."""
    today = local_today()
    first = request.args.get("from") or today.replace(day=1).isoformat()
    last = request.args.get("to") or today.isoformat()
    scope = evaluation_scope(current_user, request.args.get("agency"))
    if scope is None:
        abort(403)
    try:
        period = custom_period(parse_day(first), parse_day(last))
    except InvalidInput as error:
        return None, scope, error.in_request_language()
    return period, scope, None


def evaluation_of(period, scope):
    figures = evaluate(period.start, period.end, utcnow(), scope.agency, scope.unit)
    return evaluation_tables(figures)


@blueprint.get("/evaluation")
@roles_required(*EVALUATORS)
def evaluation():
    period, scope, error = evaluation_selection()
    tables = evaluation_of(period, scope) if period is not None else []
    return render_template(
        "dashboard/evaluation.html",
        period=period,
        scope=scope,
        agency=scope.agency,
        agencies=list_agencies(),
        tables=tables,
        unit_chart=unit_chart(tables[1]) if tables else None,
        error=error,
        query={
            "from": request.args.get("from", ""),
            "to": request.args.get("to", ""),
            "agency": scope.agency or "",
        },
    ), (422 if error else 200)


@blueprint.get("/evaluation.xlsx")
@roles_required(*EVALUATORS)
def evaluation_xlsx():
    period, scope, error = evaluation_selection()
    if period is None:
        abort(422)
    tables = evaluation_of(period, scope)
    suffix = "".join(f"-{part}" for part in (scope.agency, scope.unit) if part)
    name = report_filename(period, "xlsx", "danh-gia" + suffix)
    return download(tables_xlsx(tables, period), XLSX_TYPE, name)
