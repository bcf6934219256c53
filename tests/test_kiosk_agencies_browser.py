"""The kiosk of a hall with many agencies (the four of the demo centre `make run` serves), in
a real headless Chromium, portrait 1080×1920 and landscape 1920×1080: the agencies first,
then one agency's services, or a search by name without diacritics."""

import pytest
from test_kiosk_browser import open_kiosk, small_targets

from conftest import SCREENSHOTS
from core.models import Ticket
from demo.agencies import seed_demo_agencies
from extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def centre(live_server):
    """The demo centre's four agencies and twelve services in the hall the live server
    serves."""
    seed_demo_agencies(4)
    db.session.commit()
    return live_server


def screen_problems(kiosk, name: str) -> list[str]:
    """The screen's touch targets under 48 px, and whether it spills below the window."""
    problems = [f"{name}: {target}" for target in small_targets(kiosk)]
    spill = kiosk.evaluate("() => document.documentElement.scrollHeight - window.innerHeight")
    if spill > 0:
        problems.append(f"{name}: spills {spill}px below the screen")
    return problems


def visible_services(kiosk) -> list[str]:
    return [
        name.strip()
        for name in kiosk.locator(".service-button:visible .service-button__name").all_inner_texts()
    ]


def test_agencies_first_then_their_services_then_the_question(centre, page_factory):
    kiosk = open_kiosk(page_factory, centre.url, centre.kiosk_key)
    start = kiosk.locator("#kiosk-start")
    start.wait_for(state="visible")
    assert (
        kiosk.locator(".kiosk-prompt").inner_text() == "Chạm vào cơ quan giải quyết hồ sơ của bạn"
    )
    agencies = kiosk.locator(".agency-button__name").all_inner_texts()
    assert agencies == [
        "Sở Giao thông vận tải",
        "Sở Xây dựng",
        "Công an tỉnh",
        "Ủy ban nhân dân phường Trung tâm",
    ], agencies
    problems = screen_problems(kiosk, "agencies")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-agencies.png")
    # On a landscape screen: two rows of two, nothing below the screen.
    kiosk.set_viewport_size({"width": 1920, "height": 1080})
    tops = kiosk.locator(".agency-button").evaluate_all(
        "buttons => buttons.map(button => Math.round(button.getBoundingClientRect().top))"
    )
    assert tops[0] == tops[1] < tops[2] == tops[3], tops
    problems += screen_problems(kiosk, "agencies, landscape")
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-agencies-landscape.png")
    kiosk.set_viewport_size({"width": 1080, "height": 1920})

    kiosk.get_by_role("button", name="Công an tỉnh").click()
    kiosk.locator("#kiosk-services").wait_for(state="visible")
    assert kiosk.locator("#services-title").inner_text() == "Công an tỉnh"
    assert visible_services(kiosk) == [
        "Đổi, cấp lại giấy phép lái xe",
        "Đăng ký xe",
        "Cư trú, căn cước",
    ]
    assert not kiosk.locator("#kiosk-search").is_visible()
    problems += screen_problems(kiosk, "an agency's services")
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-agency-services.png")

    kiosk.get_by_role("button", name="Đăng ký xe").click()
    kiosk.locator("#kiosk-ask").wait_for(state="visible")
    assert kiosk.locator("#ask-service").inner_text() == "Đăng ký xe"
    # Back from the question: the same agency's services, not the agencies.
    kiosk.locator("#ask-back").click()
    kiosk.locator("#kiosk-services").wait_for(state="visible")
    assert visible_services(kiosk)[1] == "Đăng ký xe"
    kiosk.get_by_role("button", name="Đăng ký xe").click()
    kiosk.locator("#ask-yes").click()
    kiosk.locator("#result-number").wait_for(state="visible")
    assert kiosk.locator("#result-number").inner_text() == "K001"
    assert kiosk.locator("#result-priority").is_visible()
    db.session.rollback()
    ticket = db.session.execute(db.select(Ticket).filter_by(number="K001")).scalar_one()
    assert ticket.priority is True
    kiosk.locator("#result-done").click()
    start.wait_for(state="visible")
    assert not kiosk.locator("#kiosk-services").is_visible()

    # "Choose another agency" goes back to the agencies.
    kiosk.get_by_role("button", name="Sở Xây dựng").click()
    assert visible_services(kiosk) == ["Cấp giấy phép xây dựng", "Hạ tầng kỹ thuật đô thị"]
    kiosk.locator("#services-back").click()
    start.wait_for(state="visible")
    assert problems == []


def test_search_by_name_without_diacritics_on_the_screens_keys(centre, page_factory):
    kiosk = open_kiosk(page_factory, centre.url, centre.kiosk_key)
    kiosk.locator("#search-open").click()
    kiosk.locator("#kiosk-search").wait_for(state="visible")
    assert len(visible_services(kiosk)) == 12, "everything before a letter is typed"
    for key in "GIAY PHEP":
        kiosk.locator(f'#kiosk-keys .kiosk-key[data-key="{key}"]').click()
    assert kiosk.locator("#search-input").input_value() == "GIAY PHEP"
    assert visible_services(kiosk) == [
        "Cấp, đổi giấy phép lái xe",
        "Giấy phép, phù hiệu vận tải",
        "Cấp giấy phép xây dựng",
        "Đổi, cấp lại giấy phép lái xe",
    ]
    problems = screen_problems(kiosk, "search")
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-search.png")
    for _ in "PHEP":
        kiosk.locator('#kiosk-keys .kiosk-key[data-key="back"]').click()
    for key in "LAI":
        kiosk.locator(f'#kiosk-keys .kiosk-key[data-key="{key}"]').click()
    assert visible_services(kiosk) == [
        "Cấp, đổi giấy phép lái xe",
        "Đổi, cấp lại giấy phép lái xe",
    ]
    # The agency's name is searched too; typed with diacritics on a keyboard, the same.
    kiosk.locator("#search-input").fill("công an")
    assert len(visible_services(kiosk)) == 3
    kiosk.locator('#kiosk-keys .kiosk-key[data-key="clear"]').click()
    for key in "XYZ":
        kiosk.locator(f'#kiosk-keys .kiosk-key[data-key="{key}"]').click()
    assert visible_services(kiosk) == []
    assert kiosk.locator("#search-empty").is_visible()
    kiosk.locator('#kiosk-keys .kiosk-key[data-key="clear"]').click()
    for key in "CU TRU":
        kiosk.locator(f'#kiosk-keys .kiosk-key[data-key="{key}"]').click()
    kiosk.get_by_role("button", name="Cư trú, căn cước").click()
    kiosk.locator("#ask-no").click()
    kiosk.locator("#result-number").wait_for(state="visible")
    assert kiosk.locator("#result-number").inner_text() == "L001"
    assert problems == []


def test_a_citizen_who_walks_away_from_an_agencys_services(centre, page_factory):
    kiosk = open_kiosk(page_factory, centre.url, centre.kiosk_key, clock=True)
    kiosk.get_by_role("button", name="Sở Xây dựng").click()
    kiosk.locator("#kiosk-services").wait_for(state="visible")
    kiosk.clock.run_for(61_000)
    kiosk.locator("#kiosk-start").wait_for(state="visible")
    assert not kiosk.locator("#kiosk-services").is_visible()
