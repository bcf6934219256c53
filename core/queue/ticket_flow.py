"""The ticket state machine: one transition table, and one function that moves a ticket.

Every move checks the table first (an illegal move raises and changes nothing), then sets
the status and the times that make waiting time (issued → first called) and service time
(started → finished) exact, writes a call event for the boards on calls and recalls, and
records an audit event saying who, where and when, all in the caller's transaction.

A called citizen is not yet served: service starts when the officer says the citizen
arrived (START), and only a ticket being served may be finished, so every finished ticket's
service time begins at the citizen's arrival. A called ticket is called again, marked
absent (after the number of calls the desk's settings give) or started.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.models import CallEvent, CallKind, Counter, Device, Ticket, TicketStatus, User
from core.notices.events import ticket_called
from core.queue.errors import IllegalTransition, NotEnoughCalls, NotStarted
from core.queue.settings import NO_SHOW_AFTER_CALLS, queue_setting
from extensions import db


class TicketAction(enum.StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    PUT_BACK = "put_back"
    TRANSFER = "transfer"


WAITING, CALLED, SERVING = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING

# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketStatus], TicketStatus]] = {
    TicketAction.CALL: (frozenset({WAITING}), CALLED),
    TicketAction.RECALL: (frozenset({CALLED}), CALLED),
    TicketAction.START: (frozenset({CALLED}), SERVING),
    TicketAction.FINISH: (frozenset({SERVING}), TicketStatus.DONE),
    TicketAction.NO_SHOW: (frozenset({CALLED}), TicketStatus.NO_SHOW),
    TicketAction.PUT_BACK: (frozenset({CALLED, SERVING}), WAITING),
    TicketAction.TRANSFER: (frozenset({CALLED, SERVING}), WAITING),
}

ACTION_LABELS = {
    TicketAction.CALL: _l("gọi"),
    TicketAction.RECALL: _l("gọi lại"),
    TicketAction.START: _l("bắt đầu phục vụ"),
    TicketAction.FINISH: _l("hoàn thành"),
    TicketAction.NO_SHOW: _l("đánh dấu vắng mặt"),
    TicketAction.PUT_BACK: _l("trả về hàng chờ"),
    TicketAction.TRANSFER: _l("chuyển"),
}

STATUS_LABELS = {
    TicketStatus.WAITING: _l("đang chờ trong hàng"),
    TicketStatus.CALLED: _l("đang được gọi"),
    TicketStatus.SERVING: _l("đang được phục vụ"),
    TicketStatus.DONE: _l("đã phục vụ xong"),
    TicketStatus.NO_SHOW: _l("đã được đánh dấu vắng mặt"),
    TicketStatus.CANCELLED: _l("đã bị hủy"),
}


@dataclass(frozen=True)
class Actor:
    """Who acts at a counter: a signed-in officer, or a counter device (keypad, button)."""

    user: User | None = None
    device: Device | None = None


@dataclass
class Move:
    """One requested move and everything its effects need."""

    ticket: Ticket
    action: TicketAction
    counter: Counter
    actor: Actor
    now: datetime
    officer: User | None = None
    details: dict | None = None


def can(ticket: Ticket, action: TicketAction) -> bool:
    """Whether the table allows `action` on the ticket as it is now."""
    return ticket.status in TRANSITIONS[action][0]


def no_show_after_calls() -> int:
    """How many calls a citizen gets before the ticket may be marked absent (a setting)."""
    return queue_setting(NO_SHOW_AFTER_CALLS)


def allowed(ticket: Ticket, action: TicketAction) -> bool:
    """Whether `action` would be accepted now: the table and the calls before absent."""
    if not can(ticket, action):
        return False
    return action is not TicketAction.NO_SHOW or ticket.call_count >= no_show_after_calls()


def check(ticket: Ticket, action: TicketAction) -> None:
    """Refuse, with a clear message and nothing changed, a move the rules do not allow."""
    if action is TicketAction.FINISH and ticket.status == CALLED:
        raise NotStarted(ticket=ticket.number)
    if not can(ticket, action):
        raise IllegalTransition(
            action=ACTION_LABELS[action], ticket=ticket.number, status=STATUS_LABELS[ticket.status]
        )
    if action is TicketAction.NO_SHOW and ticket.call_count < no_show_after_calls():
        raise NotEnoughCalls(
            required=no_show_after_calls(), ticket=ticket.number, count=ticket.call_count
        )


def move(
    ticket: Ticket,
    action: TicketAction,
    *,
    counter: Counter,
    actor: Actor,
    now: datetime,
    officer: User | None = None,
    **details,
) -> Ticket:
    """Apply `action` to the ticket at `counter`; the caller commits."""
    check(ticket, action)
    previous = ticket.status
    step = Move(ticket, action, counter, actor, now, officer, details)
    ticket.status = TRANSITIONS[action][1]
    EFFECTS[action](step)
    db.session.flush()
    record_event(
        f"ticket.{action.value}",
        ticket,
        user=actor.user,
        device=actor.device,
        number=ticket.number,
        counter=counter.number,
        from_status=previous.value,
        to_status=ticket.status.value,
        **details,
    )
    if action is TicketAction.CALL:
        ticket_called(ticket, counter, now)  # notices, sent after the commit by the worker
    return ticket


def _announce(step: Move, kind: CallKind) -> None:
    """A call event: what the hall's boards show and speak."""
    db.session.add(
        CallEvent(ticket=step.ticket, counter=step.counter, kind=kind, called_at=step.now)
    )


def _call(step: Move) -> None:
    ticket = step.ticket
    ticket.counter_id = step.counter.id
    ticket.officer_id = step.officer.id if step.officer else None
    if ticket.called_at is None:  # waiting time is measured to the first call
        ticket.called_at = step.now
    ticket.call_count = 1
    _announce(step, CallKind.CALL)


def _recall(step: Move) -> None:
    step.ticket.call_count += 1
    _announce(step, CallKind.RECALL)


def _start(step: Move) -> None:
    step.ticket.serving_started_at = step.now
    if step.officer is not None:
        step.ticket.officer_id = step.officer.id


def _finish(step: Move) -> None:
    # Only a ticket being served gets here (the table): its service began at the arrival.
    step.ticket.finished_at = step.now


def _no_show(step: Move) -> None:
    step.ticket.finished_at = step.now


def _back_to_queue(step: Move) -> None:
    """Waiting again, in its old place: the queue is ordered by the untouched issued_at."""
    ticket = step.ticket
    ticket.counter_id = None
    ticket.officer_id = None
    ticket.serving_started_at = None
    ticket.call_count = 0


def _transfer(step: Move) -> None:
    _back_to_queue(step)
    details = step.details or {}
    if details.get("to_service_id") is not None:
        step.ticket.service_id = details["to_service_id"]
    # Sent to one counter: only that counter calls it (see core.queue.calling.counter_queue).
    step.ticket.counter_id = details.get("to_counter_id")


EFFECTS: dict[TicketAction, Callable[[Move], None]] = {
    TicketAction.CALL: _call,
    TicketAction.RECALL: _recall,
    TicketAction.START: _start,
    TicketAction.FINISH: _finish,
    TicketAction.NO_SHOW: _no_show,
    TicketAction.PUT_BACK: _back_to_queue,
    TicketAction.TRANSFER: _transfer,
}
assert set(EFFECTS) == set(TRANSITIONS) == set(TicketAction)
