"""The counter desk and the rating tablet, used in a real headless Chromium."""

import pytest
import requests

from conftest import SCREENSHOTS
from core.models import Rating, RatingScore, RatingSource, Ticket, TicketStatus
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def take_kiosk_ticket(live_server, page_factory) -> str:
    kiosk = page_factory(viewport=(1920, 1080))
    kiosk.goto(f"{live_server.url}/kiosk/#key={live_server.kiosk_key}")
    kiosk.get_by_role("button", name="Cấp, đổi giấy phép lái xe").click()
    kiosk.locator("#ask-no").click()  # the priority question
    kiosk.locator("#result-number").wait_for(state="visible")
    return kiosk.locator("#result-number").inner_text()


def test_an_officer_signs_in_picks_a_counter_and_calls_the_kiosk_ticket(live_server, page_factory):
    number = take_kiosk_ticket(live_server, page_factory)
    for code, priority in (("GPLX", False), ("PTIEN", False), ("GPLX", True), ("GPLX", False)):
        factories.ticket(code, priority=priority)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    desk = page_factory(viewport=(1440, 900))
    desk.goto(f"{live_server.url}/desk/")
    assert "/auth/login" in desk.url
    assert "Vui lòng đăng nhập để tiếp tục." in desk.locator(".flash").inner_text()
    desk.get_by_label("Tên đăng nhập").fill("canbo1")
    desk.get_by_label("Mật khẩu").fill("mat-khau-sai")
    desk.get_by_role("button", name="Đăng nhập").click()
    assert desk.locator(".flash--error").inner_text() == "Sai tên đăng nhập hoặc mật khẩu."
    desk.screenshot(path=SCREENSHOTS / "login-error.png")

    desk.get_by_label("Mật khẩu").fill("canbo1-demo")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.get_by_role("heading", name="Chọn quầy làm việc hôm nay").wait_for()
    desk.screenshot(path=SCREENSHOTS / "desk-choose-counter.png", full_page=True)
    desk.get_by_role("button", name="Làm việc tại quầy 1").click()
    desk.get_by_role("button", name="Gọi số tiếp theo").click()
    current = desk.locator('[data-field="current-number"]')
    current.wait_for()
    # Priority first: the kiosk ticket comes after the priority ticket A003.
    assert current.inner_text() == "A003"
    desk.get_by_role("button", name="Công dân đã đến").click()
    desk.get_by_role("button", name="Xong, gọi số tiếp theo").click()
    desk.locator('.current-ticket--called [data-field="current-number"]').wait_for()
    assert current.inner_text() == number == "A001"
    assert "Đã gọi 1/3 lần" in desk.locator('[data-field="status"]').inner_text()
    desk.screenshot(path=SCREENSHOTS / "desk-console.png")

    db.session.rollback()
    ticket = db.session.execute(db.select(Ticket).filter_by(number=number)).scalar_one()
    assert (ticket.status, ticket.counter.number, ticket.officer.username) == (
        TicketStatus.CALLED,
        1,
        "canbo1",
    )
    phone = page_factory(viewport=(390, 844), is_mobile=True, device_scale_factor=2)
    phone.goto(f"{live_server.url}/t/{ticket.token}")
    assert "Mời bạn đến quầy" in phone.locator('[data-field="status"]').inner_text()
    assert phone.locator('[data-field="counter"]').inner_text() == "1"
    phone.screenshot(path=SCREENSHOTS / "tracking-called.png", full_page=True)

    desk.get_by_role("button", name="Công dân đã đến").click()
    desk.locator(".current-ticket--serving").wait_for()
    desk.screenshot(path=SCREENSHOTS / "desk-serving.png")


def test_the_citizen_rates_at_the_counter_tablet_and_on_the_phone(live_server, page_factory):
    keypad = factories.device("counter", "Bàn phím quầy 2", counter=2).headers
    key = factories.device("rating", "Máy tính bảng quầy 2", counter=2).key
    first, second = factories.ticket("PTIEN"), factories.ticket("GPLX")
    api = f"{live_server.url}/api/v1/counters/2"
    assert requests.post(f"{api}/next", headers=keypad, timeout=10).json()["number"] == "B001"
    requests.post(f"{api}/start", headers=keypad, timeout=10).raise_for_status()
    requests.post(f"{api}/finish", headers=keypad, timeout=10).raise_for_status()

    tablet = page_factory(viewport=(1280, 800))
    tablet.goto(f"{live_server.url}/rate/2#key={key}")
    assert "#key" not in tablet.url
    tablet.locator("#view-rate").wait_for(state="visible")
    assert tablet.locator("#rate-number").inner_text() == first.number
    tablet.screenshot(path=SCREENSHOTS / "rating.png")
    tablet.get_by_role("button", name="Không hài lòng").click()
    tablet.locator("#view-reasons").wait_for(state="visible")
    tablet.get_by_role("button", name="Chờ lâu").click()
    tablet.get_by_role("button", name="Hướng dẫn chưa rõ").click()
    tablet.screenshot(path=SCREENSHOTS / "rating-reasons.png")
    tablet.get_by_role("button", name="Gửi đánh giá").click()
    tablet.locator("#view-thanks").wait_for(state="visible")

    db.session.rollback()
    rating = db.session.execute(db.select(Rating)).scalar_one()
    assert (rating.ticket_id, rating.score, rating.reasons, rating.source) == (
        first.id,
        RatingScore.UNSATISFIED,
        ["long_wait", "unclear_guidance"],
        RatingSource.COUNTER,
    )

    requests.post(f"{api}/next", headers=keypad, timeout=10).raise_for_status()
    requests.post(f"{api}/start", headers=keypad, timeout=10).raise_for_status()
    requests.post(f"{api}/finish", headers=keypad, timeout=10).raise_for_status()
    phone = page_factory(viewport=(390, 844), is_mobile=True, device_scale_factor=2)
    phone.goto(f"{live_server.url}/t/{second.token}")
    phone.locator(".track-score--satisfied").click()
    assert not phone.locator(".track-rating__reasons").is_visible(), "reasons only when low"
    phone.screenshot(path=SCREENSHOTS / "tracking-rating.png", full_page=True)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    assert "Bạn đã đánh giá: Hài lòng" in phone.locator(".track-rating").inner_text()
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Rating.id))).scalar_one() == 2
