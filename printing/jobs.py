"""Durable print jobs: queued with the ticket, claimed atomically, kept with their outcome.

A job is claimed by exactly one sender (the server's worker or the kiosk's agent): one UPDATE
that moves the printer's oldest due job from queued to sending, guarded by `status = 'queued'`
and, on PostgreSQL, picked with FOR UPDATE SKIP LOCKED. SQLite serialises writers with its
write lock (`begin_write_transaction`). Callers commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlalchemy.orm import undefer

from agent.print_transport import Delivery
from core.audit import record_event
from core.clock import to_local, utcnow
from core.errors import InvalidInput, NotFound
from core.models import Device, Printer, PrintJob, PrintJobKind, PrintJobStatus, Ticket, User
from core.queue.service_lookup import service_name
from extensions import db
from printing.printers import has_printer, paper_of, printer_for, record_state
from printing.slip import Slip, render_slip

# A job still "sending" after this long lost its sender half-way (crash, power cut).
SENDING_LEASE = timedelta(seconds=120)
# Errors after which the job is not tried again: sending it again could print it twice, or
# the server may not reach the printer at all (printing.worker.deliver_checked).
FINAL_ERRORS = {"no_printer", "not_allowed"}


NO_PRINTER = _l("Thiết bị “{device}” chưa có máy in.")


class PrintJobNotFound(NotFound):
    code = "print_job_not_found"
    message = _l("Không tìm thấy lệnh in này.")


def compose_slip(
    *,
    number: str,
    service: str,
    priority: bool,
    issued_at: datetime,
    ahead: int,
    tracking_url: str,
    reprint: bool = False,
) -> Slip:
    """The words on a ticket's slip, in the current language (`issued_at` in local time)."""
    badges = []
    if priority:
        badges.append(_("ƯU TIÊN"))
    if reprint:
        badges.append(_("BẢN IN LẠI"))
    ahead_line = (
        _("Trước bạn: %(count)d người", count=ahead) if ahead else _("Không có ai trước bạn")
    )
    return Slip(
        agency=current_app.config["AGENCY_NAME"],
        centre=current_app.config["CENTRE_NAME"],
        heading=_("SỐ THỨ TỰ"),
        number=number,
        service=service,
        badges=tuple(badges),
        lines=(
            ahead_line,
            _("Giờ lấy số: %(time)s", time=issued_at.strftime("%H:%M · %d/%m/%Y")),
        ),
        qr=tracking_url,
        footer=(
            _("Quét mã QR để theo dõi lượt trên điện thoại."),
            _("Xin vui lòng chờ gọi số trên màn hình."),
        ),
        logo=current_app.config["TICKET_LOGO"],
    )


def ticket_slip(ticket: Ticket, ahead: int, tracking_url: str, *, reprint: bool = False) -> Slip:
    return compose_slip(
        number=ticket.number,
        service=service_name(ticket.service),
        priority=ticket.priority,
        issued_at=to_local(ticket.issued_at),
        ahead=ahead,
        tracking_url=tracking_url,
        reprint=reprint,
    )


def issued_slip(shown: dict) -> Slip:
    """The slip of a ticket just issued, from exactly what the kiosk screen shows."""
    return compose_slip(
        number=shown["number"],
        service=shown["service_name"],
        priority=shown["priority"],
        issued_at=datetime.fromisoformat(shown["issued_at"]),
        ahead=shown["waiting_ahead"],
        tracking_url=shown["tracking_url"],
    )


def test_slip(device: Device, printer: Printer) -> Slip:
    """A test page: the printer's name and settings, every Vietnamese letter, a QR code."""
    now = to_local(utcnow())
    return Slip(
        agency=current_app.config["AGENCY_NAME"],
        centre=current_app.config["CENTRE_NAME"],
        heading=_("IN THỬ"),
        number="TEST",
        service=device.name,
        lines=(
            f"{printer.paper_dots} · {printer.profile} · {printer.mode}",
            now.strftime("%H:%M:%S · %d/%m/%Y"),
            "ẮẰẲẴẶ ẤẦẨẪẬ ĐẾỀỂỄỆ ỐỒỔỖỘ ỚỜỞỠỢ ỨỪỬỮỰ",
            "ắằẳẵặ ấầẩẫậ đếềểễệ ốồổỗộ ớờởỡợ ứừửữự ýỳỷỹỵ",
        ),
        qr=current_app.config["PUBLIC_BASE_URL"] + "/",
        footer=(_("Nếu đọc được đủ dấu tiếng Việt và quét được mã QR, máy in đã sẵn sàng."),),
        logo=current_app.config["TICKET_LOGO"],
    )


def queue_job(
    device_id: int,
    kind: PrintJobKind,
    slip: Slip,
    *,
    ticket_id: int | None = None,
    user: User | None = None,
) -> PrintJob:
    """Save a job for the kiosk's printer; the audit event names the person who asked, or
    else the kiosk itself."""
    job = PrintJob(
        device_id=device_id,
        ticket_id=ticket_id,
        kind=kind,
        status=PrintJobStatus.QUEUED,
        content=slip.as_dict(),
        requested_by_id=user.id if user is not None else None,
        next_attempt_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    event = record_event(
        "print_job.queued", job, user=user, kind=kind.value, number=slip.number, printer=device_id
    )
    if user is None:
        event.device_id = device_id
    return job


def queue_ticket(ticket_id: int, kiosk_id: int, shown: dict) -> PrintJob:
    """Queue the slip of a just-issued ticket on its kiosk's printer."""
    return queue_job(kiosk_id, PrintJobKind.TICKET, issued_slip(shown), ticket_id=ticket_id)


def queue_reprint(
    ticket: Ticket, device: Device, ahead: int, tracking_url: str, user: User
) -> PrintJob:
    """Print a ticket's slip again, marked as a reprint."""
    if not has_printer(device):
        raise InvalidInput(NO_PRINTER, device=device.name)
    slip = ticket_slip(ticket, ahead, tracking_url, reprint=True)
    return queue_job(device.id, PrintJobKind.REPRINT, slip, ticket_id=ticket.id, user=user)


def queue_test(device: Device, user: User) -> PrintJob:
    if not has_printer(device):
        raise InvalidInput(NO_PRINTER, device=device.name)
    slip = test_slip(device, printer_for(device))
    return queue_job(device.id, PrintJobKind.TEST, slip, user=user)


def find_job(job_id: int) -> PrintJob:
    job = db.session.get(PrintJob, job_id)
    if job is None:
        raise PrintJobNotFound()
    return job


@dataclass(frozen=True)
class Rendered:
    """A slip drawn before its job was claimed, stored by the claim itself."""

    payload: bytes
    milliseconds: float


def oldest_queued(device_id: int):
    return (
        db.select(PrintJob.id)
        .where(PrintJob.device_id == device_id, PrintJob.status == PrintJobStatus.QUEUED)
        .order_by(PrintJob.id)
        .limit(1)
    )


def next_due(device_id: int, now: datetime | None = None) -> PrintJob | None:
    """The job `claim_next` would take now (read only, nothing locked)."""
    job = db.session.execute(
        db.select(PrintJob).where(PrintJob.id == oldest_queued(device_id).scalar_subquery())
    ).scalar_one_or_none()
    return job if job is not None and job.next_attempt_at <= (now or utcnow()) else None


def claim_next(
    device_id: int,
    sender: str,
    now: datetime | None = None,
    *,
    expected_id: int | None = None,
    rendered: Rendered | None = None,
) -> PrintJob | None:
    """Atomically take the printer's oldest queued job, if it is due; None otherwise.

    Jobs of one printer go out in order: a job waiting for its next try holds back the
    ones behind it. Two senders never take the same job. With `expected_id` only that job is
    taken, and `rendered` bytes are stored with it in the same statement.
    """
    now = now or utcnow()
    oldest = oldest_queued(device_id)
    if db.session.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    conditions = [
        PrintJob.id == oldest.scalar_subquery(),
        PrintJob.status == PrintJobStatus.QUEUED,
        PrintJob.next_attempt_at <= now,
    ]
    values = {
        "status": PrintJobStatus.SENDING,
        "claimed_at": now,
        "claimed_by": sender[:64],
        "attempts": PrintJob.attempts + 1,
    }
    if expected_id is not None:
        conditions.append(PrintJob.id == expected_id)
    if rendered is not None:
        values.update(
            payload=rendered.payload,
            payload_size=len(rendered.payload),
            render_ms=rendered.milliseconds,
        )
    claimed = db.session.execute(
        update(PrintJob)
        .where(*conditions)
        .values(**values)
        .returning(PrintJob.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return db.session.execute(
        db.select(PrintJob)
        .where(PrintJob.id == claimed)
        .options(undefer(PrintJob.payload))
        .execution_options(populate_existing=True)
    ).scalar_one()


def render_timed(content: dict, paper) -> Rendered:
    started = time.perf_counter()
    payload = render_slip(Slip.from_dict(content), paper)
    return Rendered(payload, round((time.perf_counter() - started) * 1000, 2))


def rendered_payload(job: PrintJob) -> bytes:
    """The job's bytes, drawn now (and stored with the job) if not drawn yet."""
    if job.payload is None:
        rendered = render_timed(job.content, paper_of(printer_for(job.device)))
        job.payload, job.payload_size = rendered.payload, len(rendered.payload)
        job.render_ms = rendered.milliseconds
    return job.payload


def retry_delay(attempts: int) -> float:
    """Back-off: the retry interval, doubled after each failure, up to the maximum."""
    config = current_app.config
    delay = config["PRINT_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(delay, max(config["PRINT_RETRY_MAX_SECONDS"], config["PRINT_RETRY_SECONDS"]))


def record_outcome(job: PrintJob, delivery: Delivery, now: datetime | None = None) -> None:
    """Keep what happened: sent, to be tried again after a back-off, or failed for good."""
    now = now or utcnow()
    record_state(job.device, delivery.state, delivery.code, delivery.detail, printed=delivery.sent)
    if delivery.sent:
        job.status = PrintJobStatus.SENT
        job.sent_at = now
        record_event("print_job.sent", job, attempts=job.attempts, bytes=job.payload_size)
        return
    job.error_code = delivery.code or "send_failed"
    job.last_error = (delivery.detail or "")[:500] or None
    final = job.error_code in FINAL_ERRORS
    if final or job.attempts >= current_app.config["PRINT_MAX_ATTEMPTS"]:
        fail(job, now)
        return
    job.status = PrintJobStatus.QUEUED
    job.next_attempt_at = now + timedelta(seconds=retry_delay(job.attempts))


def fail(job: PrintJob, now: datetime | None = None) -> None:
    """Give up on the job: it shows as an alert with a one-tap reprint."""
    job.status = PrintJobStatus.FAILED
    job.failed_at = now or utcnow()
    record_event(
        "print_job.failed", job, attempts=job.attempts, error=job.error_code, detail=job.last_error
    )


def sweep(now: datetime | None = None, device_id: int | None = None) -> int:
    """Fail jobs too old to print (a late slip would be taken by the wrong person) and jobs
    whose sender vanished mid-send (unknown whether printed: a person decides)."""
    now = now or utcnow()
    expire_before = now - timedelta(seconds=current_app.config["PRINT_EXPIRE_SECONDS"])
    stale = db.select(PrintJob).where(
        or_(
            (PrintJob.status == PrintJobStatus.QUEUED) & (PrintJob.created_at < expire_before),
            (PrintJob.status == PrintJobStatus.SENDING)
            & (PrintJob.claimed_at < now - SENDING_LEASE),
        )
    )
    if device_id is not None:
        stale = stale.where(PrintJob.device_id == device_id)
    count = 0
    for job in db.session.execute(stale.with_for_update(skip_locked=True)).scalars():
        job.error_code = "expired" if job.status == PrintJobStatus.QUEUED else "interrupted"
        fail(job, now)
        count += 1
    return count


def forget_rendered_payloads(device_id: int) -> None:
    """Queued jobs are drawn again (new paper or mode)."""
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.device_id == device_id, PrintJob.status == PrintJobStatus.QUEUED)
        .values(payload=None, payload_size=None, render_ms=None)
        .execution_options(synchronize_session=False)
    )


def resolve(job: PrintJob, user: User, action: str) -> None:
    """Take a failed job off the alerts (reprinted or dismissed by a person)."""
    if job.status != PrintJobStatus.FAILED or job.resolved_at is not None:
        return
    job.resolved_at = utcnow()
    job.resolved_by_id = user.id
    record_event(f"print_job.{action}", job, user=user)


def reprint_job(job: PrintJob, ahead: int, tracking_url: str, user: User) -> PrintJob:
    """Print a job again: a ticket as a marked reprint, a test page as it was."""
    device = job.device
    if job.ticket is not None:
        new_job = queue_reprint(job.ticket, device, ahead, tracking_url, user)
    else:
        if not has_printer(device):
            raise InvalidInput(NO_PRINTER, device=device.name)
        slip = Slip.from_dict(job.content)
        new_job = queue_job(device.id, job.kind, slip, user=user)
    resolve(job, user, "reprinted")
    return new_job
