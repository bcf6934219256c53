"""Devices: the list, registering one (its key shown once), settings, revoke, new key."""

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from core.accounts.devices import (
    list_devices,
    register_device,
    revoke,
    rotate_key,
    update_device,
)
from core.accounts.printer_addresses import EXAMPLES
from core.models import Device, DeviceKind, Role
from core.queue.areas import set_board_area
from core.queue.counters import list_counters
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import ActionForm, DeviceCreateForm, DeviceEditForm, counter_choices

NEW_KEY = "admin_new_device_key"  # session slot holding a new key until it is shown


def device_of(device_id: int) -> Device:
    return db.session.get(Device, device_id) or abort(404)


def show_key_once(device: Device, key: str):
    """Keep the key for the next page only (so a reload cannot create a second device)."""
    session[NEW_KEY] = {"device": device.id, "key": key}
    return redirect(url_for(".device_key", device_id=device.id))


def form_page(template: str, form, device: Device | None = None):
    return render_form(template, form, device=device, printer_examples=EXAMPLES)


@blueprint.get("/devices")
@roles_required(Role.ADMIN, Role.MANAGER)
def devices():
    return render_template("admin/devices.html", devices=list_devices())


@blueprint.route("/devices/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def device_new():
    form = DeviceCreateForm()
    form.counter_id.choices = counter_choices(list_counters())
    form.offer_board_areas()

    def register():
        actor = acting_admin()
        created = register_device(
            form.kind.data, form.name.data, form.printer_url.data, form.counter_id.data, actor
        )
        set_board_area(created[0], form.board_agency_id.data, form.board_area.data, actor)
        return created

    created = save(form, register)
    if created is FAILED:
        return form_page("admin/device_new.html", form)
    return show_key_once(*created)


@blueprint.get("/devices/<int:device_id>/key")
@roles_required(Role.ADMIN)
def device_key(device_id: int):
    device = device_of(device_id)
    kept = session.pop(NEW_KEY, None)
    key = kept["key"] if kept and kept.get("device") == device.id else None
    base = current_app.config["PUBLIC_BASE_URL"]
    pairing_url = None
    if key and device.kind == DeviceKind.KIOSK:
        pairing_url = f"{base}{url_for('kiosk.index')}#key={key}"
    if key and device.kind == DeviceKind.RATING:
        pairing_url = f"{base}{url_for('rating.tablet', counter=device.counter.number)}#key={key}"
    page = render_template("admin/device_key.html", device=device, key=key, pairing_url=pairing_url)
    return page, 200, {"Cache-Control": "no-store"}


@blueprint.route("/devices/<int:device_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def device_edit(device_id: int):
    device = device_of(device_id)
    form = DeviceEditForm(obj=device, board_agency_id=device.agency_id, board_area=device.area)
    form.counter_id.choices = counter_choices(list_counters())
    form.offer_board_areas()

    def update():
        actor = acting_admin()
        update_device(device, form.name.data, form.printer_url.data, form.counter_id.data, actor)
        set_board_area(device, form.board_agency_id.data, form.board_area.data, actor)

    saved = save(form, update)
    if saved is FAILED:
        return form_page("admin/device_edit.html", form, device)
    flash(_("Đã lưu thiết bị “%(name)s”.", name=device.name), "success")
    return redirect(url_for(".devices"))


@blueprint.route("/devices/<int:device_id>/revoke", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def device_revoke(device_id: int):
    """A confirmation page, then the irreversible revocation."""
    device = device_of(device_id)
    form = ActionForm()
    if save(form, lambda: revoke(device, acting_admin())) is FAILED:
        return render_form("admin/device_confirm.html", form, device=device, rotating=False)
    flash(
        _("Đã thu hồi thiết bị “%(name)s”; mã khóa của nó không còn dùng được.", name=device.name),
        "success",
    )
    return redirect(url_for(".devices"))


@blueprint.route("/devices/<int:device_id>/rotate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def device_rotate(device_id: int):
    """A confirmation page, then the old key revoked and a new one shown once."""
    device = device_of(device_id)
    form = ActionForm()
    rotated = save(form, lambda: rotate_key(device, acting_admin()))
    if rotated is FAILED:
        return render_form("admin/device_confirm.html", form, device=device, rotating=True)
    return show_key_once(*rotated)
