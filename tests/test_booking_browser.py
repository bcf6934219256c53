"""Booking on a phone, checking in at the kiosk, the booked ticket at the desk, and the
citizen ID card's QR code typed into the reception form by a scanner: in headless Chromium
against a real server (real time: the demo services book every quarter of an hour)."""

from datetime import timedelta

import pytest
import requests

from conftest import SCREENSHOTS, sign_in_browser
from core.clock import local_now
from core.models import Appointment, AppointmentStatus, Ticket
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CARD = (
    "001089012345|012345678|Nguyễn Văn An|15041989|Nam"
    "|Số 12 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội|20072021"
)


def next_slot(url: str) -> str:
    """The first slot still offered: today's next quarter of an hour, or tomorrow's first."""
    today = local_now().date()
    for day in (today, today + timedelta(days=1)):
        slots = requests.get(
            f"{url}/api/v1/appointments/slots",
            params={"service": "GPLX", "date": day.isoformat()},
            timeout=10,
        ).json()
        if slots:
            return slots[0]["start"]
    raise AssertionError("no slot offered")


def book(url: str, start: str, phone: str, **extra) -> dict:
    body = {"service": "GPLX", "start": start, "name": "Trần Thị Bình", "phone": phone, **extra}
    response = requests.post(f"{url}/api/v1/appointments", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_citizen_books_on_a_phone(live_server, page_factory):
    tomorrow = (local_now() + timedelta(days=1)).date().isoformat()
    phone = page_factory(viewport=(390, 844), is_mobile=True, device_scale_factor=2)
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="Đặt lịch hẹn").click()
    phone.get_by_role("link", name="Cấp, đổi giấy phép lái xe").click()
    phone.locator(f'a[href*="date={tomorrow}"]').click()
    phone.locator('label.booking-slot:has(input[value$="T09:00:00+07:00"])').click()
    phone.get_by_label("Họ và tên").fill("Phạm Thị Dung")
    phone.get_by_label("Số điện thoại").fill("0912 345 678")
    phone.get_by_label("Đồng ý nhận tin nhắn SMS về lịch hẹn").check()
    phone.screenshot(path=SCREENSHOTS / "booking-phone.png", full_page=True)
    phone.get_by_role("button", name="Đặt lịch").click()
    code = phone.locator('[data-field="code"]')
    code.wait_for()
    db.session.rollback()
    appointment = db.session.execute(db.select(Appointment)).scalar_one()
    assert code.inner_text() == appointment.code and appointment.consent_sms
    assert "09:00" in phone.locator('[data-field="start"]').inner_text()
    phone.locator(".booking-qr").evaluate("image => image.decode()")
    phone.screenshot(path=SCREENSHOTS / "booking-phone-done.png", full_page=True)


def test_check_in_at_the_kiosk_and_the_booked_ticket_at_the_desk(live_server, page_factory):
    start = next_slot(live_server.url)
    first = book(live_server.url, start, "0912000001")
    book(live_server.url, start, "0912000002", citizen_id="001089012345")
    kiosk = page_factory(viewport=(1080, 1920))
    kiosk.goto(f"{live_server.url}/kiosk/#key={live_server.kiosk_key}")
    kiosk.get_by_role("button", name="Tôi đã đặt lịch").click()
    for letter in first["code"][:3]:  # a finger on the keys, then the rest typed
        kiosk.locator(f'.kiosk-key[data-key="{letter}"]').click()
    kiosk.locator("#checkin-code").press_sequentially(first["code"][3:])
    assert kiosk.locator("#checkin-code").input_value() == first["code"]
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-checkin.png")
    kiosk.get_by_role("button", name="Xác nhận").click()
    kiosk.locator("#kiosk-result:not([hidden]), #kiosk-error:not([hidden])").wait_for()
    assert kiosk.locator("#kiosk-error").is_hidden(), kiosk.locator("#error-message").inner_text()
    assert kiosk.locator("#result-booked").is_visible()
    assert kiosk.locator("#result-booked-time").inner_text() == start[11:16]
    kiosk.locator("#result-qr").evaluate("image => image.decode()")
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-checkin-ticket.png")
    # The second booking: its citizen ID card scanned on the start screen (a keyboard burst).
    kiosk.get_by_role("button", name="Xong").click()
    kiosk.locator("#kiosk-start").wait_for(state="visible")
    kiosk.keyboard.type(CARD + "\n")
    kiosk.locator("#result-number").wait_for(state="visible")
    assert kiosk.locator("#result-number").inner_text() == "A002"
    # The same code again: refused, and no ordinary ticket is offered for it.
    kiosk.get_by_role("button", name="Xong").click()
    kiosk.get_by_role("button", name="Tôi đã đặt lịch").click()
    kiosk.locator("#checkin-code").fill(first["code"])
    kiosk.locator("#checkin-code").press("Enter")
    kiosk.locator("#kiosk-error").wait_for(state="visible")
    assert "đã được xác nhận có mặt" in kiosk.locator("#error-message").inner_text()
    db.session.rollback()
    checked_in = (
        db.session.execute(db.select(Appointment).filter_by(status=AppointmentStatus.CHECKED_IN))
        .scalars()
        .all()
    )
    assert len(checked_in) == 2

    factories.ticket("GPLX")  # a walk-in after them
    desk = page_factory(viewport=(1440, 900))
    sign_in_browser(desk, "canbo1", f"{live_server.url}/auth/login?next=/desk/")
    desk.get_by_role("button", name="Làm việc tại quầy 1").click()
    desk.get_by_role("button", name="Gọi số tiếp theo").click()
    desk.locator('[data-field="current-number"]').wait_for()
    assert desk.locator('[data-field="current-number"]').inner_text() == "A001"
    assert start[11:16] in desk.locator('[data-field="booked"]').inner_text()
    assert desk.locator(".desk-queue__list .badge--booked").count() == 1
    # The card's holder: the counter sees the ticket came with the ID card.
    ticket = db.session.execute(db.select(Ticket).filter_by(number="A002")).scalar_one()
    assert ticket.citizen_id == "001089012345" and ticket.booked_for is not None
    desk.screenshot(path=SCREENSHOTS / "desk-booked.png")


def test_a_scanner_typing_the_card_fills_the_applicant_at_reception(live_server, page_factory):
    page = page_factory(viewport=(1280, 1000))
    sign_in_browser(
        page, "canbo1", f"{live_server.url}/auth/login?next=/dossiers/receive?procedure=GPLX-DOI"
    )
    page.locator("[data-card-input]").wait_for()
    # The officer's cursor is in the phone field (20 characters at most): the scanner types
    # there, then Enter.
    page.get_by_label("Điện thoại").first.click()
    page.keyboard.type(CARD, delay=2)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-card-scan]').dataset.filled === 'yes'"
    )
    assert page.locator('[name="applicant_id_number"]').input_value() == "001089012345"
    assert page.locator('[name="applicant_name"]').input_value() == "Nguyễn Văn An"
    assert page.locator('[name="applicant_birth_date"]').input_value() == "1989-04-15"
    assert page.locator('[name="applicant_address"]').input_value().startswith("Số 12 Tràng Tiền")
    assert page.locator('[name="applicant_id_kind"]').input_value() == "citizen_id"
    assert page.locator('[name="applicant_phone"]').input_value() == ""
    assert "Nguyễn Văn An" in page.locator("[data-card-status]").inner_text()
    page.locator(".applicant").screenshot(path=SCREENSHOTS / "reception-card-scan.png")
    # A bad scan says why and fills nothing.
    page.locator("[data-card-input]").click()
    page.keyboard.type(CARD.replace("15041989", "15041990") + "\n")
    page.wait_for_function(
        "() => document.querySelector('[data-card-status]').textContent.includes('năm sinh')"
    )
    assert page.locator('[name="applicant_birth_date"]').input_value() == "1989-04-15"
