"""What the display boards in the waiting hall show: today's calls and queues.

Everything is read from the database, never from process memory, so any app server behind
a load balancer answers any board the same way. Boards poll cheaply: `board_version` is one
small query that changes whenever what a board shows may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, bindparam, func
from sqlalchemy.orm import joinedload

from core.clock import day_start
from core.models import (
    AuditEvent,
    CallEvent,
    Counter,
    Service,
    Ticket,
    TicketSequence,
    TicketStatus,
)
from core.queue.service_lookup import active_services
from core.queue.speech import Announcement, announce
from core.queue.waiting_counts import waiting_counts
from extensions import db

RECENT_CALLS = 8


@dataclass(frozen=True)
class BoardCall:
    """One call as a board shows and speaks it."""

    id: int
    event: CallEvent
    ticket: Ticket
    counter: Counter
    service: Service
    announcement: Announcement


@dataclass(frozen=True)
class BoardState:
    """A board's whole picture of the day."""

    day: date
    calls: list[BoardCall]  # newest first
    counters: list[tuple[Counter, BoardCall | None]]  # each active counter's current ticket
    queues: list[tuple[Service, int]]  # active services and how many are waiting


def _version_statement():
    """Built once: calls since a moment (count, last id), tickets issued on a day and their
    moves, the last audit event."""
    since, day = bindparam("since", type_=CallEvent.called_at.type), bindparam("day", type_=Date)
    calls = (
        db.select(func.count(CallEvent.id), func.coalesce(func.max(CallEvent.id), 0))
        .where(CallEvent.called_at >= since)
        .subquery()
    )
    issued, moves = (
        db.select(func.coalesce(func.sum(column), 0))
        .where(TicketSequence.day == day)
        .scalar_subquery()
        for column in (TicketSequence.last_value, TicketSequence.moves)
    )
    last_audit = db.select(func.coalesce(func.max(AuditEvent.id), 0)).scalar_subquery()
    return db.select(calls, issued, moves, last_audit)


VERSION = _version_statement()


def board_version(day: date) -> str:
    """A short string that changes whenever a board's picture of `day` may have changed.

    Calls are counted as well as their last id, so a call whose transaction commits after a
    later-numbered one still changes the version; issued tickets are the sum of the day's
    numbering counters, and every other move of a ticket (a finish, a put-back, a transfer,
    a cancellation) the sum of their `moves` counters, raised in the move's own transaction
    (core.queue.waiting_counts): sums, so that no commit can leave the version as it was,
    whatever order concurrent commits land in. Anything else (a renamed counter, a service
    switched off) writes an audit event, whose last id ends the version. One round trip,
    all on indexes or tiny tables.

    This is the key of everything many clients share (core.queue.shared): read it first,
    then the state, and what is built is from this version or a later one.
    """
    row = db.session.execute(VERSION, {"since": day_start(day), "day": day}).one()
    call_count, last_call, issued_count, moves, audit_id = row
    return f"{day.isoformat()}.c{call_count}-{last_call}.t{issued_count}.m{moves}.a{audit_id}"


def _board_calls(statement) -> list[BoardCall]:
    events = db.session.execute(
        statement.options(
            joinedload(CallEvent.ticket).joinedload(Ticket.service),
            joinedload(CallEvent.counter),
        )
    ).scalars()
    return [
        BoardCall(
            id=event.id,
            event=event,
            ticket=event.ticket,
            counter=event.counter,
            service=event.ticket.service,
            announcement=announce(event.ticket.number, event.counter.number),
        )
        for event in events
    ]


def is_current(call: BoardCall) -> bool:
    """Whether the call's ticket is still at its counter: called or being served there, not
    finished, absent, put back or transferred away (a transferred ticket shows at its new
    counter once that counter calls it)."""
    ticket = call.ticket
    return (
        ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        and ticket.counter_id == call.counter.id
    )


def board_state(day: date, recent: int = RECENT_CALLS) -> BoardState:
    """Today's latest calls, the ticket each active counter is calling or serving, and the
    queues."""
    since = day_start(day)
    calls = _board_calls(
        db.select(CallEvent)
        .where(CallEvent.called_at >= since)
        .order_by(CallEvent.called_at.desc(), CallEvent.id.desc())
        .limit(recent)
    )
    latest_ids = (
        db.select(func.max(CallEvent.id))
        .where(CallEvent.called_at >= since)
        .group_by(CallEvent.counter_id)
    )
    latest = {
        call.counter.id: call
        for call in _board_calls(db.select(CallEvent).where(CallEvent.id.in_(latest_ids)))
        if is_current(call)
    }
    counters = db.session.execute(
        db.select(Counter).where(Counter.active.is_(True)).order_by(Counter.number)
    ).scalars()
    counts = waiting_counts(day)
    return BoardState(
        day=day,
        calls=calls,
        counters=[(counter, latest.get(counter.id)) for counter in counters],
        queues=[(service, counts.get(service.id, 0)) for service in active_services()],
    )
