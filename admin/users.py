"""Staff accounts: the list, a new account, role and name, lock/reopen, new password."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.accounts.users import (
    create_account,
    list_users,
    place_officer,
    reset_password,
    set_account_active,
    update_account,
)
from core.models import Role, User
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import ActionForm, PasswordResetForm, UserCreateForm, UserEditForm


def account(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def post_of(user: User) -> str:
    if user.unit_id:
        return f"unit:{user.unit_id}"
    return f"agency:{user.agency_id}" if user.agency_id else ""


def place(user: User, post: str) -> User:
    """A processing officer's agency and unit from the form's choice; the caller commits."""
    return place_officer(user, post, acting_admin())


@blueprint.get("/users")
@roles_required(Role.ADMIN, Role.MANAGER)
def users():
    return render_template("admin/users.html", users=list_users(), action_form=ActionForm())


@blueprint.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserCreateForm()
    user = save(
        form,
        lambda: place(
            create_account(
                form.username.data,
                form.full_name.data,
                form.role.data,
                form.password.data,
                form.confirmation.data,
                acting_admin(),
            ),
            form.post.data,
        ),
    )
    if user is FAILED:
        return render_form("admin/user_form.html", form, user=None)
    flash(_("Đã tạo tài khoản “%(username)s”.", username=user.username), "success")
    return redirect(url_for(".users"))


@blueprint.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = account(user_id)
    form = UserEditForm(obj=user, role=user.role.value, post=post_of(user))
    saved = save(
        form,
        lambda: place(
            update_account(user, form.full_name.data, form.role.data, acting_admin()) or user,
            form.post.data,
        ),
    )
    if saved is FAILED:
        return render_form("admin/user_form.html", form, user=user)
    flash(_("Đã lưu tài khoản “%(username)s”.", username=user.username), "success")
    return redirect(url_for(".users"))


@blueprint.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = account(user_id)
    form = PasswordResetForm()
    saved = save(
        form,
        lambda: reset_password(user, form.password.data, form.confirmation.data, acting_admin()),
    )
    if saved is FAILED:
        return render_form("admin/user_password.html", form, user=user)
    flash(_("Đã đặt mật khẩu mới cho “%(username)s”.", username=user.username), "success")
    return redirect(url_for(".users"))


def switch_active(user_id: int, active: bool, done_message: str):
    """Lock or reopen an account from the list, then go back to it."""
    user = account(user_id)
    form = ActionForm()
    if save(form, lambda: set_account_active(user, active, acting_admin())) is FAILED:
        for message in form.form_errors or [_("Yêu cầu không hợp lệ.")]:
            flash(message, "error")
    else:
        flash(done_message % {"username": user.username}, "success")
    return redirect(url_for(".users"))


@blueprint.post("/users/<int:user_id>/deactivate")
@roles_required(Role.ADMIN)
def user_deactivate(user_id: int):
    return switch_active(user_id, False, _("Đã khóa tài khoản “%(username)s”."))


@blueprint.post("/users/<int:user_id>/reactivate")
@roles_required(Role.ADMIN)
def user_reactivate(user_id: int):
    return switch_active(user_id, True, _("Đã mở lại tài khoản “%(username)s”."))
