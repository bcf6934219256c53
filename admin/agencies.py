"""Agencies of the centre: the list, adding and editing one, its processing units and the
procedures it is competent for. Admins change them; managers read."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.agencies.registry import (
    AgencyFields,
    create_agency,
    every_procedure,
    list_agencies,
    procedures_by_ids,
    set_competence,
    update_agency,
)
from core.agencies.units import UnitFields, add_unit, find_unit, update_unit
from core.models import Agency, Role
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import ActionForm, AgencyForm, CompetenceForm, UnitForm


def agency_or_404(agency_id: int) -> Agency:
    return db.session.get(Agency, agency_id) or abort(404)


def parent_choices(form: AgencyForm, agency: Agency | None) -> None:
    """Every other agency (one under this agency is refused, with the reason, on saving)."""
    form.parent_id.choices = [("", _("— Không có —"))] + [
        (other.id, f"{other.code} · {other.name}")
        for other in list_agencies()
        if agency is None or other.id != agency.id
    ]


def agency_fields(form: AgencyForm) -> AgencyFields:
    return AgencyFields(
        code=form.code.data,
        name=form.name.data,
        parent_id=form.parent_id.data,
        active=form.active.data,
    )


@blueprint.get("/agencies")
@roles_required(Role.ADMIN, Role.MANAGER)
def agencies():
    return render_template("admin/agencies.html", agencies=list_agencies())


@blueprint.get("/agencies/<int:agency_id>")
@roles_required(Role.ADMIN, Role.MANAGER)
def agency_detail(agency_id: int):
    return render_template(
        "admin/agency.html", agency=agency_or_404(agency_id), action_form=ActionForm()
    )


@blueprint.route("/agencies/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_new():
    form = AgencyForm()
    parent_choices(form, None)
    agency = save(form, lambda: create_agency(agency_fields(form), acting_admin()))
    if agency is FAILED:
        return render_form("admin/agency_form.html", form, agency=None)
    flash(
        _(
            "Đã thêm cơ quan “%(name)s”, giải quyết %(count)d thủ tục; "
            "thu hẹp danh sách ở mục Thủ tục.",
            name=agency.name,
            count=len(agency.procedures),
        ),
        "success",
    )
    return redirect(url_for(".agency_detail", agency_id=agency.id))


@blueprint.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_edit(agency_id: int):
    agency = agency_or_404(agency_id)
    form = AgencyForm(
        data={
            "code": agency.code,
            "name": agency.name,
            "parent_id": agency.parent_id,
            "active": agency.active,
        }
    )
    parent_choices(form, agency)
    if save(form, lambda: update_agency(agency, agency_fields(form), acting_admin())) is FAILED:
        return render_form("admin/agency_form.html", form, agency=agency)
    flash(_("Đã lưu cơ quan “%(name)s”.", name=agency.name), "success")
    return redirect(url_for(".agency_detail", agency_id=agency.id))


def unit_fields(form: UnitForm) -> UnitFields:
    return UnitFields(code=form.code.data, name=form.name.data, active=form.active.data)


@blueprint.route("/agencies/<int:agency_id>/units/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_unit_new(agency_id: int):
    agency = agency_or_404(agency_id)
    form = UnitForm()
    unit = save(form, lambda: add_unit(agency, unit_fields(form), acting_admin()))
    if unit is FAILED:
        return render_form("admin/unit_form.html", form, agency=agency, unit=None)
    flash(_("Đã thêm đơn vị “%(name)s”.", name=unit.name), "success")
    return redirect(url_for(".agency_detail", agency_id=agency.id))


@blueprint.route("/agencies/<int:agency_id>/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_unit_edit(agency_id: int, unit_id: int):
    agency = agency_or_404(agency_id)
    unit = find_unit(agency, unit_id) or abort(404)
    form = UnitForm(data={"code": unit.code, "name": unit.name, "active": unit.active})
    if save(form, lambda: update_unit(unit, unit_fields(form), acting_admin())) is FAILED:
        return render_form("admin/unit_form.html", form, agency=agency, unit=unit)
    flash(_("Đã lưu đơn vị “%(name)s”.", name=unit.name), "success")
    return redirect(url_for(".agency_detail", agency_id=agency.id))


def switch_unit(agency_id: int, unit_id: int, active: bool, done_message: str):
    """Deactivate a unit or bring it back, from the agency's page, then go back to it."""
    agency = agency_or_404(agency_id)
    unit = find_unit(agency, unit_id) or abort(404)
    form = ActionForm()
    fields = UnitFields(code=unit.code, name=unit.name, active=active)
    if save(form, lambda: update_unit(unit, fields, acting_admin())) is FAILED:
        for message in form.form_errors or [_("Yêu cầu không hợp lệ.")]:
            flash(message, "error")
    else:
        flash(done_message % {"name": unit.name}, "success")
    return redirect(url_for(".agency_detail", agency_id=agency.id))


@blueprint.post("/agencies/<int:agency_id>/units/<int:unit_id>/deactivate")
@roles_required(Role.ADMIN)
def agency_unit_deactivate(agency_id: int, unit_id: int):
    return switch_unit(agency_id, unit_id, False, _("Đã ngừng hoạt động đơn vị “%(name)s”."))


@blueprint.post("/agencies/<int:agency_id>/units/<int:unit_id>/reactivate")
@roles_required(Role.ADMIN)
def agency_unit_reactivate(agency_id: int, unit_id: int):
    return switch_unit(agency_id, unit_id, True, _("Đã mở lại đơn vị “%(name)s”."))


@blueprint.route("/agencies/<int:agency_id>/procedures", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_procedures(agency_id: int):
    agency = agency_or_404(agency_id)
    catalogue = every_procedure()
    form = CompetenceForm(data={"procedures": [procedure.id for procedure in agency.procedures]})
    form.procedures.choices = [(procedure.id, procedure.code) for procedure in catalogue]
    outcome = save(
        form,
        lambda: set_competence(
            agency, procedures_by_ids(form.procedures.data or []), acting_admin()
        ),
    )
    if outcome is FAILED:
        return render_form("admin/agency_procedures.html", form, agency=agency, catalogue=catalogue)
    flash(
        _(
            "Đã lưu: cơ quan “%(name)s” giải quyết %(count)d thủ tục.",
            name=agency.name,
            count=len(agency.procedures),
        ),
        "success",
    )
    return redirect(url_for(".agency_detail", agency_id=agency.id))
