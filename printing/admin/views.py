"""The printers page (admins) and the printer alerts every signed-in officer sees."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from core.models import Role
from core.queue.positions import tracking_url, waiting_ahead
from extensions import db
from printing import jobs
from printing.admin import blueprint
from printing.admin.forms import ActionForm, PrinterSettingsForm, ReprintTicketForm
from printing.overview import (
    find_kiosk,
    find_ticket_today,
    printer_alerts,
    printer_rows,
    recent_jobs,
)
from printing.printers import (
    ERROR_LABELS,
    STATE_LABELS,
    PrinterSettings,
    configure_printer,
)
from web.commit import FAILED, commit_or_explain
from web.redirects import local_path
from web.roles import roles_required

STAFF = (Role.OFFICER, Role.MANAGER, Role.ADMIN)


def printer_alerts_or_none() -> list:
    """The alerts, or none when the database cannot say (an error page must still render)."""
    try:
        return printer_alerts()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Could not read the printer alerts")
        return []


@blueprint.app_context_processor
def printer_alert_helpers():
    """`printer_alerts()` is called only by the partial, so other pages pay nothing."""
    return {
        "printer_alerts": printer_alerts_or_none,
        "printer_state_label": lambda state: STATE_LABELS.get(state, state),
        "print_error_label": lambda code: ERROR_LABELS.get(code, code or ""),
        "printer_action_form": ActionForm,
        "local_path": local_path,
    }


def back(default: str = "printing.index"):
    """Return to the page the button was on (local paths only)."""
    return redirect(local_path(request.form.get("next")) or url_for(default))


def settings_form_for(row) -> PrinterSettingsForm:
    printer = row.printer
    return PrinterSettingsForm(
        prefix=f"p{row.device.id}",
        formdata=None,
        url=row.device.printer_url or "none",
        paper_dots=printer.paper_dots,
        profile=printer.profile,
        mode=printer.mode,
        via=printer.via.value,
        check_status=printer.check_status,
    )


def render_index(failed_form=None, failed_device_id=None, reprint_form=None, status=200):
    rows = printer_rows()
    forms = {row.device.id: settings_form_for(row) for row in rows}
    if failed_form is not None:
        forms[failed_device_id] = failed_form
    reprint_form = reprint_form or ReprintTicketForm()
    reprint_form.device.choices = [
        (row.device.id, row.device.name) for row in rows if row.configured
    ]
    page = render_template(
        "printing/index.html",
        rows=rows,
        forms=forms,
        reprint_form=reprint_form,
        recent=recent_jobs(),
        action=ActionForm(),
    )
    return page, status


@blueprint.get("/")
@roles_required(Role.ADMIN)
def index():
    return render_index()


@blueprint.post("/<int:device_id>")
@roles_required(Role.ADMIN)
def save_settings(device_id: int):
    device = find_kiosk(device_id)
    form = PrinterSettingsForm(prefix=f"p{device_id}")
    if not form.validate_on_submit():
        return render_index(form, device_id, status=422)
    settings = PrinterSettings(
        form.url.data, form.paper_dots.data, form.profile.data, form.mode.data,
        form.via.data, form.check_status.data,
    )  # fmt: skip
    configured = commit_or_explain(
        lambda: configure_printer(device, settings, current_user), form=form
    )
    if configured is FAILED:
        return render_index(form, device_id, status=422)
    flash(_("Đã lưu cài đặt máy in của “%(name)s”.", name=device.name), "success")
    return redirect(url_for("printing.index"))


@blueprint.post("/<int:device_id>/test")
@roles_required(Role.ADMIN)
def test_print(device_id: int):
    device = find_kiosk(device_id)
    if ActionForm().validate_on_submit():
        if commit_or_explain(lambda: jobs.queue_test(device, current_user)) is FAILED:
            return redirect(url_for("printing.index"))
        flash(_("Đã gửi lệnh in thử tới máy in của “%(name)s”.", name=device.name), "success")
    return redirect(url_for("printing.index"))


@blueprint.post("/reprint")
@roles_required(Role.ADMIN)
def reprint_ticket():
    form = ReprintTicketForm()
    form.device.choices = [(row.device.id, row.device.name) for row in printer_rows()]
    if not form.validate_on_submit():
        return render_index(reprint_form=form, status=422)
    ticket = find_ticket_today(form.number.data)
    device = find_kiosk(form.device.data)
    queued = commit_or_explain(
        lambda: jobs.queue_reprint(
            ticket, device, waiting_ahead(ticket), tracking_url(ticket.token), current_user
        )
    )
    if queued is FAILED:
        return redirect(url_for("printing.index"))
    flash(_("Đã gửi lệnh in lại phiếu %(number)s.", number=ticket.number), "success")
    return redirect(url_for("printing.index"))


@blueprint.post("/jobs/<int:job_id>/reprint")
@roles_required(*STAFF)
def reprint_job(job_id: int):
    job = jobs.find_job(job_id)
    if ActionForm().validate_on_submit():
        ahead = waiting_ahead(job.ticket) if job.ticket else 0
        url = tracking_url(job.ticket.token) if job.ticket else ""
        new_job = commit_or_explain(lambda: jobs.reprint_job(job, ahead, url, current_user))
        if new_job is FAILED:
            return back()
        flash(_("Đã gửi lệnh in lại (%(label)s).", label=new_job.content["number"]), "success")
    return back()


@blueprint.post("/jobs/<int:job_id>/dismiss")
@roles_required(*STAFF)
def dismiss_job(job_id: int):
    job = jobs.find_job(job_id)
    if ActionForm().validate_on_submit():
        commit_or_explain(lambda: jobs.resolve(job, current_user, "dismissed"))
    return back()


@blueprint.get("/alerts")
@roles_required(*STAFF)
def alerts():
    """The alert panel alone, refreshed by static/js/printer-alerts.js."""
    return render_template("_printer_alerts.html", only_panel=True)
