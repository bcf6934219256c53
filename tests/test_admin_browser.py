"""The admin screens in a real browser: set up a service and a kiosk, then take a ticket."""

import pytest
import time_machine

from conftest import SCREENSHOTS, local_time, sign_in_browser
from core.models import Service
from core.queue.opening_hours import OFFICE_HOURS_WITH_SATURDAY, week_of
from extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_admin_sets_up_a_service_and_a_kiosk_that_issues_tickets(live_server, page_factory, client):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = page_factory(viewport=(1366, 768))
    page.goto(f"{live_server.url}/admin/")
    assert "/auth/login" in page.url
    sign_in_browser(page, "quantri")  # the sign-in form on screen goes on to /admin/
    page.wait_for_url(f"{live_server.url}/admin/")

    page.get_by_role("link", name="Thêm dịch vụ").first.click()
    page.wait_for_url("**/admin/services/new")
    page.fill("#code", "XMCD")
    page.fill("#name", "Đăng ký xe máy chuyên dùng")
    page.fill("#name_en", "Special-purpose vehicle registration")
    page.fill("#prefix", "h")
    page.get_by_role("button", name="Xóa hết").click()
    assert page.input_value("#hours-0-opens_1") == ""
    page.get_by_role("button", name="Giờ hành chính + sáng thứ Bảy").click()
    assert page.input_value("#hours-4-closes_2") == "17:00"
    assert page.input_value("#hours-5-opens_1") == "07:30"
    assert page.input_value("#hours-5-opens_2") == ""
    closed_days = page.locator("tr.is-closed th")
    assert closed_days.all_inner_texts() == ["Chủ nhật"]
    page.fill("#hours-2-opens_2", "11:00")  # overlaps the morning: refused first
    page.get_by_role("button", name="Lưu dịch vụ").click()
    alert = page.get_by_role("alert")
    assert "Thứ Tư: buổi chiều (11:00) phải bắt đầu sau khi buổi sáng kết thúc (11:30)." in (
        alert.inner_text()
    )
    page.screenshot(path=SCREENSHOTS / "admin-service-error.png", full_page=True)
    page.fill("#hours-2-opens_2", "13:30")
    page.get_by_role("button", name="Lưu dịch vụ").click()
    page.wait_for_url(f"{live_server.url}/admin/services")
    assert "Đã thêm dịch vụ “Đăng ký xe máy chuyên dùng”." in page.inner_text("main")
    page.screenshot(path=SCREENSHOTS / "admin-services.png", full_page=True)
    db.session.rollback()
    service = db.session.execute(db.select(Service).filter_by(code="XMCD")).scalar_one()
    assert service.prefix == "H" and week_of(service.hours) == OFFICE_HOURS_WITH_SATURDAY

    page.get_by_role("link", name="Thiết bị", exact=True).click()
    page.wait_for_url("**/admin/devices")
    page.get_by_role("link", name="Thêm thiết bị").click()
    page.wait_for_url("**/admin/devices/new")
    assert not page.locator("#counter_id").is_visible(), "a kiosk is not bound to a counter"
    page.select_option("#kind", "kiosk")
    page.fill("#name", "Kiosk sảnh tầng 2")
    page.fill("#printer_url", "tcp://127.0.0.1:9100")
    page.get_by_role("button", name="Tạo thiết bị và mã khóa").click()
    page.wait_for_url("**/key")
    key = page.input_value("#device-key")
    assert len(key) >= 40
    assert page.input_value("#pairing-url") == f"{live_server.url}/kiosk/#key={key}"
    page.screenshot(path=SCREENSHOTS / "admin-device-key.png")
    page.reload()
    assert page.locator("#device-key").count() == 0, "the key is shown only once"
    page.get_by_role("link", name="Thiết bị", exact=True).click()
    page.wait_for_url("**/admin/devices")
    demo_row = page.get_by_role("row").filter(has_text="Kiosk sảnh chính (demo)")
    demo_row.get_by_role("link", name="Cấp mã mới").click()
    page.wait_for_url("**/rotate")
    page.get_by_role("button", name="Thu hồi và cấp mã mới").click()
    page.wait_for_url("**/key")
    assert page.input_value("#device-key") not in (key, live_server.kiosk_key)
    page.get_by_role("link", name="Thiết bị", exact=True).click()
    page.wait_for_url("**/admin/devices")
    last_row = page.locator(".data-table tbody tr").last.inner_text()
    assert "Kiosk sảnh chính (demo)" in last_row and "Đã thu hồi" in last_row
    page.screenshot(path=SCREENSHOTS / "admin-devices.png", full_page=True)

    for name, path in (("Danh sách quầy", "counters"), ("Tài khoản", "users")):
        page.get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"**/admin/{path}")
        screenshot = f"admin-{path}.png"
        page.screenshot(path=SCREENSHOTS / screenshot, full_page=True)
    page.get_by_role("link", name="Tổng quan").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Thêm dịch vụ" in page.locator(".data-table").inner_text()
    page.screenshot(path=SCREENSHOTS / "admin-home.png", full_page=True)

    headers = {"Authorization": f"Bearer {key}"}
    db.session.rollback()  # see what the live server wrote since
    with time_machine.travel(local_time(2026, 3, 7, 9, 0), tick=False):  # Saturday morning
        issued = client.post("/api/v1/tickets", json={"service": "XMCD"}, headers=headers)
    assert issued.status_code == 201 and issued.get_json()["number"] == "H001"
    with time_machine.travel(local_time(2026, 3, 7, 14, 0), tick=False):  # Saturday afternoon
        closed = client.post("/api/v1/tickets", json={"service": "XMCD"}, headers=headers)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "service_closed"
