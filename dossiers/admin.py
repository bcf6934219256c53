"""Admin screens of the dossier desk: the procedure catalogue, the working-day calendar
and the desk's settings (agency, forms, cut-off)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.clock import local_today
from core.dossiers.procedures import (
    DocumentSpec,
    ProcedureData,
    all_procedures,
    import_catalogue,
    parse_document,
    save_procedure,
)
from core.dossiers.settings import MAY_BE_EMPTY, SPECS, dossier_settings, save_settings
from core.dossiers.workdays import (
    add_calendar_day,
    entered_days,
    remove_calendar_day,
    year_overview,
)
from core.models import CalendarDay, OnlineLevel, Procedure, Role
from extensions import db
from web.commit import FAILED, commit_or_explain
from web.roles import roles_required

from . import blueprint
from .forms import CalendarDayForm, CatalogueImportForm, EmptyForm, ProcedureForm

QUANTITY = re.compile(r"\s+x\s*(\d{1,2})\s*$", re.IGNORECASE)


@blueprint.get("/admin/procedures")
@roles_required(Role.ADMIN)
def admin_procedures():
    return render_template(
        "dossiers/admin_procedures.html",
        procedures=all_procedures(),
        import_form=CatalogueImportForm(),
    )


def documents_from_text(text: str) -> list[DocumentSpec]:
    specs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        quantity = QUANTITY.search(line)
        spec = parse_document(QUANTITY.sub("", line))
        spec.quantity = int(quantity.group(1)) if quantity else 1
        specs.append(spec)
    return specs


def documents_to_text(procedure: Procedure) -> str:
    words = {
        "original": " (bản chính)",
        "copy": " (bản sao)",
        "certified": " (bản sao có chứng thực)",
    }
    return "\n".join(
        doc.name + words.get(doc.kind.value, "") + (f" x{doc.quantity}" if doc.quantity > 1 else "")
        for doc in procedure.documents
    )


@blueprint.route("/admin/procedures/new", methods=["GET", "POST"], endpoint="admin_procedure_new")
@blueprint.route("/admin/procedures/<int:procedure_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_procedure(procedure_id: int | None = None):
    procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
    if procedure_id and procedure is None:
        abort(404)
    form = ProcedureForm()
    if form.validate_on_submit():
        saved = commit_or_explain(
            lambda: save_procedure(procedure, form_data(form), user=current_user)
        )
        if saved is not FAILED:
            flash(_("Đã lưu thủ tục %(code)s.", code=saved.code), "success")
            return redirect(url_for("dossiers.admin_procedures"))
    elif request.method == "GET" and procedure is not None:
        fill_form(form, procedure)
    return render_template("dossiers/admin_procedure.html", form=form, procedure=procedure)


def form_data(form: ProcedureForm) -> ProcedureData:
    hours = form.period_unit.data == "hours"
    return ProcedureData(
        code=form.code.data.strip(),
        name=form.name.data,
        field=form.field.data,
        processing_days=None if hours else form.period.data,
        processing_hours=form.period.data if hours else None,
        fee_vnd=form.fee_vnd.data or 0,
        processing_unit=form.processing_unit.data or "",
        online_level=OnlineLevel(form.online_level.data),
        documents=documents_from_text(form.documents.data),
        active=form.active.data == "1",
    )


def fill_form(form: ProcedureForm, procedure: Procedure) -> None:
    form.code.data = procedure.code
    form.name.data = procedure.name
    form.field.data = procedure.field.name
    hours = procedure.processing_hours is not None
    form.period_unit.data = "hours" if hours else "days"
    form.period.data = procedure.processing_hours if hours else procedure.processing_days
    form.fee_vnd.data = procedure.fee_vnd
    form.processing_unit.data = procedure.processing_unit
    form.online_level.data = procedure.online_level.value
    form.documents.data = documents_to_text(procedure)
    form.active.data = "1" if procedure.active else "0"


@blueprint.post("/admin/procedures/import")
@roles_required(Role.ADMIN)
def admin_procedures_import():
    form = CatalogueImportForm()
    if not form.validate_on_submit():
        flash(_("Hãy chọn tệp .csv hoặc .xlsx."), "error")
        return redirect(url_for("dossiers.admin_procedures"))
    suffix = Path(form.file.data.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"catalogue{suffix}"
        form.file.data.save(path)
        counts = commit_or_explain(lambda: import_catalogue(path, user=current_user))
    if counts is not FAILED:
        added, updated = counts
        flash(
            _(
                "Đã nhập danh mục: %(added)d thủ tục mới, %(updated)d cập nhật.",
                added=added,
                updated=updated,
            ),
            "success",
        )
    return redirect(url_for("dossiers.admin_procedures"))


@blueprint.route("/admin/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_calendar():
    form = CalendarDayForm()
    if form.validate_on_submit():
        added = commit_or_explain(
            lambda: add_calendar_day(
                form.day.data, form.kind.data, form.note.data or "", user=current_user
            )
        )
        if added is not FAILED:
            flash(
                _("Đã thêm ngày %(day)s vào lịch.", day=form.day.data.strftime("%d/%m/%Y")),
                "success",
            )
            return redirect(url_for("dossiers.admin_calendar", year=form.day.data.year))
    year = request.args.get("year", type=int) or local_today().year
    return render_template(
        "dossiers/admin_calendar.html",
        form=form,
        delete_form=EmptyForm(),
        year=year,
        overview=year_overview(year),
        entries=entered_days(),
    )


@blueprint.post("/admin/calendar/<int:entry_id>/delete")
@roles_required(Role.ADMIN)
def admin_calendar_delete(entry_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    entry = db.session.get(CalendarDay, entry_id)
    year = entry.day.year if entry else None
    if commit_or_explain(lambda: remove_calendar_day(entry_id, user=current_user)) is not FAILED:
        flash(_("Đã xóa ngày khỏi lịch."), "success")
    return redirect(url_for("dossiers.admin_calendar", year=year))


@blueprint.route("/admin/dossier-settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_settings():
    form = EmptyForm()
    values = dossier_settings()
    if form.validate_on_submit():
        submitted = {spec.key: request.form.get(spec.key, "") for spec in SPECS}
        changed = commit_or_explain(lambda: save_settings(submitted, user=current_user))
        if changed is not FAILED:
            flash(_("Đã lưu %(count)d thay đổi.", count=len(changed)), "success")
            return redirect(url_for("dossiers.admin_settings"))
        values = submitted
    return render_template(
        "dossiers/admin_settings.html",
        form=form,
        specs=SPECS,
        values=values,
        may_be_empty=MAY_BE_EMPTY,
    )
