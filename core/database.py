"""Engine settings that make SQLite safe for several processes writing at once."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from extensions import db

IMMEDIATE = "sqlite_begin_immediate"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """WAL journal, a generous busy timeout, and transactions we begin ourselves."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin(connection) -> None:
    """Reads begin a deferred transaction; writes take SQLite's write lock up front.

    A deferred transaction that reads and then writes cannot wait for the lock (SQLite
    answers "database is locked" at once when another process wrote in between), so a
    transaction that will write starts with BEGIN IMMEDIATE and queues for the lock instead.
    """
    if connection.dialect.name != "sqlite":
        return
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write_transaction() -> None:
    """Start the session's transaction as a writer (a no-op beyond SQLite).

    Call it before the first query of a unit of work that will write.
    """
    if db.session().get_transaction() is None:
        db.session.connection(execution_options={IMMEDIATE: True})
