"""Role checks for staff pages."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from core.models import Role


def roles_required(*roles: Role):
    """Only signed-in staff holding one of `roles` may open the page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
