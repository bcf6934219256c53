"""Counters calling at the same instant never receive the same ticket, and skip none.

Against real gunicorn workers (separate processes and connections) on SQLite, and on
PostgreSQL in the PostgreSQL pass; and, inside one process, two open transactions show
how each database keeps them apart: SKIP LOCKED on PostgreSQL, the write lock on SQLite.
"""

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from conftest import POSTGRES_URL
from core.accounts.devices import authenticate_device
from core.db.transactions import begin_write_transaction
from core.models import CallEvent, DeviceKind, Ticket, TicketSequence, TicketStatus
from core.queue import calling
from core.queue.ticket_flow import Actor
from counter_caller import press_next_until_empty
from extensions import db
from tests import factories

# code: tickets; priority for every seventh ticket
TICKETS = {"GPLX": 36, "PTIEN": 24, "VTAI": 16, "KCHT": 8, "TRAKQ": 6}
SERVED_BY = {
    1: {"GPLX"},
    2: {"GPLX", "PTIEN"},
    3: {"PTIEN", "VTAI"},
    4: {"VTAI", "KCHT"},
    5: {"TRAKQ", "GPLX", "PTIEN", "VTAI", "KCHT"},
}


@pytest.mark.slow
def test_five_counters_calling_at_once_share_no_ticket_and_skip_none(live_server):
    position = 0
    for code, amount in TICKETS.items():
        for _ in range(amount):
            position += 1
            factories.ticket(code, priority=position % 7 == 0)
    keys = {number: factories.device("counter", counter=number).key for number in SERVED_BY}
    total = sum(TICKETS.values())
    spawn = multiprocessing.get_context("spawn")
    with (
        spawn.Manager() as manager,
        ProcessPoolExecutor(max_workers=len(keys), mp_context=spawn) as pool,
    ):
        ready = manager.Barrier(len(keys))  # the keypads press together, once all are up
        futures = [
            pool.submit(press_next_until_empty, live_server.url, key, number, ready, total + 1)
            for number, key in keys.items()
        ]
        results = [future.result(timeout=120) for future in futures]

    received = {counter: numbers for counter, numbers, _, _ in results}
    everything = [number for numbers in received.values() for number in numbers]
    assert len(everything) == len(set(everything)), "a ticket was given to two counters"
    db.session.rollback()
    tickets = {t.number: t for t in db.session.execute(db.select(Ticket)).scalars()}
    assert set(everything) == set(tickets), "a ticket was skipped"
    assert all(t.status == TicketStatus.DONE for t in tickets.values())
    # Every call took its ticket off the day's waiting count, exactly once.
    kept = db.session.execute(db.select(TicketSequence.waiting, TicketSequence.waiting_priority))
    assert set(kept.all()) == {(0, 0)}
    for counter, numbers in received.items():
        assert {tickets[n].service.code for n in numbers} <= SERVED_BY[counter]
        assert all(tickets[n].counter.number == counter for n in numbers)
        # Each counter took, every time, the first ticket left: its own calls are in order.
        keys_in_order = [
            (not tickets[n].priority, tickets[n].issued_at, tickets[n].id) for n in numbers
        ]
        assert keys_in_order == sorted(keys_in_order)
    calls = db.session.execute(db.select(CallEvent.ticket_id, CallEvent.counter_id)).all()
    assert sorted(ticket_id for ticket_id, _ in calls) == sorted(t.id for t in tickets.values())
    assert all(
        tickets_by_id(tickets)[ticket_id].counter_id == counter_id
        for ticket_id, counter_id in calls
    )
    windows = [(started, ended) for _, numbers, started, ended in results if numbers]
    assert max(start for start, _ in windows) < min(end for _, end in windows), "ran one by one"
    assert sum(1 for numbers in received.values() if numbers) >= 4


def tickets_by_id(tickets: dict) -> dict:
    return {ticket.id: ticket for ticket in tickets.values()}


def test_two_open_transactions_never_take_the_same_ticket(app, demo):
    first, second = factories.ticket("GPLX"), factories.ticket("GPLX")
    keys = {number: factories.device("counter", counter=number).key for number in (1, 2)}
    a_has_called, b_is_done = threading.Event(), threading.Event()
    results = {}

    def counter(number: int, action):
        with app.app_context():
            try:
                action(number)
            finally:
                db.session.remove()

    def call(number: int) -> str:
        begin_write_transaction()
        device = authenticate_device(keys[number], DeviceKind.COUNTER)
        return calling.call_next(number, Actor(device=device)).called.number

    def counter_one(number):
        results[number] = call(number)  # A001, and the transaction stays open…
        a_has_called.set()
        # …while counter 2 calls: PostgreSQL skips the locked row and answers at once;
        # SQLite makes counter 2 wait for the write lock until this commits.
        results["b_done_while_a_open"] = b_is_done.wait(timeout=5 if POSTGRES_URL else 0.5)
        db.session.commit()

    def counter_two(number):
        a_has_called.wait(timeout=10)
        results[number] = call(number)
        db.session.commit()
        b_is_done.set()

    threads = [
        threading.Thread(target=counter, args=(1, counter_one)),
        threading.Thread(target=counter, args=(2, counter_two)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert (results[1], results[2]) == (first.number, second.number)
    assert results["b_done_while_a_open"] is bool(POSTGRES_URL)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(CallEvent.id))).scalar_one() == 2
