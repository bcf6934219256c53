"""Print-job endpoints for the print agent on a kiosk PC, with the kiosk's device key."""

import base64

from flask_babel import lazy_gettext as _l

from agent.print_transport import ERROR_CODES, STATES, Delivery
from core.accounts.devices import authenticate_device
from core.errors import InvalidInput
from core.models import DeviceKind, PrintJob
from extensions import db
from printing.agents import claim_for_agent, record_agent_result
from printing.jobs import PrintJobNotFound
from printing.printers import printer_for

from . import blueprint
from .schemas import json_object, reject_unknown_fields
from .views import bearer_key

MAX_DETAIL = 480


def choice(body: dict, field: str, allowed: tuple[str, ...], required: bool) -> str:
    value = body.get(field)
    if value is None and not required:
        return ""
    if value not in allowed:
        raise InvalidInput(
            _l("Trường “{field}” phải là một trong: {allowed}."),
            field=field,
            allowed=", ".join(allowed),
        )
    return value


def printer_report(body: dict, sent: bool = False) -> Delivery:
    """What the agent says about its printer (and the job it tried)."""
    detail = body.get("detail", "")
    if not isinstance(detail, str) or len(detail) > MAX_DETAIL:
        raise InvalidInput(
            _l("Trường “{field}” phải là chuỗi ký tự, tối đa {max_length} ký tự."),
            field="detail",
            max_length=MAX_DETAIL,
        )
    return Delivery(
        sent=sent,
        state=choice(body, "printer_state", STATES, required=True),
        code=choice(body, "error_code", ERROR_CODES, required=False),
        detail=detail,
    )


def job_json(job: PrintJob) -> dict:
    printer = printer_for(job.device)
    return {
        "id": job.id,
        "kind": job.kind.value,
        "label": job.content.get("number", ""),
        "attempts": job.attempts,
        "size": job.payload_size,
        "payload_base64": base64.b64encode(job.payload).decode("ascii"),
        "printer": {"url": job.device.printer_url, "check_status": printer.check_status},
    }


@blueprint.post("/print-jobs/claim")
def claim_print_job():
    kiosk = authenticate_device(bearer_key(), DeviceKind.KIOSK)
    body = json_object()
    reject_unknown_fields(body, {"printer_state", "error_code", "detail"})
    job = claim_for_agent(kiosk, printer_report(body))
    payload = job_json(job) if job is not None else None
    db.session.commit()
    return (payload, 200) if payload is not None else ("", 204)


@blueprint.post("/print-jobs/<job_id>/result")
def report_print_job(job_id: str):
    kiosk = authenticate_device(bearer_key(), DeviceKind.KIOSK)
    if not job_id.isdigit() or len(job_id) > 12:
        raise PrintJobNotFound()
    body = json_object()
    reject_unknown_fields(body, {"sent", "printer_state", "error_code", "detail"})
    sent = body.get("sent")
    if not isinstance(sent, bool):
        raise InvalidInput(_l("Trường “{field}” phải là true hoặc false."), field="sent")
    job = record_agent_result(kiosk, int(job_id), printer_report(body, sent=sent))
    result = {"id": job.id, "status": job.status.value, "attempts": job.attempts}
    db.session.commit()
    return result
