"""The admin home page: the desk's setup at a glance and the latest changes."""

from flask import render_template

from core.accounts.overview import recent_setup_changes, setup_tallies
from core.audit import action_name, subject_name
from core.models import Role
from web.roles import roles_required

from . import blueprint


@blueprint.get("/")
@roles_required(Role.ADMIN, Role.MANAGER)
def index():
    return render_template(
        "admin/index.html",
        tallies=setup_tallies(),
        changes=recent_setup_changes(),
        action_name=action_name,
        subject_name=subject_name,
    )
