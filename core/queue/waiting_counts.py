"""The day's waiting counts per service, kept on the day's sequence row so the kiosk and the
boards read them without counting tickets.

The kiosk's tap counts its own ticket in the statement that takes its number
(core.queue.issuing). Every other move of a ticket (a call, a put-back, a transfer, a
deletion) goes through the ORM, and three session listeners keep the counts right; they are
registered when this module is imported (core.queue.issuing imports it). Before each flush
they note how every ticket the session adds, changes or deletes enters or leaves a queue
(the ticket's queue columns keep their old value when set: active_history on the model),
and count the change itself on the row's `moves` (the day's change version that boards and
tracking pages key their shared state on, core.queue.board.board_version); just before the
commit they apply the noted steps, one upsert per service and day, so on PostgreSQL the
day's row is locked only for that moment; a transaction that ends without committing
forgets them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.orm import Session

from core.db.upsert import UPSERTS
from core.models import Ticket, TicketSequence, TicketStatus
from extensions import db

_sequences = TicketSequence.__table__


def day_row_upsert(dialect: str, inserted: dict, added: dict):
    """Insert a service's day row with `inserted`, or add `added` to the row's columns."""
    return (
        UPSERTS[dialect](_sequences)
        .values(service_id=bindparam("service_id"), day=bindparam("day"), **inserted)
        .on_conflict_do_update(
            index_elements=["service_id", "day"],
            set_={name: _sequences.c[name] + value for name, value in added.items()},
        )
    )


def _waiting_upsert(dialect: str):
    """Move a day's waiting counts by a step and count the moves (the row exists unless a
    transfer opens it)."""
    steps = {
        "waiting": bindparam("step"),
        "waiting_priority": bindparam("priority_step"),
        "moves": bindparam("moves"),
    }
    return day_row_upsert(dialect, {"last_value": 0, **steps}, steps)


WAITING_UPSERTS = {dialect: _waiting_upsert(dialect) for dialect in UPSERTS}


def _ticket_values(ticket: Ticket, before: bool):
    """A reader of the ticket's columns before or after the changes about to be flushed."""
    state = inspect(ticket)

    def value(name):
        if before:
            # These columns keep their old value when set (active_history on the model).
            old = state.attrs[name].history.deleted
            if old:
                return old[0]
        return getattr(ticket, name)

    return value


def _queue_of(ticket: Ticket, before: bool) -> tuple | None:
    """(service id, day) the ticket belongs to, before or after the changes to be flushed."""
    value = _ticket_values(ticket, before)
    service_id = value("service_id")
    if service_id is None and ticket.service is not None:  # a new ticket given its service
        service_id = ticket.service.id
    day = value("day")
    return None if service_id is None or day is None else (service_id, day)


def _waiting_place(ticket: Ticket, before: bool) -> tuple | None:
    """(service id, day, priority) of the queue the ticket waits in, before or after the
    changes about to be flushed, or None when it is not waiting."""
    value = _ticket_values(ticket, before)
    if (value("status") or TicketStatus.WAITING) != TicketStatus.WAITING:  # None: the default
        return None
    queue = _queue_of(ticket, before)
    return None if queue is None else (*queue, bool(value("priority")))


WAITING_STEPS = "waiting_steps"


@event.listens_for(Session, "before_flush")
def _note_waiting_moves(session, flush_context, instances) -> None:
    """Note how each ticket the ORM adds, moves or deletes changes the day's waiting counts.

    A ticket leaving its queue (a call) comes off its service's count; one coming back (put
    back, transfer) counts for the service it now waits for.
    """
    steps = session.info.setdefault(WAITING_STEPS, {})

    def step(place, delta):
        if place is not None:
            counts = steps.setdefault(place[:2], [0, 0, 0])
            counts[0] += delta
            counts[1] += delta if place[2] else 0

    def moved(queue):
        if queue is not None:
            steps.setdefault(queue, [0, 0, 0])[2] += 1

    for ticket in session.new:
        if isinstance(ticket, Ticket):
            step(_waiting_place(ticket, before=False), 1)
            moved(_queue_of(ticket, before=False))
    for ticket in session.dirty:
        if isinstance(ticket, Ticket) and session.is_modified(ticket):
            was, now = _waiting_place(ticket, before=True), _waiting_place(ticket, before=False)
            if was != now:
                step(was, -1)
                step(now, 1)
            moved(_queue_of(ticket, before=False))
    for ticket in session.deleted:
        if isinstance(ticket, Ticket):
            step(_waiting_place(ticket, before=True), -1)
            moved(_queue_of(ticket, before=True))


@event.listens_for(Session, "before_commit")
def _move_waiting_counts(session) -> None:
    """Apply the noted steps, just before the commit (counters calling at once then barely
    wait on the day's row)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    steps = session.info.pop(WAITING_STEPS, None)
    if not steps:
        return
    connection = session.connection()
    for (service_id, day), (delta, priority_delta, moves) in sorted(steps.items()):
        if delta or priority_delta or moves:
            parameters = {"service_id": service_id, "day": day}
            parameters.update(step=delta, priority_step=priority_delta, moves=moves)
            connection.execute(WAITING_UPSERTS[connection.dialect.name], parameters)


@event.listens_for(Session, "after_transaction_end")
def _forget_waiting_moves(session, transaction) -> None:
    """A transaction rolled back or closed unfinished moved nobody (ticket moves are never
    made in savepoints)."""
    if transaction.parent is None:
        session.info.pop(WAITING_STEPS, None)


def waiting_counts(day: date) -> dict[int, int]:
    """Waiting tickets per service id on a local day (read off the day's sequence rows)."""
    rows = db.session.execute(
        db.select(TicketSequence.service_id, TicketSequence.waiting).where(
            TicketSequence.day == day, TicketSequence.waiting > 0
        )
    ).all()
    return dict(rows)
