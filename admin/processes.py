"""The internal processes of an agency: each procedure's current process and its versions,
and a new version defined on one screen. Admins define; managers read."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput
from core.models import Procedure, Role, StepRole
from core.processes.definition import (
    ROLE_NAMES,
    StepFields,
    agency_processes,
    allowance_label,
    current_process,
    define_process,
    process_versions,
    step_fields,
)
from extensions import db
from web.roles import roles_required

from . import blueprint
from .agencies import agency_or_404
from .common import FAILED, acting_admin, render_form, save
from .forms import ProcessForm


@blueprint.get("/agencies/<int:agency_id>/processes")
@roles_required(Role.ADMIN, Role.MANAGER)
def agency_processes_page(agency_id: int):
    agency = agency_or_404(agency_id)
    return render_template(
        "admin/processes.html",
        agency=agency,
        processes=agency_processes(agency),
        step_role_names=ROLE_NAMES,
    )


def procedure_or_404(agency, procedure_id: int) -> Procedure:
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or procedure not in agency.procedures:
        abort(404)
    return procedure


def fill_choices(form: ProcessForm, agency) -> None:
    """Every role in the first row; the desk's nowhere else (it only receives)."""
    roles = [("", _("— Bỏ trống —"))] + [(role.value, str(ROLE_NAMES[role])) for role in StepRole]
    later = [choice for choice in roles if choice[0] != StepRole.DESK.value]
    units = [("", "—")] + [(unit.code, unit.code) for unit in agency.units if unit.active]
    for index, entry in enumerate(form.steps):
        entry.form.role.choices = roles if index == 0 else later
        entry.form.unit.choices = units


def beside_the_row(form: ProcessForm) -> None:
    """Move a refusal that names a step and a column from above the form to that cell."""
    details = getattr(form, "error_details", None) or {}
    position, column = details.get("position"), details.get("column")
    rows = [entry.form for entry in form.steps if not entry.form.is_blank()]
    if not (column and isinstance(position, int) and 0 < position <= len(rows)):
        return
    if not form.form_errors:
        return
    cell = rows[position - 1][column]
    cell.errors = [*cell.errors, form.form_errors.pop()]


def fill_rows(form: ProcessForm, steps: list[StepFields]) -> None:
    for entry, step in zip(form.steps, steps, strict=False):
        entry.form.role.data = step.role
        entry.form.unit.data = step.unit_code
        entry.form.allowance.data = step.allowance
        entry.form.name.data = step.name
        entry.form.next_steps.data = ", ".join(str(target) for target in step.next_positions or [])
        entry.form.back_step.data = str(step.back_position or "")


def positions(text: str, label: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            _l("“{label}” là số thứ tự bước, ví dụ 3 hoặc 3, 5."), label=label
        ) from None


def rows_to_steps(form: ProcessForm) -> list[StepFields]:
    steps = []
    for entry in form.steps:
        row = entry.form
        if row.is_blank():
            continue
        next_positions = positions(row.next_steps.data or "", row.next_steps.label.text)
        back = positions(row.back_step.data or "", row.back_step.label.text)
        steps.append(
            StepFields(
                role=row.role.data or "",
                unit_code=row.unit.data or "",
                allowance=row.allowance.data or "",
                name=row.name.data or "",
                next_positions=next_positions or None,
                back_position=back[0] if back else None,
            )
        )
    return steps


def process_page(agency_id: int, procedure_id: int):
    """The page of a procedure's process, and the form it is defined with."""
    agency = agency_or_404(agency_id)
    procedure = procedure_or_404(agency, procedure_id)
    current = current_process(agency.id, procedure.id)
    form = ProcessForm()
    fill_choices(form, agency)
    if not form.is_submitted() and current is not None:
        fill_rows(form, step_fields(current))
    context = {
        "agency": agency,
        "procedure": procedure,
        "current": current,
        "versions": process_versions(agency.id, procedure.id),
        "step_role_names": ROLE_NAMES,
        "allowance_label": allowance_label,
    }
    return form, context


@blueprint.get("/agencies/<int:agency_id>/processes/<int:procedure_id>")
@roles_required(Role.ADMIN, Role.MANAGER)
def agency_process(agency_id: int, procedure_id: int):
    form, context = process_page(agency_id, procedure_id)
    return render_form("admin/process.html", form, **context)


@blueprint.post("/agencies/<int:agency_id>/processes/<int:procedure_id>")
@roles_required(Role.ADMIN)
def agency_process_define(agency_id: int, procedure_id: int):
    form, context = process_page(agency_id, procedure_id)
    agency, procedure = context["agency"], context["procedure"]
    process = save(
        form,
        lambda: define_process(
            agency, procedure, rows_to_steps(form), acting_admin(), work_calendar()
        ),
    )
    if process is FAILED:
        beside_the_row(form)
        return render_form("admin/process.html", form, **context)
    flash(
        _(
            "Đã ban hành quy trình phiên bản %(version)d: hồ sơ tiếp nhận từ nay theo quy "
            "trình này, hồ sơ đã nhận giữ quy trình cũ.",
            version=process.version,
        ),
        "success",
    )
    return redirect(url_for(".agency_process", agency_id=agency.id, procedure_id=procedure.id))
