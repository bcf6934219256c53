"""The counter API for keypads and call buttons: device keys bound to one counter."""

import json
from pathlib import Path

import pytest
import time_machine
from openapi_schema_validator import OAS30Validator

from conftest import csrf_token, local_time
from core.accounts.devices import revoke_device
from core.models import CallEvent, CallKind, Device, Ticket, TicketStatus
from desk_support import fresh_user_per_request, snapshot  # noqa: F401  (fixture)
from extensions import db
from tests import factories

SPEC = json.loads((Path(__file__).parent.parent / "api" / "openapi.json").read_text())
MORNING = local_time(2026, 3, 2, 8, 0)


def schema(name: str) -> OAS30Validator:
    return OAS30Validator({**SPEC["components"]["schemas"][name], "components": SPEC["components"]})


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def keypad(demo):
    """The key of a keypad bound to counter 1 (GPLX), as Authorization headers."""
    return factories.device("counter", counter=1).headers


def test_call_next_returns_the_ticket_then_204_when_nobody_waits(client, keypad):
    factories.ticket("GPLX")
    factories.ticket("GPLX")
    first = client.post("/api/v1/counters/1/next", headers=keypad)
    assert first.status_code == 200
    body = first.get_json()
    schema("CounterTicket").validate(body)
    assert (body["number"], body["service"], body["counter"], body["status"]) == (
        "A001",
        "GPLX",
        1,
        "called",
    )
    assert body["finished"] is None
    started = client.post("/api/v1/counters/1/start", headers=keypad).get_json()
    schema("CounterTicket").validate(started)
    assert (started["number"], started["status"]) == ("A001", "serving")
    second = client.post("/api/v1/counters/1/next", headers=keypad).get_json()
    assert (second["number"], second["finished"]) == ("A002", "A001")
    client.post("/api/v1/counters/1/start", headers=keypad)
    empty = client.post("/api/v1/counters/1/next", headers=keypad)
    assert empty.status_code == 204 and empty.get_data() == b""
    db.session.expire_all()
    statuses = db.session.execute(db.select(Ticket.status).order_by(Ticket.id)).scalars().all()
    assert statuses == [TicketStatus.DONE, TicketStatus.DONE], "204 still finished A002"


def test_recall_no_show_and_finish(client, keypad):
    factories.ticket("GPLX")
    factories.ticket("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    refused = client.post("/api/v1/counters/1/no-show", headers=keypad)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_enough_calls"
    for calls in (2, 3):
        recalled = client.post("/api/v1/counters/1/recall", headers=keypad).get_json()
        assert recalled["call_count"] == calls
    gone = client.post("/api/v1/counters/1/no-show", headers=keypad).get_json()
    assert (gone["number"], gone["status"]) == ("A001", "no_show")
    client.post("/api/v1/counters/1/next", headers=keypad)
    client.post("/api/v1/counters/1/start", headers=keypad)
    done = client.post("/api/v1/counters/1/finish", headers=keypad).get_json()
    assert (done["number"], done["status"]) == ("A002", "done")
    nothing = client.post("/api/v1/counters/1/finish", headers=keypad)
    assert nothing.status_code == 409
    assert nothing.get_json()["error"]["code"] == "no_current_ticket"
    kinds = db.session.execute(db.select(CallEvent.kind).order_by(CallEvent.id)).scalars().all()
    assert kinds == [CallKind.CALL, CallKind.RECALL, CallKind.RECALL, CallKind.CALL]


def test_transfer_to_a_service_or_a_counter(client, keypad):
    factories.ticket("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    moved = client.post("/api/v1/counters/1/transfer", json={"service": "PTIEN"}, headers=keypad)
    assert moved.status_code == 200
    body = moved.get_json()
    schema("CounterTicket").validate(body)
    assert (body["number"], body["service"], body["status"], body["counter"]) == (
        "A001",
        "PTIEN",
        "waiting",
        None,
    )
    factories.ticket("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    sent = client.post("/api/v1/counters/1/transfer", json={"counter": 4}, headers=keypad)
    assert (sent.get_json()["number"], sent.get_json()["counter"]) == ("A002", 4)


def assert_refused(
    client, path, expected_status, expected_code, method="POST", label="", **request
):
    """The request gets the documented JSON error, in both languages, and writes nothing."""
    before = snapshot()
    response = client.open(path, method=method, **request)
    where = f"{label or method} {path}"
    assert response.status_code == expected_status, where
    error = response.get_json()
    schema("Error").validate(error)
    assert error["error"]["code"] == expected_code, where
    assert error["error"]["message_vi"] != error["error"]["message_en"], where
    assert snapshot() == before, where


TRANSFER = "/api/v1/counters/1/transfer"
BAD_BODIES = [
    # (description, body or (raw text, content type), status, code)
    ("malformed json", ('{"service": "PTIEN"', "application/json"), 400, "malformed_json"),
    ("not json", ("service=PTIEN", "application/x-www-form-urlencoded"), 400, "malformed_json"),
    ("json array", ('["PTIEN"]', "application/json"), 400, "malformed_json"),
    ("no target", {}, 422, "invalid_transfer"),
    ("unknown field", {"service": "PTIEN", "note": "x"}, 422, "invalid_input"),
    ("service not a string", {"service": 12}, 422, "invalid_input"),
    ("counter not an integer", {"counter": "4"}, 422, "invalid_input"),
    ("counter a boolean", {"counter": True}, 422, "invalid_input"),
    ("counter zero", {"counter": 0}, 422, "invalid_input"),
    ("unknown service", {"service": "NOPE"}, 422, "invalid_transfer"),
    ("the ticket's own service", {"service": "GPLX"}, 422, "invalid_transfer"),
    ("the same counter", {"counter": 1}, 422, "invalid_transfer"),
    ("unknown target counter", {"counter": 42}, 404, "counter_not_found"),
    (
        "oversized body",
        {"service": "PTIEN", "padding": "x" * 20_000},
        413,
        "request_entity_too_large",
    ),
]


def test_bad_input_gets_a_clear_json_error_and_writes_nothing(client, keypad):
    factories.ticket("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    for description, body, status, code in BAD_BODIES:
        if isinstance(body, tuple):
            request = {"data": body[0], "content_type": body[1]}
        else:
            request = {"json": body}
        assert_refused(client, TRANSFER, status, code, label=description, headers=keypad, **request)
    assert_refused(client, "/api/v1/counters/99/next", 404, "counter_not_found", headers=keypad)
    assert_refused(client, "/api/v1/counters/one/next", 404, "not_found", headers=keypad)
    assert_refused(
        client, "/api/v1/counters/1/next", 405, "method_not_allowed", "GET", headers=keypad
    )


def test_keys_are_checked_and_bound_to_their_counter(client, keypad):
    factories.ticket("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    refusals = [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer not-the-key"}, 401, "unauthorized"),
        (factories.device("kiosk", "another kiosk").headers, 401, "unauthorized"),
        (factories.device("counter", "another counter", counter=2).headers, 403, "wrong_counter"),
        (factories.device("counter", "another counter").headers, 403, "wrong_counter"),
    ]
    for action in ("next", "start", "recall", "no-show", "finish", "transfer"):
        for headers, status, code in refusals:
            path = f"/api/v1/counters/1/{action}"
            assert_refused(client, path, status, code, headers=headers, json={"counter": 3})
    revoke_device(db.session.execute(db.select(Device).filter_by(counter_id=1)).scalar_one())
    db.session.commit()
    assert_refused(client, "/api/v1/counters/1/next", 401, "unauthorized", headers=keypad)


def test_an_inactive_counter_calls_nobody(client, keypad):
    factories.ticket("GPLX")
    device = db.session.execute(db.select(Device).filter_by(counter_id=1)).scalar_one()
    device.counter.active = False
    db.session.commit()
    assert_refused(client, "/api/v1/counters/1/next", 409, "counter_inactive", headers=keypad)


def test_a_signed_in_officer_needs_the_csrf_header_and_their_own_counter(client, auth, demo):
    factories.ticket("GPLX")
    auth.login("canbo1")
    not_yet = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert not_yet.status_code == 403
    assert not_yet.get_json()["error"]["code"] == "not_at_counter"
    factories.counter_session("canbo1", 1)
    before = snapshot()
    forged = client.post("/api/v1/counters/1/next")
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "csrf_failed"
    assert snapshot() == before
    called = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert (called.status_code, called.get_json()["number"]) == (200, "A001")
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    assert ticket.officer.username == "canbo1"


def test_an_admin_session_is_refused(client, auth, demo):
    auth.login("quantri")
    response = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 403
