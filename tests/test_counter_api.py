"""The counter API for keypads and call buttons: device keys bound to one counter."""

import json
from pathlib import Path

import pytest
import time_machine
from openapi_schema_validator import OAS30Validator

from conftest import local_time
from core.devices import create_device, revoke_device
from core.models import CallEvent, CallKind, Device, Ticket, TicketStatus
from desk_support import (  # noqa: F401  (fixture)
    counter_key,
    csrf_token,
    fresh_user_per_request,
    issue,
    log_in,
    sign_in_to_counter,
    snapshot,
)
from extensions import db

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
    return {"Authorization": f"Bearer {counter_key(1)}"}


def test_call_next_returns_the_ticket_then_204_when_nobody_waits(client, keypad):
    issue("GPLX")
    issue("GPLX")
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
    second = client.post("/api/v1/counters/1/next", headers=keypad).get_json()
    assert (second["number"], second["finished"]) == ("A002", "A001")
    empty = client.post("/api/v1/counters/1/next", headers=keypad)
    assert empty.status_code == 204 and empty.get_data() == b""
    db.session.expire_all()
    statuses = db.session.execute(db.select(Ticket.status).order_by(Ticket.id)).scalars().all()
    assert statuses == [TicketStatus.DONE, TicketStatus.DONE], "204 still finished A002"


def test_recall_no_show_and_finish(client, keypad):
    issue("GPLX")
    issue("GPLX")
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
    done = client.post("/api/v1/counters/1/finish", headers=keypad).get_json()
    assert (done["number"], done["status"]) == ("A002", "done")
    nothing = client.post("/api/v1/counters/1/finish", headers=keypad)
    assert nothing.status_code == 409
    assert nothing.get_json()["error"]["code"] == "no_current_ticket"
    kinds = db.session.execute(db.select(CallEvent.kind).order_by(CallEvent.id)).scalars().all()
    assert kinds == [CallKind.CALL, CallKind.RECALL, CallKind.RECALL, CallKind.CALL]


def test_transfer_to_a_service_or_a_counter(client, keypad):
    issue("GPLX")
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
    issue("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    sent = client.post("/api/v1/counters/1/transfer", json={"counter": 4}, headers=keypad)
    assert (sent.get_json()["number"], sent.get_json()["counter"]) == ("A002", 4)


def other_key(kind: str, counter_number=None) -> str:
    _, key = create_device(kind, f"another {kind}", None, counter_number)
    db.session.commit()
    return key


@pytest.mark.parametrize(
    ("case", "expected_status", "expected_code"),
    [
        ("no key", 401, "unauthorized"),
        ("wrong key", 401, "unauthorized"),
        ("revoked key", 401, "unauthorized"),
        ("kiosk key", 401, "unauthorized"),
        ("key of counter 2", 403, "wrong_counter"),
        ("unbound counter key", 403, "wrong_counter"),
        ("unknown counter", 404, "counter_not_found"),
        ("counter not a number", 404, "not_found"),
        ("inactive counter", 409, "counter_inactive"),
        ("malformed json", 400, "malformed_json"),
        ("not json", 400, "malformed_json"),
        ("json array", 400, "malformed_json"),
        ("no target", 422, "invalid_transfer"),
        ("unknown field", 422, "invalid_input"),
        ("service not a string", 422, "invalid_input"),
        ("counter not an integer", 422, "invalid_input"),
        ("counter a boolean", 422, "invalid_input"),
        ("unknown service", 422, "invalid_transfer"),
        ("the ticket's own service", 422, "invalid_transfer"),
        ("the same counter", 422, "invalid_transfer"),
        ("unknown target counter", 404, "counter_not_found"),
        ("oversized body", 413, "request_entity_too_large"),
        ("get instead of post", 405, "method_not_allowed"),
    ],
)
def test_bad_requests_get_a_clear_json_error_and_write_nothing(
    client, keypad, case, expected_status, expected_code
):
    issue("GPLX")
    client.post("/api/v1/counters/1/next", headers=keypad)
    headers, path, method = dict(keypad), "/api/v1/counters/1/transfer", "POST"
    body, raw = {"service": "PTIEN"}, None
    if case == "no key":
        headers = {}
    elif case == "wrong key":
        headers = {"Authorization": "Bearer not-the-key"}
    elif case == "revoked key":
        revoke_device(db.session.execute(db.select(Device).filter_by(counter_id=1)).scalar_one())
        db.session.commit()
    elif case == "kiosk key":
        headers = {"Authorization": f"Bearer {other_key('kiosk')}"}
    elif case == "key of counter 2":
        headers = {"Authorization": f"Bearer {other_key('counter', 2)}"}
    elif case == "unbound counter key":
        headers = {"Authorization": f"Bearer {other_key('counter')}"}
    elif case == "unknown counter":
        path = "/api/v1/counters/99/transfer"
    elif case == "counter not a number":
        path = "/api/v1/counters/one/transfer"
    elif case == "inactive counter":
        counter = db.session.execute(db.select(Device).filter_by(counter_id=1)).scalar_one().counter
        counter.active = False
        db.session.commit()
    elif case == "malformed json":
        raw = ('{"service": "PTIEN"', "application/json")
    elif case == "not json":
        raw = ("service=PTIEN", "application/x-www-form-urlencoded")
    elif case == "json array":
        raw = ('["PTIEN"]', "application/json")
    elif case == "no target":
        body = {}
    elif case == "unknown field":
        body = {"service": "PTIEN", "note": "x"}
    elif case == "service not a string":
        body = {"service": 12}
    elif case == "counter not an integer":
        body = {"counter": "4"}
    elif case == "counter a boolean":
        body = {"counter": True}
    elif case == "unknown service":
        body = {"service": "NOPE"}
    elif case == "the ticket's own service":
        body = {"service": "GPLX"}
    elif case == "the same counter":
        body = {"counter": 1}
    elif case == "unknown target counter":
        body = {"counter": 42}
    elif case == "oversized body":
        body = {"service": "PTIEN", "padding": "x" * 20_000}
    elif case == "get instead of post":
        method = "GET"
    before = snapshot()
    if raw is not None:
        response = client.open(
            path, method=method, data=raw[0], content_type=raw[1], headers=headers
        )
    else:
        response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == expected_status
    error = response.get_json()
    schema("Error").validate(error)
    assert error["error"]["code"] == expected_code
    assert error["error"]["message_vi"] != error["error"]["message_en"]
    assert snapshot() == before


def test_a_signed_in_officer_needs_the_csrf_header_and_their_own_counter(client, demo):
    issue("GPLX")
    log_in(client, "canbo1")
    not_yet = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert not_yet.status_code == 403
    assert not_yet.get_json()["error"]["code"] == "not_at_counter"
    sign_in_to_counter("canbo1", 1)
    before = snapshot()
    forged = client.post("/api/v1/counters/1/next")
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "csrf_failed"
    assert snapshot() == before
    called = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert (called.status_code, called.get_json()["number"]) == (200, "A001")
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    assert ticket.officer.username == "canbo1"


def test_an_admin_session_is_refused(client, demo):
    log_in(client, "quantri")
    response = client.post("/api/v1/counters/1/next", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 403
