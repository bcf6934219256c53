"""In a real browser over gunicorn: the app's own error page in Vietnamese, the sign-in
form's required marks and errors beside the fields, and the live view's dossier counts as
links to their lists; screenshots to look at."""

import pytest

from conftest import SCREENSHOTS, sign_in_browser
from tests.reform_history import build_history

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_error_page_sign_in_errors_and_live_view_links(app, demo, request, page_factory):
    build_history()  # dossiers open and overdue: the live view has counts to link
    server = request.getfixturevalue("live_server")
    page = page_factory(viewport=(1280, 800))
    response = page.goto(f"{server.url}/khong-co-trang-nay")
    assert response.status == 404
    page.get_by_role("heading", name="Không thực hiện được").wait_for()
    assert "Không tìm thấy trang" in page.inner_text("main")
    page.screenshot(path=SCREENSHOTS / "error-404.png", full_page=True)

    page.goto(f"{server.url}/tra-cuu?code=" + "9" * 6000)
    assert "Địa chỉ trang quá dài" in page.inner_text("main")
    page.screenshot(path=SCREENSHOTS / "error-414.png", full_page=True)

    page.goto(f"{server.url}/auth/login")
    assert page.locator(".form__required").count() == 2
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    username_error = page.locator("#username-error")
    assert username_error.inner_text() == "Vui lòng nhập trường này."
    assert page.locator("#username").get_attribute("aria-describedby") == "username-error"
    page.screenshot(path=SCREENSHOTS / "sign-in-errors.png", full_page=True)

    sign_in_browser(page, "lanhdao")
    page.get_by_role("heading", name="Tình hình tại bộ phận một cửa").wait_for()
    overdue = page.locator("a.tile--link", has=page.locator('[data-field="overdue"]'))
    assert overdue.get_attribute("href") == "/dossiers/?due=overdue"
    page.screenshot(path=SCREENSHOTS / "dashboard-live-links.png", full_page=True)
    overdue.click()
    page.wait_for_load_state()
    assert "/dossiers/?due=overdue" in page.url
