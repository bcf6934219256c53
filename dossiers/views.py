"""Staff pages: receive a dossier at the counter, follow it, print its forms, return it."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from core.clock import local_today
from core.dossiers import forms as dossier_forms
from core.dossiers.procedures import find_procedure, search_procedures
from core.dossiers.reception import (
    Reception,
    code_from_scan,
    find_dossier,
    issue_slip,
    receivable_ticket,
    receive_dossier,
    recent_dossiers,
)
from core.dossiers.settings import dossier_settings
from core.dossiers.states import STATUS_LABELS, Move, allowed_actions, move
from core.errors import DomainError
from core.models import Channel, Collector, ReceptionSlip, Role, SlipKind
from extensions import db
from web.commit import FAILED, commit_or_explain, explain
from web.roles import roles_required

from . import blueprint
from .forms import FindForm, MoveForm, ReceptionForm
from .helpers import (
    lines,
    local_input,
    lookup_url,
    pdf_response,
    print_page,
    svg_response,
)

STAFF = (Role.OFFICER, Role.MANAGER, Role.ADMIN)
# Forms, slips and the register carry applicants' details: officers and admins only
# (core/dossiers/privacy.py); managers see the lists and dossiers with masked names.
DESK = (Role.OFFICER, Role.ADMIN)


@blueprint.get("/dossiers/")
@roles_required(*STAFF)
def index():
    status = request.args.get("status") or None
    if status and status not in {s.value for s in STATUS_LABELS}:
        status = None
    return render_template(
        "dossiers/index.html",
        dossiers=recent_dossiers(100, status),
        status=status,
        labels=STATUS_LABELS,
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
    if form.validate_on_submit():
        received = commit_or_explain(lambda: submit_reception(form, procedure, ticket), form=form)
        if received is not FAILED:
            return received
    elif request.method == "GET":
        form.procedure.data = procedure.code
        form.ticket.data = str(ticket.id) if ticket else ""
    status = 422 if request.method == "POST" else 200
    return render_template(
        "dossiers/receive.html", form=form, procedure=procedure, ticket=ticket
    ), status


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
    return render_template(
        "dossiers/show.html",
        dossier=dossier,
        actions=allowed_actions(dossier) if current_user.role in DESK else [],
        labels=STATUS_LABELS,
        form=MoveForm(),
        audit=dossier_audit(dossier),
        lookup_url=lookup_url(dossier.code),
    )


def dossier_audit(dossier):
    from core.models import AuditEvent, User

    return db.session.execute(
        db.select(AuditEvent, User)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.subject_type == "dossier", AuditEvent.subject_id == dossier.id)
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
        items=lines(form.items.data),
        new_due_at=local_input(form.new_due.data),
        collected_via=Channel(form.collected_via.data),
        collected_by=Collector(form.collected_by.data),
        collector_name=form.collector_name.data or "",
    )
    commit_or_explain(lambda: move(dossier, action, user=current_user, details=details))
    return redirect(url_for("dossiers.show", code=code))


FORM_BUILDERS = {
    "receipt": lambda dossier, settings: dossier_forms.receipt(
        dossier, settings, lookup_url(dossier.code)
    ),
    "control": dossier_forms.control_slip,
    "apology": dossier_forms.apology,
}


def build_form(code: str, form: str):
    dossier = find_dossier(code)
    if form not in FORM_BUILDERS or (form == "apology" and dossier.apologised_at is None):
        abort(404)
    return dossier, FORM_BUILDERS[form](dossier, dossier_settings())


@blueprint.get("/dossiers/<code>/print/<form>")
@roles_required(*DESK)
def form_page(code: str, form: str):
    dossier, document = build_form(code, form)
    return print_page(
        document,
        url_for("dossiers.form_pdf", code=code, form=form),
        url_for("dossiers.show", code=dossier.code),
    )


@blueprint.get("/dossiers/<code>/print/<form>.pdf")
@roles_required(*DESK)
def form_pdf(code: str, form: str):
    dossier, document = build_form(code, form)
    return pdf_response(document, f"{form}-{dossier.code}")


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
    return print_page(
        document, url_for("dossiers.slip_pdf", slip_id=slip.id), url_for("dossiers.receive")
    )


@blueprint.get("/dossiers/slips/<int:slip_id>.pdf")
@roles_required(*DESK)
def slip_pdf(slip_id: int):
    slip, document = find_slip(slip_id)
    return pdf_response(document, f"{slip.kind.value}-{slip.id}")


@blueprint.get("/dossiers/register")
@roles_required(*DESK)
def register():
    from .exports import register_document

    year = request.args.get("year", type=int) or local_today().year
    return print_page(
        register_document(year),
        url_for("dossiers.register_pdf", year=year),
        url_for("dossiers.index"),
    )


@blueprint.get("/dossiers/register.pdf")
@roles_required(*DESK)
def register_pdf():
    from .exports import register_document

    year = request.args.get("year", type=int) or local_today().year
    return pdf_response(register_document(year), f"so-theo-doi-ho-so-{year}")


@blueprint.get("/dossiers/register.xlsx")
@roles_required(*DESK)
def register_xlsx():
    from .exports import register_workbook

    year = request.args.get("year", type=int) or local_today().year
    return register_workbook(year)
