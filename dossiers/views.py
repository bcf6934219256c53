"""Staff pages: receive a dossier at the counter, follow it, print its forms, return it."""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from core.agencies.registry import competent_agencies, list_agencies
from core.audit import READING_ACTIONS, record_event
from core.clock import local_today
from core.dossiers import forms as dossier_forms
from core.dossiers.citizen_card import InvalidCard, parse_card
from core.dossiers.procedures import all_procedures, find_procedure, search_procedures
from core.dossiers.reception import (
    Reception,
    code_from_scan,
    find_dossier,
    issue_slip,
    receivable_ticket,
    receive_dossier,
)
from core.dossiers.register import (
    RegisterPeriod,
    count_entries,
    entry_page,
    register_heading,
)
from core.dossiers.register import parse_period as parse_register_period
from core.dossiers.search import parse_query, search_dossiers
from core.dossiers.settings import dossier_settings
from core.dossiers.states import STATUS_LABELS, Action, Move, allowed_actions, current_unit, move
from core.dossiers.supplements import (
    SupplementDraft,
    find_request,
    limit_for,
    request_supplement,
)
from core.dossiers.workdays import work_calendar
from core.errors import DomainError
from core.exports.jobs import (
    EXPORT_STATUS_LABELS,
    ExportNotReady,
    job_for,
    recent_jobs,
    request_export,
)
from core.exports.jobs import percent as export_percent
from core.models import (
    Agency,
    Channel,
    Collector,
    ExportJobStatus,
    ReceptionSlip,
    Role,
    SlipKind,
)
from extensions import db
from security import CAMERA_ALLOWED
from web.commit import FAILED, commit_or_explain, commit_reading, explain
from web.roles import roles_required

from . import blueprint
from .forms import (
    FindForm,
    MoveForm,
    ReceptionForm,
    RegisterExportForm,
    SupplementRequestForm,
)
from .helpers import (
    lines,
    local_input,
    lookup_url,
    pdf_response,
    print_page,
    svg_response,
)

STAFF = (Role.OFFICER, Role.MANAGER, Role.ADMIN)
EXPORT_MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Forms, slips and the register carry applicants' details: officers and admins only
# (core/dossiers/privacy.py); managers see the lists and dossiers with masked names.
DESK = (Role.OFFICER, Role.ADMIN)


@blueprint.get("/dossiers/")
@roles_required(*STAFF)
def index():
    """The list: search and filters (core/dossiers/search.py); bad values are ignored and
    said once, above the results."""
    query = parse_query(request.args)
    if query.problems:
        flash(
            _("Đã bỏ qua: %(problems)s.", problems="; ".join(str(p) for p in query.problems)),
            "warning",
        )
    results = search_dossiers(query, current_user)
    for note in results.notes:
        flash(str(note), "info")
    return render_template(
        "dossiers/index.html",
        query=query,
        results=results,
        labels=STATUS_LABELS,
        procedures=all_procedures(),
        agencies=list_agencies(),
        find_form=FindForm(request.args),
    )


@blueprint.get("/dossiers/find")
@roles_required(*STAFF)
def find():
    """Where a scanner types the receipt's QR code (the look-up address) or the code."""
    code = code_from_scan(request.args.get("code", ""))
    try:
        dossier = find_dossier(code)
    except DomainError as error:
        explain(error)
        return redirect(url_for("dossiers.index"))
    return redirect(url_for("dossiers.show", code=dossier.code))


def ticket_from_args(value: str | None):
    if not value:
        return None
    try:
        return receivable_ticket(int(value))
    except (ValueError, DomainError) as error:
        if isinstance(error, DomainError):
            explain(error)
        return None


@blueprint.route("/dossiers/receive", methods=["GET", "POST"])
@roles_required(*DESK)
def receive():
    form = ReceptionForm()
    ticket = ticket_from_args(request.values.get("ticket"))
    code = request.values.get("procedure")
    if not code:
        query = request.args.get("q", "")
        return render_template(
            "dossiers/choose_procedure.html",
            query=query,
            procedures=search_procedures(query, limit=50),
            ticket=ticket,
        )
    procedure = find_procedure(code)
    form.documents.choices = [SelectChoice(doc.position, doc.name) for doc in procedure.documents]
    agencies = competent_agencies(procedure)
    form.agency_id.choices = [SelectChoice("", _("— Chọn cơ quan —"))] + [
        SelectChoice(agency.id, f"{agency.name} ({agency.code})") for agency in agencies
    ]
    if form.validate_on_submit():
        received = commit_or_explain(lambda: submit_reception(form, procedure, ticket), form=form)
        if received is not FAILED:
            return received
    elif request.method == "GET":
        form.procedure.data = procedure.code
        form.ticket.data = str(ticket.id) if ticket else ""
        if ticket is not None and ticket.citizen_id:  # the ticket was taken with the card
            form.applicant_id_number.data = ticket.citizen_id
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "dossiers/receive.html",
        form=form,
        procedure=procedure,
        ticket=ticket,
        choose_agency=len(agencies) > 1,
    )
    # The camera reads the citizen ID card's QR code on tablets: this page may use it.
    return page, status, {"Permissions-Policy": CAMERA_ALLOWED}


@blueprint.post("/dossiers/citizen-card")
@roles_required(*DESK)
def read_citizen_card():
    """The applicant's fields from a citizen ID card's QR text (the reception form's scanner)."""
    try:
        card = parse_card(request.form.get("text", "")[:1000], local_today())
    except InvalidCard as error:
        return jsonify(error=error.in_request_language()), 422
    return jsonify(
        id_number=card.number,
        name=card.name,
        birth_date=card.birth_date.isoformat(),
        address=card.address,
        message=_("Đã điền thông tin từ thẻ căn cước của %(name)s.", name=card.name),
    )


def submit_reception(form: ReceptionForm, procedure, ticket):
    """Receive the dossier, or issue the supplement or refusal slip; the caller commits."""
    applicant, submitter = form.applicant(), form.submitter()
    if form.accept.data:
        reception = Reception(
            procedure,
            applicant,
            Channel(form.channel.data),
            form.documents.data or [],
            form.sets.data or 1,
            ticket,
            submitter,
            form.contacts(),
            agency=db.session.get(Agency, form.agency_id.data) if form.agency_id.data else None,
        )
        dossier = receive_dossier(reception, user=current_user)
        return redirect(url_for("dossiers.form_page", code=dossier.code, form="receipt"))
    kind = SlipKind.SUPPLEMENT if form.supplement.data else SlipKind.REFUSAL
    ticked = set(form.documents.data or [])
    missing = [doc.name for doc in procedure.documents if doc.position not in ticked]
    items = (missing + lines(form.other_items.data)) if kind == SlipKind.SUPPLEMENT else []
    slip = issue_slip(
        kind,
        procedure,
        applicant,
        items=items,
        reason=form.reason.data or "",
        ticket=ticket,
        user=current_user,
        submitter=submitter,
    )
    return redirect(url_for("dossiers.slip_page", slip_id=slip.id))


@blueprint.get("/dossiers/<code>")
@roles_required(*STAFF)
def show(code: str):
    dossier = find_dossier(code)
    page = dossier_page(dossier)
    subject = ("dossier", dossier.id)
    commit_reading(lambda: record_event("dossier.viewed", subject, user=current_user))
    return page


def dossier_page(dossier, supplement_form: SupplementRequestForm | None = None, status=200):
    if supplement_form is None:
        supplement_form = SupplementRequestForm(formdata=None, contact=current_unit(dossier))
    actions = allowed_actions(dossier)
    may_request_supplement = Action.REQUEST_SUPPLEMENT in actions
    return render_template(
        "dossiers/show.html",
        dossier=dossier,
        actions=[action for action in actions if action != Action.REQUEST_SUPPLEMENT]
        if current_user.role in DESK
        else [],
        may_request_supplement=may_request_supplement,
        supplement_limit=limit_for(dossier, work_calendar()) if may_request_supplement else None,
        labels=STATUS_LABELS,
        form=MoveForm(),
        supplement_form=supplement_form,
        audit=dossier_audit(dossier),
        lookup_url=lookup_url(dossier.code),
    ), status


def dossier_audit(dossier):
    """What was done to the dossier; who read it is in the audit log (/admin/audit)."""
    from core.models import AuditEvent, User

    return db.session.execute(
        db.select(AuditEvent, User)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.subject_type == "dossier", AuditEvent.subject_id == dossier.id)
        .where(AuditEvent.action.not_in(READING_ACTIONS))
        .order_by(AuditEvent.id)
    ).all()


@blueprint.post("/dossiers/<code>/move")
@roles_required(*DESK)
def move_dossier(code: str):
    dossier = find_dossier(code)
    form = MoveForm()
    action = form.action_value()
    if not form.validate_on_submit() or action is None:
        abort(400)
    details = Move(
        note=form.note.data or "",
        to_unit=form.to_unit.data or "",
        receiver_name=form.receiver_name.data or "",
        new_due_at=local_input(form.new_due.data),
        collected_via=Channel(form.collected_via.data),
        collected_by=Collector(form.collected_by.data),
        collector_name=form.collector_name.data or "",
    )
    moved = commit_or_explain(lambda: move(dossier, action, user=current_user, details=details))
    if moved is not FAILED and action == Action.SUPPLEMENT_RECEIVED:
        answered = [r for r in dossier.supplement_requests if r.returned_at == moved.occurred_at]
        if answered:  # the new receipt, with the restarted due time
            return redirect(supplement_url(dossier, answered[-1].id, "receipt"))
    return redirect(url_for("dossiers.show", code=code))


@blueprint.post("/dossiers/<code>/supplements")
@roles_required(*STAFF)
def request_supplement_page(code: str):
    """A supplement request during processing; after the due time only a manager may ask,
    on their own account, saying why (core/dossiers/supplements.py)."""
    dossier = find_dossier(code)
    form = SupplementRequestForm()
    if not form.validate_on_submit():
        return dossier_page(dossier, form, 422)
    draft = SupplementDraft(
        items=lines(form.items.data),
        reason=form.reason.data or "",
        contact=form.contact.data or "",
        confirmation_reason=form.confirmation_reason.data or "",
    )
    asked = commit_or_explain(
        lambda: request_supplement(dossier, draft, user=current_user), form=form
    )
    if asked is FAILED:
        return dossier_page(dossier, form, 422)
    if current_user.role in DESK:
        return redirect(supplement_url(dossier, asked.id, "request"))
    flash(_("Đã lập yêu cầu bổ sung; bộ phận một cửa in phiếu gửi người nộp."), "success")
    return redirect(url_for("dossiers.show", code=code))


FORM_BUILDERS = {
    "receipt": lambda dossier, settings: dossier_forms.receipt(
        dossier, settings, lookup_url(dossier.code)
    ),
    "control": dossier_forms.control_slip,
    "apology": dossier_forms.apology,
    "refusal": dossier_forms.refusal,
    "stop": dossier_forms.stop_notice,
}
# The forms a dossier has only after a step: the apology letter, the refusal after
# review, the stop notice.
FORM_ISSUED = {
    "apology": lambda dossier: dossier.apologised_at is not None,
    "refusal": lambda dossier: dossier.refused,
    "stop": lambda dossier: dossier.stopped_at is not None,
}


def build_form(code: str, form: str):
    dossier = find_dossier(code)
    if form not in FORM_BUILDERS or not FORM_ISSUED.get(form, bool)(dossier):
        abort(404)
    return dossier, FORM_BUILDERS[form](dossier, dossier_settings())


def printed(response, dossier, form: str, request_id: int | None = None):
    """`response` (a printable form or its PDF), once its opening is in the audit trail."""
    subject = ("dossier", dossier.id)
    details = {"form": form} | ({"request": request_id} if request_id else {})
    commit_reading(
        lambda: record_event("dossier.form_printed", subject, user=current_user, **details)
    )
    return response


@blueprint.get("/dossiers/<code>/print/<form>")
@roles_required(*DESK)
def form_page(code: str, form: str):
    dossier, document = build_form(code, form)
    page = print_page(
        document,
        url_for("dossiers.form_pdf", code=code, form=form),
        url_for("dossiers.show", code=dossier.code),
    )
    return printed(page, dossier, form)


@blueprint.get("/dossiers/<code>/print/<form>.pdf")
@roles_required(*DESK)
def form_pdf(code: str, form: str):
    dossier, document = build_form(code, form)
    return printed(pdf_response(document, f"{form}-{dossier.code}"), dossier, form)


SUPPLEMENT_FORMS = ("request", "receipt")  # form 02, and the new form 01 after it came back


def supplement_url(dossier, request_id: int, form: str) -> str:
    return url_for("dossiers.supplement_page", code=dossier.code, request_id=request_id, form=form)


def build_supplement_form(code: str, request_id: int, form: str):
    dossier = find_dossier(code)
    asked = find_request(dossier, request_id)
    if form not in SUPPLEMENT_FORMS or (form == "receipt" and asked.returned_at is None):
        abort(404)
    settings = dossier_settings()
    if form == "request":
        return dossier, dossier_forms.supplement_request(asked, settings)
    return dossier, dossier_forms.receipt(dossier, settings, lookup_url(dossier.code), asked)


@blueprint.get("/dossiers/<code>/supplements/<int:request_id>/<form>")
@roles_required(*DESK)
def supplement_page(code: str, request_id: int, form: str):
    dossier, document = build_supplement_form(code, request_id, form)
    page = print_page(
        document,
        url_for("dossiers.supplement_pdf", code=code, request_id=request_id, form=form),
        url_for("dossiers.show", code=dossier.code),
    )
    return printed(page, dossier, f"supplement_{form}", request_id)


@blueprint.get("/dossiers/<code>/supplements/<int:request_id>/<form>.pdf")
@roles_required(*DESK)
def supplement_pdf(code: str, request_id: int, form: str):
    dossier, document = build_supplement_form(code, request_id, form)
    response = pdf_response(document, f"{form}-{dossier.code}-{request_id}")
    return printed(response, dossier, f"supplement_{form}", request_id)


@blueprint.get("/dossiers/<code>/qr.svg")
@roles_required(*STAFF)
def qr(code: str):
    return svg_response(lookup_url(find_dossier(code).code))


def find_slip(slip_id: int):
    slip = db.session.get(ReceptionSlip, slip_id)
    if slip is None:
        abort(404)
    return slip, dossier_forms.reception_slip(slip, dossier_settings())


@blueprint.get("/dossiers/slips/<int:slip_id>")
@roles_required(*DESK)
def slip_page(slip_id: int):
    slip, document = find_slip(slip_id)
    page = print_page(
        document, url_for("dossiers.slip_pdf", slip_id=slip.id), url_for("dossiers.receive")
    )
    return slip_printed(page, slip)


@blueprint.get("/dossiers/slips/<int:slip_id>.pdf")
@roles_required(*DESK)
def slip_pdf(slip_id: int):
    slip, document = find_slip(slip_id)
    return slip_printed(pdf_response(document, f"{slip.kind.value}-{slip.id}"), slip)


def slip_printed(response, slip):
    """`response` (a reception slip or its PDF), once its opening is in the audit trail."""
    subject = ("receptionslip", slip.id)
    commit_reading(lambda: record_event("reception_slip.printed", subject, user=current_user))
    return response


REGISTER_PAGE_SIZE = 100


def register_downloaded(response, subject, kind: str, **details):
    """`response` (the register on screen, or a file of it), once it is audited."""
    commit_reading(
        lambda: record_event(
            "register.downloaded", subject, user=current_user, format=kind, **details
        )
    )
    return response


def register_period():
    """The period asked for (`from`/`to`, or `year`, or this year); a bad one is said and
    this year shown instead."""
    try:
        return parse_register_period(
            request.args.get("from"),
            request.args.get("to"),
            request.args.get("year", type=int),
            request.args.get("agency"),
        )
    except DomainError as error:
        explain(error)
        return RegisterPeriod.year(local_today().year)


@blueprint.get("/dossiers/register")
@roles_required(*DESK)
def register():
    """The register of a period on screen, a page at a time; its files are built in the
    background (register_export)."""
    period = register_period()
    total = count_entries(period)
    pages = max(1, -(-total // REGISTER_PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    document = register_heading(period, entry_page(period, page, REGISTER_PAGE_SIZE))
    export_form = RegisterExportForm(
        formdata=None, start=period.start.isoformat(), end=period.end.isoformat()
    )
    html = render_template(
        "dossiers/register.html",
        form=document,
        pdf_url=None,
        back_url=url_for("dossiers.index"),
        period=period,
        page=page,
        pages=pages,
        total=total,
        export_form=export_form,
        jobs=recent_jobs(current_user, "register"),
        percent=export_percent,
        status_labels=EXPORT_STATUS_LABELS,
        agencies=list_agencies(),
    )
    return register_downloaded(html, ("register", period.start.year), "page", **period.as_params())


@blueprint.post("/dossiers/register/export")
@roles_required(*DESK)
def register_export():
    """Queue the register of a period as XLSX or PDF for the export worker."""
    form = RegisterExportForm()
    agency = request.form.get("agency") or None
    back = url_for(
        "dossiers.register", **{"from": form.start.data, "to": form.end.data, "agency": agency}
    )
    if not form.validate_on_submit():
        flash(_("Hãy chọn kỳ và định dạng tệp."), "error")
        return redirect(url_for("dossiers.register"))
    try:
        period = parse_register_period(form.start.data, form.end.data, agency=agency)
    except DomainError as error:
        explain(error)
        return redirect(back)
    job = commit_or_explain(
        lambda: request_export(
            "register", form.file_format.data, period.as_params(), user=current_user
        )
    )
    if job is FAILED:
        return redirect(back)
    return redirect(url_for("dossiers.export_page", job_id=job.id))


def export_state(job) -> dict:
    done = job.status == ExportJobStatus.DONE
    return {
        "id": job.id,
        "status": job.status.value,
        "status_label": str(EXPORT_STATUS_LABELS[job.status]),
        "done": job.done,
        "total": job.total,
        "percent": export_percent(job),
        "download_url": url_for("dossiers.export_download", job_id=job.id) if done else None,
        "error": job.error if job.status == ExportJobStatus.FAILED else None,
    }


@blueprint.get("/dossiers/exports/<int:job_id>")
@roles_required(*DESK)
def export_page(job_id: int):
    job = job_for(job_id, current_user)
    return render_template(
        "dossiers/export.html",
        job=job,
        state=export_state(job),
        period=RegisterPeriod.from_params(job.params),
    )


@blueprint.get("/dossiers/exports/<int:job_id>.json")
@roles_required(*DESK)
def export_status(job_id: int):
    return export_state(job_for(job_id, current_user))


@blueprint.get("/dossiers/exports/<int:job_id>/download")
@roles_required(*DESK)
def export_download(job_id: int):
    job = job_for(job_id, current_user)
    if job.status != ExportJobStatus.DONE or not job.file_path or not Path(job.file_path).exists():
        raise ExportNotReady()
    period = RegisterPeriod.from_params(job.params)
    response = send_file(
        job.file_path,
        mimetype=EXPORT_MIMETYPES[job.file_format],
        as_attachment=True,
        download_name=f"so-theo-doi-ho-so-{period.slug}.{job.file_format}",
    )
    return register_downloaded(response, ("exportjob", job.id), job.file_format, **job.params)
