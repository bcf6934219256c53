"""What the printers page shows: each kiosk's printer, its state and its jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from extensions import db

from ..clock import local_today, utcnow
from ..errors import NotFound
from ..models import Device, DeviceKind, Ticket
from ..models_printing import Printer, PrintVia
from .jobs import job_counts
from .printers import has_printer, printer_for

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
