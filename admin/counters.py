"""Counters: the list, a new counter, editing one and the services it serves."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.models import Counter, Role
from core.queue.counters import CounterFields, create_counter, list_counters, update_counter
from core.queue.services import list_services
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import CounterForm, agency_choices


def fields_of(form: CounterForm) -> CounterFields:
    return CounterFields(
        number=form.number.data,
        name=form.name.data or "",
        active=form.active.data,
        service_ids=form.services.data or [],
        agency_id=form.agency_id.data,
        area=form.area.data or "",
    )


def service_choices(form: CounterForm, counter: Counter | None) -> None:
    """Active services, and inactive ones this counter still serves (marked as such), each
    with its agency's code when the centre has several (a counter may serve several
    agencies' services); and the agencies a counter may belong to."""
    kept = {service.id for service in counter.services} if counter else set()
    form.agency_id.choices = agency_choices(counter.agency_id if counter else None)
    many = len(form.agency_id.choices) > 1
    form.services.choices = [
        (
            service.id,
            f"{service.code} · {service.name}"
            + (f" — {service.agency.code}" if many and service.agency else "")
            + ("" if service.active else " ⏸"),
        )
        for service in list_services()
        if service.active or service.id in kept
    ]


@blueprint.get("/counters")
@roles_required(Role.ADMIN, Role.MANAGER)
def counters():
    return render_template("admin/counters.html", counters=list_counters())


@blueprint.route("/counters/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def counter_new():
    form = CounterForm()
    service_choices(form, None)
    counter = save(form, lambda: create_counter(fields_of(form), acting_admin()))
    if counter is FAILED:
        return render_form("admin/counter_form.html", form, counter=None)
    flash(_("Đã thêm quầy số %(number)d.", number=counter.number), "success")
    return redirect(url_for(".counters"))


@blueprint.route("/counters/<int:counter_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def counter_edit(counter_id: int):
    counter = db.session.get(Counter, counter_id) or abort(404)
    form = CounterForm(
        data={
            "number": counter.number,
            "name": counter.name,
            "active": counter.active,
            "services": [service.id for service in counter.services],
            "agency_id": counter.agency_id,
            "area": counter.area,
        }
    )
    service_choices(form, counter)
    if save(form, lambda: update_counter(counter, fields_of(form), acting_admin())) is FAILED:
        return render_form("admin/counter_form.html", form, counter=counter)
    flash(_("Đã lưu quầy số %(number)d.", number=counter.number), "success")
    return redirect(url_for(".counters"))
