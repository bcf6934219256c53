"""Helpers shared by the admin views: the acting admin, saving a form, rendering it."""

from collections.abc import Callable

from flask import render_template, request
from flask_login import current_user

from core.accounts.devices import KIND_NAMES
from core.accounts.users import ROLE_NAMES
from core.errors import DomainError
from core.models import Role, User
from extensions import db

from . import blueprint

FAILED = object()  # what `save` returns when nothing was saved


@blueprint.context_processor
def admin_context() -> dict:
    can_manage = current_user.is_authenticated and current_user.role == Role.ADMIN
    return {"can_manage": can_manage, "role_names": ROLE_NAMES, "kind_names": KIND_NAMES}


def acting_admin() -> User:
    return current_user._get_current_object()


def report(form, error: DomainError) -> None:
    """Put a domain error beside the field it names, or above the form."""
    message = error.in_request_language()
    field = form._fields.get(error.details.get("field", ""))
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def save(form, action: Callable):
    """Validate `form`, run `action` and commit; on a broken rule roll back and say why.

    Returns what `action` returned, or FAILED when nothing was written.
    """
    if not form.validate_on_submit():
        return FAILED
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        report(form, error)
        form.error_details = error.details
        return FAILED
    db.session.commit()
    return result


def render_form(template: str, form, **context):
    """The form page; 422 when a submitted form is sent back with errors."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
