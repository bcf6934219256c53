"""A service's booking settings: slot length, places, how far ahead, which hours, until when."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from core.appointments.settings import (
    BookingFields,
    fields_of,
    save_booking_settings,
    settings_of,
)
from core.models import Role, Service
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import BookingSettingsForm

TEMPLATE = "admin/booking_settings.html"


@blueprint.route("/services/<int:service_id>/booking", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service_booking(service_id: int):
    service = db.session.get(Service, service_id) or abort(404)
    form = BookingSettingsForm(data=fields_of(settings_of(service)).__dict__)
    changed = save(
        form,
        lambda: save_booking_settings(
            service,
            BookingFields(**{name: form[name].data for name in BookingFields.__annotations__}),
            user=acting_admin(),
        ),
    )
    if changed is FAILED:
        return render_form(TEMPLATE, form, service=service)
    flash(_("Đã lưu cài đặt đặt lịch của dịch vụ “%(name)s”.", name=service.name), "success")
    return redirect(url_for(".services"))
