"""The kiosk and the tracking page, looked at in a real headless Chromium."""

import io

import pytest
import zxingcpp
from PIL import Image

from conftest import SCREENSHOTS
from core.accounts.devices import revoke_device
from core.db.transactions import begin_write_transaction
from core.models import Device, Ticket
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code found in the screenshot"
    return results[0].text


def test_citizen_taps_a_service_and_follows_the_ticket_on_a_phone(live_server, page_factory):
    kiosk = page_factory(viewport=(1920, 1080))
    kiosk.goto(f"{live_server.url}/kiosk/#key={live_server.kiosk_key}")
    assert "#key" not in kiosk.url, "the key must leave the address bar"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-start.png")
    button = kiosk.get_by_role("button", name="Cấp, đổi giấy phép lái xe")
    assert button.is_visible()
    button.click()
    kiosk.locator("#ask-no").click()
    number = kiosk.locator("#result-number")
    number.wait_for(state="visible")
    shown = number.inner_text()
    ticket = db.session.execute(db.select(Ticket).order_by(Ticket.id.desc())).scalars().first()
    assert shown == ticket.number == "A001"
    assert kiosk.locator("#result-ahead").inner_text() == "0"
    kiosk.locator("#result-qr").evaluate("image => image.decode()")
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-ticket.png")
    tracking_url = decode_qr(kiosk.locator("#result-qr").screenshot())
    assert tracking_url == f"{live_server.url}/t/{ticket.token}"

    phone = page_factory(viewport=(390, 844), is_mobile=True, device_scale_factor=2)
    phone.goto(tracking_url)
    assert phone.locator('[data-field="number"]').inner_text() == "A001"
    assert "Đang chờ đến lượt" in phone.locator('[data-field="status"]').inner_text()
    phone.screenshot(path=SCREENSHOTS / "tracking-phone.png", full_page=True)


START_PROMPT = "Chạm vào dịch vụ bạn cần để lấy số thứ tự"
# Everything a finger may touch on the kiosk.
TARGETS = "button, a, summary, input, select, [role=button]"


def open_kiosk(page_factory, base_url: str, key: str | None, viewport=(1080, 1920), clock=False):
    page = page_factory(viewport=viewport)
    if clock:
        page.clock.install()
    page.goto(f"{base_url}/kiosk/" + (f"#key={key}" if key else ""))
    return page


def take_ticket(kiosk, service: str, *, priority: bool = False) -> str:
    kiosk.get_by_role("button", name=service).click()
    kiosk.locator("#kiosk-ask").wait_for(state="visible")
    kiosk.locator("#ask-yes" if priority else "#ask-no").click()
    kiosk.locator("#result-number").wait_for(state="visible")
    return kiosk.locator("#result-number").inner_text()


def at_vietnamese_start(kiosk) -> None:
    """The fresh start screen: Vietnamese, services shown, nothing else, a clean address."""
    kiosk.locator("#kiosk-start").wait_for(state="visible")
    kiosk.wait_for_function("() => document.documentElement.lang === 'vi'")
    assert kiosk.locator(".kiosk-prompt").inner_text() == START_PROMPT
    assert kiosk.get_by_role("button", name="Cấp, đổi giấy phép lái xe").is_visible()
    for other in ("#kiosk-ask", "#kiosk-result", "#kiosk-error", "#kiosk-not-ready"):
        assert not kiosk.locator(other).is_visible(), other
    assert kiosk.url.endswith("/kiosk/"), kiosk.url


def switch_to_english(kiosk) -> None:
    kiosk.get_by_role("link", name="English").click()
    kiosk.locator(".kiosk-prompt").filter(has_text="Touch the service").wait_for()
    # The page's script cleans the address as it starts, which may come just after the text
    # shows: wait for it (a failure here times out saying so).
    kiosk.wait_for_function("() => !window.location.search", timeout=10_000)
    assert "lang=" not in kiosk.url, "the language choice does not stay in the address bar"


def test_after_done_the_next_citizen_finds_the_kiosk_in_vietnamese(live_server, page_factory):
    kiosk = open_kiosk(page_factory, live_server.url, live_server.kiosk_key)
    switch_to_english(kiosk)
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-portrait-en.png")
    number = take_ticket(kiosk, "Driving licences")
    assert number == "A001"
    assert not kiosk.get_by_role("link", name="English").is_visible(), "no reload over a ticket"
    assert kiosk.locator("#result-done").inner_text().startswith("Done")
    kiosk.locator("#result-done").click()
    at_vietnamese_start(kiosk)
    # The next citizen's ticket speaks Vietnamese too.
    assert take_ticket(kiosk, "Cấp, đổi giấy phép lái xe") == "A002"
    assert kiosk.locator("#result-service").inner_text() == "Cấp, đổi giấy phép lái xe"


def test_the_countdown_and_an_idle_minute_bring_back_the_vietnamese_start(
    live_server, page_factory
):
    kiosk = open_kiosk(page_factory, live_server.url, live_server.kiosk_key, clock=True)
    switch_to_english(kiosk)
    take_ticket(kiosk, "Driving licences")
    kiosk.clock.run_for(19_000)
    assert kiosk.locator("#kiosk-result").is_visible(), "the ticket stays for the countdown"
    kiosk.clock.run_for(2_000)
    at_vietnamese_start(kiosk)

    # A citizen who chose English, tapped a service and walked away.
    switch_to_english(kiosk)
    kiosk.get_by_role("button", name="Vehicle registration and inspection").click()
    kiosk.locator("#kiosk-ask").wait_for(state="visible")
    kiosk.clock.run_for(45_000)
    kiosk.mouse.click(5, 1900)  # a touch on the screen's edge puts the return off
    kiosk.clock.run_for(45_000)
    assert kiosk.locator("#kiosk-ask").is_visible(), "a touch restarts the idle minute"
    kiosk.clock.run_for(16_000)
    at_vietnamese_start(kiosk)
    assert db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one() == 1

    # English left on the start screen itself goes back to Vietnamese too.
    switch_to_english(kiosk)
    kiosk.clock.run_for(61_000)
    at_vietnamese_start(kiosk)


def test_a_tap_on_a_service_asks_the_priority_question(live_server, page_factory):
    kiosk = open_kiosk(page_factory, live_server.url, live_server.kiosk_key)
    kiosk.get_by_role("button", name="Đăng ký, kiểm định phương tiện").click()
    question = kiosk.locator("#kiosk-ask")
    question.wait_for(state="visible")
    assert not kiosk.locator("#kiosk-start").is_visible(), "one question on the screen"
    assert kiosk.locator("#ask-service").inner_text() == "Đăng ký, kiểm định phương tiện"
    heading = kiosk.get_by_role("heading", name="Bạn có thuộc đối tượng ưu tiên không?")
    assert heading.is_visible()
    groups = question.locator(".kiosk-ask__groups").inner_text()
    assert "Người cao tuổi" in groups and "Phụ nữ mang thai" in groups
    yes, no = kiosk.locator("#ask-yes"), kiosk.locator("#ask-no")
    # Two big answers, read after the question, top-down in portrait.
    yes_box, no_box = yes.bounding_box(), no.bounding_box()
    assert yes_box["height"] >= 200 and no_box["height"] >= 200
    assert heading.bounding_box()["y"] < yes_box["y"] < no_box["y"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-portrait-priority.png")
    no_ticket = db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one()
    assert no_ticket == 0, "no ticket before the answer"

    # A wrong service: back to the list, nothing issued.
    kiosk.locator("#ask-back").click()
    kiosk.locator("#kiosk-start").wait_for(state="visible")
    assert take_ticket(kiosk, "Đăng ký, kiểm định phương tiện", priority=True) == "B001"
    assert kiosk.locator("#result-priority").is_visible()
    db.session.rollback()
    ticket = db.session.execute(db.select(Ticket).filter_by(number="B001")).scalar_one()
    assert ticket.priority is True
    kiosk.locator("#result-done").click()
    assert take_ticket(kiosk, "Đăng ký, kiểm định phương tiện") == "B002"
    assert not kiosk.locator("#result-priority").is_visible()
    db.session.rollback()
    ticket = db.session.execute(db.select(Ticket).filter_by(number="B002")).scalar_one()
    assert ticket.priority is False


def test_take_your_slip_only_when_a_slip_is_printed(live_server, page_factory):
    # The demo kiosk has no printer: the number and the QR code, no word of a slip.
    kiosk = open_kiosk(page_factory, live_server.url, live_server.kiosk_key)
    take_ticket(kiosk, "Trả kết quả hồ sơ")
    kiosk.locator("#result-qr").evaluate("image => image.decode()")
    assert kiosk.locator("#kiosk-result").get_attribute("hidden") is None
    assert "phiếu" not in kiosk.locator("#kiosk-result").inner_text()
    assert kiosk.locator("#result-no-slip").is_visible()
    assert kiosk.locator("#result-qr").is_visible()
    assert kiosk.locator("#result-number").bounding_box()["height"] >= 150
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-portrait-ticket.png")

    # A kiosk with a printer: its slip is queued, so the citizen is told to take it.
    _, headers = factories.kiosk("tcp://127.0.0.1:9", name="Kiosk có máy in")
    printing = open_kiosk(page_factory, live_server.url, headers["Authorization"].split()[1])
    take_ticket(printing, "Trả kết quả hồ sơ")
    assert printing.locator("#result-note").is_visible()
    assert "nhận phiếu" in printing.locator("#kiosk-result").inner_text()
    assert not printing.locator("#result-no-slip").is_visible()


def visible_text(page) -> str:
    return page.locator("body").inner_text()


def test_a_kiosk_without_a_working_key_sends_the_citizen_to_the_help_desk(
    live_server, page_factory
):
    kiosk = open_kiosk(page_factory, live_server.url, None)
    kiosk.locator("#kiosk-not-ready").wait_for(state="visible")
    shown = visible_text(kiosk)
    assert "Máy lấy số chưa sẵn sàng" in shown and "quầy hướng dẫn" in shown
    for technical in ("khóa", "key", "kích hoạt", "401", "API"):
        assert technical not in shown, technical
    assert not kiosk.locator("#kiosk-start").is_visible(), "no service to tap"
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-not-ready.png")
    # Staff open the folded detail.
    kiosk.get_by_text("Thông tin cho cán bộ").click()
    assert "mã khóa thiết bị" in kiosk.locator("#not-ready-detail").inner_text()

    # A revoked key: the citizen's tap ends on the same calm screen, and no ticket.
    key = factories.device("kiosk", "Kiosk thu hồi").key
    revoked = open_kiosk(page_factory, live_server.url, key)
    begin_write_transaction()
    revoke_device(
        db.session.execute(db.select(Device).filter_by(name="Kiosk thu hồi")).scalar_one()
    )
    db.session.commit()
    revoked.get_by_role("button", name="Trả kết quả hồ sơ").click()
    revoked.locator("#ask-no").click()
    revoked.locator("#kiosk-not-ready").wait_for(state="visible")
    shown = visible_text(revoked)
    assert "khóa" not in shown and "unauthorized" not in shown.lower()
    assert "thu hồi" in revoked.locator("#not-ready-detail").text_content()
    assert db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one() == 0


def test_an_open_kiosk_is_activated_by_a_new_key_in_its_address(live_server, page_factory):
    kiosk = open_kiosk(page_factory, live_server.url, None)
    kiosk.locator("#kiosk-not-ready").wait_for(state="visible")
    kiosk.evaluate("() => { window.stillTheSamePage = true; }")
    kiosk.evaluate(f"() => {{ window.location.hash = 'key={live_server.kiosk_key}'; }}")
    kiosk.locator("#kiosk-start").wait_for(state="visible")
    assert "key" not in kiosk.url and kiosk.url.endswith("/kiosk/")
    stored = kiosk.evaluate("() => window.localStorage.getItem('onestop.kioskKey')")
    assert stored == live_server.kiosk_key
    assert kiosk.evaluate("() => window.stillTheSamePage"), "activated without a reload"
    assert take_ticket(kiosk, "Cấp, đổi giấy phép lái xe") == "A001"


def small_targets(page) -> list[str]:
    """The visible touch targets under 48 × 48 CSS pixels, described."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector))
            .filter(element => element.getClientRects().length > 0)
            .map(element => [element, element.getBoundingClientRect()])
            .filter(([, box]) => box.width < 48 || box.height < 48)
            .map(([element, box]) =>
                `${element.outerHTML.slice(0, 60)} ${box.width}×${box.height}`)""",
        TARGETS,
    )


def every_screen(kiosk) -> list[str]:
    """Walk start, question, ticket and back; the small targets of each screen, and the
    screen's own height against the window (a screen that spills makes the citizen scroll)."""
    problems = []

    def check(name):
        problems.extend(f"{name}: {target}" for target in small_targets(kiosk))
        spill = kiosk.evaluate("() => document.documentElement.scrollHeight - window.innerHeight")
        if spill > 0:
            problems.append(f"{name}: spills {spill}px below the screen")

    kiosk.locator("#kiosk-start").wait_for(state="visible")
    check("start")
    kiosk.get_by_role("button", name="Giấy phép, phù hiệu vận tải").click()
    kiosk.locator("#kiosk-ask").wait_for(state="visible")
    check("question")
    kiosk.locator("#ask-no").click()
    kiosk.locator("#result-number").wait_for(state="visible")
    check("ticket")
    return problems


@pytest.mark.parametrize("viewport", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_every_touch_target_is_at_least_48_pixels(live_server, page_factory, viewport):
    kiosk = open_kiosk(page_factory, live_server.url, live_server.kiosk_key, viewport=viewport)
    assert every_screen(kiosk) == []
    # The service buttons share the height: in portrait they fill most of the screen.
    if viewport == (1080, 1920):
        kiosk.locator("#result-done").click()
        kiosk.locator("#kiosk-start").wait_for(state="visible")
        buttons = kiosk.locator(".service-button")
        boxes = [buttons.nth(index).bounding_box() for index in range(buttons.count())]
        assert all(box["height"] >= 200 and box["width"] >= 900 for box in boxes), boxes
        covered = boxes[-1]["y"] + boxes[-1]["height"] - boxes[0]["y"]
        assert covered > 0.6 * 1920, covered
        kiosk.screenshot(path=SCREENSHOTS / "kiosk-portrait.png")
    unpaired = open_kiosk(page_factory, live_server.url, None, viewport=viewport)
    unpaired.locator("#kiosk-not-ready").wait_for(state="visible")
    unpaired.get_by_text("Thông tin cho cán bộ").click()
    assert small_targets(unpaired) == []
