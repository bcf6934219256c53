"""The day's waiting counts kept on the sequence rows always equal a count of the tickets.

The kiosk reads the queue ahead off those rows instead of counting tickets on every tap, so
every way a ticket enters or leaves a queue must move them: issuing, calls, put-backs,
transfers between services, a rolled-back issue, a direct change through the ORM.
"""

import random
from collections import Counter as Tally
from datetime import timedelta

import pytest
import time_machine

from conftest import local_time
from core.errors import DomainError
from core.models import Ticket, TicketSequence, TicketStatus
from core.queue import calling
from core.queue.issuing import issue_ticket
from core.queue.positions import waiting_ahead
from core.queue.service_lookup import find_service
from core.queue.ticket_flow import Actor, TicketAction
from core.queue.waiting_counts import waiting_counts
from extensions import db
from tests import factories

SERVICES = ["GPLX", "PTIEN", "VTAI"]
COUNTER_ACTIONS = [
    TicketAction.RECALL,
    TicketAction.START,
    TicketAction.FINISH,
    TicketAction.NO_SHOW,
    TicketAction.PUT_BACK,
]


def kept_counts() -> dict:
    rows = db.session.execute(
        db.select(
            TicketSequence.service_id,
            TicketSequence.day,
            TicketSequence.waiting,
            TicketSequence.waiting_priority,
        )
    ).all()
    return {(row[0], row[1]): (row[2], row[3]) for row in rows if row[2] or row[3]}


def counted() -> dict:
    tally: Tally = Tally()
    for service_id, day, priority in db.session.execute(
        db.select(Ticket.service_id, Ticket.day, Ticket.priority).where(
            Ticket.status == TicketStatus.WAITING
        )
    ):
        tally[(service_id, day, "all")] += 1
        tally[(service_id, day, "priority")] += bool(priority)
    keys = {(service_id, day) for service_id, day, _ in tally}
    return {key: (tally[(*key, "all")], tally[(*key, "priority")]) for key in sorted(keys)}


def assert_counts_true() -> None:
    db.session.expire_all()
    assert kept_counts() == counted()


@pytest.fixture
def desk(demo):
    """canbo1 at counter 2 (GPLX, PTIEN), canbo2 at counter 3 (PTIEN, VTAI)."""
    with time_machine.travel(local_time(2026, 3, 2, 7, 30), tick=False):
        factories.counter_session("canbo1", 2)
        factories.counter_session("canbo2", 3)
    return {2: Actor(user=factories.user("canbo1")), 3: Actor(user=factories.user("canbo2"))}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_stay_true_through_a_random_morning(desk, seed):
    chance = random.Random(seed)
    start = local_time(2026, 3, 2, 8, 0)
    for minute in range(240):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            roll = chance.random()
            try:
                if roll < 0.4:
                    priority = chance.random() < 0.2
                    issued = issue_ticket(find_service(chance.choice(SERVICES)), priority=priority)
                    db.session.commit()
                    # The kiosk's figure agrees with a count of the tickets ahead.
                    assert issued.waiting_ahead == waiting_ahead(db.session.get(Ticket, issued.id))
                elif roll < 0.6:
                    calling.call_next(chance.choice([2, 3]), desk[2] if roll < 0.5 else desk[3])
                elif roll < 0.85:
                    counter = chance.choice([2, 3])
                    calling.act_on_current(counter, chance.choice(COUNTER_ACTIONS), desk[counter])
                elif roll < 0.95:
                    counter = chance.choice([2, 3])
                    calling.transfer(counter, desk[counter], service_code=chance.choice(SERVICES))
                else:
                    issue_ticket(find_service(chance.choice(SERVICES)))
                    db.session.rollback()  # the number and the count go back
                db.session.commit()
            except DomainError:
                db.session.rollback()
            assert_counts_true()
    assert sum(waiting for waiting, _ in kept_counts().values()) > 0


def test_counts_follow_direct_changes_and_start_afresh_each_day(desk):
    with time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False):
        first = factories.ticket("GPLX")
        second = factories.ticket("GPLX", priority=True)
        factories.ticket("PTIEN")
        first.status = TicketStatus.CANCELLED
        db.session.flush()
        db.session.rollback()  # flushed, then given up: nobody moved
        assert_counts_true()
        first.status = TicketStatus.CANCELLED  # an administrator's change through the ORM
        db.session.commit()
        assert_counts_true()
        second.service_id = find_service("VTAI").id  # moved to another queue by hand
        db.session.commit()
        assert_counts_true()
        today = waiting_counts(second.day)
        assert today == {find_service("PTIEN").id: 1, find_service("VTAI").id: 1}
        db.session.delete(second)
        db.session.commit()
        assert_counts_true()
        gplx = find_service("GPLX")
        db.session.add(  # a ticket written by hand, given its service rather than its id
            Ticket(
                service=gplx,
                day=first.day,
                sequence=99,
                number="A099",
                token="by-hand",
                issued_at=first.issued_at,
            )
        )
        db.session.commit()
        assert_counts_true()
    with time_machine.travel(local_time(2026, 3, 3, 8, 0), tick=False):
        ticket = factories.ticket("PTIEN")
        assert ticket.number == "B001"
        assert waiting_counts(ticket.day) == {ticket.service_id: 1}
        assert_counts_true()
