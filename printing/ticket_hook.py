"""Queue a ticket's slip right after the ticket is committed; never fail the kiosk for it."""

from flask import current_app

from core.database import begin_write_transaction
from core.models import Device, Ticket
from core.printing.jobs import queue_ticket
from core.printing.printers import find_printer, has_printer
from extensions import db


def queue_slip_after_issue(ticket: Ticket, kiosk: Device, shown: dict) -> dict | None:
    """A durable print job for the committed ticket, saying what the kiosk screen shows.

    Returns what the kiosk should know (None when it has no printer). Any error is logged and
    reported as not queued: the ticket stands, and its number and QR code are on the screen.
    """
    if not has_printer(kiosk):
        return None
    try:
        ticket_id = ticket.id
        db.session.commit()  # ends the read; the write below takes SQLite's lock up front
        begin_write_transaction()
        queue_ticket(ticket_id, kiosk, shown)
        printer = find_printer(kiosk.id)
        state = printer.state.value if printer is not None else "unknown"
        db.session.commit()
        return {"status": "queued", "printer_state": state}
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Could not queue the slip of ticket %s", shown["number"])
        return {"status": "not_queued", "printer_state": "unknown"}
