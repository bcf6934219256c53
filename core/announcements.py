"""Calling a ticket to a counter: the ticket records it, and boards show and speak it.

Every call and recall writes one `CallEvent` (what boards read) and one audit event, in the
caller's transaction; the caller commits, and boards pick the call up from the database.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from extensions import db

from .audit import record_event
from .clock import utcnow
from .errors import DomainError
from .models import CallEvent, CallKind, Counter, Device, Ticket, TicketStatus, User


class CallNotAllowed(DomainError):
    code = "call_not_allowed"
    status = 409
    message = _l("Không thể gọi số {number}: số này không còn đang chờ.")


class RecallNotAllowed(DomainError):
    code = "recall_not_allowed"
    status = 409
    message = _l("Chỉ gọi lại được số {number} tại quầy đã mời số này.")


class CounterInactive(DomainError):
    code = "counter_inactive"
    status = 409
    message = _l("Quầy số {counter} đang ngừng hoạt động.")


def announce_call(
    ticket: Ticket,
    counter: Counter,
    kind: CallKind | str = CallKind.CALL,
    *,
    officer: User | None = None,
    device: Device | None = None,
    now: datetime | None = None,
) -> CallEvent:
    """Call a waiting ticket to `counter`, or recall a called one there; the caller commits.

    A call moves the ticket from waiting to called and stamps `called_at` (the wait ends
    there); a recall announces it again at the same counter and keeps the first `called_at`.
    """
    kind = CallKind(kind)
    now = now or utcnow()
    if not counter.active:
        raise CounterInactive(counter=counter.number)
    if kind is CallKind.CALL:
        if ticket.status != TicketStatus.WAITING:
            raise CallNotAllowed(number=ticket.number)
        ticket.status = TicketStatus.CALLED
        ticket.called_at = now
        ticket.counter = counter
    elif ticket.status != TicketStatus.CALLED or ticket.counter_id != counter.id:
        raise RecallNotAllowed(number=ticket.number)
    if officer is not None:
        ticket.officer = officer
    ticket.call_count = (ticket.call_count or 0) + 1
    event = CallEvent(ticket=ticket, counter=counter, kind=kind, called_at=now)
    db.session.add(event)
    db.session.flush()
    record_event(
        f"ticket.{'called' if kind is CallKind.CALL else 'recalled'}",
        ticket,
        user=officer,
        device=device,
        number=ticket.number,
        counter=counter.number,
        call_event=event.id,
    )
    return event
