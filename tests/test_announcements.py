"""Calling tickets to counters: what the ticket, the call log and the audit trail record."""

import pytest
import time_machine

from conftest import local_time
from core.announcements import (
    CallNotAllowed,
    CounterInactive,
    RecallNotAllowed,
    announce_call,
)
from core.models import AuditEvent, CallEvent, CallKind, Counter, TicketStatus, User
from core.tickets import find_service, issue_ticket
from extensions import db

MORNING = local_time(2026, 3, 2, 8, 15)


def counter(number: int) -> Counter:
    return db.session.execute(db.select(Counter).filter_by(number=number)).scalar_one()


def rows() -> tuple[int, int]:
    return (
        db.session.execute(db.select(db.func.count(CallEvent.id))).scalar_one(),
        db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one(),
    )


@time_machine.travel(MORNING, tick=False)
def test_a_call_marks_the_ticket_and_writes_the_call_and_its_audit_event(demo):
    ticket = issue_ticket(find_service("GPLX"))
    officer = db.session.execute(db.select(User).filter_by(username="canbo1")).scalar_one()
    event = announce_call(ticket, counter(3), officer=officer)
    db.session.commit()
    assert (ticket.status, ticket.counter.number, ticket.officer) == (
        TicketStatus.CALLED,
        3,
        officer,
    )
    assert ticket.called_at == MORNING
    assert ticket.call_count == 1
    assert (event.ticket, event.counter.number, event.kind, event.called_at) == (
        ticket,
        3,
        CallKind.CALL,
        MORNING,
    )
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="ticket.called")).scalar_one()
    assert (audit.subject_id, audit.user_id) == (ticket.id, officer.id)
    assert audit.details == {"number": "A001", "counter": 3, "call_event": event.id}


def test_a_recall_announces_again_and_keeps_the_first_call_time(demo):
    ticket = issue_ticket(find_service("PTIEN"))
    with time_machine.travel(MORNING, tick=False):
        announce_call(ticket, counter(2))
    with time_machine.travel(local_time(2026, 3, 2, 8, 17), tick=False):
        recall = announce_call(ticket, counter(2), "recall")
    db.session.commit()
    assert recall.kind is CallKind.RECALL
    assert recall.called_at == local_time(2026, 3, 2, 8, 17)
    assert ticket.called_at == MORNING
    assert ticket.call_count == 2
    actions = db.session.execute(db.select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
    assert list(actions)[-2:] == ["ticket.called", "ticket.recalled"]


@pytest.mark.parametrize(
    ("prepare", "kind", "at", "error"),
    [
        ("called at 1", "call", 2, CallNotAllowed),
        ("waiting", "recall", 1, RecallNotAllowed),
        ("called at 1", "recall", 2, RecallNotAllowed),
        ("done", "call", 1, CallNotAllowed),
        ("waiting", "call", "inactive", CounterInactive),
    ],
)
def test_calls_that_break_the_rules_are_refused_and_change_nothing(demo, prepare, kind, at, error):
    ticket = issue_ticket(find_service("GPLX"))
    if prepare == "called at 1":
        announce_call(ticket, counter(1))
    elif prepare == "done":
        ticket.status = TicketStatus.DONE
    if at == "inactive":
        target = counter(4)
        target.active = False
    else:
        target = counter(at)
    db.session.commit()
    before = (rows(), ticket.status, ticket.counter_id, ticket.call_count)
    with pytest.raises(error) as raised:
        announce_call(ticket, target, kind)
    assert raised.value.messages()["vi"] and raised.value.messages()["en"]
    assert raised.value.status == 409
    assert (rows(), ticket.status, ticket.counter_id, ticket.call_count) == before
