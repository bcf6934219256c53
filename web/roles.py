"""Role checks for staff pages.

Each protected view declares its roles with `roles_required` (or a whole blueprint with
`blueprint_roles_required`); the declaration is kept on the view (`allowed_roles`) so a
test can walk every route and prove that no one else gets in.
"""

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

from core.models import Role

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
    """Every view of `blueprint` is for signed-in staff holding one of `roles`."""

    @blueprint.before_request
    @roles_required(*roles)
    def check_role():
        return None

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
    return "desk.index"
