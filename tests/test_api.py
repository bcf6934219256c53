"""The JSON API: issuing tickets, and every kind of bad input changes nothing."""

import json
import re
from pathlib import Path

import pytest
import time_machine
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec

from conftest import local_time
from core.accounts.devices import revoke_device
from core.models import AuditEvent, Device, Ticket, TicketSequence
from core.queue.service_lookup import find_service
from extensions import db
from tests import factories

SPEC = json.loads((Path(__file__).parent.parent / "api" / "openapi.json").read_text())
MORNING = local_time(2026, 3, 2, 8, 15)


def schema(name: str) -> OAS30Validator:
    return OAS30Validator({**SPEC["components"]["schemas"][name], "components": SPEC["components"]})


def written_rows() -> tuple[int, int, int]:
    """Tickets, sequence rows and ticket audit events: all must stay put on an error."""

    def count(statement):
        return db.session.execute(statement).scalar_one()

    return (
        count(db.select(db.func.count(Ticket.id))),
        count(db.select(db.func.count(TicketSequence.id))),
        count(db.select(db.func.count(AuditEvent.id)).filter_by(action="ticket.issued")),
    )


def post_ticket(client, body, headers, **kwargs):
    return client.post("/api/v1/tickets", json=body, headers=headers, **kwargs)


@time_machine.travel(MORNING, tick=False)
def test_issue_ticket_returns_everything_the_kiosk_shows(client, kiosk_headers):
    response = post_ticket(client, {"service": "GPLX", "priority": True}, kiosk_headers)
    assert response.status_code == 201
    body = response.get_json()
    schema("Ticket").validate(body)
    assert body["number"] == "A001"
    assert body["sequence"] == 1
    assert body["service"] == "GPLX"
    assert body["priority"] is True
    assert body["waiting_ahead"] == 0
    assert body["issued_at"] == "2026-03-02T08:15:00+07:00"
    assert body["tracking_url"] == f"http://testserver.local/t/{body['token']}"
    assert response.headers["Location"] == body["tracking_url"]
    assert len(body["token"]) >= 22
    second = post_ticket(client, {"service": "GPLX"}, kiosk_headers).get_json()
    assert (second["number"], second["waiting_ahead"], second["priority"]) == ("A002", 1, False)
    assert second["estimated_wait_minutes"] > 0
    ticket = db.session.execute(db.select(Ticket).filter_by(token=body["token"])).scalar_one()
    assert ticket.kiosk_id is not None


@time_machine.travel(MORNING, tick=False)
def test_services_list_counts_who_is_waiting(client, kiosk_headers):
    for code in ("GPLX", "GPLX", "PTIEN"):
        post_ticket(client, {"service": code}, kiosk_headers)
    body = client.get("/api/v1/services").get_json()
    for service in body["services"]:
        schema("Service").validate(service)
    waiting = {service["code"]: service["waiting"] for service in body["services"]}
    assert waiting == {"GPLX": 2, "PTIEN": 1, "VTAI": 0, "KCHT": 0, "TRAKQ": 0}


@time_machine.travel(MORNING, tick=False)
def test_show_ticket_by_token(client, kiosk_headers):
    token = post_ticket(client, {"service": "VTAI"}, kiosk_headers).get_json()["token"]
    response = client.get(f"/api/v1/tickets/{token}")
    assert response.status_code == 200
    assert response.get_json()["number"] == "C001"
    missing = client.get("/api/v1/tickets/not-a-real-token")
    assert missing.status_code == 404
    schema("Error").validate(missing.get_json())


@pytest.mark.parametrize(
    ("case", "expected_status", "expected_code"),
    [
        ("no key", 401, "unauthorized"),
        ("wrong key", 401, "unauthorized"),
        ("revoked key", 401, "unauthorized"),
        ("display key", 401, "unauthorized"),
        ("unknown service", 404, "service_not_found"),
        ("inactive service", 409, "service_inactive"),
        ("closed service", 409, "service_closed"),
        ("malformed json", 400, "malformed_json"),
        ("not json", 400, "malformed_json"),
        ("json array", 400, "malformed_json"),
        ("missing service", 422, "invalid_input"),
        ("service not a string", 422, "invalid_input"),
        ("priority not a boolean", 422, "invalid_input"),
        ("unknown field", 422, "invalid_input"),
        ("oversized body", 413, "request_entity_too_large"),
    ],
)
@time_machine.travel(MORNING, tick=False)
def test_bad_requests_get_a_clear_error_and_write_nothing(
    client, kiosk_headers, case, expected_status, expected_code
):
    headers = dict(kiosk_headers)
    body, raw = {"service": "GPLX"}, None
    if case == "no key":
        headers = {}
    elif case == "wrong key":
        headers = {"Authorization": "Bearer not-the-key"}
    elif case == "revoked key":
        kiosk = db.session.execute(db.select(Device)).scalars().first()
        revoke_device(kiosk)
        db.session.commit()
    elif case == "display key":
        headers = factories.device("display", "another display").headers
    elif case == "unknown service":
        body = {"service": "NOPE"}
    elif case == "inactive service":
        find_service("GPLX").active = False
        db.session.commit()
    elif case == "closed service":
        find_service("GPLX").hours = []
        db.session.commit()
    elif case == "malformed json":
        raw = ('{"service": "GPLX"', "application/json")
    elif case == "not json":
        raw = ("service=GPLX", "application/x-www-form-urlencoded")
    elif case == "json array":
        raw = ('["GPLX"]', "application/json")
    elif case == "missing service":
        body = {"priority": True}
    elif case == "service not a string":
        body = {"service": 7}
    elif case == "priority not a boolean":
        body = {"service": "GPLX", "priority": "yes"}
    elif case == "unknown field":
        body = {"service": "GPLX", "name": "Nguyễn Văn A"}
    elif case == "oversized body":
        body = {"service": "GPLX", "padding": "x" * 20_000}
    before = written_rows()
    if raw is None:
        response = post_ticket(client, body, headers)
    else:
        response = client.post("/api/v1/tickets", data=raw[0], content_type=raw[1], headers=headers)
    assert response.status_code == expected_status
    error = response.get_json()
    schema("Error").validate(error)
    assert error["error"]["code"] == expected_code
    assert error["error"]["message"] == error["error"]["message_vi"]
    assert error["error"]["message_vi"] != error["error"]["message_en"]
    assert written_rows() == before


@time_machine.travel(MORNING, tick=False)
def test_errors_speak_english_when_asked(client, kiosk_headers):
    response = client.post(
        "/api/v1/tickets?lang=en", json={"service": "NOPE"}, headers=kiosk_headers
    )
    message = response.get_json()["error"]["message"]
    assert message == "There is no service with code “NOPE”."


def test_unknown_api_path_and_method_answer_json(client):
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/tickets")
    assert response.status_code == 405
    assert response.get_json()["error"]["message_en"] == "This method is not supported here."


def test_openapi_document_is_valid_and_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate_spec(document)
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes == documented


@time_machine.travel(MORNING, tick=False)
def test_people_ahead_at_issue_matches_the_queue(client, kiosk_headers):
    from core.queue.positions import waiting_ahead

    taps = [("GPLX", False), ("GPLX", False), ("GPLX", True), ("GPLX", False), ("PTIEN", True)]
    answers = [
        post_ticket(client, {"service": code, "priority": priority}, kiosk_headers).get_json()
        for code, priority in taps
    ]
    assert [answer["waiting_ahead"] for answer in answers] == [0, 1, 0, 3, 0]
    for answer in answers:
        ticket = db.session.execute(db.select(Ticket).filter_by(token=answer["token"])).scalar_one()
        assert waiting_ahead(ticket) <= answer["waiting_ahead"] + 1
        assert client.get(f"/api/v1/tickets/{answer['token']}").get_json()["waiting_ahead"] == (
            waiting_ahead(ticket)
        )
