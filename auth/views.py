from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from core.accounts.users import authenticate
from extensions import limiter
from security import login_limit
from web.roles import home_endpoint_for

from . import blueprint
from .forms import LoginForm
from .idle import mark_active


def safe_next(target: str | None, user) -> str:
    """Only follow local paths after sign-in; otherwise the user's own start page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for(home_endpoint_for(user.role, current_app.view_functions))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            mark_active()
            return redirect(safe_next(request.args.get("next"), user))
        flash(_("Sai tên đăng nhập hoặc mật khẩu."), "error")
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("auth.login"))
