"""The calling order of a queue, the one rule that every place a queue is shown or counted
follows: the counters' "next" (core.queue.calling), a ticket's place and the tracking page
(core.queue.positions), the "your turn is near" notices (core.notices.events) and the slip.

Priority tickets first; then booked tickets whose slot has started; then the rest by issue
time (a booked ticket before its slot waits as a walk-in). The order depends on the time:
a slot starting moves its booked tickets ahead without any change in the database, so what
is ranked once and kept must be thrown away at the next slot start (`next_slot_start`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, false, or_

from core.models import Ticket


def slot_key(now: datetime):
    """0 for a booked ticket whose slot has started by `now`, else 1 (NULL: a walk-in)."""
    return case((Ticket.booked_for <= now, 0), else_=1)


def calling_order(now: datetime) -> tuple:
    """ORDER BY terms of the calling order at `now`."""
    return (Ticket.priority.desc(), slot_key(now), Ticket.issued_at, Ticket.id)


def started(booked_for: datetime | None, now: datetime) -> bool:
    return booked_for is not None and booked_for <= now


def called_before(ticket, now: datetime):
    """SQL condition: a ticket of the same queue called before `ticket` (any object with
    priority, booked_for, issued_at and id) at `now`, by `calling_order`."""
    own_slot = 0 if started(ticket.booked_for, now) else 1
    earlier = or_(
        Ticket.issued_at < ticket.issued_at,
        and_(Ticket.issued_at == ticket.issued_at, Ticket.id < ticket.id),
    )
    same_kind = Ticket.priority.is_(True) if ticket.priority else Ticket.priority.is_(False)
    return or_(
        Ticket.priority.is_(True) if not ticket.priority else false(),
        and_(
            same_kind,
            or_(slot_key(now) < own_slot, and_(slot_key(now) == own_slot, earlier)),
        ),
    )
