"""The queue desk's settings: how many calls before a ticket may be marked absent."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from core.models import Role
from core.queue.settings import SPECS, queue_settings, save_queue_settings
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import QueueSettingsForm

TEMPLATE = "admin/queue_settings.html"


@blueprint.get("/queue-settings")
@roles_required(Role.ADMIN, Role.MANAGER)
def queue_settings_page():
    return render_form(TEMPLATE, QueueSettingsForm(data=queue_settings()), specs=SPECS)


@blueprint.post("/queue-settings")
@roles_required(Role.ADMIN)
def queue_settings_save():
    form = QueueSettingsForm()
    submitted = {spec.key: form[spec.key].data for spec in SPECS}
    changed = save(form, lambda: save_queue_settings(submitted, user=acting_admin()))
    if changed is FAILED:
        return render_form(TEMPLATE, form, specs=SPECS)
    flash(_("Đã lưu %(count)d thay đổi.", count=len(changed)), "success")
    return redirect(url_for(".queue_settings_page"))
