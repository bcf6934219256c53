"""What the display boards in the waiting hall show: today's calls and queues.

Everything is read from the database, so any app server behind a load balancer answers any
board the same way. Boards poll cheaply: `board_version` is one small query that changes
whenever what a board shows may have changed, and the state is built once per version (and
language) in each process and shared by every board (core.queue.shared): what a process
keeps is found by the version it has just read from the database, never trusted without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, bindparam, func

from core.clock import day_start
from core.models import (
    Agency,
    AuditEvent,
    CallEvent,
    CallKind,
    Counter,
    Service,
    Ticket,
    TicketSequence,
    TicketStatus,
    counter_services,
)
from core.queue.areas import WHOLE_HALL, BoardArea, counter_ids
from core.queue.speech import Announcement, announce
from core.queue.waiting_counts import waiting_counts
from extensions import db

RECENT_CALLS = 8


@dataclass(frozen=True)
class BoardService:
    """A service as a board names it."""

    id: int
    code: str
    prefix: str
    name: str
    name_en: str


@dataclass(frozen=True)
class BoardCounter:
    number: int
    name: str


@dataclass(frozen=True)
class BoardCall:
    """One call as a board shows and speaks it."""

    id: int
    kind: CallKind
    called_at: datetime
    number: str  # the ticket's
    counter: BoardCounter
    service: BoardService
    announcement: Announcement


@dataclass(frozen=True)
class BoardState:
    """A board's whole picture of the day: plain values, read once per version and shared
    by every board (core.queue.shared), so nothing in it is tied to a database session."""

    day: date
    calls: list[BoardCall]  # newest first
    counters: list[tuple[BoardCounter, BoardCall | None]]  # each active counter's current call
    queues: list[tuple[BoardService, int]]  # active services and how many are waiting
    agency: str | None = None  # the agency whose counters an area's board shows, by name


def version_columns() -> tuple:
    """The version's parts as columns a statement selects (bound to `since` and `day`):
    calls since a moment (count, last id), tickets issued on a day and their moves, the
    last audit event. Each a one-row aggregate, so any statement may select them beside
    its own columns (the tracking page's does: one round trip for the ticket and the
    version)."""
    since, day = bindparam("since", type_=CallEvent.called_at.type), bindparam("day", type_=Date)
    call_count, last_call = (
        db.select(aggregate).where(CallEvent.called_at >= since).scalar_subquery()
        for aggregate in (func.count(CallEvent.id), func.coalesce(func.max(CallEvent.id), 0))
    )
    issued, moves = (
        db.select(func.coalesce(func.sum(column), 0))
        .where(TicketSequence.day == day)
        .scalar_subquery()
        for column in (TicketSequence.last_value, TicketSequence.moves)
    )
    last_audit = db.select(func.coalesce(func.max(AuditEvent.id), 0)).scalar_subquery()
    return call_count, last_call, issued, moves, last_audit


VERSION = db.select(*version_columns())


def version_parameters(day: date) -> dict:
    return {"since": day_start(day), "day": day}


def version_text(day: date, parts) -> str:
    """The version read as `version_columns`, as a short string."""
    call_count, last_call, issued_count, moves, audit_id = parts
    return f"{day.isoformat()}.c{call_count}-{last_call}.t{issued_count}.m{moves}.a{audit_id}"


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
    # On the session's connection: a statement of columns needs none of the ORM's work.
    return version_text(
        day, db.session.connection().execute(VERSION, version_parameters(day)).one()
    )


_SERVICE_COLUMNS = (Service.id, Service.code, Service.prefix, Service.name, Service.name_en)
_CALL_COLUMNS = (
    CallEvent.id,
    CallEvent.kind,
    CallEvent.called_at,
    Ticket.number,
    Counter.number,
    Counter.name,
    *_SERVICE_COLUMNS,
)


def _board_statements(in_area: bool):
    """Built once: the day's latest calls, each counter's current call, the active counters
    and services, of the whole hall or (`in_area`) of the counters bound to `counters`
    and the services they serve. Rows, not ORM objects: the board needs a few columns of
    each."""
    since = bindparam("since", type_=CallEvent.called_at.type)
    area = [Counter.id.in_(bindparam("counters", expanding=True))] if in_area else []
    calls = (
        db.select(*_CALL_COLUMNS)
        .join(Ticket, Ticket.id == CallEvent.ticket_id)
        .join(Counter, Counter.id == CallEvent.counter_id)
        .join(Service, Service.id == Ticket.service_id)
        .where(CallEvent.called_at >= since, *area)
    )
    recent = calls.order_by(CallEvent.called_at.desc(), CallEvent.id.desc()).limit(
        bindparam("recent")
    )
    latest_ids = (
        db.select(func.max(CallEvent.id))
        .where(CallEvent.called_at >= since)
        .group_by(CallEvent.counter_id)
    )
    # A counter's latest call is its current ticket while the ticket is still at that
    # counter: called or being served there, not finished, absent, put back or transferred
    # away (a transferred ticket shows at its new counter once that counter calls it).
    current = calls.where(
        CallEvent.id.in_(latest_ids),
        Ticket.status.in_((TicketStatus.CALLED, TicketStatus.SERVING)),
        Ticket.counter_id == CallEvent.counter_id,
    )
    counters = (
        db.select(Counter.number, Counter.name)
        .where(Counter.active.is_(True), *area)
        .order_by(Counter.number)
    )
    served = (
        [
            Service.id.in_(
                db.select(counter_services.c.service_id).where(
                    counter_services.c.counter_id.in_(bindparam("counters", expanding=True))
                )
            )
        ]
        if in_area
        else []
    )
    services = (
        db.select(*_SERVICE_COLUMNS)
        .where(Service.active.is_(True), *served)
        .order_by(Service.sort_order, Service.code)
    )
    return recent, current, counters, services


RECENT, CURRENT, COUNTERS, SERVICES = _board_statements(in_area=False)
AREA_STATEMENTS = _board_statements(in_area=True)


def _call(row) -> BoardCall:
    call_id, kind, called_at, number, counter_number, counter_name, *service = row
    return BoardCall(
        id=call_id,
        kind=kind,
        called_at=called_at,
        number=number,
        counter=BoardCounter(counter_number, counter_name),
        service=BoardService(*service),
        announcement=announce(number, counter_number),
    )


def board_state(day: date, recent: int = RECENT_CALLS, area: BoardArea = WHOLE_HALL) -> BoardState:
    """Today's latest calls, the ticket each active counter is calling or serving, and the
    queues: of the whole hall, or of an area's counters and the queues they serve."""
    since = day_start(day)
    execute = db.session.connection().execute
    statements, bound = (RECENT, CURRENT, COUNTERS, SERVICES), {}
    if not area.whole_hall:
        statements, bound = AREA_STATEMENTS, {"counters": counter_ids(area)}
    recent_calls, current_calls, active_counters, services = statements
    calls = [
        _call(row) for row in execute(recent_calls, {"since": since, "recent": recent, **bound})
    ]
    current = {
        call.counter.number: call
        for call in map(_call, execute(current_calls, {"since": since, **bound}))
    }
    counters = [BoardCounter(*row) for row in execute(active_counters, bound)]
    counts = waiting_counts(day)
    agency = db.session.get(Agency, area.agency_id) if area.agency_id is not None else None
    return BoardState(
        day=day,
        agency=agency.name if agency is not None else None,
        calls=calls,
        counters=[(counter, current.get(counter.number)) for counter in counters],
        queues=[
            (service, counts.get(service.id, 0))
            for service in (BoardService(*row) for row in execute(services, bound))
        ],
    )
