"""Role checks for staff pages.

Each protected view declares its roles with `roles_required` (or a whole blueprint with
`blueprint_roles_required`); the declaration is kept on the view (`allowed_roles`) so a
test can walk every route and prove that no one else gets in.
"""

from functools import wraps

from flask import Blueprint, abort, current_app, request
from flask_login import current_user, login_required

from core.models import PROCESSING_ROLES, Role

STAFF_ROLES = frozenset(Role)


def roles_required(*roles: Role):
    """Only signed-in staff holding one of `roles` may open the page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def blueprint_roles_required(blueprint: Blueprint, *roles: Role) -> None:
    """Every view of `blueprint` is for signed-in staff holding one of `roles`, but a view
    that declares its own roles (`roles_required`), which alone decide for it, as they do
    for the route walk and the staff header (`web.nav.admits`)."""

    @roles_required(*roles)
    def blueprint_check():
        return None

    @blueprint.before_request
    def check_role():
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "allowed_roles", None) is not None:
            return None  # the view checks its own roles
        return blueprint_check()

    blueprint.allowed_roles = frozenset(roles)


def home_endpoint_for(role: Role, view_functions) -> str:
    """Where a member of staff lands after signing in."""
    if role is Role.ADMIN:
        for endpoint in ("admin.index", "dashboard.index"):
            if endpoint in view_functions:
                return endpoint
        return "public.home"
    if role is Role.MANAGER and "dashboard.index" in view_functions:
        return "dashboard.index"
    if role in PROCESSING_ROLES and "processing.index" in view_functions:
        return "processing.index"  # their in-tray
    return "desk.index"
