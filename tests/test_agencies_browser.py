"""The agency screens in a real browser: add an agency, give it a unit, and narrow the
procedures it handles with the list's search."""

import pytest

from conftest import SCREENSHOTS, sign_in_browser
from core.dossiers.procedures import search_procedures
from core.models import Agency
from extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_admin_adds_an_agency_its_unit_and_narrows_its_procedures(live_server, page_factory):
    page = page_factory(viewport=(1366, 900))
    page.goto(f"{live_server.url}/admin/agencies")
    sign_in_browser(page, "quantri")
    page.wait_for_url("**/admin/agencies")
    page.get_by_role("link", name="Thêm cơ quan").click()
    page.wait_for_url("**/admin/agencies/new")
    page.fill("#code", "000.00.07.H56")
    page.fill("#name", "Công an tỉnh")
    page.get_by_role("button", name="Lưu cơ quan").click()
    page.wait_for_url("**/admin/agencies/*")
    assert "Đã thêm cơ quan “Công an tỉnh”, giải quyết 14 thủ tục" in page.inner_text("main")

    page.get_by_role("link", name="Thêm đơn vị").click()
    page.fill("#code", "PC08")
    page.fill("#name", "Phòng Cảnh sát giao thông")
    page.get_by_role("button", name="Lưu đơn vị").click()
    page.wait_for_url("**/admin/agencies/*")
    assert "Phòng Cảnh sát giao thông" in page.inner_text("main")

    page.get_by_role("link", name="Chọn thủ tục").click()
    page.wait_for_url("**/procedures")
    page.fill("#procedure-search", "lái xe")
    shown = page.locator("#procedure-list > li:visible")
    expected = {procedure.code for procedure in search_procedures("lái xe", active_only=False)}
    assert {text.split()[0] for text in shown.all_inner_texts()} == expected
    page.screenshot(path=SCREENSHOTS / "admin-agency-procedures.png", full_page=True)
    # Keep only the driving-licence procedures found: untick everything else, then save.
    page.fill("#procedure-search", "")
    for item in page.locator("#procedure-list > li").all():
        if item.inner_text().split()[0] not in expected:
            item.locator("input").uncheck()
    page.get_by_role("button", name="Lưu danh sách thủ tục").click()
    page.wait_for_url("**/admin/agencies/*")
    page.screenshot(path=SCREENSHOTS / "admin-agency.png", full_page=True)
    db.session.rollback()
    police = db.session.execute(db.select(Agency).filter_by(code="000.00.07.H56")).scalar_one()
    assert {procedure.code for procedure in police.procedures} == expected
    assert [unit.code for unit in police.units] == ["PC08"]
