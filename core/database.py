"""Engine settings that make SQLite safe and quick for several processes writing at once."""

import fcntl
import os

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from extensions import db

IMMEDIATE = "sqlite_begin_immediate"
WRITER_LOCK = "onestop_writer_lock"


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.split(".")[0] == "sqlite3"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """WAL journal, a generous busy timeout, and transactions we begin ourselves.

    synchronous=NORMAL in WAL mode keeps every committed ticket across a crash of the
    app or of a worker; only a power cut can lose the last moments (SQLITE_SYNCHRONOUS=FULL
    closes that too, at a cost per commit; PostgreSQL is the production database).
    """
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    synchronous = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    cursor.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    path = cursor.execute("PRAGMA database_list").fetchone()[2]
    cursor.close()
    if path:
        connection_record.info[WRITER_LOCK] = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)


@event.listens_for(Engine, "begin")
def _begin(connection) -> None:
    """Reads begin a deferred transaction; writes queue for the writer's turn first.

    A deferred transaction that reads and then writes cannot wait for SQLite's lock (it
    answers "database is locked" at once when another process wrote in between), so a
    transaction that will write begins with BEGIN IMMEDIATE. Writers from every process
    first queue on a kernel file lock, which wakes the next one the moment the lock is
    free, instead of SQLite's busy handler that polls with growing sleeps.
    """
    if connection.dialect.name != "sqlite":
        return
    if not connection.get_execution_options().get(IMMEDIATE, False):
        connection.exec_driver_sql("BEGIN")
        return
    lock = connection.connection._connection_record.info.get(WRITER_LOCK)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_EX)
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Pool, "reset")
def _release_writer_lock(dbapi_connection, connection_record, reset_state) -> None:
    """The transaction has ended and the connection goes back to the pool: next writer."""
    lock = connection_record.info.get(WRITER_LOCK)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_UN)


@event.listens_for(Pool, "close")
def _close_writer_lock(dbapi_connection, connection_record) -> None:
    lock = connection_record.info.pop(WRITER_LOCK, None)
    if lock is not None:
        os.close(lock)


def begin_write_transaction() -> None:
    """Start the session's transaction as a writer (a no-op beyond SQLite).

    Call it before the first query of a unit of work that will write.
    """
    if db.session().get_transaction() is None:
        db.session.connection(execution_options={IMMEDIATE: True})
