"""Calling and serving tickets at a counter: what the console's buttons and keypads do.

Each operation locks the counter's row (PostgreSQL; SQLite's write lock, taken before
every write request, already serialises writers), checks that the actor may work at this
counter, and moves tickets only through `core.queue.ticket_flow.move`. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_

from core.clock import local_today, utcnow
from core.models import (
    CallEvent,
    CallKind,
    Counter,
    Device,
    DeviceKind,
    Service,
    Ticket,
    TicketStatus,
    User,
)
from core.queue.counters import current_ticket, find_counter, session_at
from core.queue.errors import (
    NoCurrentTicket,
    NotAtCounter,
    StaleScreen,
    TransferTargetInvalid,
    WrongCounterDevice,
)
from core.queue.ordering import calling_order
from core.queue.ticket_flow import Actor, TicketAction, move
from extensions import db


class _Unchecked:
    """The caller does not say which ticket it saw (keypads)."""


UNCHECKED = _Unchecked()


@dataclass(frozen=True)
class CallResult:
    called: Ticket | None
    finished: Ticket | None


def callable_here(counter: Counter, day):
    """Waiting tickets this counter may call: its services' open queue, or sent to it."""
    service_ids = [service.id for service in counter.services]
    return and_(
        Ticket.day == day,
        Ticket.status == TicketStatus.WAITING,
        or_(
            and_(Ticket.counter_id.is_(None), Ticket.service_id.in_(service_ids)),
            Ticket.counter_id == counter.id,
        ),
    )


def counter_queue(counter: Counter, now: datetime | None = None, limit: int | None = None):
    """The tickets the counter will call, in calling order (`calling_order`)."""
    statement = (
        db.select(Ticket)
        .where(callable_here(counter, local_today(now)))
        .order_by(*calling_order(now or utcnow()))
        .limit(limit)
    )
    return list(db.session.execute(statement).scalars())


def queue_length(counter: Counter, now: datetime | None = None) -> int:
    return db.session.execute(
        db.select(func.count(Ticket.id)).where(callable_here(counter, local_today(now)))
    ).scalar_one()


def claim_next(counter: Counter, now: datetime) -> Ticket | None:
    """Take the first ticket in calling order that no other transaction holds.

    On PostgreSQL, FOR UPDATE SKIP LOCKED hands concurrent callers different rows and
    re-checks the status of rows changed meanwhile; on SQLite the caller already holds
    the database's write lock. The partial unique index on active tickets is the last guard.
    """
    statement = (
        db.select(Ticket)
        .where(callable_here(counter, local_today(now)))
        .order_by(*calling_order(now or utcnow()))
        .limit(1)
        .with_for_update(skip_locked=True, of=Ticket)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(statement).scalar_one_or_none()


def authorise(counter: Counter, actor: Actor, now: datetime) -> User | None:
    """Refuse an actor who may not work this counter; return the officer on duty there."""
    on_duty = session_at(counter, now)
    if actor.device is not None:
        device = actor.device
        if device.kind != DeviceKind.COUNTER or device.counter_id != counter.id:
            raise WrongCounterDevice(number=counter.number)
        return on_duty.officer if on_duty is not None else None
    if actor.user is None or on_duty is None or on_duty.officer_id != actor.user.id:
        raise NotAtCounter(number=counter.number)
    return actor.user


def _check_expected(current: Ticket | None, expected) -> None:
    """The console sends the ticket it showed; refuse if the counter moved on meanwhile."""
    if isinstance(expected, _Unchecked):
        return
    if (current.id if current is not None else None) != expected:
        raise StaleScreen()


def _at_counter(counter_number: int, actor: Actor, now: datetime):
    counter = find_counter(counter_number, lock=True)
    officer = authorise(counter, actor, now)
    return counter, officer


def call_next(
    counter_number: int, actor: Actor, *, expected=UNCHECKED, now: datetime | None = None
) -> CallResult:
    """Finish the ticket served at the counter, if any, then call the next one (or nobody).

    A ticket only called there is refused (`NotStarted`) and nothing changes: the officer
    starts it when the citizen arrives, calls it again or marks it absent.
    """
    now = now or utcnow()
    counter, officer = _at_counter(counter_number, actor, now)
    current = current_ticket(counter)
    _check_expected(current, expected)
    if current is not None:
        move(current, TicketAction.FINISH, counter=counter, actor=actor, now=now, officer=officer)
    ticket = claim_next(counter, now)
    if ticket is not None:
        move(ticket, TicketAction.CALL, counter=counter, actor=actor, now=now, officer=officer)
    return CallResult(called=ticket, finished=current)


def _current_at(counter_number: int, actor: Actor, expected, now: datetime):
    """The counter, its officer and the ticket called to or served there (never None)."""
    counter, officer = _at_counter(counter_number, actor, now)
    ticket = current_ticket(counter)
    _check_expected(ticket, expected)
    if ticket is None:
        raise NoCurrentTicket(number=counter.number)
    return counter, officer, ticket


def act_on_current(
    counter_number: int,
    action: TicketAction,
    actor: Actor,
    *,
    expected=UNCHECKED,
    now: datetime | None = None,
) -> Ticket:
    """Apply `action` to the ticket called to or served at the counter."""
    now = now or utcnow()
    counter, officer, ticket = _current_at(counter_number, actor, expected, now)
    return move(ticket, action, counter=counter, actor=actor, now=now, officer=officer)


def _transfer_targets(counter_number: int, service_code: str | None, to_counter_number):
    if service_code is None and to_counter_number is None:
        raise TransferTargetInvalid(_l("Hãy chọn dịch vụ hoặc quầy cần chuyển đến."))
    service = None
    if service_code is not None:
        service = db.session.execute(
            db.select(Service).filter_by(code=service_code)
        ).scalar_one_or_none()
        if service is None or not service.active:
            raise TransferTargetInvalid(
                _l("Không có dịch vụ “{service}” đang hoạt động."), service=service_code
            )
    target = None
    if to_counter_number is not None:
        if to_counter_number == counter_number:
            raise TransferTargetInvalid(_l("Không thể chuyển về chính quầy đang làm việc."))
        target = find_counter(to_counter_number)
    return service, target


def transfer(
    counter_number: int,
    actor: Actor,
    *,
    service_code: str | None = None,
    to_counter_number: int | None = None,
    expected=UNCHECKED,
    now: datetime | None = None,
) -> Ticket:
    """Send the current ticket to another service's queue and/or to one counter.

    It waits again in its old place in time: queues are ordered by issue time.
    """
    now = now or utcnow()
    service, target = _transfer_targets(counter_number, service_code, to_counter_number)
    counter, officer, ticket = _current_at(counter_number, actor, expected, now)
    if target is None and service.id == ticket.service_id:
        raise TransferTargetInvalid(
            _l("Số {ticket} đã thuộc dịch vụ này; hãy chọn dịch vụ khác."), ticket=ticket.number
        )
    return move(
        ticket,
        TicketAction.TRANSFER,
        counter=counter,
        actor=actor,
        now=now,
        officer=officer,
        to_service_id=service.id if service is not None else None,
        to_service=service.code if service is not None else None,
        to_counter_id=target.id if target is not None else None,
        to_counter=target.number if target is not None else None,
    )


@dataclass(frozen=True)
class CounterDay:
    """Today's figures of one counter, for the console."""

    served: int
    no_show: int
    average_wait_minutes: float | None
    average_service_minutes: float | None


def counter_day(counter: Counter, now: datetime | None = None) -> CounterDay:
    rows = db.session.execute(
        db.select(
            Ticket.status,
            Ticket.issued_at,
            Ticket.called_at,
            Ticket.serving_started_at,
            Ticket.finished_at,
        ).where(
            Ticket.counter_id == counter.id,
            Ticket.day == local_today(now),
            Ticket.status.in_([TicketStatus.DONE, TicketStatus.NO_SHOW]),
        )
    ).all()
    done = [row for row in rows if row.status == TicketStatus.DONE]
    waits = [(row.called_at - row.issued_at).total_seconds() for row in rows if row.called_at]
    services = [
        (row.finished_at - row.serving_started_at).total_seconds()
        for row in done
        if row.serving_started_at and row.finished_at
    ]
    return CounterDay(
        served=len(done),
        no_show=len(rows) - len(done),
        average_wait_minutes=sum(waits) / len(waits) / 60 if waits else None,
        average_service_minutes=sum(services) / len(services) / 60 if services else None,
    )


def call_ticket(
    ticket: Ticket,
    counter: Counter,
    kind: CallKind | str = CallKind.CALL,
    *,
    officer: User | None = None,
    device: Device | None = None,
    now: datetime | None = None,
) -> CallEvent:
    """Call a chosen ticket to `counter` (finishing the one served there first), or recall it.

    Returns the announcement that boards show and speak.
    """
    now = now or utcnow()
    actor = Actor(officer, device)
    if CallKind(kind) is CallKind.RECALL:
        move(ticket, TicketAction.RECALL, counter=counter, actor=actor, now=now, officer=officer)
    else:
        current = current_ticket(counter)
        if current is not None:
            move(current, TicketAction.FINISH, counter=counter, actor=actor, now=now)
        move(ticket, TicketAction.CALL, counter=counter, actor=actor, now=now, officer=officer)
    return db.session.execute(
        db.select(CallEvent).filter_by(ticket_id=ticket.id).order_by(CallEvent.id.desc()).limit(1)
    ).scalar_one()
