"""Staff sessions: begun clean at sign-in, ended everywhere at once, never older than a day's
work.

A session carries the account's `session_generation` as it was at sign-in and the moment of
sign-in. Flask-Login's user loader (`load_signed_in_user`, the only place a session becomes a
user) refuses the session once the account's number has moved on (sign-out, a password
reset, a role change, a lock: core.accounts.sign_in.end_sessions), on whichever server it
comes back to, or once `SESSION_MAX_HOURS` have passed since sign-in, whatever the activity.
A request without a session cookie (a kiosk's tap) never reaches the loader.
"""

import time

from flask import current_app, g, session
from flask_login import login_user, logout_user

from core.accounts.users import load_user
from core.models import User

GENERATION = "session_generation"
SIGNED_IN_AT = "signed_in_at"
SIGN_IN_KEYS = ("_user_id", "_fresh", "_id", GENERATION, SIGNED_IN_AT)


def clear_session() -> None:
    """Forget everything the session held, the form token included (Flask-WTF keeps the
    request's copy in `g`; the next form gets a new one)."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def begin_session(user: User) -> None:
    """A fresh session for `user`: nothing from before sign-in is kept."""
    clear_session()
    login_user(user)
    session[GENERATION] = user.session_generation
    session[SIGNED_IN_AT] = int(time.time())


def end_session() -> None:
    """Sign out of this browser and forget everything the session held."""
    logout_user()
    clear_session()


def load_signed_in_user(user_id: str) -> User | None:
    """Flask-Login's loader: the session's active user, if the session is still valid."""
    user = load_user(user_id)
    signed_in_at = session.get(SIGNED_IN_AT)
    max_seconds = current_app.config["SESSION_MAX_HOURS"] * 3600
    if (
        user is None
        or session.get(GENERATION) != user.session_generation
        or not isinstance(signed_in_at, int)
        or time.time() - signed_in_at > max_seconds
    ):
        for key in SIGN_IN_KEYS:
            session.pop(key, None)
        return None
    return user
