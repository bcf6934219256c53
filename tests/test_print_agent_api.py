"""The print agent's API: claim a kiosk's next job, report what happened; bad input changes
nothing."""

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from openapi_schema_validator import OAS30Validator

from core.models import AuditEvent, Printer, PrintJob, PrintJobStatus
from escpos_reader import read
from extensions import db
from printing_helpers import jobs
from tests import factories

SPEC = json.loads((Path(__file__).parent.parent / "api" / "openapi.json").read_text())


def schema(name: str) -> OAS30Validator:
    return OAS30Validator({**SPEC["components"]["schemas"][name], "components": SPEC["components"]})


@pytest.fixture
def agent_kiosk(app, demo, tmp_path):
    """A kiosk whose USB printer hangs off the kiosk PC: its agent prints."""
    return factories.kiosk("usb://0416:5011", name="Kiosk tầng 2")


def claim(client, headers, **body):
    return client.post(
        "/api/v1/print-jobs/claim", json={"printer_state": "online", **body}, headers=headers
    )


def report(client, headers, job_id, **body):
    return client.post(f"/api/v1/print-jobs/{job_id}/result", json=body, headers=headers)


def test_agent_claims_the_slip_prints_it_and_reports(client, agent_kiosk):
    device_id, headers = agent_kiosk
    assert claim(client, headers).status_code == 204
    ticket = factories.kiosk_ticket(client, headers)
    assert ticket["print"]["status"] == "queued"
    response = claim(client, headers)
    assert response.status_code == 200
    body = response.get_json()
    schema("PrintJob").validate(body)
    assert body["label"] == ticket["number"] and body["attempts"] == 1
    assert body["printer"] == {"url": "usb://0416:5011", "check_status": True}
    payload = base64.b64decode(body["payload_base64"])
    assert len(payload) == body["size"] and read(payload).cuts == 1
    assert claim(client, headers).status_code == 204, "a claimed job is not handed out twice"

    done = report(client, headers, body["id"], sent=True, printer_state="online")
    assert done.status_code == 200
    schema("PrintJobOutcome").validate(done.get_json())
    assert done.get_json()["status"] == "sent"
    again = report(client, headers, body["id"], sent=True, printer_state="online")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "print_job_not_sending"
    printer = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert printer.agent_seen_at is not None and printer.state.value == "online"


def test_failed_print_is_tried_again_then_given_up(client, agent_kiosk, app):
    _, headers = agent_kiosk
    app.config["PRINT_RETRY_SECONDS"] = 0
    app.config["PRINT_MAX_ATTEMPTS"] = 2
    factories.kiosk_ticket(client, headers)
    first = claim(client, headers).get_json()
    outcome = report(
        client, headers, first["id"], sent=False, printer_state="offline",
        error_code="unreachable", detail="usb://0416:5011: Device not found",
    )  # fmt: skip
    assert outcome.get_json() == {"id": first["id"], "status": "queued", "attempts": 1}
    second = claim(client, headers).get_json()
    assert (second["id"], second["attempts"]) == (first["id"], 2)
    outcome = report(client, headers, second["id"], sent=False, printer_state="paper_out",
                     error_code="paper_out")  # fmt: skip
    assert outcome.get_json()["status"] == "failed"
    job = jobs()[0]
    assert (job.status, job.error_code) == (PrintJobStatus.FAILED, "paper_out")


def test_agent_saying_the_printer_cannot_print_gets_no_job(client, agent_kiosk):
    device_id, headers = agent_kiosk
    factories.kiosk_ticket(client, headers)
    response = claim(client, headers, printer_state="paper_out", error_code="paper_out")
    assert response.status_code == 204
    assert jobs()[0].status == PrintJobStatus.QUEUED and jobs()[0].attempts == 0
    printer = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert printer.state.value == "paper_out" and printer.last_error_code == "paper_out"
    assert db.session.execute(
        db.select(AuditEvent).filter_by(action="printer.state_changed")
    ).scalar_one()


def test_kiosk_cannot_touch_another_kiosks_job(client, agent_kiosk):
    _, headers = agent_kiosk
    _, other_headers = factories.kiosk("usb://04b8:0e15", name="Kiosk tầng 3")
    factories.kiosk_ticket(client, headers)
    job_id = claim(client, headers).get_json()["id"]
    response = report(client, other_headers, job_id, sent=True, printer_state="online")
    assert response.status_code == 404
    assert jobs()[0].status == PrintJobStatus.SENDING


def test_network_printer_is_left_to_the_server(client, demo):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    response = claim(client, headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_agent_printer"
    _, no_printer = factories.kiosk(None, name="Kiosk không máy in")
    assert claim(client, no_printer).status_code == 409


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("claim", {}, 422),
        ("claim", {"printer_state": "on fire"}, 422),
        ("claim", {"printer_state": "online", "error_code": "gremlins"}, 422),
        ("claim", {"printer_state": "online", "detail": "x" * 481}, 422),
        ("claim", {"printer_state": "online", "colour": "red"}, 422),
        ("claim", [], 400),
        ("result", {"printer_state": "online"}, 422),
        ("result", {"sent": "yes", "printer_state": "online"}, 422),
        ("result", {"sent": True}, 422),
        ("missing", {"sent": True, "printer_state": "online"}, 404),
        ("not-a-number", {"sent": True, "printer_state": "online"}, 404),
    ],
)
def test_bad_agent_requests_get_a_clear_error_and_change_nothing(
    client, agent_kiosk, path, body, status
):
    _, headers = agent_kiosk
    factories.kiosk_ticket(client, headers)
    job_id = claim(client, headers).get_json()["id"]
    before = [(job.status, job.attempts) for job in jobs()]
    url = {
        "claim": "/api/v1/print-jobs/claim",
        "result": f"/api/v1/print-jobs/{job_id}/result",
        "missing": "/api/v1/print-jobs/999999/result",
        "not-a-number": "/api/v1/print-jobs/abc/result",
    }[path]
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == status
    error = response.get_json()
    schema("Error").validate(error)
    assert error["error"]["message_vi"] != error["error"]["message_en"]
    assert [(job.status, job.attempts) for job in jobs()] == before


def test_agent_needs_a_kiosk_key(client, agent_kiosk):
    response = client.post("/api/v1/print-jobs/claim", json={"printer_state": "online"})
    assert response.status_code == 401
    assert db.session.execute(db.select(PrintJob)).first() is None


def test_slips_waiting_for_a_silent_agent_alert_the_staff(client, auth, agent_kiosk):
    _, headers = agent_kiosk
    factories.kiosk_ticket(client, headers)
    auth.login("canbo1")
    assert "không liên lạc" not in client.get("/desk/").get_data(as_text=True), "just issued"
    with time_machine.travel(timedelta(seconds=40)):
        auth.login("canbo1")
        desk = client.get("/desk/").get_data(as_text=True)
        assert "Chương trình in trên máy kiosk không liên lạc với máy chủ" in desk
        claim(client, headers)  # the agent calls again: no alert any more
        assert "không liên lạc" not in client.get("/desk/").get_data(as_text=True)
