"""Counters and the officers signed in to them for the day."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.audit import record_event
from core.clock import local_today, to_local, utcnow
from core.models import Counter, CounterSession, Ticket, TicketStatus, User
from core.queue.errors import (
    CounterBusy,
    CounterInactive,
    CounterNotFound,
    CounterTaken,
    NoCounterSession,
)
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
