"""What went wrong with the database, in words an officer at a counter can act on.

A full disk, a read-only database and an unreachable server each raise a driver error deep in
SQLAlchemy; the app answers them with a clear 503 (Vietnamese first, English available) and
never a stack trace. Nothing half-written remains: the transaction is rolled back.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, text

from core.errors import DomainError
from extensions import db

# SQLSTATE codes (PostgreSQL) and message fragments (SQLite) for each kind of fault.
DISK_FULL_STATES = {"53100", "53200"}  # disk_full, out_of_memory
READ_ONLY_STATES = {"25006"}  # read_only_sql_transaction (a hot standby, or a read-only DB)
DISK_FULL_WORDS = ("database or disk is full", "no space left on device")
READ_ONLY_WORDS = ("readonly database", "read-only", "query_only")


class DatabaseFault(DomainError):
    """The database cannot do what was asked; try again once the fault is fixed."""

    status = 503
    code = "database_unavailable"
    message = _l(
        "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút; "
        "nếu vẫn lỗi, hãy báo quản trị viên."
    )


class DatabaseFull(DatabaseFault):
    code = "database_full"
    message = _l(
        "Ổ đĩa của máy chủ đã đầy nên không lưu được dữ liệu; thao tác chưa được ghi nhận. "
        "Vui lòng báo ngay quản trị viên."
    )


class DatabaseReadOnly(DatabaseFault):
    code = "database_read_only"
    message = _l(
        "Cơ sở dữ liệu đang ở chế độ chỉ đọc nên không lưu được thay đổi; thao tác chưa được "
        "ghi nhận. Vui lòng báo quản trị viên."
    )


def classify(error: exc.DBAPIError) -> DatabaseFault | None:
    """The fault behind a driver error, or None when it is not a fault of the database."""
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    words = str(original).lower()
    if state in DISK_FULL_STATES or any(word in words for word in DISK_FULL_WORDS):
        return DatabaseFull()
    if state in READ_ONLY_STATES or any(word in words for word in READ_ONLY_WORDS):
        return DatabaseReadOnly()
    if isinstance(error, exc.OperationalError) or error.connection_invalidated:
        return DatabaseFault()
    return None


def database_status() -> str | None:
    """None when the database answers a trivial query, else a short reason."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
        return None
    except exc.DBAPIError as error:
        fault = classify(error) or DatabaseFault()
        return fault.code
    finally:
        db.session.rollback()
