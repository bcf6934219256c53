"""A whole working day at the demo centre, by role, in a real browser against real gunicorn:
a citizen takes tickets at the kiosk; two officers at counters 1 and 2 call, transfer a
ticket from counter 1 to counter 2, mark an absent citizen; a dossier is received from the
ticket being served and its result returned; the manager reads the dashboard and the reports;
the admin opens every admin screen.

After the sign-in page, every move is a click on a link or a button (typing goes only into
form fields): the kiosk and the hall's board are devices, opened once at their paired
address as a centre sets them up in the morning. After each desk action the board's counter
tiles are checked: a counter shows its current ticket (called or being served), or nothing.
"""

import pytest

from conftest import SCREENSHOTS, confirm_action, sign_in_browser
from core.models import Dossier, DossierStatus, Ticket, TicketStatus
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


NOTHING = "—"  # what a counter tile shows without a current ticket
TILES = """() => Object.fromEntries(
    [...document.querySelectorAll('#counter-grid .counter-tile')].map(tile =>
        [tile.dataset.counter, tile.querySelector('[data-field="number"]').textContent.trim()]))"""


def board_shows(board, **tiles: str) -> None:
    """Wait until the board's tiles of these counters (`c1="A001"`) show these numbers."""
    expected = {name.removeprefix("c"): number for name, number in tiles.items()}
    try:
        board.wait_for_function(
            f"expected => {{ const shown = ({TILES})();"
            " return Object.entries(expected).every(([c, n]) => shown[c] === n); }",
            arg=expected,
            timeout=10_000,
        )
    except Exception as error:  # say what the board showed instead
        raise AssertionError(f"board shows {board.evaluate(TILES)}, expected {expected}") from error


def sign_in(page_factory, live_server, username: str, viewport=(1366, 900)):
    page = page_factory(viewport=viewport)
    sign_in_browser(page, username, f"{live_server.url}/auth/login")
    return page


def header_link(page, name: str):
    return page.locator("nav.staff-nav").get_by_role("link", name=name, exact=True)


def go(page, section: str) -> None:
    """Open a section from the shared header; it is then marked as the current one."""
    header_link(page, section).click()
    page.wait_for_load_state()
    assert header_link(page, section).get_attribute("aria-current") == "page", section


def press(page, button: str) -> None:
    page.get_by_role("button", name=button).first.click()
    page.wait_for_load_state()


def offered(desk) -> set[str]:
    """The console's main desk actions on offer (their `data-action`), enabled or not."""
    buttons = desk.locator(".desk-actions [data-action]")
    return {button.get_attribute("data-action") for button in buttons.all()}


def current_number(desk) -> str:
    return desk.locator('[data-field="current-number"]').inner_text()


def take_tickets(kiosk, taps: list[str]) -> list[str]:
    """Each citizen taps a service, answers the priority question (no), takes the ticket
    and taps "Xong"; the kiosk is back at its start screen for the next one."""
    numbers = []
    for service in taps:
        kiosk.get_by_role("button", name=service).click()
        kiosk.locator("#ask-no").click()
        number = kiosk.locator("#result-number")
        number.wait_for(state="visible")
        numbers.append(number.inner_text())
        kiosk.locator("#result-done").click()
        kiosk.get_by_role("button", name=service).wait_for(state="visible")
    return numbers


def test_a_whole_day_by_role_with_links_and_buttons_only(patient_live_server, page_factory):
    live_server = patient_live_server
    board_key = factories.device("display", "Màn hình sảnh").key

    # Morning: the hall's devices are switched on at their paired addresses.
    kiosk = page_factory(viewport=(1920, 1080))
    kiosk.goto(f"{live_server.url}/kiosk/#key={live_server.kiosk_key}")
    board = page_factory(viewport=(1920, 1080))
    board.goto(f"{live_server.url}/display/#key={board_key}")
    board_shows(board, c1=NOTHING, c2=NOTHING)

    licence = "Cấp, đổi giấy phép lái xe"
    assert take_tickets(kiosk, [licence, licence, licence]) == ["A001", "A002", "A003"]

    # Two officers sign in and take counters 1 and 2.
    first = sign_in(page_factory, live_server, "canbo1")
    press(first, "Làm việc tại quầy 1")
    second = sign_in(page_factory, live_server, "canbo2")
    press(second, "Làm việc tại quầy 2")
    assert header_link(first, "Quầy phục vụ").get_attribute("aria-current") == "page"

    press(first, "Gọi số tiếp theo")
    assert current_number(first) == "A001"
    board_shows(board, c1="A001", c2=NOTHING)
    # Only called: the citizen has not arrived, so nothing can be finished yet.
    assert offered(first) == {"start", "recall", "no_show"}

    # A001 belongs at counter 2: counter 1 transfers it; it shows nowhere until 2 calls it.
    first.locator("details.transfer summary").click()
    first.locator('.transfer__form select[name="counter"]').select_option("2")
    press(first, "Chuyển số A001")
    assert "Đã chuyển số A001" in first.locator(".flash").inner_text()
    board_shows(board, c1=NOTHING, c2=NOTHING)

    press(first, "Gọi số tiếp theo")
    assert current_number(first) == "A002"
    board_shows(board, c1="A002", c2=NOTHING)

    press(second, "Gọi số tiếp theo")
    assert current_number(second) == "A001", "the ticket sent to counter 2"
    board_shows(board, c1="A002", c2="A001")
    press(second, "Công dân đã đến")
    second.locator(".current-ticket--serving").wait_for()
    assert {"finish", "call_next", "receive_dossier"} <= offered(second)
    board_shows(board, c1="A002", c2="A001")

    # Reception of a dossier from the ticket being served.
    second.locator("a.action--dossier").click()
    second.fill("#q", "cap doi")
    second.press("#q", "Enter")
    second.get_by_role("link", name="Cấp đổi giấy phép lái xe").first.click()
    for box in second.locator('input[name="documents"]').all():
        box.check()
    second.fill('input[name="applicant_name"]', "Nguyễn Văn An")
    second.fill('input[name="applicant_id_number"]', "001099012345")
    second.fill('input[name="applicant_phone"]', "0912 345 678")
    second.fill('input[name="applicant_address"]', "Số 12 Quang Trung, Hà Đông, Hà Nội")
    press(second, "Tiếp nhận và in giấy hẹn")
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in second.locator("#form-sheet").inner_text()
    db.session.rollback()
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    a001 = db.session.execute(db.select(Ticket).filter_by(number="A001")).scalar_one()
    assert dossier.ticket_id == a001.id
    board_shows(board, c1="A002", c2="A001")

    # Back at the console by the header; the citizen is done.
    go(second, "Quầy phục vụ")
    assert dossier.code in second.locator('[data-field="dossiers"]').inner_text()
    press(second, "Hoàn thành")
    board_shows(board, c1="A002", c2=NOTHING)

    # A002 does not come: called again until "absent" opens, then marked absent.
    while first.locator('button[data-action="no_show"]').is_disabled():
        press(first, "Gọi lại")
        board_shows(board, c1="A002")
    press(first, "Vắng mặt")
    assert "vắng mặt" in first.locator(".flash").inner_text()
    board_shows(board, c1=NOTHING, c2=NOTHING)
    first.screenshot(path=SCREENSHOTS / "day-console-after-absent.png")

    # The dossier's unit does its work (here, from the dossier's page) ...
    go(second, "Danh sách hồ sơ")
    second.get_by_role("link", name=dossier.code).click()
    confirm_action(second, "transfer", receiver_name="Lê Văn Cường")
    confirm_action(second, "start")
    confirm_action(second, "resolve", note="Đã in giấy phép lái xe mới")
    # ... and the result goes back to the citizen, found from "return of results".
    go(first, "Trả kết quả")
    first.get_by_role("link", name=dossier.code).click()
    confirm_action(first, "return")
    assert first.locator("h1 + p .status-badge").inner_text() == "Đã trả kết quả"
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).status == DossierStatus.RETURNED
    statuses = dict(db.session.execute(db.select(Ticket.number, Ticket.status)).all())
    assert statuses == {
        "A001": TicketStatus.DONE,
        "A002": TicketStatus.NO_SHOW,
        "A003": TicketStatus.WAITING,
    }

    # The manager: the live dashboard, the reports, a report period, the read-only admin.
    manager = sign_in(page_factory, live_server, "lanhdao")
    assert header_link(manager, "Trực tiếp").get_attribute("aria-current") == "page"
    assert manager.locator("h1").first.inner_text() == "Tình hình tại bộ phận một cửa"
    go(manager, "Thống kê và báo cáo")
    assert "Thống kê và báo cáo" in manager.locator("h1").first.inner_text()
    go(manager, "Kỳ báo cáo")
    assert "Chốt số liệu kỳ báo cáo" in manager.locator("h1").first.inner_text()
    go(manager, "Tài khoản")
    assert "chế độ chỉ đọc" in manager.locator("main").inner_text()
    go(manager, "Trực tiếp")  # the dashboard's navigation stays on the admin pages

    # The admin opens every admin screen from the header.
    admin = sign_in(page_factory, live_server, "quantri")
    screens = {
        "Tổng quan": "Tổng quan cấu hình",
        "Dịch vụ": "Dịch vụ",
        "Danh sách quầy": "Quầy",
        "Tài khoản": "Tài khoản cán bộ",
        "Thiết bị": "Thiết bị",
        "Máy in phiếu": "Máy in phiếu",
        "Danh mục thủ tục": "Danh mục thủ tục hành chính",
        "Lịch làm việc": "Lịch ngày làm việc",
        "Cài đặt hồ sơ": "Cài đặt bộ phận một cửa và biểu mẫu",
        "Nhật ký": "Nhật ký thao tác",
    }
    for section, heading in screens.items():
        go(admin, section)
        assert admin.locator("h1").first.inner_text().startswith(heading), section
    assert "Phạm Quốc Bảo" in admin.locator(".staff-bar__name").inner_text()
