"""The display board in a real headless Chromium against real gunicorn: calls appear within a
second, are spoken one after another from the shipped clips, and sound can be switched off."""

import time

import pytest

from conftest import SCREENSHOTS
from core.accounts.devices import revoke_device
from core.db.transactions import begin_write_transaction
from core.models import Device, Ticket
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LATENCY_BOUND_SECONDS = 1.0
VOICE = "/static/voice/vi/"


def call(*pairs: tuple[str, int]) -> tuple[list[int], float]:
    """Call tickets (by number) to counters in one transaction; the ids and the commit time."""
    db.session.rollback()
    begin_write_transaction()
    events = []
    for number, counter_number in pairs:
        ticket = db.session.execute(db.select(Ticket).filter_by(number=number)).scalar_one()
        events.append(factories.call(ticket, counter_number))
    db.session.commit()
    return [event.id for event in events], time.time()


def a_busy_morning() -> None:
    """Tickets taken at the kiosk and a first round of calls, as a board meets them at 9:00."""
    for code, count in (("GPLX", 16), ("PTIEN", 9), ("VTAI", 5), ("KCHT", 2), ("TRAKQ", 6)):
        for _ in range(count):
            factories.ticket(code, commit=False)
    db.session.commit()
    call(
        *[(f"A{n:03d}", (1, 2, 5)[n % 3]) for n in range(1, 12)],
        ("B001", 3),
        ("B002", 2),
        ("B003", 3),
        ("C001", 4),
        ("C002", 4),
        ("E001", 5),
    )


def shown_latency(board, event_id: int, committed_at: float) -> float:
    """Seconds from the commit until the board had drawn the call (same machine clock)."""
    board.wait_for_function(
        f"() => window.onestopBoard.shown[{event_id}] !== undefined", timeout=5000
    )
    shown_ms = board.evaluate(f"() => window.onestopBoard.shown[{event_id}]")
    return shown_ms / 1000 - committed_at


def voice_item(board, event_id: int) -> dict:
    return board.evaluate(
        f"() => window.onestopBoard.voice.history.find(item => item.id === {event_id})"
    )


def clip_files(item: dict) -> list[str]:
    assert all(url.startswith(VOICE) for url in item["clips"]), item["clips"]
    return [url.removeprefix(VOICE) for url in item["clips"]]


@pytest.mark.timing
def test_calls_reach_the_board_within_a_second_and_are_spoken_in_turn(live_server, page_factory):
    a_busy_morning()
    key = factories.device("display", "Sảnh chính").key

    board = page_factory(viewport=(1920, 1080))
    board.goto(f"{live_server.url}/display/?voice=clips#key={key}")
    assert "#key" not in board.url, "the key must leave the address bar"
    board.locator("#now-number").filter(has_text="E001").wait_for()
    assert board.locator("#counter-grid .counter-tile").count() == 5
    assert board.locator("#sound-unlock").is_visible(), "audio needs one gesture first"
    board.get_by_role("button", name="Bật âm thanh").click()
    board.locator("#sound-unlock").wait_for(state="hidden")
    board.evaluate("() => document.fonts.ready")
    assert board.evaluate("() => document.fonts.check('800 100px \"Be Vietnam Pro\"', 'Ầ')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    board.screenshot(path=SCREENSHOTS / "board.png")

    # Two calls committed together: both are shown and both are queued for speech.
    (a012, b004), committed_at = call(("A012", 3), ("B004", 4))
    latencies = [shown_latency(board, event, committed_at) for event in (a012, b004)]
    assert board.locator("#now-number").inner_text() == "B004"
    tiles = board.locator("#counter-grid .counter-tile.is-fresh")
    assert sorted(tiles.all_inner_texts()) == ["QUẦY\n3\nA012", "QUẦY\n4\nB004"]
    board.screenshot(path=SCREENSHOTS / "board-fresh.png")
    first, second = voice_item(board, a012), voice_item(board, b004)
    assert clip_files(first) == [
        "chime.ogg",
        "moi-cong-dan.ogg",
        "chu-a.ogg",
        "khong.ogg",
        "mot.ogg",
        "hai.ogg",
        "den-quay-so.ogg",
        "ba.ogg",
    ]
    assert clip_files(second)[2:] == [
        "chu-b.ogg",
        "khong.ogg",
        "khong.ogg",
        "bon.ogg",
        "den-quay-so.ogg",
        "bon.ogg",
    ]
    assert first["text"] == "Mời công dân có số thứ tự a, không, một, hai, đến quầy số ba."
    assert (first["state"], second["state"]) == ("playing", "queued")
    # The second waits for the first to be said in full, then is said itself.
    board.wait_for_function(
        f"() => window.onestopBoard.voice.history.find(i => i.id === {b004}).state === 'playing'",
        timeout=15000,
    )
    first, second = voice_item(board, a012), voice_item(board, b004)
    assert (first["state"], first["mode"]) == ("done", "clips")
    assert first["endedAt"] - first["startedAt"] > 3000, "a whole sentence, not cut short"
    assert second["startedAt"] >= first["endedAt"]
    polls = board.evaluate("() => window.onestopBoard")
    assert polls["notModified"] > 0.8 * polls["polls"], "while nothing changes, polls are 304s"

    # Sound off: silence at once, no more announcements, and the choice survives a reload.
    board.get_by_role("button", name="Âm thanh: bật").click()
    assert voice_item(board, b004)["state"] == "stopped"
    board.reload()
    assert board.locator("#sound-toggle").get_attribute("aria-pressed") == "false"
    assert board.locator("#sound-unlock").is_hidden()
    board.locator("#now-number").filter(has_text="B004").wait_for()
    for number, counter_number in (("A013", 1), ("C003", 4), ("E002", 5)):
        (event,), committed_at = call((number, counter_number))
        latencies.append(shown_latency(board, event, committed_at))
        assert board.locator("#now-number").inner_text() == number
    assert board.evaluate("() => window.onestopBoard.voice.history.length") == 0
    print("board latencies (s):", ", ".join(f"{latency:.3f}" for latency in latencies))
    assert max(latencies) < LATENCY_BOUND_SECONDS, latencies

    # A revoked key, and a browser never paired: the board says it is not activated.
    db.session.rollback()
    begin_write_transaction()
    revoke_device(db.session.execute(db.select(Device).filter_by(name="Sảnh chính")).scalar_one())
    db.session.commit()
    board.locator("#board-unpaired").wait_for(timeout=3000)
    stranger = page_factory(viewport=(1280, 720))
    stranger.goto(f"{live_server.url}/display/")
    assert stranger.locator("#board-unpaired").is_visible()
    assert stranger.locator("#sound-unlock").is_hidden(), "nothing to unlock before pairing"
    assert stranger.locator("#now-number").inner_text() == "—"


# The longest names of real procedures (data/procedures-transport.csv), as a centre that
# makes a queue of each would name its services.
LONG_NAMES = {
    "KCHT": "Chấp thuận thiết kế và cấp phép thi công nút giao đấu nối vào quốc lộ",
    "PTIEN": "Cấp giấy phép lưu hành xe quá tải trọng xe quá khổ giới hạn",
    "VTAI": "Cấp lại giấy chứng nhận giáo viên dạy thực hành lái xe",
}

# For each element: its lines (by the tops of its words), any word drawn on two lines or
# outside the element's box, whether anything is hidden, and the text shown.
MEASURE_NAME = """element => {
    const box = element.getBoundingClientRect();
    const text = element.firstChild;
    const tops = new Set(), split = [], outside = [];
    let at = 0;
    for (const word of element.textContent.split(' ')) {
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        at += word.length + 1;
        const rects = Array.from(range.getClientRects()).filter(rect => rect.width > 0);
        const tops_of_word = new Set(rects.map(rect => Math.round(rect.top)));
        if (tops_of_word.size > 1) split.push(word);
        rects.forEach(rect => {
            tops.add(Math.round(rect.top));
            // A glyph's box is taller than its line: its middle tells which line shows it.
            if ((rect.top + rect.bottom) / 2 > box.bottom || rect.right > box.right + 1) {
                outside.push(word);
            }
        });
    }
    return {
        shown: element.textContent, full: element.dataset.fullText, lines: tops.size,
        split: split, outside: outside,
        hidden: element.scrollHeight > element.clientHeight + 1
            || element.scrollWidth > element.clientWidth + 1,
        fontSize: parseFloat(getComputedStyle(element).fontSize),
    };
}"""


def check_name(measured: dict) -> None:
    assert measured["split"] == [] and measured["outside"] == [], measured
    assert not measured["hidden"] and 1 <= measured["lines"] <= 2, measured
    shown, full = measured["shown"], measured["full"]
    if shown != full:  # ended after a whole word that fits, never inside one
        kept = shown.removesuffix("…").split(" ")
        assert shown.endswith("…") and full.split(" ")[: len(kept)][:-1] == kept[:-1], measured
        assert full.split(" ")[len(kept) - 1].startswith(kept[-1].rstrip(",;:.")), measured


def test_long_service_names_fit_the_board_without_a_word_cut(live_server, page_factory):
    from core.models import Service

    begin_write_transaction()
    for code, name in LONG_NAMES.items():
        db.session.execute(db.select(Service).filter_by(code=code)).scalar_one().name = name
    db.session.commit()
    a_busy_morning()
    call(("D001", 4))
    key = factories.device("display", "Sảnh tên dài").key

    board = page_factory(viewport=(1920, 1080))
    board.goto(f"{live_server.url}/display/#key={key}")
    board.get_by_role("button", name="Dùng màn hình này không có âm thanh").click()
    board.locator("#now-number").filter(has_text="D001").wait_for()
    board.evaluate("() => document.fonts.ready")
    board.wait_for_timeout(200)  # the fonts' own re-fit
    names = board.locator("#queue-list .queue-row__name")
    assert names.count() == 5
    measured = [names.nth(index).evaluate(MEASURE_NAME) for index in range(5)]
    for item in measured:
        check_name(item)
    by_name = {item["full"]: item for item in measured}
    assert by_name["Trả kết quả hồ sơ"]["shown"] == "Trả kết quả hồ sơ"
    # The two longest fit whole at a size read across the hall (at least 3/4 of the usual).
    for name in LONG_NAMES.values():
        assert by_name[name]["shown"] == name, by_name[name]
        assert by_name[name]["fontSize"] >= 0.75 * 1.3 * 16, by_name[name]
    now = board.locator("#now-service").evaluate(MEASURE_NAME)
    check_name(now)
    assert now["shown"] == LONG_NAMES["KCHT"]
    # The counter tiles keep room: every tile still shows its whole number.
    tiles = board.locator("#counter-grid .counter-tile__number")
    assert all(
        tiles.nth(index).evaluate("e => e.scrollWidth <= e.clientWidth")
        for index in range(tiles.count())
    )
    board.screenshot(path=SCREENSHOTS / "board-long-names.png")
