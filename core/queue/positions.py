"""A ticket's place in its queue: finding it by its tracking token, its tracking page's
address, who will be called before it, and a rough estimate of the wait.

Two hundred phones follow their tickets every few seconds while the queue changes a couple
of times a second, so the places of the day's waiting tickets are ranked once per change
of the day's version, in one query, and shared by every tracking request of the process
(`place_in_queue`, core.queue.shared); `waiting_ahead` counts one ticket's queue itself.
Both follow the calling order (core.queue.ordering), which changes by itself when a booked
ticket's slot starts: the kept ranking holds until the next such start (`QueuePlaces.until`)
and is ranked again from then on, though the version has not changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, bindparam, func

from core.clock import local_today, local_zone, utcnow
from core.db.sql_time import LocalTime
from core.errors import TicketNotFound
from core.models import Counter, Service, Ticket, TicketStatus
from core.queue.board import board_version, version_columns, version_parameters, version_text
from core.queue.ordering import called_before, calling_order
from core.queue.shared import per_version
from extensions import db

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


@dataclass(frozen=True)
class TrackedService:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class TrackedCounter:
    number: int


@dataclass(frozen=True)
class TrackedTicket:
    """A ticket as its tracking page and JSON show it: plain values read in one row, with
    today's change version read in the same statement (`place_in_queue` keys on it)."""

    id: int
    service_id: int
    day: date
    sequence: int
    number: str
    priority: bool
    token: str
    status: TicketStatus
    issued_at: datetime
    counter_id: int | None
    booked_for: datetime | None
    service: TrackedService
    counter: TrackedCounter | None
    today: date
    version: str  # today's (core.queue.board.board_version)


def _tracking_statement():
    """Built once: a ticket by its token, with its service's names, its counter's number and
    today's version."""
    return (
        db.select(
            Ticket.id,
            Ticket.service_id,
            Ticket.day,
            Ticket.sequence,
            Ticket.number,
            Ticket.priority,
            Ticket.token,
            Ticket.status,
            Ticket.issued_at,
            Ticket.counter_id,
            Ticket.booked_for,
            Service.code,
            Service.name,
            Service.name_en,
            Counter.number,
            *version_columns(),
        )
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .where(Ticket.token == bindparam("token"))
    )


TRACKING = _tracking_statement()


def track_ticket(token: str) -> TrackedTicket:
    """The ticket behind a tracking token, as the phones following it read it (one row)."""
    if not token or len(token) > 64:
        raise TicketNotFound()
    today = local_today()
    parameters = {"token": token, **version_parameters(today)}
    row = db.session.connection().execute(TRACKING, parameters).one_or_none()
    if row is None:
        raise TicketNotFound()
    ticket, (code, name, name_en, counter_number), version = row[:11], row[11:15], row[15:]
    return TrackedTicket(
        *ticket,
        service=TrackedService(code, name, name_en),
        counter=None if counter_number is None else TrackedCounter(counter_number),
        today=today,
        version=version_text(today, version),
    )


def waiting_ahead(ticket, now: datetime | None = None) -> int:
    """How many waiting tickets of the same queue will be called before this one at `now`
    (core.queue.ordering: priority first, then booked tickets whose slot has started, then
    by issue time)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return db.session.execute(
        db.select(func.count(Ticket.id)).where(
            Ticket.service_id == ticket.service_id,
            Ticket.day == ticket.day,
            Ticket.status == TicketStatus.WAITING,
            Ticket.id != ticket.id,
            called_before(ticket, now or utcnow()),
        )
    ).scalar_one()


# Every waiting ticket of a day in calling order (at :now) within its service.
WAITING_IN_ORDER = (
    db.select(Ticket.id, Ticket.service_id, Ticket.booked_for)
    .where(Ticket.day == bindparam("day", type_=Date), Ticket.status == TicketStatus.WAITING)
    .order_by(Ticket.service_id, *calling_order(bindparam("now", type_=Ticket.booked_for.type)))
)


@dataclass(frozen=True)
class QueuePlaces:
    """The places of a day's waiting tickets, true between two starts of their booked
    tickets' slots: from the last one `since` (None: none started) to the next one `until`
    (None: none to come). The clock inside those bounds changes nothing."""

    places: dict[int, int]
    since: datetime | None
    until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        return (self.since is None or self.since <= now) and (
            self.until is None or now < self.until
        )


def ranked_places(day: date, now: datetime) -> QueuePlaces:
    """How many will be called before each waiting ticket of `day` at `now`, by ticket id:
    one query that orders every waiting ticket in calling order within its service."""
    places: dict[int, int] = {}
    starts = set()
    service, ahead = None, 0
    rows = db.session.connection().execute(WAITING_IN_ORDER, {"day": day, "now": now})
    for ticket_id, service_id, booked_for in rows:
        ahead = ahead + 1 if service_id == service else 0
        service = service_id
        places[ticket_id] = ahead
        if booked_for is not None:
            starts.add(booked_for)
    since = max((start for start in starts if start <= now), default=None)
    until = min((start for start in starts if start > now), default=None)
    return QueuePlaces(places, since, until)


def queue_places(day: date, now: datetime | None = None) -> dict[int, int]:
    return ranked_places(day, now or utcnow()).places


def place_in_queue(ticket: Ticket | TrackedTicket, now: datetime | None = None) -> int:
    """`waiting_ahead`, read off the places ranked once for the day's current version and
    kept until a booked ticket's slot starts.

    The version is read with the ticket (a tracked ticket) or after it, so the places are as
    new as the ticket or newer; a waiting ticket they do not hold (called since, under
    PostgreSQL's read committed, or of an earlier day) is counted on its own.
    """
    if ticket.status != TicketStatus.WAITING:
        return 0
    now = now or utcnow()
    if isinstance(ticket, TrackedTicket) and ticket.day == ticket.today:
        version = ticket.version
    else:
        version = board_version(ticket.day)
    kept = per_version(
        "queue places",
        version,
        lambda: ranked_places(ticket.day, now),
        fresh=lambda places: places.holds_at(now),
    )
    ahead = kept.places.get(ticket.id)
    return waiting_ahead(ticket, now) if ahead is None else ahead


def waiting_queue(service_id: int, day: date, now: datetime | None = None) -> list[Ticket]:
    """A service's waiting tickets in calling order (core.queue.ordering) at `now`."""
    return list(
        db.session.execute(
            db.select(Ticket)
            .where(
                Ticket.service_id == service_id,
                Ticket.day == day,
                Ticket.status == TicketStatus.WAITING,
            )
            .order_by(*calling_order(now or utcnow()))
        ).scalars()
    )


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


def forget_service_times() -> None:
    """Forget the kept service times (tests, and after bulk changes)."""
    _service_time_cache.clear()


def estimated_wait_minutes(ticket: Ticket | TrackedTicket, ahead: int) -> int:
    """A rough wait: people ahead times the average service time, shared by the counters."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    pace = service_time(ticket.service_id)
    return math.ceil(ahead * pace.minutes / pace.counters)
