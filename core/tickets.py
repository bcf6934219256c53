"""Issuing tickets with gap-free daily numbers, and a ticket's place in the queue."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from extensions import db

from .audit import record_event
from .clock import local_today, to_local, utcnow
from .errors import ServiceClosed, ServiceInactive, ServiceNotFound, TicketNotFound
from .models import Counter, Device, Service, Ticket, TicketSequence, TicketStatus
from .numbering_changes import apply_due_numbering_change

UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_sequence(service_id: int, day: date) -> int:
    """Atomically take the next number of a service's day, in the caller's transaction.

    One upsert with RETURNING: the row lock (PostgreSQL) or the write lock (SQLite)
    serialises concurrent issuers, and a rolled-back transaction gives its number back,
    so the sequence stays gap-free. The ticket's unique constraint is the last guard.
    """
    insert = UPSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(TicketSequence)
        .values(service_id=service_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=["service_id", "day"],
            set_={"last_value": TicketSequence.last_value + 1},
        )
        .returning(TicketSequence.last_value)
    )
    return db.session.execute(statement).scalar_one()


def find_service(code: str) -> Service:
    """The service with this code, with its opening hours."""
    service = db.session.execute(
        db.select(Service).filter_by(code=code).options(selectinload(Service.hours))
    ).scalar_one_or_none()
    if service is None:
        raise ServiceNotFound(service=code)
    return service


def issue_ticket(
    service: Service, *, priority: bool = False, kiosk: Device | None = None, now=None
) -> Ticket:
    """Give the next number of `service` today; the caller commits."""
    now = now or utcnow()
    if not service.active:
        raise ServiceInactive(service=service.name)
    if not service.is_open_at(to_local(now)):
        raise ServiceClosed(service=service.name)
    day = local_today(now)
    sequence = next_sequence(service.id, day)
    apply_due_numbering_change(service, day)  # after the sequence: other issuers committed
    ticket = Ticket(
        service=service,
        day=day,
        sequence=sequence,
        number=service.format_number(sequence),
        priority=priority,
        token=secrets.token_urlsafe(16),
        status=TicketStatus.WAITING,
        issued_at=now,
        kiosk_id=kiosk.id if kiosk is not None else None,
    )
    db.session.add(ticket)
    db.session.flush()
    record_event("ticket.issued", ticket, device=kiosk, number=ticket.number, priority=priority)
    return ticket


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
    durations = db.session.execute(
        db.select(Ticket.serving_started_at, Ticket.finished_at).where(
            Ticket.service_id == service_id,
            Ticket.status == TicketStatus.DONE,
            Ticket.serving_started_at.is_not(None),
            Ticket.finished_at.is_not(None),
            Ticket.issued_at >= now - timedelta(days=30),
        )
    ).all()
    if durations:
        total = sum((finished - started).total_seconds() for started, finished in durations)
        minutes = max(total / len(durations) / 60, 1.0)
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
    """Forget cached statistics (tests, and after bulk changes)."""
    _service_time_cache.clear()


def estimated_wait_minutes(ticket: Ticket, ahead: int) -> int:
    """A rough wait: people ahead times the average service time, shared by the counters."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    pace = service_time(ticket.service_id)
    return math.ceil(ahead * pace.minutes / pace.counters)


def waiting_counts(day: date) -> dict[int, int]:
    """Waiting tickets per service id on a local day."""
    rows = db.session.execute(
        db.select(Ticket.service_id, func.count(Ticket.id))
        .where(Ticket.day == day, Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.service_id)
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
