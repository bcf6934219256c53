"""Staff accounts."""

import re

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.errors import InvalidInput
from core.models import Role, User
from extensions import db

USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{3,64}$")
MIN_PASSWORD_LENGTH = 8


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user with this id."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def create_user(
    username: str, role: str, password: str, full_name: str = "", actor: User | None = None
) -> User:
    """Add a staff account (`actor`: the admin adding it, if any); the caller commits."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            _l("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; 3–64 ký tự.")
        )
    try:
        user_role = Role(role)
    except ValueError:
        raise InvalidInput(_l("Vai trò không hợp lệ: {role}."), role=role) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _l("Mật khẩu phải có ít nhất {length} ký tự."), length=MIN_PASSWORD_LENGTH
        )
    exists = db.session.execute(db.select(User.id).filter_by(username=username)).first()
    if exists:
        raise InvalidInput(_l("Tên đăng nhập “{username}” đã tồn tại."), username=username)
    user = User(username=username, role=user_role, full_name=full_name or username)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("user.created", user, user=actor, role=user_role.value)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.execute(
        db.select(User).filter_by(username=username.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
