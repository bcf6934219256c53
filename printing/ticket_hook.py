"""A ticket's slip is queued right after the ticket is committed; the kiosk never fails for it.

slip = slip_to_queue(ticket, kiosk)       # before the ticket's commit: no extra query
db.session.commit()
payload["print"] = queue_slip(slip, payload)
"""

from dataclasses import dataclass

from flask import current_app

from core.accounts.devices import KnownDevice
from core.db.transactions import begin_write_transaction_afresh
from core.queue.issuing import IssuedTicket
from extensions import db
from printing.jobs import queue_ticket
from printing.printers import find_printer, has_printer


@dataclass(frozen=True)
class SlipToQueue:
    ticket_id: int
    kiosk_id: int


def slip_to_queue(ticket: IssuedTicket, kiosk: KnownDevice) -> SlipToQueue | None:
    """What is needed to queue the slip once the ticket is saved (None: no printer)."""
    if not has_printer(kiosk):
        return None
    return SlipToQueue(ticket.id, kiosk.id)


def queue_slip(slip: SlipToQueue | None, shown: dict) -> dict | None:
    """A durable print job for the committed ticket, saying what the kiosk screen shows.

    Returns what the kiosk should know (None when it has no printer). Any error is logged and
    reported as not queued: the ticket stands, and its number and QR code are on the screen.
    """
    if slip is None:
        return None
    try:
        begin_write_transaction_afresh()  # the answer may have read meanwhile
        queue_ticket(slip.ticket_id, slip.kiosk_id, shown)
        printer = find_printer(slip.kiosk_id)
        state = printer.state.value if printer is not None else "unknown"
        db.session.commit()
        return {"status": "queued", "printer_state": state}
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Could not queue the slip of ticket %s", shown["number"])
        return {"status": "not_queued", "printer_state": "unknown"}
