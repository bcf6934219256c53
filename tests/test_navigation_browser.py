"""The shared staff header in a real browser, on an office screen and on a phone: each role
sees its sections, the current one is marked, and on a phone the sections fold behind one
button (CSS only) that opens them. Pictures: docs/screenshots/nav-*.png."""

import pytest

from conftest import SCREENSHOTS, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP, PHONE = (1366, 768), (390, 844)
# The role, its account, a section it opens from the header, and the page's heading there.
ROLES = [
    ("officer", "canbo1", "Danh sách hồ sơ", "Danh sách hồ sơ"),
    ("manager", "lanhdao", "Thống kê và báo cáo", "Thống kê và báo cáo cải cách hành chính"),
    ("admin", "quantri", "Danh mục thủ tục", "Danh mục thủ tục hành chính"),
    ("specialist", "chuyenvien", "Hồ sơ cần xử lý", "Hồ sơ cần xử lý"),
    ("unit_head", "truongphong", "Đánh giá đơn vị, cán bộ", "Đánh giá đơn vị, cán bộ"),
    ("agency_leader", "giamdoc", "Đánh giá đơn vị, cán bộ", "Đánh giá đơn vị, cán bộ"),
]


@pytest.mark.parametrize(("role", "username", "section", "heading"), ROLES)
def test_the_header_on_an_office_screen_and_a_phone(
    patient_live_server, page_factory, role, username, section, heading
):
    live_server = patient_live_server
    page = page_factory(viewport=DESKTOP)
    sign_in_browser(page, username, f"{live_server.url}/auth/login")
    nav = page.locator("nav.staff-nav")
    assert nav.is_visible()
    nav.get_by_role("link", name=section, exact=True).click()
    page.wait_for_load_state()
    assert heading in page.locator("h1").first.inner_text()
    current = nav.locator('[aria-current="page"]')
    assert current.count() == 1 and current.inner_text() == section
    assert page.locator(".staff-bar__name").is_visible()
    page.screenshot(path=SCREENSHOTS / f"nav-{role}-desktop.png")

    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    assert not nav.is_visible(), "folded on a phone"
    width = page.locator("header.topbar").evaluate("header => header.scrollWidth")
    assert width <= PHONE[0], f"the header must fit the phone ({width}px)"
    page.screenshot(path=SCREENSHOTS / f"nav-{role}-phone.png")
    page.locator("label.staff-nav__open").click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name=section, exact=True).bounding_box()["height"] >= 40
    page.screenshot(path=SCREENSHOTS / f"nav-{role}-phone-open.png")
