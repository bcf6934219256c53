"""Issuing tickets with gap-free daily numbers, and a ticket's place in the queue."""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, event, func, insert, inspect, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from core.clock import local_today, local_zone, to_local, utcnow
from core.db.sql_time import LocalTime
from core.db.transactions import (
    DriverStatement,
    DriverWriter,
    begin_write_transaction,
    end_transaction,
)
from core.errors import (
    ServiceClosed,
    ServiceInactive,
    ServiceNotFound,
    TicketNotFound,
    speaks_english,
)
from core.models import (
    AuditEvent,
    Counter,
    Service,
    Ticket,
    TicketSequence,
    TicketStatus,
    format_ticket_number,
    is_open,
)
from core.models.numbering import ServiceNumberingChange
from core.queue.numbering import apply_due_numbering_change
from extensions import db

UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
SERVICE_CACHE_SECONDS = 5.0

_tickets = Ticket.__table__
_sequences = TicketSequence.__table__
_audit_events = AuditEvent.__table__


def _day_row_upsert(dialect: str, inserted: dict, added: dict):
    """Insert a service's day row with `inserted`, or add `added` to the row's columns."""
    return (
        UPSERTS[dialect](_sequences)
        .values(service_id=bindparam("service_id"), day=bindparam("day"), **inserted)
        .on_conflict_do_update(
            index_elements=["service_id", "day"],
            set_={name: _sequences.c[name] + value for name, value in added.items()},
        )
    )


def _sequence_upsert(dialect: str):
    """Take the next number and join the queue: one statement on the day's row."""
    steps = {"last_value": 1, "waiting": 1, "waiting_priority": bindparam("priority_increment")}
    return _day_row_upsert(dialect, steps, steps).returning(
        _sequences.c.last_value, _sequences.c.waiting, _sequences.c.waiting_priority
    )


def _waiting_upsert(dialect: str):
    """Move a day's waiting counts by a step (the row exists unless a transfer opens it)."""
    steps = {"waiting": bindparam("step"), "waiting_priority": bindparam("priority_step")}
    return _day_row_upsert(dialect, {"last_value": 0, **steps}, steps)


# The statements of the kiosk's tap, compiled once per dialect and run on the driver.
_TICKET_COLUMNS = [
    "service_id",
    "origin_service_id",
    "day",
    "sequence",
    "number",
    "priority",
    "token",
    "status",
    "issued_at",
    "kiosk_id",
    "call_count",
]
SEQUENCE_UPSERTS = {dialect: DriverStatement(_sequence_upsert(dialect)) for dialect in UPSERTS}
WAITING_UPSERTS = {dialect: _waiting_upsert(dialect) for dialect in UPSERTS}
INSERT_TICKET = DriverStatement(insert(_tickets).returning(_tickets.c.id), _TICKET_COLUMNS)
INSERT_AUDIT_EVENT = DriverStatement(
    insert(_audit_events),
    ["occurred_at", "action", "subject_type", "subject_id", "device_id", "details"],
)


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket just written, with the queue ahead of it at that moment.

    `db.session.get(Ticket, issued.id)` gives the full row when more is needed.
    """

    id: int
    service_id: int
    origin_service_id: int
    day: date
    sequence: int
    number: str
    priority: bool
    token: str
    status: TicketStatus
    issued_at: datetime
    called_at: datetime | None
    serving_started_at: datetime | None
    finished_at: datetime | None
    counter_id: int | None
    officer_id: int | None
    kiosk_id: int | None
    call_count: int
    waiting_ahead: int


@dataclass(frozen=True)
class ServiceInfo:
    """A read-only snapshot of a service and its hours, cached briefly for the kiosk path."""

    id: int
    code: str
    name: str
    name_en: str
    prefix: str
    digits: int
    active: bool
    periods: tuple[tuple[int, int, int], ...]
    change_due_on: date | None = None  # a new prefix or width waits for this day

    @classmethod
    def of(cls, service: Service) -> ServiceInfo:
        periods = tuple(
            (period.weekday, period.opens_minute, period.closes_minute) for period in service.hours
        )
        # The numbering and a waiting change in one statement: one consistent view, even
        # under PostgreSQL's read committed while another issuer applies the change.
        prefix, digits, change_due_on = db.session.execute(
            select(Service.prefix, Service.digits, ServiceNumberingChange.effective_on)
            .outerjoin(ServiceNumberingChange, ServiceNumberingChange.service_id == Service.id)
            .where(Service.id == service.id)
        ).one()
        return cls(
            service.id,
            service.code,
            service.name,
            service.name_en,
            prefix,
            digits,
            service.active,
            periods,
            change_due_on,
        )

    def format_number(self, sequence: int) -> str:
        return format_ticket_number(self.prefix, self.digits, sequence)

    def numbering_change_due(self, day: date) -> bool:
        return self.change_due_on is not None and self.change_due_on <= day

    def is_open_at(self, local_moment: datetime) -> bool:
        return is_open(self.periods, local_moment)


_service_cache: dict[str, tuple[float, ServiceInfo]] = {}


def service_name(service: Service | ServiceInfo) -> str:
    """The service's name in the request's language (English when chosen and given)."""
    return service.name_en if service.name_en and speaks_english() else service.name


def join_queue(
    service_id: int, day: date, priority: bool, connection: Connection | DriverWriter | None = None
) -> tuple[int, int, int]:
    """Atomically take the next number of a service's day and count the ticket as waiting.

    Returns the number's sequence and the waiting counts with it (all, priority only).
    One upsert with RETURNING: the row lock (PostgreSQL) or the write lock (SQLite)
    serialises concurrent issuers, and a rolled-back transaction gives its number back,
    so the sequence stays gap-free. The ticket's unique constraint is the last guard.
    """
    connection = connection or db.session.connection()
    statement = SEQUENCE_UPSERTS[connection.dialect.name]
    cursor = statement.execute(
        connection, service_id=service_id, day=day, priority_increment=int(priority)
    )
    return cursor.fetchone()


def _waiting_place(ticket: Ticket, before: bool) -> tuple | None:
    """(service id, day, priority) of the queue the ticket waits in, before or after the
    changes about to be flushed, or None when it is not waiting."""
    state = inspect(ticket)

    def value(name):
        if before:
            # These columns keep their old value when set (active_history on the model).
            old = state.attrs[name].history.deleted
            if old:
                return old[0]
        return getattr(ticket, name)

    if (value("status") or TicketStatus.WAITING) != TicketStatus.WAITING:  # None: the default
        return None
    service_id = value("service_id")
    if service_id is None and ticket.service is not None:  # a new ticket given its service
        service_id = ticket.service.id
    return service_id, value("day"), bool(value("priority"))


WAITING_STEPS = "waiting_steps"


@event.listens_for(Session, "before_flush")
def _note_waiting_moves(session, flush_context, instances) -> None:
    """Note how each ticket the ORM adds, moves or deletes changes the day's waiting counts.

    A ticket leaving its queue (a call) comes off its service's count; one coming back (put
    back, transfer) counts for the service it now waits for. The kiosk's own insert does
    its count in the statement that takes the number.
    """
    steps = session.info.setdefault(WAITING_STEPS, {})

    def step(place, delta):
        if place is not None:
            counts = steps.setdefault(place[:2], [0, 0])
            counts[0] += delta
            counts[1] += delta if place[2] else 0

    for ticket in session.new:
        if isinstance(ticket, Ticket):
            step(_waiting_place(ticket, before=False), 1)
    for ticket in session.dirty:
        if isinstance(ticket, Ticket) and session.is_modified(ticket):
            was, now = _waiting_place(ticket, before=True), _waiting_place(ticket, before=False)
            if was != now:
                step(was, -1)
                step(now, 1)
    for ticket in session.deleted:
        if isinstance(ticket, Ticket):
            step(_waiting_place(ticket, before=True), -1)


@event.listens_for(Session, "before_commit")
def _move_waiting_counts(session) -> None:
    """Apply the noted steps last, just before the commit: on PostgreSQL the day's row is
    then locked only for that moment, so counters calling at once barely wait on it."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    steps = session.info.pop(WAITING_STEPS, None)
    if not steps:
        return
    connection = session.connection()
    for (service_id, day), (delta, priority_delta) in sorted(steps.items()):
        if delta or priority_delta:
            parameters = {"service_id": service_id, "day": day}
            parameters.update(step=delta, priority_step=priority_delta)
            connection.execute(WAITING_UPSERTS[connection.dialect.name], parameters)


@event.listens_for(Session, "after_transaction_end")
def _forget_waiting_moves(session, transaction) -> None:
    """A transaction rolled back or closed unfinished moved nobody (ticket moves are never
    made in savepoints)."""
    if transaction.parent is None:
        session.info.pop(WAITING_STEPS, None)


def find_service(code: str) -> Service:
    """The service with this code, with its opening hours."""
    service = db.session.execute(
        db.select(Service).filter_by(code=code).options(selectinload(Service.hours))
    ).scalar_one_or_none()
    if service is None:
        raise ServiceNotFound(service=code)
    return service


def service_info(code: str) -> ServiceInfo:
    """The service with this code as a snapshot at most SERVICE_CACHE_SECONDS old.

    Admin changes (hours, active) reach every app server within that time.
    """
    now = time.monotonic()
    cached = _service_cache.get(code)
    if cached is not None and now - cached[0] < SERVICE_CACHE_SECONDS:
        return cached[1]
    info = ServiceInfo.of(find_service(code))
    _service_cache[code] = (now, info)
    return info


def issue_ticket(
    service: Service | ServiceInfo,
    *,
    priority: bool = False,
    kiosk_id: int | None = None,
    now=None,
    connection: Connection | DriverWriter | None = None,
) -> IssuedTicket:
    """Give the next number of `service` today; the caller commits.

    The kiosk path runs on every tap, so it writes with statements compiled once and run
    on the driver, and hands back what it wrote without reading it again. It runs in the session's
    transaction, or on `connection` (never on a day whose numbering changes).
    """
    now = now or utcnow()
    if not isinstance(service, ServiceInfo):
        service = ServiceInfo.of(service)
    if not service.active:
        raise ServiceInactive(service=service.name)
    if not service.is_open_at(to_local(now)):
        raise ServiceClosed(service=service.name)
    day = local_today(now)
    sequence, waiting, waiting_priority = join_queue(service.id, day, priority, connection)
    number = service.format_number(sequence)
    if service.numbering_change_due(day):
        if connection is not None:
            raise RuntimeError("a numbering change is applied in the session's transaction")
        # Rare: the first tickets of the day a new prefix starts. Taking the sequence first
        # ordered us after every other issuer, so the change is applied exactly once.
        row = db.session.get(Service, service.id)
        apply_due_numbering_change(row, day)
        number = row.format_number(sequence)
    values = {
        "service_id": service.id,
        "origin_service_id": service.id,
        "day": day,
        "sequence": sequence,
        "number": number,
        "priority": priority,
        "token": secrets.token_urlsafe(16),
        "status": TicketStatus.WAITING,
        "issued_at": now,
        "called_at": None,
        "serving_started_at": None,
        "finished_at": None,
        "counter_id": None,
        "officer_id": None,
        "kiosk_id": kiosk_id,
        "call_count": 0,
    }
    connection = connection or db.session.connection()
    ticket_id = INSERT_TICKET.execute(connection, **values).fetchone()[0]
    INSERT_AUDIT_EVENT.execute(
        connection,
        occurred_at=now,
        action="ticket.issued",
        subject_type="ticket",
        subject_id=ticket_id,
        device_id=kiosk_id,
        details={"number": values["number"], "priority": priority},
    )
    # The counts include this ticket; the queue ahead is everyone else called before it.
    ahead = waiting_priority - 1 if priority else waiting - 1
    return IssuedTicket(id=ticket_id, waiting_ahead=ahead, **values)


def take_ticket(
    service: ServiceInfo, *, priority: bool = False, kiosk_id: int | None = None
) -> IssuedTicket:
    """The kiosk's tap: issue a ticket and commit it in a transaction of its own.

    The transaction runs on a connection of its own, begun as a writer only now and
    committed at once, so the write lock (SQLite) or the day's row lock (PostgreSQL) is
    held for three statements and the commit, not while the request is read and
    answered. The first taps of a day whose numbering changes go through the session,
    which applies the change.
    """
    now = utcnow()
    # End the session's transaction (the request's reads so far): what it reads or writes
    # next (the slip's print job) then sees this ticket.
    end_transaction()
    if service.numbering_change_due(local_today(now)):
        begin_write_transaction()
        ticket = issue_ticket(service, priority=priority, kiosk_id=kiosk_id, now=now)
        db.session.commit()
        return ticket
    with DriverWriter(db.engine) as writer:
        return issue_ticket(
            service, priority=priority, kiosk_id=kiosk_id, now=now, connection=writer
        )


TRACKING_PATH = "/t/"  # the public tracking page's route: TRACKING_PATH + "<token>"


def tracking_url(token: str) -> str:
    """The absolute address of a ticket's tracking page (PUBLIC_BASE_URL), for the QR code.

    Built by hand rather than by `url_for`: it is on every kiosk tap, and the token is
    URL-safe already.
    """
    return current_app.config["PUBLIC_BASE_URL"] + TRACKING_PATH + token


def find_ticket(token: str) -> Ticket:
    """The ticket behind a tracking token."""
    if not token or len(token) > 64:
        raise TicketNotFound()
    ticket = db.session.execute(db.select(Ticket).filter_by(token=token)).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound()
    return ticket


def waiting_ahead(ticket: Ticket) -> int:
    """How many waiting tickets of the same queue will be called before this one.

    Priority tickets go first; within the same kind, the earlier ticket goes first.
    """
    if ticket.status != TicketStatus.WAITING:
        return 0
    earlier = or_(
        Ticket.issued_at < ticket.issued_at,
        and_(Ticket.issued_at == ticket.issued_at, Ticket.id < ticket.id),
    )
    before = (
        or_(Ticket.priority.is_(True), earlier)
        if not ticket.priority
        else and_(Ticket.priority.is_(True), earlier)
    )
    return db.session.execute(
        db.select(func.count(Ticket.id)).where(
            Ticket.service_id == ticket.service_id,
            Ticket.day == ticket.day,
            Ticket.status == TicketStatus.WAITING,
            Ticket.id != ticket.id,
            before,
        )
    ).scalar_one()


@dataclass(frozen=True)
class ServiceTime:
    minutes: float
    counters: int
    computed_at: datetime


_service_time_cache: dict[int, ServiceTime] = {}
SERVICE_TIME_TTL = timedelta(minutes=2)


def service_time(service_id: int, now: datetime | None = None) -> ServiceTime:
    """Average minutes per citizen over the last 30 days and counters serving the service.

    A slowly moving statistic, so each process keeps it for two minutes.
    """
    now = now or utcnow()
    cached = _service_time_cache.get(service_id)
    if cached is not None and now - cached.computed_at < SERVICE_TIME_TTL:
        return cached
    seconds = LocalTime(local_zone(), now).seconds(Ticket.finished_at, Ticket.serving_started_at)
    average_seconds = db.session.execute(
        db.select(func.avg(seconds)).where(  # averaged in SQL over the days' index range
            Ticket.service_id == service_id,
            Ticket.day >= local_today(now) - timedelta(days=30),
            Ticket.status == TicketStatus.DONE,
            Ticket.serving_started_at.is_not(None),
            Ticket.finished_at.is_not(None),
        )
    ).scalar_one()
    if average_seconds is not None:
        minutes = max(float(average_seconds) / 60, 1.0)
    else:
        minutes = current_app.config["DEFAULT_SERVICE_MINUTES"]
    counters = db.session.execute(
        db.select(func.count(Counter.id)).where(
            Counter.active.is_(True), Counter.services.any(Service.id == service_id)
        )
    ).scalar_one()
    result = ServiceTime(minutes=minutes, counters=max(counters, 1), computed_at=now)
    _service_time_cache[service_id] = result
    return result


def reset_caches() -> None:
    """Forget cached services and statistics (tests, and after bulk changes)."""
    _service_time_cache.clear()
    _service_cache.clear()


def estimated_wait_minutes(ticket: Ticket, ahead: int) -> int:
    """A rough wait: people ahead times the average service time, shared by the counters."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    pace = service_time(ticket.service_id)
    return math.ceil(ahead * pace.minutes / pace.counters)


def waiting_counts(day: date) -> dict[int, int]:
    """Waiting tickets per service id on a local day (read off the day's counter rows)."""
    rows = db.session.execute(
        db.select(TicketSequence.service_id, TicketSequence.waiting).where(
            TicketSequence.day == day, TicketSequence.waiting > 0
        )
    ).all()
    return dict(rows)


def active_services() -> list[Service]:
    """Services offered at the kiosk, in display order."""
    return list(
        db.session.execute(
            db.select(Service)
            .where(Service.active.is_(True))
            .options(selectinload(Service.hours))
            .order_by(Service.sort_order, Service.code)
        ).scalars()
    )


def waiting_queue(service_id: int, day: date) -> list[Ticket]:
    """A service's waiting tickets in calling order: priority first, then by issue time."""
    return list(
        db.session.execute(
            db.select(Ticket)
            .where(
                Ticket.service_id == service_id,
                Ticket.day == day,
                Ticket.status == TicketStatus.WAITING,
            )
            .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)
        ).scalars()
    )
