"""The dossier list's search form and the register's export, in a real browser: a name typed
without diacritics, a filter, the count and pages; a PDF asked for, its progress bar moving
as the export worker builds it, and the download link."""

import threading

import pytest
import time_machine
from werkzeug.serving import make_server

from conftest import SCREENSHOTS, local_time, sign_in_browser
from core.dossiers.applicants import Applicant
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Reception, receive_dossier
from core.models import Channel, ExportJob, ExportJobStatus
from exports.worker import run_once
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng")
GIVEN = ("Thị Hồng Nhung", "Văn Dũng", "Minh Khôi", "Thu Hà", "Đức Thắng", "Ngọc Ánh")


class InProcessServer:
    """The test's own app served by werkzeug in a thread: a real HTTP server for the
    browser, up in milliseconds even on a busy shared machine (gunicorn's workers each
    import the app first)."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app, demo):
    db.session.commit()
    server = InProcessServer(app)
    yield server
    server.stop()


def fill_desk(count: int = 130) -> None:
    officer = factories.user()
    for code in ("GPLX-DOI", "XQK"):
        procedure = find_procedure(code)
        positions = [document.position for document in procedure.documents]
        for index in range(count // 2):
            moment = local_time(2026, 11, 2 + index % 28, 8 + index % 8, index % 60)
            with time_machine.travel(moment, tick=False):
                name = f"{FAMILIES[index % 7]} {GIVEN[index % 6]}"
                applicant = Applicant(name, "001099012345", f"09123{index:05d}", "Hà Đông")
                receive_dossier(
                    Reception(procedure, applicant, Channel.DIRECT, positions), user=officer
                )
    db.session.commit()


def test_an_officer_searches_and_exports_the_register(live_server, page_factory):
    fill_desk()
    officer = page_factory(viewport=(1280, 1000))
    sign_in_browser(officer, "canbo1", f"{live_server.url}/auth/login?next=/dossiers/")
    officer.fill("#search-q", "nguyen hong nhung")
    officer.select_option('select[name="procedure"]', label="GPLX-DOI — Cấp đổi giấy phép lái xe")
    officer.get_by_role("button", name="Tìm", exact=True).last.click()
    officer.wait_for_load_state()
    count = officer.locator(".dossier-search__count").inner_text()
    assert count.startswith("Tìm thấy ") and "hồ sơ" in count
    names = officer.locator("table.data-table tbody tr td:nth-child(3)").all_inner_texts()
    assert names and all(name == "Nguyễn Thị Hồng Nhung" for name in names)
    assert officer.input_value("#search-q") == "nguyen hong nhung"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=SCREENSHOTS / "dossier-search.png", full_page=True)
    officer.get_by_role("link", name="Xóa bộ lọc").click()
    officer.wait_for_load_state()
    assert "Tổng cộng 130 hồ sơ" in officer.locator(".dossier-search__count").inner_text()
    officer.get_by_role("link", name="Trang sau →").click()
    assert "Trang 2/3" in officer.locator("nav.pager").inner_text()

    officer.goto(f"{live_server.url}/dossiers/register?from=2026-11-01&to=2026-11-30")
    officer.screenshot(path=SCREENSHOTS / "register-period.png")
    officer.get_by_role("button", name="Xuất PDF").click()
    officer.wait_for_url("**/dossiers/exports/*")
    assert officer.locator("[data-export-label]").inner_text() == "Đang chờ xử lý"
    db.session.rollback()
    assert run_once()
    link = officer.locator("[data-export-link]")
    link.wait_for(state="visible", timeout=15_000)
    assert officer.locator("[data-export-bar]").get_attribute("value") == "100"
    assert officer.locator("[data-export-count]").inner_text() == "130 / 130 hồ sơ"
    officer.screenshot(path=SCREENSHOTS / "register-export-progress.png", full_page=True)
    with officer.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "so-theo-doi-ho-so-20261101-20261130.pdf"
    db.session.rollback()
    assert db.session.execute(db.select(ExportJob)).scalar_one().status == ExportJobStatus.DONE
