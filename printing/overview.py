"""What staff see: each kiosk's printer with its state and jobs, and the printer alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from core.clock import day_start, local_today, utcnow
from core.errors import NotFound
from core.models import (
    Device,
    DeviceKind,
    Printer,
    PrinterState,
    PrintJob,
    PrintJobStatus,
    PrintVia,
    Ticket,
)
from extensions import db
from printing.printers import has_printer, printer_for

AGENT_SILENCE = timedelta(seconds=30)


class TicketNumberNotFound(NotFound):
    code = "ticket_not_found"
    message = _l("Hôm nay chưa có phiếu số “{number}”.")


@dataclass
class PrinterRow:
    device: Device
    printer: Printer
    configured: bool
    queued: int
    failed: int

    @property
    def agent_running(self) -> bool:
        seen = self.printer.agent_seen_at
        return seen is not None and utcnow() - seen < AGENT_SILENCE

    @property
    def via_agent(self) -> bool:
        return self.printer.via == PrintVia.AGENT


def printer_rows() -> list[PrinterRow]:
    """Every active kiosk, with its printer settings and open jobs; configured ones first."""
    kiosks = db.session.execute(
        db.select(Device)
        .where(Device.kind == DeviceKind.KIOSK, Device.revoked_at.is_(None))
        .order_by(Device.name, Device.id)
    ).scalars()
    counts = job_counts()
    rows = []
    for device in kiosks:
        count = counts.get(device.id, {"queued": 0, "failed": 0})
        rows.append(
            PrinterRow(
                device, printer_for(device), has_printer(device), count["queued"], count["failed"]
            )
        )
    rows.sort(key=lambda row: not row.configured)
    return rows


def find_kiosk(device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None or device.kind != DeviceKind.KIOSK or device.revoked_at is not None:
        raise NotFound(_l("Không tìm thấy máy lấy số này."))
    return device


def find_ticket_today(number: str, now: datetime | None = None) -> Ticket:
    """Today's ticket with this number (A012, a012 or A12 alike)."""
    wanted = number.strip().upper()
    tickets = db.session.execute(
        db.select(Ticket)
        .where(Ticket.day == local_today(now))
        .where(Ticket.number.in_(candidate_numbers(wanted)))
        .order_by(Ticket.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if tickets is None:
        raise TicketNumberNotFound(number=wanted)
    return tickets


def candidate_numbers(wanted: str) -> list[str]:
    """The number as typed, and with its digits padded to 3 or 4 places (A12 → A012)."""
    prefix = wanted.rstrip("0123456789")
    digits = wanted[len(prefix) :]
    candidates = [wanted]
    if digits:
        candidates += [f"{prefix}{int(digits):0{width}d}" for width in (3, 4)]
    return candidates


@dataclass(frozen=True)
class PrinterAlert:
    """Something staff should see: a slip that did not print, or a printer in trouble."""

    device: Device
    state: PrinterState
    job: PrintJob | None = None
    error_code: str | None = None
    detail: str | None = None


ALERT_STATES = (PrinterState.OFFLINE, PrinterState.PAPER_OUT, PrinterState.PAPER_LOW)


def printer_alerts(limit: int = 6) -> list[PrinterAlert]:
    """Today's failed slips not yet reprinted or dismissed, then printers that are not ready.

    Yesterday's failures are over (the citizen has gone); the printers page still lists them.
    """
    alerts = []
    failed = db.session.execute(
        db.select(PrintJob)
        .where(
            PrintJob.status == PrintJobStatus.FAILED,
            PrintJob.resolved_at.is_(None),
            PrintJob.created_at >= day_start(local_today()),
        )
        .order_by(PrintJob.id.desc())
        .limit(limit)
    ).scalars()
    for job in failed:
        printer = printer_for(job.device)
        alerts.append(PrinterAlert(job.device, printer.state, job, job.error_code, job.last_error))
    troubled = db.session.execute(
        db.select(Printer).where(Printer.state.in_(ALERT_STATES)).order_by(Printer.id)
    ).scalars()
    for printer in troubled:
        device = printer.device
        if device.revoked_at is None and has_printer(device):
            alerts.append(PrinterAlert(device, printer.state, None, printer.last_error_code, None))
    alerts.extend(stalled_printers(exclude={alert.device.id for alert in alerts}))
    return alerts


STALLED = timedelta(seconds=30)


def stalled_printers(exclude: set[int]) -> list[PrinterAlert]:
    """Printers with slips waiting and nobody sending them: the kiosk's agent is silent, or
    the server's print worker is not running (a printer in trouble is reported already)."""
    waiting = db.session.execute(
        db.select(PrintJob.device_id)
        .where(PrintJob.status == PrintJobStatus.QUEUED)
        .where(PrintJob.created_at < utcnow() - STALLED)
        .distinct()
    ).scalars()
    alerts = []
    for device_id in waiting:
        device = db.session.get(Device, device_id)
        row = PrinterRow(device, printer_for(device), has_printer(device), 0, 0)
        if not row.configured or device.revoked_at is not None:
            continue
        if row.via_agent and not row.agent_running:
            alerts.append(PrinterAlert(device, PrinterState.OFFLINE, None, "agent_silent", None))
        elif not row.via_agent and device_id not in exclude:
            alerts.append(PrinterAlert(device, row.printer.state, None, "worker_silent", None))
    return alerts


def job_counts() -> dict[int, dict[str, int]]:
    """Per printer: queued jobs and failed jobs nobody has dealt with."""
    rows = db.session.execute(
        db.select(PrintJob.device_id, PrintJob.status, func.count(PrintJob.id))
        .where(
            or_(
                PrintJob.status.in_((PrintJobStatus.QUEUED, PrintJobStatus.SENDING)),
                (PrintJob.status == PrintJobStatus.FAILED) & PrintJob.resolved_at.is_(None),
            )
        )
        .group_by(PrintJob.device_id, PrintJob.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for device_id, status, count in rows:
        entry = counts.setdefault(device_id, {"queued": 0, "failed": 0})
        entry["failed" if status == PrintJobStatus.FAILED else "queued"] += count
    return counts


def recent_jobs(limit: int = 30) -> list[PrintJob]:
    return list(
        db.session.execute(db.select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)).scalars()
    )
