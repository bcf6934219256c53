"""Staff accounts: the admin screens' accounts (never deleted, since history refers to
them); sign-in itself is core.accounts.sign_in."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import case
from sqlalchemy.orm import selectinload

from core.accounts.sign_in import end_sessions
from core.audit import record_event
from core.errors import InvalidInput, NotFound
from core.models import Role, User
from extensions import db

USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{3,64}$")
MIN_PASSWORD_LENGTH = 8


def load_user(user_id: str) -> User | None:
    """The active user with this id (web.sessions checks the session against it)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def create_user(
    username: str, role: str, password: str, full_name: str = "", actor: User | None = None
) -> User:
    """Add a staff account (`actor`: the admin adding it, if any), with the admin screen's
    password policy; the caller commits."""
    username = new_username(username)
    check_password(password, password, username)
    return add_user(username, role, password, full_name, actor)


def new_username(username: str) -> str:
    """The username, lower-cased, if it is well formed and free; raises `InvalidInput`."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            _l("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; 3–64 ký tự."),
            field="username",
        )
    if db.session.execute(db.select(User.id).filter_by(username=username)).first():
        raise InvalidInput(
            _l("Tên đăng nhập “{username}” đã tồn tại."), field="username", username=username
        )
    return username


def add_user(username: str, role: str, password: str, full_name: str, actor: User | None) -> User:
    """Write a checked account and its audit event."""
    try:
        user_role = Role(role)
    except ValueError:
        raise InvalidInput(_l("Vai trò không hợp lệ: {role}."), field="role", role=role) from None
    user = User(username=username, role=user_role, full_name=full_name or username)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("user.created", user, user=actor, role=user_role.value)
    return user


def active_user_named(username: str) -> User:
    """The active account with this username (a command's `--by`); NotFound otherwise."""
    user = db.session.execute(
        db.select(User).filter_by(username=username.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active:
        raise NotFound(
            _l("Không có tài khoản đang hoạt động nào tên “{username}”."), username=username[:64]
        )
    return user


MAX_PASSWORD_LENGTH = 128
ROLE_NAMES = {
    Role.OFFICER: _l("Cán bộ một cửa"),
    Role.MANAGER: _l("Lãnh đạo"),
    Role.ADMIN: _l("Quản trị"),
    Role.SPECIALIST: _l("Chuyên viên xử lý"),
    Role.UNIT_HEAD: _l("Lãnh đạo đơn vị"),
    Role.AGENCY_LEADER: _l("Lãnh đạo cơ quan"),
}
COMMON_PASSWORDS = {
    "12345678a",
    "123456789a",
    "a12345678",
    "abc12345",
    "abcd1234",
    "admin123",
    "admin@123",
    "matkhau123",
    "matkhau@123",
    "password1",
    "password123",
    "qwerty123",
    "123456aa",
    "1234qwer",
}


def list_users() -> list[User]:
    """Every account, active ones first, admins first, then by username (with the agency
    and unit of the processing officers)."""
    role_rank = case({Role.ADMIN: 0, Role.MANAGER: 1}, value=User.role, else_=2)
    return list(
        db.session.execute(
            db.select(User)
            .options(selectinload(User.agency), selectinload(User.unit))
            .order_by(User.active.desc(), role_rank, User.username)
        ).scalars()
    )


def check_password(password: str, confirmation: str, username: str) -> None:
    """A password hard to guess, typed the same twice; raises `InvalidInput` otherwise."""
    if password != confirmation:
        raise InvalidInput(_l("Hai lần nhập mật khẩu không khớp nhau."), field="confirmation")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            _l("Mật khẩu phải dài từ {minimum} đến {maximum} ký tự."),
            field="password",
            minimum=MIN_PASSWORD_LENGTH,
            maximum=MAX_PASSWORD_LENGTH,
        )
    kinds = [
        any(character.isalpha() for character in password),
        any(character.isdigit() for character in password),
        any(not character.isalnum() for character in password),
    ]
    if sum(kinds) < 2:
        raise InvalidInput(
            _l("Mật khẩu quá dễ đoán: hãy kết hợp chữ với số hoặc ký tự đặc biệt."),
            field="password",
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (len(username) >= 3 and username.lower() in lowered):
        raise InvalidInput(
            _l("Mật khẩu quá dễ đoán (mật khẩu phổ biến hoặc chứa tên đăng nhập)."),
            field="password",
        )


def create_account(
    username: str, full_name: str, role: str, password: str, confirmation: str, actor: User
) -> User:
    """Add a staff account from the admin screen, with the password policy; the caller commits."""
    username = new_username(username)
    full_name = clean_full_name(full_name)
    check_password(password, confirmation, username)
    return add_user(username, role, password, full_name, actor)


def clean_full_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name or len(full_name) > 128:
        raise InvalidInput(_l("Họ và tên cần có, tối đa 128 ký tự."), field="full_name")
    return full_name


def other_active_admins(user: User) -> int:
    """Active admins besides `user`; their rows stay locked until commit (PostgreSQL)."""
    admin_ids = db.session.execute(
        db.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    ).scalars()
    return sum(1 for admin_id in admin_ids if admin_id != user.id)


def keep_an_admin(user: User, actor: User | None, *, changing_self_message) -> None:
    """Refuse to leave the desk without an active admin, or an admin locking themself out."""
    if user.role == Role.ADMIN and user.active and other_active_admins(user) == 0:
        raise InvalidInput(
            _l(
                "“{username}” là tài khoản quản trị cuối cùng còn hoạt động. Hãy tạo hoặc mở lại "
                "một tài khoản quản trị khác trước."
            ),
            username=user.username,
        )
    if actor is not None and actor.id == user.id:
        raise InvalidInput(changing_self_message)


def update_account(user: User, full_name: str, role: str, actor: User | None) -> None:
    """Change an account's name and role; the caller commits."""
    full_name = clean_full_name(full_name)
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput(_l("Vai trò không hợp lệ: {role}."), field="role", role=role) from None
    changes = {}
    if new_role != user.role:
        keep_an_admin(
            user,
            actor,
            changing_self_message=_l(
                "Bạn không thể tự đổi vai trò của mình; hãy nhờ một quản trị viên khác."
            ),
        )
        changes["role"] = [user.role.value, new_role.value]
        user.role = new_role
        end_sessions(user)  # signed in again, the new role's pages and no others
    if full_name != user.full_name:
        changes["full_name"] = [user.full_name, full_name]
        user.full_name = full_name
    if changes:
        record_event("user.updated", user, user=actor, changes=changes)


def set_account_active(user: User, active: bool, actor: User | None) -> None:
    """Lock (deactivate) or reopen an account; its history stays."""
    if user.active == active:
        return
    if not active:
        keep_an_admin(
            user, actor, changing_self_message=_l("Bạn không thể tự khóa tài khoản của mình.")
        )
    user.active = active
    if not active:
        end_sessions(user)
    record_event("user.reactivated" if active else "user.deactivated", user, user=actor)


def reset_password(user: User, password: str, confirmation: str, actor: User | None) -> None:
    """Give an account a new password; the caller commits."""
    check_password(password, confirmation, user.username)
    user.set_password(password)
    end_sessions(user)
    record_event("user.password_reset", user, user=actor)


def place_officer(user: User, post: str, actor: User | None = None) -> User:
    """Place a processing officer at the post a form chose: "unit:<id>" (a unit, and so its
    agency) or "agency:<id>" (an agency's leader); other accounts have no post. A post that
    names nothing is refused on the `post` field. The caller commits."""
    from core.models import PROCESSING_ROLES, Agency, ProcessingUnit

    if user.role not in PROCESSING_ROLES:
        return user
    kind, _sep, number = (post or "").partition(":")
    model = {"unit": ProcessingUnit, "agency": Agency}.get(kind)
    found = db.session.get(model, int(number)) if model and number.isdigit() else None
    if post and found is None:
        raise InvalidInput(_l("Cơ quan, đơn vị đã chọn không có."), field="post")
    unit = found if kind == "unit" else None
    agency = unit.agency if unit is not None else found
    assign_post(user, agency, unit, actor, field="post")
    return user


def assign_post(
    user: User, agency, unit, actor: User | None = None, *, field: str | None = None
) -> None:
    """Place a processing officer in their agency and (but the agency's leader) their unit,
    which must be the agency's; the caller commits. A refusal names `field` when given (the
    one field a form chose both with), else the agency's or the unit's."""
    from core.models import PROCESSING_ROLES

    if user.role not in PROCESSING_ROLES:
        raise InvalidInput(
            _l("Chỉ chuyên viên, lãnh đạo đơn vị, lãnh đạo cơ quan mới gắn với cơ quan, đơn vị."),
            field="role",
        )
    if agency is None:
        raise InvalidInput(_l("Hãy chọn cơ quan của cán bộ xử lý."), field=field or "agency_id")
    if user.role == Role.AGENCY_LEADER:
        unit = None
    elif unit is None or unit.agency_id != agency.id:
        raise InvalidInput(
            _l("Hãy chọn đơn vị của cán bộ trong cơ quan {agency}."),
            agency=agency.code,
            field=field or "unit_id",
        )
    before = [user.agency_id, user.unit_id]
    user.agency_id, user.unit_id = agency.id, unit.id if unit else None
    db.session.flush()
    if before != [user.agency_id, user.unit_id]:
        record_event(
            "user.post_assigned",
            user,
            user=actor,
            agency=agency.code,
            unit=unit.code if unit else None,
        )
