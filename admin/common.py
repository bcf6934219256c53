"""Helpers shared by the admin views: the acting admin, saving a form, rendering it."""

from collections.abc import Callable

from flask import render_template, request
from flask_login import current_user

from core.accounts.devices import KIND_NAMES
from core.accounts.users import ROLE_NAMES
from core.models import Role, User
from web.commit import FAILED, commit_or_explain

from . import blueprint


@blueprint.context_processor
def admin_context() -> dict:
    can_manage = current_user.is_authenticated and current_user.role == Role.ADMIN
    return {"can_manage": can_manage, "role_names": ROLE_NAMES, "kind_names": KIND_NAMES}


def acting_admin() -> User:
    return current_user._get_current_object()


def save(form, action: Callable):
    """Validate `form`, then `commit_or_explain` the action beside the form's fields.

    Returns what `action` returned, or FAILED when nothing was written.
    """
    if not form.validate_on_submit():
        return FAILED
    return commit_or_explain(action, form=form)


def render_form(template: str, form, **context):
    """The form page; 422 when a submitted form is sent back with errors."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
