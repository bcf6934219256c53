"""The display boards' JSON state: content, cheap 304s, and only for display devices."""

import json
from pathlib import Path

import pytest
import time_machine
from flask_babel import refresh
from openapi_schema_validator import OAS30Validator

from conftest import local_time
from core.accounts.devices import create_device, revoke_device
from core.audit import record_event
from core.models import Ticket, TicketStatus
from core.queue import calling
from core.queue.ticket_flow import Actor, TicketAction, no_show_after_calls
from extensions import db
from tests import factories

SPEC = json.loads((Path(__file__).parent.parent / "api" / "openapi.json").read_text())
MORNING = local_time(2026, 3, 2, 8, 15)


def validate(body: dict) -> None:
    schema = {**SPEC["components"]["schemas"]["DisplayState"], "components": SPEC["components"]}
    OAS30Validator(schema).validate(body)


@pytest.fixture
def board(demo):
    """Authorization headers of a display device."""
    return factories.device("display", "Sảnh chính").headers


def issue(code: str, times: int = 1) -> list[Ticket]:
    """`times` tickets of `code`, in the session's open transaction."""
    return [factories.ticket(code, commit=False) for _ in range(times)]


def get_state(client, headers, **extra):
    return client.get("/api/v1/display", headers={**headers, **extra})


@time_machine.travel(MORNING, tick=False)
def test_state_shows_todays_calls_counters_and_queues(client, board):
    gplx = issue("GPLX", 12)
    ptien = issue("PTIEN", 2)
    for ticket, number in zip(gplx[:11], [1, 2, 5] * 4, strict=False):
        factories.call(ticket, number)
    with time_machine.travel(local_time(2026, 3, 2, 8, 20), tick=False):
        factories.call(gplx[11], 3)
        factories.call(ptien[0], 4)
    db.session.commit()

    response = get_state(client, board)
    assert response.status_code == 200
    body = response.get_json()
    validate(body)
    assert body["day"] == "2026-03-02"
    assert body["now"] == "2026-03-02T08:15:00+07:00"
    assert body["centre"] == "Bộ phận tiếp nhận và trả kết quả"
    assert [(call["number"], call["counter"]) for call in body["calls"]][:3] == [
        ("B001", 4),
        ("A012", 3),
        ("A011", 2),
    ]
    assert len(body["calls"]) == 8
    a012 = body["calls"][1]
    assert a012["called_at"] == "2026-03-02T08:20:00+07:00"
    assert a012["speech"] == {
        "text": "Mời công dân có số thứ tự a, không, một, hai, đến quầy số ba.",
        "clips": ["moi-cong-dan", "chu-a", "khong", "mot", "hai", "den-quay-so", "ba"],
    }
    current = {item["number"]: item["call"]["number"] for item in body["counters"]}
    assert current == {1: "A010", 2: "A011", 3: "A012", 4: "B001", 5: "A009"}
    waiting = {service["code"]: service["waiting"] for service in body["services"]}
    assert waiting == {"GPLX": 0, "PTIEN": 1, "VTAI": 0, "KCHT": 0, "TRAKQ": 0}


@time_machine.travel(MORNING, tick=False)
def test_a_counter_tile_shows_only_the_ticket_called_or_served_there(client, board):
    """Finished, absent, put back or transferred away: the tile empties; a transferred ticket
    shows at its new counter once that counter calls it."""

    def tiles():
        body = get_state(client, board).get_json()
        return {item["number"]: (item["call"] or {}).get("number") for item in body["counters"]}

    def act(counter, action, **options):
        with time_machine.travel(local_time(2026, 3, 2, 8, minute), tick=False):
            if action == "call":
                calling.call_next(counter, officers[counter])
            elif action == "transfer":
                calling.transfer(counter, officers[counter], **options)
            else:
                calling.act_on_current(counter, action, officers[counter])
            db.session.commit()

    factories.counter_session("canbo1", 2)  # GPLX, PTIEN
    factories.counter_session("canbo2", 3)  # PTIEN, VTAI
    issue("GPLX", 2)
    issue("PTIEN", 2)
    db.session.commit()
    officers = {2: Actor(user=factories.user("canbo1")), 3: Actor(user=factories.user("canbo2"))}
    minute = 16
    act(2, "call")
    act(3, "call")
    assert tiles() == {1: None, 2: "A001", 3: "B001", 4: None, 5: None}

    minute += 1
    act(2, TicketAction.START)
    assert tiles()[2] == "A001"  # being served: still there
    act(2, TicketAction.FINISH)
    assert tiles()[2] is None

    minute += 1
    for _ in range(no_show_after_calls() - 1):
        act(3, TicketAction.RECALL)
        assert tiles()[3] == "B001"
    act(3, TicketAction.NO_SHOW)
    assert tiles()[3] is None
    act(3, "call")
    assert tiles()[3] == "B002"
    act(3, TicketAction.PUT_BACK)
    assert tiles()[3] is None

    minute += 1
    act(2, "call")  # B002 again, or A002: whichever counter 2 calls next
    called = tiles()[2]
    assert called in {"A002", "B002"}
    act(2, "transfer", to_counter_number=3)
    assert tiles() == {1: None, 2: None, 3: None, 4: None, 5: None}
    minute += 1
    act(3, "call")
    assert tiles()[3] == called  # sent to counter 3, shown there once called
    api = get_state(client, board).get_json()
    assert [item["call"] for item in api["counters"] if item["number"] != 3] == [None] * 4


def test_yesterdays_calls_leave_the_board_at_midnight(client, board):
    with time_machine.travel(local_time(2026, 3, 2, 23, 50), tick=False):
        factories.call(issue("GPLX")[0], 1)
        db.session.commit()
        assert len(get_state(client, board).get_json()["calls"]) == 1
    with time_machine.travel(local_time(2026, 3, 3, 0, 5), tick=False):
        body = get_state(client, board).get_json()
    assert body["day"] == "2026-03-03"
    assert body["calls"] == []
    assert all(item["call"] is None for item in body["counters"])


@time_machine.travel(MORNING, tick=False)
def test_unchanged_state_answers_304_until_something_on_the_board_changes(client, board):
    tickets = issue("GPLX", 3)
    db.session.commit()
    first = get_state(client, board)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] in ("no-cache, private", "private, no-cache")

    again = get_state(client, board, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    def changed_by(change) -> str:
        nonlocal etag
        change()
        db.session.commit()
        response = get_state(client, board, **{"If-None-Match": etag})
        assert response.status_code == 200, "the board must see the change"
        etag = response.headers["ETag"]
        return response.get_json()

    body = changed_by(lambda: factories.call(tickets[0], 1))
    assert body["calls"][0]["number"] == "A001"
    body = changed_by(lambda: factories.call(tickets[0], 1, "recall"))
    assert body["calls"][0]["kind"] == "recall"
    body = changed_by(lambda: issue("PTIEN"))
    assert body["services"][1]["waiting"] == 1

    def leave_the_queue():
        tickets[2].status = TicketStatus.NO_SHOW
        record_event("ticket.no_show", tickets[2])

    body = changed_by(leave_the_queue)
    assert body["services"][0]["waiting"] == 1
    refresh()  # the test's long-lived app context would keep the request's language
    english = client.get("/api/v1/display?lang=en", headers={**board, "If-None-Match": etag})
    assert english.status_code == 200, "the English state has its own ETag"
    assert english.get_json()["services"][0]["name"] == "Driving licences"


@time_machine.travel(MORNING, tick=False)
def test_only_display_devices_get_the_state(client, board, kiosk_headers):
    assert get_state(client, board).status_code == 200
    for headers in ({}, {"Authorization": "Bearer not-a-key"}, kiosk_headers):
        response = client.get("/api/v1/display", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    display, key = create_device("display", "Màn hình tầng 2")
    revoke_device(display)
    db.session.commit()
    assert get_state(client, {"Authorization": f"Bearer {key}"}).status_code == 401


def test_the_board_page_is_a_shell_that_needs_no_login(client):
    page = client.get("/display/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mời công dân có số thứ tự" in html
    assert 'data-api="/api/v1/display"' in html
    assert "moi-cong-dan" in html and "chime" in html
    refresh()
    english = client.get("/display/?lang=en").get_data(as_text=True)
    assert "Now calling ticket" in english
