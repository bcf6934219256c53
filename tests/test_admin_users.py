"""Staff accounts from the admin screens: create, role, lock/reopen, password; never deleted."""

import pytest

from admin_support import StaffClient, audit_actions, csrf_token, database_state, text_of
from core.accounts.users import set_account_active, update_account
from core.errors import InvalidInput
from core.models import Role, User
from extensions import db

NEW_ACCOUNT = {
    "username": "canbo3",
    "full_name": "Võ Thị Hạnh",
    "role": "officer",
    "password": "Hanh#2026-mc",
    "confirmation": "Hanh#2026-mc",
}


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def user(username: str) -> User:
    db.session.rollback()
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def test_admin_creates_an_account_that_can_sign_in(app, admin, auth):
    response = admin.submit("/admin/users/new", NEW_ACCOUNT)
    assert response.status_code == 302
    created = user("canbo3")
    assert (created.full_name, created.role, created.active) == ("Võ Thị Hạnh", Role.OFFICER, True)
    assert ("user.created", admin.user_id) in audit_actions()
    assert "Đã tạo tài khoản “canbo3”." in text_of(admin.get("/admin/users"))
    officer = StaffClient(app)
    signed_in = auth.login("canbo3", "Hanh#2026-mc", client=officer)
    assert signed_in.status_code == 302 and signed_in.location == "/desk/"
    assert "Võ Thị Hạnh" in text_of(officer.get("/desk/"))


def test_invalid_accounts_are_refused_and_nothing_is_written(admin):
    cases = [
        ({"confirmation": "Hanh#2026-mx"}, "Hai lần nhập mật khẩu không khớp nhau."),
        ({"password": "abc12", "confirmation": "abc12"}, "Mật khẩu phải dài từ 8 đến 128 ký tự."),
        ({"password": "matkhaumoi", "confirmation": "matkhaumoi"}, "hãy kết hợp chữ với số"),
        ({"password": "12345678", "confirmation": "12345678"}, "hãy kết hợp chữ với số"),
        ({"password": "Admin@123", "confirmation": "Admin@123"}, "mật khẩu phổ biến"),
        ({"password": "canbo3-2026", "confirmation": "canbo3-2026"}, "chứa tên đăng nhập"),
        ({"username": "canbo1"}, "Tên đăng nhập “canbo1” đã tồn tại."),
        ({"username": "Cán bộ"}, "Tên đăng nhập chỉ gồm chữ thường không dấu"),
        ({"full_name": "  "}, "Họ và tên cần có, tối đa 128 ký tự."),
        ({"role": "superuser"}, "Lựa chọn không hợp lệ."),
        ({"password": ""}, "Vui lòng nhập trường này."),
    ]
    before = database_state()
    for changes, message in cases:
        response = admin.submit("/admin/users/new", {**NEW_ACCOUNT, **changes})
        assert response.status_code == 422, changes
        assert message in text_of(response), changes
        assert database_state() == before, changes


def test_changing_name_and_role(admin):
    canbo2 = user("canbo2")
    form = {"full_name": "Trần Văn Minh (tổ trưởng)", "role": "manager"}
    assert admin.submit(f"/admin/users/{canbo2.id}/edit", form).status_code == 302
    changed = user("canbo2")
    assert changed.role == Role.MANAGER and changed.full_name == "Trần Văn Minh (tổ trưởng)"
    assert ("user.updated", admin.user_id) in audit_actions()


def test_the_last_admin_cannot_demote_or_lock_themself(admin):
    quantri = user("quantri")
    before = database_state()
    response = admin.submit(
        f"/admin/users/{quantri.id}/edit", {"full_name": quantri.full_name, "role": "manager"}
    )
    assert response.status_code == 422
    assert "“quantri” là tài khoản quản trị cuối cùng còn hoạt động." in text_of(response)
    token = csrf_token(text_of(admin.get("/admin/users")))
    locked = admin.post(f"/admin/users/{quantri.id}/deactivate", {"csrf_token": token})
    assert locked.status_code == 302
    assert "tài khoản quản trị cuối cùng" in text_of(admin.get("/admin/users"))
    assert database_state() == before
    assert user("quantri").role == Role.ADMIN and user("quantri").active


def test_with_a_second_admin_one_still_cannot_lock_or_demote_oneself(admin):
    admin.submit("/admin/users/new", {**NEW_ACCOUNT, "username": "quantri2", "role": "admin"})
    quantri = user("quantri")
    before = database_state()
    response = admin.submit(
        f"/admin/users/{quantri.id}/edit", {"full_name": quantri.full_name, "role": "officer"}
    )
    assert "Bạn không thể tự đổi vai trò của mình" in text_of(response)
    token = csrf_token(text_of(admin.get("/admin/users")))
    admin.post(f"/admin/users/{quantri.id}/deactivate", {"csrf_token": token})
    assert "Bạn không thể tự khóa tài khoản của mình." in text_of(admin.get("/admin/users"))
    assert database_state() == before
    # …but may demote the other admin, who then is no longer one.
    other = user("quantri2")
    form = {"full_name": other.full_name, "role": "manager"}
    assert admin.submit(f"/admin/users/{other.id}/edit", form).status_code == 302
    assert user("quantri2").role == Role.MANAGER


def test_the_domain_rule_holds_without_the_screen(app, demo):
    """Whoever calls it (a command, a later screen), the last active admin stays."""
    quantri = user("quantri")
    with pytest.raises(InvalidInput):
        update_account(quantri, quantri.full_name, "officer", actor=None)
    with pytest.raises(InvalidInput):
        set_account_active(quantri, False, actor=None)


def test_locking_and_reopening_an_account(app, admin, auth):
    canbo1 = user("canbo1")
    officer = StaffClient(app)
    auth.login("canbo1", client=officer)
    token = csrf_token(text_of(admin.get("/admin/users")))
    assert (
        admin.post(f"/admin/users/{canbo1.id}/deactivate", {"csrf_token": token}).status_code == 302
    )
    assert user("canbo1").active is False
    assert officer.get("/desk/").status_code == 302, "a locked account is signed out"
    refused = auth.attempt("canbo1", "canbo1-demo", client=officer)
    assert refused.status_code == 200 and "Sai tên đăng nhập hoặc mật khẩu." in text_of(refused)
    listing = text_of(admin.get("/admin/users"))
    assert "Đã khóa tài khoản “canbo1”." in listing and "Đã khóa" in listing
    admin.post(f"/admin/users/{canbo1.id}/reactivate", {"csrf_token": token})
    assert user("canbo1").active is True
    auth.login("canbo1", client=officer)
    actions = audit_actions()
    assert ("user.deactivated", admin.user_id) in actions
    assert ("user.reactivated", admin.user_id) in actions


def test_resetting_a_password(app, admin, auth):
    canbo2 = user("canbo2")
    url = f"/admin/users/{canbo2.id}/password"
    before = database_state()
    mismatch = admin.submit(url, {"password": "Minh-2026!", "confirmation": "Minh-2026?"})
    assert mismatch.status_code == 422 and "Hai lần nhập mật khẩu không khớp nhau." in text_of(
        mismatch
    )
    weak = admin.submit(url, {"password": "minhminh", "confirmation": "minhminh"})
    assert weak.status_code == 422 and "quá dễ đoán" in text_of(weak)
    assert database_state() == before
    assert (
        admin.submit(url, {"password": "Minh-2026!", "confirmation": "Minh-2026!"}).status_code
        == 302
    )
    officer = StaffClient(app)
    old = auth.attempt("canbo2", "canbo2-demo", client=officer)
    assert old.status_code == 200, "the old password is gone"
    auth.login("canbo2", "Minh-2026!", client=officer)
    assert ("user.password_reset", admin.user_id) in audit_actions()


def test_accounts_are_never_deleted(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert not any("DELETE" in rule.methods or "delete" in rule.rule for rule in rules)
