"""Issuing tickets with gap-free daily numbers, and the kiosk's tap that does it.

The tap runs on every citizen's touch, thousands of times an hour, so it bypasses the ORM:
its three statements (take the day's next number and count the ticket as waiting, insert
the ticket, record the audit event) are compiled once per dialect and run straight on the
DB-API cursor (`DriverStatement`), in a writer's transaction of its own on a raw connection
(`DriverWriter`), begun only when the tap writes and committed at once. The write lock
(SQLite) or the day's row lock (PostgreSQL) is thus held for three statements and a commit,
not while the request is read and answered, and the tap hands back what it wrote
(`IssuedTicket`) rather than reading it again. The first taps of a day whose numbering
changes go through the session instead, which applies the change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection

from core.audit import event_values
from core.clock import local_today, to_local, utcnow
from core.db.transactions import (
    DriverStatement,
    DriverWriter,
    begin_write_transaction,
    end_transaction,
)
from core.db.upsert import UPSERTS
from core.errors import ServiceClosed, ServiceInactive
from core.models import AuditEvent, Service, Ticket, TicketSequence, TicketStatus
from core.queue.numbering import apply_due_numbering_change
from core.queue.ordering import started
from core.queue.positions import waiting_ahead
from core.queue.service_lookup import ServiceInfo
from core.queue.waiting_counts import day_row_upsert
from extensions import db

_tickets = Ticket.__table__
_sequences = TicketSequence.__table__
_audit_events = AuditEvent.__table__


def _sequence_upsert(dialect: str):
    """Take the next number and join the queue: one statement on the day's row."""
    steps = {"last_value": 1, "waiting": 1, "waiting_priority": bindparam("priority_increment")}
    return day_row_upsert(dialect, steps, steps).returning(
        _sequences.c.last_value, _sequences.c.waiting, _sequences.c.waiting_priority
    )


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
    "booked_for",
    "citizen_id",
]
SEQUENCE_UPSERTS = {dialect: DriverStatement(_sequence_upsert(dialect)) for dialect in UPSERTS}
INSERT_TICKET = DriverStatement(insert(_tickets).returning(_tickets.c.id), _TICKET_COLUMNS)
INSERT_AUDIT_EVENT = DriverStatement(
    insert(_audit_events),
    ["occurred_at", "action", "subject_type", "subject_id", "user_id", "device_id", "details"],
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
    booked_for: datetime | None
    citizen_id: str | None
    waiting_ahead: int


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


def issue_ticket(
    service: Service | ServiceInfo,
    *,
    priority: bool = False,
    kiosk_id: int | None = None,
    now=None,
    connection: Connection | DriverWriter | None = None,
    booked_for: datetime | None = None,
    citizen_id: str | None = None,
) -> IssuedTicket:
    """Give the next number of `service` today; the caller commits.

    Runs in the session's transaction, or on `connection` (the tap's writer; never on a day
    whose numbering changes). `booked_for` is the start of a checked-in booking's slot;
    `citizen_id` the number of the citizen ID card the ticket was taken with.
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
        "booked_for": booked_for,
        "citizen_id": citizen_id,
    }
    connection = connection or db.session.connection()
    ticket_id = INSERT_TICKET.execute(connection, **values).fetchone()[0]
    INSERT_AUDIT_EVENT.execute(
        connection,
        occurred_at=now,
        **event_values(
            "ticket.issued",
            "ticket",
            ticket_id,
            device_id=kiosk_id,
            details={"number": values["number"], "priority": priority},
        ),
    )
    # The counts include this ticket; the queue ahead is everyone else called before it
    # (core.queue.ordering): for a walk-in, every ticket of its kind issued before it. A
    # booked ticket whose slot has started goes before walk-ins issued earlier: counted.
    ahead = waiting_priority - 1 if priority else waiting - 1
    issued = IssuedTicket(id=ticket_id, waiting_ahead=ahead, **values)
    if started(booked_for, now):
        issued = replace(issued, waiting_ahead=waiting_ahead(issued, now))
    return issued


def take_ticket(
    service: ServiceInfo,
    *,
    priority: bool = False,
    kiosk_id: int | None = None,
    citizen_id: str | None = None,
) -> IssuedTicket:
    """The kiosk's tap: issue a ticket and commit it in a writer's transaction of its own
    (the session's on the first taps of a day whose numbering changes)."""
    now = utcnow()
    # End the session's transaction (the request's reads so far): what it reads or writes
    # next (the slip's print job) then sees this ticket.
    end_transaction()
    if service.numbering_change_due(local_today(now)):
        begin_write_transaction()
        ticket = issue_ticket(
            service, priority=priority, kiosk_id=kiosk_id, now=now, citizen_id=citizen_id
        )
        db.session.commit()
        return ticket
    with DriverWriter(db.engine) as writer:
        return issue_ticket(
            service,
            priority=priority,
            kiosk_id=kiosk_id,
            now=now,
            connection=writer,
            citizen_id=citizen_id,
        )
