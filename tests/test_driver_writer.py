"""The kiosk's writer transaction: all of it or nothing, and the writer's turn always handed on."""

import contextlib
import fcntl
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from core.audit import event_values
from core.clock import utcnow
from core.db.transactions import DriverWriter
from core.models import AuditEvent, Ticket
from core.queue.issuing import INSERT_AUDIT_EVENT, take_ticket
from core.queue.service_lookup import service_info
from extensions import db


def count(model) -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def another_writer_gets_in_at_once() -> bool:
    """Whether another process could begin writing right now, without waiting."""
    if db.engine.dialect.name == "sqlite":
        path = db.engine.url.database
        lock = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(lock)
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    other = create_engine(db.engine.url)
    try:
        with other.connect() as connection:
            connection.execute(text("SET lock_timeout = '100ms'"))
            connection.execute(text("LOCK TABLE ticket_sequence IN EXCLUSIVE MODE"))
        return db.engine.pool.checkedout() == 0
    finally:
        other.dispose()


def audit_event(writer: DriverWriter) -> None:
    INSERT_AUDIT_EVENT.execute(
        writer, occurred_at=utcnow(), **event_values("device.updated", "device", None)
    )


def test_a_tap_commits_and_hands_the_writers_turn_on(demo):
    before = count(Ticket)
    take_ticket(service_info("GPLX"))
    assert count(Ticket) == before + 1
    db.session.rollback()
    assert another_writer_gets_in_at_once()


def test_a_failure_inside_writes_nothing_and_hands_the_turn_on(demo):
    events = count(AuditEvent)
    with pytest.raises(RuntimeError), DriverWriter(db.engine) as writer:
        audit_event(writer)
        raise RuntimeError("the tap failed half-way")
    assert count(AuditEvent) == events
    db.session.rollback()
    assert another_writer_gets_in_at_once()
    with DriverWriter(db.engine) as writer:
        audit_event(writer)
    assert count(AuditEvent) == events + 1, "the next tap writes as usual"


def test_sqlite_keeps_one_writer_connection_until_the_pool_is_replaced(demo):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps a writer connection; PostgreSQL's come from the pool")
    with DriverWriter(db.engine) as writer:
        first = writer.connection.driver_connection
    with pytest.raises(RuntimeError), DriverWriter(db.engine) as writer:
        raise RuntimeError("a refused tap")
    with DriverWriter(db.engine) as writer:
        assert writer.connection.driver_connection is first
    db.session.remove()
    db.engine.dispose()  # as after a restore, or a change of settings
    with DriverWriter(db.engine) as writer:
        audit_event(writer)
        assert writer.connection.driver_connection is not first
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")  # the old connection was closed
    assert another_writer_gets_in_at_once()


def test_a_lost_connection_is_replaced_and_the_turn_handed_on(demo):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's kept connection; the PostgreSQL restart test covers pooled ones")
    events = count(AuditEvent)
    with pytest.raises(DBAPIError) as raised, DriverWriter(db.engine) as writer:
        writer.connection.driver_connection.close()  # as if the driver lost it
        audit_event(writer)
    assert raised.value.connection_invalidated
    db.session.rollback()
    assert another_writer_gets_in_at_once()
    with pytest.raises(DBAPIError), DriverWriter(db.engine) as writer:
        writer.connection.driver_connection.close()
        with contextlib.suppress(DBAPIError):  # a caller that swallows the error
            audit_event(writer)
    with DriverWriter(db.engine) as writer:
        audit_event(writer)
    assert count(AuditEvent) == events + 1


def test_threads_of_one_process_take_turns(app, demo):
    """Threaded servers: taps wait their turn, every number is given once, and more threads
    than the pool holds (15) do not run it dry."""
    service = service_info("PTIEN")

    def issue(count: int) -> list[int]:
        with app.app_context():
            return [take_ticket(service).sequence for _ in range(count)]

    with ThreadPoolExecutor(20) as threads:
        issued = [number for numbers in threads.map(issue, [10] * 20) for number in numbers]
    assert sorted(issued) == list(range(1, 201))
    db.session.rollback()
    assert another_writer_gets_in_at_once()
