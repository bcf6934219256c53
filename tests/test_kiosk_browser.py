"""The kiosk and the tracking page, looked at in a real headless Chromium."""

import io

import pytest
import zxingcpp
from PIL import Image

from conftest import SCREENSHOTS
from core.models import Ticket
from extensions import db

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


def test_priority_choice_and_english_kiosk(live_server, page_factory):
    kiosk = page_factory(viewport=(1080, 1920))
    kiosk.goto(f"{live_server.url}/kiosk/?lang=en#key={live_server.kiosk_key}")
    kiosk.get_by_role("button", name="I am entitled to priority").click()
    assert kiosk.locator("#priority-toggle").get_attribute("aria-pressed") == "true"
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-portrait-en.png")
    kiosk.get_by_role("button", name="Vehicle registration and inspection").click()
    kiosk.locator("#result-number").wait_for(state="visible")
    assert kiosk.locator("#result-number").inner_text() == "B001"
    assert kiosk.locator("#result-priority").is_visible()
    ticket = db.session.execute(db.select(Ticket).filter_by(number="B001")).scalar_one()
    assert ticket.priority is True
    kiosk.locator("#result-done").click()
    assert kiosk.locator("#priority-toggle").get_attribute("aria-pressed") == "false"


def test_kiosk_without_a_key_says_it_is_not_activated(live_server, page_factory):
    kiosk = page_factory()
    kiosk.goto(f"{live_server.url}/kiosk/")
    assert kiosk.locator("#kiosk-unpaired").is_visible()
    kiosk.get_by_role("button", name="Trả kết quả hồ sơ").click()
    kiosk.locator("#kiosk-error").wait_for(state="visible")
    assert "mã khóa thiết bị" in kiosk.locator("#error-message").inner_text()
    assert db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one() == 0
