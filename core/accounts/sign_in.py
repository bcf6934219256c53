"""Staff sign-in: the password check, the throttle on guessing, and ending sessions.

Guessing is throttled per account, whatever the address it comes from, in the account's own
row, so every worker and every server shares the count: after `FAILURES_BEFORE_REFUSAL`
wrong passwords within `FAILURE_WINDOW`, the account's sign-ins are refused for
`FIRST_REFUSAL`, doubled by each further wrong password once a refusal is over (at most
`LONGEST_REFUSAL`). A refused attempt gets exactly the answer of a wrong password, and an
unknown username costs the same password hash as a known one, so neither the refusal nor
the existence of an account shows. Every attempt is an audit event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from core.audit import record_event
from core.clock import utcnow
from core.models import User
from extensions import db

FAILURES_BEFORE_REFUSAL = 10
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_REFUSAL = timedelta(minutes=1)
LONGEST_REFUSAL = timedelta(hours=24)
LONGEST_USERNAME = 64


@cache
def dummy_hash(method: str) -> str:
    """A hash of no one's password, checked for unknown usernames (same cost as a real one)."""
    return generate_password_hash("no account has this password", method=method)


def sign_in(username: str, password: str) -> User | None:
    """The active account with these credentials, unless its sign-ins are refused for now;
    records the attempt. The caller commits, whatever the outcome."""
    username = username.strip().lower()[:LONGEST_USERNAME]
    user = db.session.execute(
        db.select(User).filter_by(username=username).with_for_update()
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        record_event("auth.sign_in_failed", ("user", None), known_account=False)
        return None
    now = utcnow()
    password_matches = user.check_password(password)  # refused or not: the same time spent
    if user.sign_in_refused_until is not None and now < user.sign_in_refused_until:
        record_event("auth.sign_in_refused", user, until=user.sign_in_refused_until.isoformat())
        return None
    if not password_matches or not user.active:
        count_failure(user, now)
        record_event(
            "auth.sign_in_failed",
            user,
            known_account=True,
            failures=user.failed_sign_ins,
            refused_until=user.sign_in_refused_until.isoformat()
            if user.sign_in_refused_until and user.sign_in_refused_until > now
            else None,
        )
        return None
    user.failed_sign_ins = 0
    user.failed_sign_ins_since = None
    user.sign_in_refused_until = None
    record_event("auth.signed_in", user, user=user)
    return user


def count_failure(user: User, now: datetime) -> None:
    """One more wrong password; the tenth within the window earns a refusal, and each one
    after a refusal is over doubles it. A quiet window starts the count afresh."""
    if is_stale(user, now):
        user.failed_sign_ins = 0
        user.failed_sign_ins_since = now
    user.failed_sign_ins += 1
    beyond = user.failed_sign_ins - FAILURES_BEFORE_REFUSAL
    if beyond >= 0:
        user.sign_in_refused_until = now + min(
            FIRST_REFUSAL * 2 ** min(beyond, 20), LONGEST_REFUSAL
        )


def is_stale(user: User, now: datetime) -> bool:
    """Whether the account's past failures no longer count: none yet, fewer than the
    threshold begun more than a window ago, or a refusal over for more than a window."""
    if user.failed_sign_ins_since is None or user.failed_sign_ins == 0:
        return True
    if user.sign_in_refused_until is None:
        return now - user.failed_sign_ins_since > FAILURE_WINDOW
    return now - user.sign_in_refused_until > FAILURE_WINDOW


def end_sessions(user: User) -> None:
    """End every session of `user` on every server (web.sessions compares the number);
    the caller records why and commits."""
    user.session_generation = (user.session_generation or 0) + 1


def sign_out(user: User) -> None:
    """The user signs out: every session of theirs ends; the caller commits."""
    end_sessions(user)
    record_event("auth.signed_out", user, user=user)
