"""Counters: their set-up from the admin screens, and the officers' sessions at them (one
officer per counter, one counter per officer, a local day at a time)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.audit import record_event
from core.clock import local_today, to_local, utcnow
from core.errors import InvalidInput
from core.models import Counter, CounterSession, Service, Ticket, TicketStatus, User
from core.queue.areas import refuse_long_area
from core.queue.errors import (
    CounterBusy,
    CounterInactive,
    CounterNotFound,
    CounterTaken,
    NoCounterSession,
)
from core.queue.services import owning_agency
from extensions import db

AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)


def active_counters() -> list[Counter]:
    """Counters in number order, with the services they serve."""
    return list(
        db.session.execute(
            db.select(Counter)
            .where(Counter.active.is_(True))
            .options(selectinload(Counter.services))
            .order_by(Counter.number)
        ).scalars()
    )


def find_counter(number: int, *, lock: bool = False) -> Counter:
    """The active counter with this number as citizens see it.

    With `lock`, the counter's row stays locked until the transaction ends (PostgreSQL;
    SQLite's write lock already serialises writers), so one counter's actions queue up.
    """
    statement = db.select(Counter).filter_by(number=number)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    counter = db.session.execute(statement).scalar_one_or_none()
    if counter is None:
        raise CounterNotFound(number=number)
    if not counter.active:
        raise CounterInactive(number=number)
    return counter


def current_ticket(counter: Counter) -> Ticket | None:
    """The ticket called to, or being served at, the counter (at most one)."""
    return db.session.execute(
        db.select(Ticket)
        .where(Ticket.counter_id == counter.id, Ticket.status.in_(AT_COUNTER))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def open_session_of(officer: User, now: datetime | None = None) -> CounterSession | None:
    """The officer's counter today, if they signed in to one and have not handed it back."""
    return db.session.execute(
        db.select(CounterSession)
        .filter_by(officer_id=officer.id, day=local_today(now), ended_at=None)
        .options(selectinload(CounterSession.counter).selectinload(Counter.services))
    ).scalar_one_or_none()


def session_at(counter: Counter, now: datetime | None = None) -> CounterSession | None:
    """Who works at the counter today."""
    return db.session.execute(
        db.select(CounterSession).filter_by(
            counter_id=counter.id, day=local_today(now), ended_at=None
        )
    ).scalar_one_or_none()


def sessions_today(now: datetime | None = None) -> dict[int, CounterSession]:
    """Open sessions of today by counter id (for the counter picker)."""
    sessions = db.session.execute(
        db.select(CounterSession)
        .filter_by(day=local_today(now), ended_at=None)
        .options(selectinload(CounterSession.officer))
    ).scalars()
    return {session.counter_id: session for session in sessions}


def require_session(officer: User, now: datetime | None = None) -> CounterSession:
    session = open_session_of(officer, now)
    if session is None:
        raise NoCounterSession()
    return session


def _refuse_if_busy(counter: Counter) -> None:
    ticket = current_ticket(counter)
    if ticket is not None:
        raise CounterBusy(number=counter.number, ticket=ticket.number)


def open_session(officer: User, counter_number: int, now: datetime | None = None):
    """Sign the officer in to a counter for today; moving from another counter hands it back.

    The counter's row lock and two partial unique indexes keep one officer per counter
    and one counter per officer, even when two people choose at the same instant.
    """
    now = now or utcnow()
    counter = find_counter(counter_number, lock=True)
    current = open_session_of(officer, now)
    if current is not None and current.counter_id == counter.id:
        return current
    taken = session_at(counter, now)
    if taken is not None:
        raise CounterTaken(
            number=counter.number,
            officer=taken.officer.full_name or taken.officer.username,
            since=to_local(taken.started_at).strftime("%H:%M"),
        )
    if current is not None:
        close_session(current, officer, now)
    session = CounterSession(counter=counter, officer=officer, day=local_today(now), started_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError:
        raise CounterTaken(
            _l("Quầy số {number} vừa được nhận cùng lúc ở nơi khác. Vui lòng chọn lại."),
            number=counter.number,
        ) from None
    record_event("counter_session.opened", session, user=officer, counter=counter.number)
    return session


def close_session(session: CounterSession, by: User, now: datetime | None = None) -> None:
    """Hand the counter back; refused while a ticket is still called or served there."""
    _refuse_if_busy(session.counter)
    session.ended_at = now or utcnow()
    db.session.flush()
    record_event(
        "counter_session.closed",
        session,
        user=by,
        counter=session.counter.number,
        officer=session.officer_id,
    )


NUMBER_RANGE = range(1, 1000)


@dataclass
class CounterFields:
    """What an admin types for a counter."""

    number: int
    name: str
    active: bool
    service_ids: list[int]
    agency_id: int | None = None  # None: the desk's own agency
    area: str = ""  # a named area of the hall, for boards by area ('' for none)


def list_counters() -> list[Counter]:
    """Every counter, active or not, by number, with its services."""
    return list(
        db.session.execute(
            db.select(Counter)
            .options(selectinload(Counter.services), selectinload(Counter.agency))
            .order_by(Counter.number)
        ).scalars()
    )


def chosen_services(service_ids: Iterable[int]) -> list[Service]:
    """The services with these ids, all of which must exist."""
    wanted = set(service_ids)
    if not wanted:
        return []
    services = list(
        db.session.execute(
            db.select(Service).where(Service.id.in_(wanted)).order_by(Service.code)
        ).scalars()
    )
    if len(services) != len(wanted):
        raise InvalidInput(_l("Có dịch vụ được chọn không còn tồn tại."), field="service_ids")
    return services


def clean_fields(counter: Counter | None, fields: CounterFields) -> CounterFields:
    """Checked fields: a free number from 1 to 999, a name (Quầy số N by default)."""
    if fields.number not in NUMBER_RANGE:
        raise InvalidInput(_l("Số quầy phải từ 1 đến 999."), field="number")
    name = " ".join(fields.name.split()) or f"Quầy số {fields.number}"
    if len(name) > 128:
        raise InvalidInput(_l("Tên quầy tối đa 128 ký tự."), field="name")
    query = db.select(Counter.id).where(Counter.number == fields.number)
    if counter is not None:
        query = query.where(Counter.id != counter.id)
    if db.session.execute(query).first() is not None:
        raise InvalidInput(
            _l("Đã có quầy số {number}. Mỗi quầy một số riêng."),
            field="number",
            number=fields.number,
        )
    area = " ".join((fields.area or "").split())
    refuse_long_area(area, "area")
    return CounterFields(
        fields.number,
        name,
        bool(fields.active),
        list(fields.service_ids),
        fields.agency_id,
        area,
    )


def snapshot(counter: Counter) -> dict:
    return {
        "number": counter.number,
        "name": counter.name,
        "active": counter.active,
        "services": [service.code for service in counter.services],
        "agency": counter.agency.code if counter.agency else None,
        "area": counter.area or "",
    }


def create_counter(fields: CounterFields, actor: User | None) -> Counter:
    """Add a counter serving the chosen services; the caller commits."""
    fields = clean_fields(None, fields)
    counter = Counter(
        number=fields.number,
        name=fields.name,
        active=fields.active,
        services=chosen_services(fields.service_ids),
        agency=owning_agency(fields.agency_id),
        area=fields.area,
    )
    db.session.add(counter)
    db.session.flush()
    record_event("counter.created", counter, user=actor, **snapshot(counter))
    return counter


def update_counter(counter: Counter, fields: CounterFields, actor: User) -> None:
    """Save an edited counter and its services; the caller commits."""
    fields = clean_fields(counter, fields)
    services = chosen_services(fields.service_ids)
    before = snapshot(counter)
    counter.number, counter.name, counter.active = fields.number, fields.name, fields.active
    counter.services = services
    counter.agency, counter.area = owning_agency(fields.agency_id), fields.area
    changes = {
        key: [before[key], value]
        for key, value in snapshot(counter).items()
        if before[key] != value
    }
    if changes:
        record_event("counter.updated", counter, user=actor, changes=changes)
