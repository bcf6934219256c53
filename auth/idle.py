"""Idle timeout for staff sessions.

Each click (a page, a form) renews the session; what scripts fetch in the background (the
desk console's polling, marked with the `X-Background` header) does not, so a console left
open on an unattended counter signs itself out after SESSION_IDLE_MINUTES. The next page
then leads to the sign-in page, which says why.
"""

import time

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from . import blueprint

LAST_SEEN = "last_seen"
TIMED_OUT = "idle_timeout"


def is_background() -> bool:
    return bool(request.headers.get("X-Background")) or request.path.startswith("/api/")


def mark_active() -> None:
    session[LAST_SEEN] = int(time.time())


@blueprint.before_app_request
def expire_idle_session():
    if (
        request.endpoint == "static"
        or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    ):
        return None  # no session to expire: not even read, so a device's answer does not vary
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if "_user_id" in session:
        last_seen = session.get(LAST_SEEN)
        if last_seen is None or time.time() - last_seen <= minutes * 60:
            if last_seen is None or not is_background():
                mark_active()
            return None
        logout_user()
        session.pop(LAST_SEEN, None)
        session[TIMED_OUT] = True
    if TIMED_OUT not in session:
        return None
    if is_background():
        abort(401)
    session.pop(TIMED_OUT)
    message = _(
        "Phiên làm việc đã kết thúc vì không thao tác trong %(minutes)d phút. "
        "Vui lòng đăng nhập lại.",
        minutes=minutes,
    )
    flash(message, "error")
    if request.endpoint == "auth.login":
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))
