"""The in-tray and a dossier at its step: thin views over core.processes."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.audit import record_event
from core.clock import utcnow
from core.dossiers.states import AT_STEP, STATUS_LABELS
from core.dossiers.supplements import SupplementDraft
from core.dossiers.workdays import work_calendar
from core.models import Dossier, ResultDocument, User
from core.processes import flow
from core.processes.in_tray import in_tray, row_of
from core.processes.results import (
    MAX_BYTES,
    document_path,
    record_result,
    result_documents,
)
from extensions import db
from web.commit import FAILED, commit_or_explain, commit_reading

from . import blueprint
from .forms import (
    ActionForm,
    HandOnForm,
    ReasonForm,
    ReassignForm,
    ResultForm,
    SupplementForm,
    ToDeskForm,
    WeighRefusalForm,
)


@blueprint.get("/in-tray")
def index():
    now = utcnow()
    rows = in_tray(current_user, now, work_calendar(now))
    return render_template("processing/in_tray.html", rows=rows, labels=STATUS_LABELS)


def dossier_or_404(dossier_id: int) -> Dossier:
    """A dossier the officer may open (core.processes.flow.may_read), else 404."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not flow.may_read(current_user, dossier):
        abort(404)
    return dossier


def unit_officers(dossier: Dossier) -> list[User]:
    return flow.reassignable_officers(current_user, dossier)


def dossier_page(dossier: Dossier, status: int = 200, **forms):
    now = utcnow()
    step = dossier.step
    hand_on = forms.get("hand_on") or HandOnForm(formdata=None)
    hand_on.to_position.choices = [
        (position, f"{position}. {dossier.process.step_at(position).name}")
        for position in (step.next_positions if step else [])
    ]
    reassign = forms.get("reassign") or ReassignForm(formdata=None)
    reassign.officer_id.choices = [
        (officer.id, officer.full_name) for officer in unit_officers(dossier)
    ]
    return render_template(
        "processing/dossier.html",
        dossier=dossier,
        row=row_of(dossier, now, work_calendar(now)) if dossier.step_due_at else None,
        mine=flow.acts_at(current_user, step) and dossier.status in AT_STEP,
        approver=current_user.role in flow.APPROVERS,
        refusal_to_weigh=flow.refusal_to_weigh(dossier),
        labels=STATUS_LABELS,
        results=result_documents(dossier),
        action_form=ActionForm(formdata=None),
        hand_on=hand_on,
        back=forms.get("back") or ReasonForm(formdata=None, prefix="back"),
        refusal=forms.get("refusal") or ReasonForm(formdata=None, prefix="refusal"),
        supplement=forms.get("supplement") or SupplementForm(formdata=None, prefix="supplement"),
        result=forms.get("result") or ResultForm(formdata=None),
        reassign=reassign,
        weigh=forms.get("weigh") or WeighRefusalForm(formdata=None, prefix="weigh"),
        to_desk=ToDeskForm(formdata=None, refusing="1" if dossier.refusal_proposal else ""),
    ), status


@blueprint.get("/in-tray/<int:dossier_id>")
def show(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    page = dossier_page(dossier)
    commit_reading(lambda: record_event("dossier.viewed", dossier, user=current_user))
    return page


def done(dossier: Dossier, outcome, message: str):
    """Back to the dossier (or, once it left the officer's step, to the in-tray)."""
    if outcome is FAILED:
        return redirect(url_for(".show", dossier_id=dossier.id))
    flash(message, "success")
    if flow.acts_at(current_user, dossier.step):
        return redirect(url_for(".show", dossier_id=dossier.id))
    return redirect(url_for(".index"))


def posted(form) -> None:
    """A one-button form: only its CSRF token can be wrong."""
    if not form.validate_on_submit():
        abort(400)


@blueprint.post("/in-tray/<int:dossier_id>/take")
def take(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    posted(ActionForm())
    outcome = commit_or_explain(lambda: flow.take(dossier, current_user))
    return done(dossier, outcome, _("Đã nhận xử lý hồ sơ %(code)s.", code=dossier.code))


@blueprint.post("/in-tray/<int:dossier_id>/hand-on")
def hand_on(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = HandOnForm()
    form.to_position.choices = [
        (p, str(p)) for p in (dossier.step.next_positions if dossier.step else [])
    ]
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, hand_on=form)
    outcome = commit_or_explain(
        lambda: flow.hand_on(
            dossier, current_user, to_position=form.to_position.data, note=form.note.data or ""
        )
    )
    return done(dossier, outcome, _("Đã chuyển hồ sơ %(code)s sang bước tiếp.", code=dossier.code))


@blueprint.post("/in-tray/<int:dossier_id>/send-back")
def send_back(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = ReasonForm(prefix="back")
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, back=form)
    outcome = commit_or_explain(
        lambda: flow.send_back(dossier, current_user, form.reason.data or "")
    )
    return done(dossier, outcome, _("Đã trả hồ sơ %(code)s về bước trước.", code=dossier.code))


@blueprint.post("/in-tray/<int:dossier_id>/propose-refusal")
def propose_refusal(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = ReasonForm(prefix="refusal")
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, refusal=form)
    outcome = commit_or_explain(
        lambda: flow.propose_refusal(dossier, current_user, form.reason.data or "")
    )
    return done(dossier, outcome, _("Đã đề xuất từ chối hồ sơ %(code)s.", code=dossier.code))


@blueprint.post("/in-tray/<int:dossier_id>/supplement")
def supplement(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = SupplementForm(prefix="supplement")
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, supplement=form)
    draft = SupplementDraft(
        items=(form.items.data or "").splitlines(),
        reason=form.reason.data or "",
        contact=form.contact.data or "",
    )
    outcome = commit_or_explain(lambda: flow.ask_supplement(dossier, current_user, draft))
    return done(
        dossier,
        outcome,
        _(
            "Đã đề nghị bổ sung hồ sơ %(code)s; bộ phận một cửa gửi phiếu cho người nộp.",
            code=dossier.code,
        ),
    )


@blueprint.post("/in-tray/<int:dossier_id>/result")
def result(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = ResultForm()
    posted(form)
    upload = request.files.get("document")
    content = upload.read(MAX_BYTES + 1) if upload else b""
    name = upload.filename if upload else ""
    outcome = commit_or_explain(lambda: record_result(dossier, current_user, name, content))
    return done(dossier, outcome, _("Đã lưu văn bản kết quả."))


@blueprint.post("/in-tray/<int:dossier_id>/to-desk")
def to_desk(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = ToDeskForm()
    posted(form)
    refusing = form.refusing.data == "1"
    outcome = commit_or_explain(lambda: flow.send_to_desk(dossier, current_user, refusing=refusing))
    if refusing:
        message = _(
            "Đã chuyển văn bản từ chối hồ sơ %(code)s về bộ phận một cửa.", code=dossier.code
        )
    else:
        message = _("Đã chuyển kết quả hồ sơ %(code)s về bộ phận một cửa.", code=dossier.code)
    return done(dossier, outcome, message)


@blueprint.post("/in-tray/<int:dossier_id>/weigh-refusal")
def weigh_refusal(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = WeighRefusalForm(prefix="weigh")
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, weigh=form)
    confirm = bool(form.confirm.data)
    outcome = commit_or_explain(
        lambda: flow.weigh_refusal(
            dossier, current_user, confirm=confirm, reason=form.reason.data or ""
        ),
        form=form,
    )
    if outcome is FAILED:
        return dossier_page(dossier, 422, weigh=form)
    if confirm:
        message = _("Đã đồng ý đề xuất từ chối hồ sơ %(code)s.", code=dossier.code)
    else:
        message = _("Đã không đồng ý đề xuất từ chối hồ sơ %(code)s.", code=dossier.code)
    return done(dossier, outcome, message)


@blueprint.post("/in-tray/<int:dossier_id>/reassign")
def reassign(dossier_id: int):
    dossier = dossier_or_404(dossier_id)
    form = ReassignForm()
    form.officer_id.choices = [
        (officer.id, officer.full_name) for officer in unit_officers(dossier)
    ]
    if not form.validate_on_submit():
        return dossier_page(dossier, 422, reassign=form)
    officer = db.session.get(User, form.officer_id.data)
    outcome = commit_or_explain(lambda: flow.reassign(dossier, current_user, officer))
    return done(dossier, outcome, _("Đã giao hồ sơ %(code)s.", code=dossier.code))


@blueprint.get("/in-tray/<int:dossier_id>/results/<int:document_id>")
def result_file(dossier_id: int, document_id: int):
    dossier = dossier_or_404(dossier_id)
    document = db.session.get(ResultDocument, document_id)
    if document is None or document.dossier_id != dossier.id:
        abort(404)
    commit_reading(
        lambda: record_event(
            "dossier.result_read",
            dossier,
            user=current_user,
            code=dossier.code,
            document=document.id,
            file_name=document.file_name,
        )
    )
    return send_file(
        document_path(document),
        mimetype=document.content_type,
        as_attachment=False,
        download_name=document.file_name,
    )
