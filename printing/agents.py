"""Print jobs handed to the print agent of a kiosk PC, and the outcomes it reports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from agent.print_transport import OFFLINE, PAPER_OUT, Delivery
from core.clock import utcnow
from core.errors import DomainError
from core.models import Device, PrintJob, PrintJobStatus, PrintVia
from extensions import db
from printing.jobs import PrintJobNotFound, claim_next, record_outcome, rendered_payload, sweep
from printing.printers import ensure_printer, has_printer, record_state


class NoAgentPrinter(DomainError):
    code = "no_agent_printer"
    status = 409
    message = _l(
        "Kiosk này không có máy in do chương trình in trên máy kiosk phụ trách "
        "(chưa khai báo máy in, hoặc máy chủ tự gửi lệnh in)."
    )


class PrintJobNotSending(DomainError):
    code = "print_job_not_sending"
    status = 409
    message = _l("Lệnh in này không ở trạng thái đang gửi: kết quả đã được ghi trước đó.")


def agent_printer(kiosk: Device):
    """The kiosk's printer, which must be served by its agent; records that the agent is up."""
    if not has_printer(kiosk):
        raise NoAgentPrinter()
    printer = ensure_printer(kiosk)
    if printer.via != PrintVia.AGENT:
        raise NoAgentPrinter()
    printer.agent_seen_at = utcnow()
    return printer


def claim_for_agent(kiosk: Device, status: Delivery) -> PrintJob | None:
    """The kiosk's next due job, drawn and claimed; None when none is due or the printer
    said it cannot print."""
    agent_printer(kiosk)
    record_state(kiosk, status.state, status.code, status.detail)
    sweep(device_id=kiosk.id)
    if status.state in (OFFLINE, PAPER_OUT):
        return None
    job = claim_next(kiosk.id, f"agent:kiosk-{kiosk.id}")
    if job is not None:
        rendered_payload(job)
    return job


def record_agent_result(kiosk: Device, job_id: int, delivery: Delivery) -> PrintJob:
    """Keep what the agent says happened to a job it claimed."""
    agent_printer(kiosk)
    job = db.session.get(PrintJob, job_id)
    if job is None or job.device_id != kiosk.id:
        raise PrintJobNotFound()
    if job.status != PrintJobStatus.SENDING:
        raise PrintJobNotSending()
    record_outcome(job, delivery)
    return job
