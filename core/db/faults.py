"""What went wrong with the database, in words an officer at a counter can act on.

A full disk, a read-only database and an unreachable server each raise a driver error deep in
SQLAlchemy; the app answers them with a clear 503 (Vietnamese first, English available) and
never a stack trace. Nothing half-written remains: the transaction is rolled back.

**No row's values in the logs.** A database error's text can hold them: PostgreSQL's
`DETAIL: Key (applicant_id_number)=(001099012345) already exists`, a statement's parameters.
The logs get only the error's class and the constraint's name (`fault_summary`); the
`RowValuesHidden` filter on the app's and the print worker's loggers rewrites any record
that carries such an error, keeping its traceback's frames but not its text.
"""

from __future__ import annotations

import logging
import re
import traceback

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


SQLITE_CONSTRAINT = re.compile(r"(\w+) constraint failed: ([\w.]+)", re.IGNORECASE)


def fault_summary(error: BaseException) -> str:
    """'IntegrityError (constraint uq_dossier_code)': what a log may say of a database
    error; the driver's text, which may quote a row's values, is left out."""
    summary = type(error).__name__
    original = getattr(error, "orig", None)
    if original is not None:
        summary += f" / {type(original).__name__}"
        state = getattr(original, "sqlstate", None)
        diag = getattr(original, "diag", None)
        constraint = getattr(diag, "constraint_name", None) or getattr(diag, "column_name", None)
        if constraint is None:
            found = SQLITE_CONSTRAINT.search(str(original))  # table.column: names, no values
            constraint = f"{found.group(1)} {found.group(2)}" if found else None
        if state:
            summary += f" [{state}]"
        if constraint:
            summary += f" (constraint {constraint})"
    return summary


def holds_row_values(error: BaseException | None) -> bool:
    """Whether `error` is one whose text may quote a row (SQLAlchemy's or a driver's)."""
    if error is None:
        return False
    driver = type(error).__module__.split(".")[0] in ("psycopg", "psycopg2", "sqlite3")
    return driver or isinstance(error, exc.StatementError)


class RowValuesHidden(logging.Filter):
    """Rewrites a log record that carries a database error (as its exception or among its
    arguments) so that only the error's class and constraint name remain."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        arguments = record.args if isinstance(record.args, tuple) else ()
        if holds_row_values(error):
            frames = "".join(traceback.format_tb(error.__traceback__))
            record.msg = f"{record.getMessage()}: {fault_summary(error)}\n{frames}".rstrip()
            record.args, record.exc_info, record.exc_text = (), None, None
        elif any(holds_row_values(argument) for argument in arguments):
            record.args = tuple(
                fault_summary(argument) if holds_row_values(argument) else argument
                for argument in arguments
            )
        return True


ROW_VALUES_HIDDEN = RowValuesHidden()  # one instance: adding it twice to a logger is a no-op


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
