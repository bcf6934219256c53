from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts.sign_in import sign_in, sign_out
from extensions import limiter
from security import login_limit
from web.commit import commit_or_explain
from web.redirects import local_path
from web.roles import home_endpoint_for
from web.sessions import begin_session, end_session

from . import blueprint
from .forms import LoginForm
from .idle import mark_active


def after_sign_in(user) -> str:
    """The page asked for in `?next=` if it is on this site, else the user's start page."""
    return local_path(request.args.get("next")) or url_for(
        home_endpoint_for(user.role, current_app.view_functions)
    )


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Sign in. A wrong password, an unknown username, a locked account and an account whose
    sign-ins are refused for guessing all get the same answer."""
    form = LoginForm()
    if form.validate_on_submit():
        # The attempt is recorded (and counted) whatever its outcome.
        user = commit_or_explain(lambda: sign_in(form.username.data, form.password.data))
        if user is not None:
            begin_session(user)
            mark_active()
            return redirect(after_sign_in(user))
        flash(_("Sai tên đăng nhập hoặc mật khẩu."), "error")
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
def logout():
    """Sign out here and everywhere else this account is signed in."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        commit_or_explain(lambda: sign_out(user))
    end_session()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("auth.login"))
