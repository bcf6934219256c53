"""Transactions: who may write when, on SQLite and PostgreSQL.

**The SQLite writer's turn.** SQLite lets one transaction write at a time. A request that
will write (every POST, or a domain call that asks with `begin_write_transaction`) begins
with `BEGIN IMMEDIATE`, after queueing on a kernel file lock beside the database
(`<db>-writer.lock`) that wakes the next writer, in any process, the moment the last one
commits or rolls back; a read begins a plain deferred transaction and never waits. The lock
is released when the connection goes back to the pool, and a fork starts with a fresh turn.

`DriverStatement` and `DriverWriter` are the tools of the kiosk's fast path, which
`core.queue.issuing` explains. PostgreSQL needs no writer's turn: its row locks order
concurrent writers.
"""

import fcntl
import os
import threading
from contextlib import contextmanager

from sqlalchemy import event, exc
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
    """Reads begin a deferred transaction; writes take the writer's turn first.

    (A deferred transaction that reads and then writes cannot wait for SQLite's lock: it
    answers "database is locked" at once when another process wrote in between. Hence
    BEGIN IMMEDIATE, after the kernel file lock, which wakes the next writer at once where
    SQLite's busy handler would poll with growing sleeps.)
    """
    if connection.dialect.name != "sqlite":
        return
    if not connection.get_execution_options().get(IMMEDIATE, False):
        run_on_driver(connection, "BEGIN")
        return
    _begin_sqlite_writer(connection)


def _begin_sqlite_writer(connection) -> None:
    """Queue on the kernel file lock, then BEGIN IMMEDIATE (the pool's reset unlocks)."""
    lock = connection.connection.info.get(WRITER_LOCK)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_EX)
    run_on_driver(connection, "BEGIN IMMEDIATE")


@event.listens_for(Pool, "reset")
def _release_writer_lock(dbapi_connection, connection_record, reset_state) -> None:
    """The transaction has ended and the connection goes back to the pool: next writer."""
    _unlock_writer(connection_record.info)


@event.listens_for(Pool, "close")
def _close_writer_lock(dbapi_connection, connection_record) -> None:
    lock = connection_record.info.pop(WRITER_LOCK, None)
    if lock is not None:
        os.close(lock)


def _unlock_writer(info: dict) -> None:
    lock = info.get(WRITER_LOCK)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_UN)


def commits_on_its_own(view):
    """Mark a view whose writes run in a transaction it begins itself, on a connection of
    its own (the request's session then begins no writer's transaction for it)."""
    view.commits_on_its_own = True
    return view


def begin_write_transaction() -> None:
    """Start the session's transaction as a writer (a no-op beyond SQLite).

    Call it before the first query of a unit of work that will write.
    """
    if db.session().get_transaction() is None:
        db.session.connection(execution_options={IMMEDIATE: True})


def end_transaction() -> None:
    """Commit the session's transaction, if one is open (the request's reads so far)."""
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()


def begin_write_transaction_afresh() -> None:
    """End what the session read so far, then start its next transaction as a writer.

    On SQLite a read transaction that starts writing fails at once ("database is locked")
    when another process committed since it began, whatever the busy timeout; a writer's
    transaction queues for its turn instead.
    """
    end_transaction()
    begin_write_transaction()


class DriverStatement:
    """A Core statement compiled once per dialect and run straight on the DB-API cursor.

    For the few statements of the kiosk's tap, run thousands of times an hour: it skips
    SQLAlchemy's per-call cache look-up, parameter set-up and result wrapping (tens of
    microseconds each), while values still convert through their column types' own bind
    processors. Runs in the transaction of the connection it is given.
    """

    def __init__(self, statement, columns: list[str] | None = None):
        self.statement = statement
        self.columns = columns
        self._by_dialect: dict[str, tuple] = {}

    def _compiled(self, dialect) -> tuple:
        prepared = self._by_dialect.get(dialect.name)
        if prepared is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
            processors = {
                name: processor
                for name in compiled.params
                if (
                    processor := compiled.binds[name]
                    .type.dialect_impl(dialect)
                    .bind_processor(dialect)
                )
            }
            order = tuple(compiled.positiontup) if compiled.positional else None
            prepared = (compiled.string, order, compiled.params, processors)
            self._by_dialect[dialect.name] = prepared
        return prepared

    def execute(self, connection, **values):
        """Run with `values` on a SQLAlchemy connection; returns the DB-API cursor."""
        sql, order, defaults, processors = self._compiled(connection.dialect)
        values = {**defaults, **values}
        for name, process in processors.items():
            values[name] = process(values[name])
        return run_on_driver(
            connection, sql, tuple(values[name] for name in order) if order else values
        )


def run_on_driver(connection, sql: str, parameters=()):
    """Execute on the driver's own cursor, in the connection's transaction.

    `connection` is a SQLAlchemy connection or a `DriverWriter`. Driver errors come out as
    SQLAlchemy's, as from `Connection.execute` (so the app's handlers for a full disk or a
    lost server still answer them), and a lost connection is invalidated so the pool
    replaces it.
    """
    with _as_sqlalchemy_errors(connection.engine, sql, parameters, connection):
        cursor = connection.connection.driver_connection.cursor()
    with _as_sqlalchemy_errors(connection.engine, sql, parameters, connection, cursor):
        cursor.execute(sql, parameters)
    return cursor


@contextmanager
def _as_sqlalchemy_errors(engine: Engine, sql, parameters=None, connection=None, cursor=None):
    """Driver errors raised as SQLAlchemy's; a lost `connection` is invalidated."""
    dialect = engine.dialect
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        driver = connection.connection.driver_connection if connection is not None else None
        lost = dialect.is_disconnect(error, driver, cursor)
        if lost and connection is not None:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=engine.hide_parameters,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error


class DriverWriter:
    """A writer's transaction straight on a DB-API connection, committed on a clean exit:
    the kiosk's tap, with none of `Connection`'s or the pool's per-use bookkeeping.

        with DriverWriter(db.engine) as writer:
            STATEMENT.execute(writer, ...)

    On SQLite each process keeps one connection for it (a file connection never goes
    stale), which its threads take in turn: writers queue for SQLite's one write lock
    anyway, and the pool keeps its other connections for the rest of the app. It queues
    for the writer's turn as `begin_write_transaction` does and lets the next writer in as
    soon as it has committed or rolled back. Elsewhere it takes a pooled connection
    (checked after a server restart by the pool's pre-ping) and gives it back. It offers
    what `DriverStatement` and `run_on_driver` use of a connection. Not re-entrant: one
    writer at a time in a thread.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect
        self.kept = engine.dialect.name == "sqlite"
        self.lost: BaseException | None = None  # the driver's error that lost the connection

    def __enter__(self) -> "DriverWriter":
        if not self.kept:
            with _as_sqlalchemy_errors(self.engine, None):
                self.connection = self.engine.raw_connection()
            return self
        _kept_turn.acquire()
        self.connection = None
        try:
            with _as_sqlalchemy_errors(self.engine, None):
                self.connection = _kept_connection(self.engine)
            _begin_sqlite_writer(self)
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if not self.kept:
            try:
                if error_type is None:
                    self._commit()
            finally:
                self.connection.close()  # the pool's reset rolls back what is left
            return
        if self.lost is not None:  # the connection is gone, and its transaction with it
            self._discard()
            if error_type is None:  # the caller caught the error: still nothing committed
                with _as_sqlalchemy_errors(self.engine, "COMMIT"):
                    raise self.lost
            return
        try:
            if error_type is None:
                self._commit()
            else:
                self.connection.driver_connection.rollback()
        except BaseException:
            self._discard()  # closing it rolls back
            if error_type is None:
                raise
            return  # the error already on its way says what went wrong
        try:
            _unlock_writer(self.connection.info)
        finally:
            _kept_turn.release()

    def _commit(self) -> None:
        with _as_sqlalchemy_errors(self.engine, "COMMIT", None, self):
            self.connection.driver_connection.commit()

    def _discard(self) -> None:
        """After a failed BEGIN, COMMIT or ROLLBACK: give the kept connection back to the
        pool (whose reset rolls back and lets the next writer in) and take another next
        time."""
        try:
            if self.connection is not None:
                for key in [key for key, kept in _kept.items() if kept is self.connection]:
                    del _kept[key]
                self.connection.close()
        finally:
            _kept_turn.release()

    def invalidate(self, error: BaseException) -> None:
        self.connection.invalidate(error)
        self.lost = error


# SQLite: the writer connection each process keeps, per pool, and the turn its threads take.
_kept: dict[tuple[int, Pool], object] = {}
_kept_turn = threading.Lock()


def _new_turn_after_fork() -> None:
    """A child process starts with a free turn (the parent's may be held by a thread)."""
    global _kept_turn
    _kept_turn = threading.Lock()


os.register_at_fork(after_in_child=_new_turn_after_fork)


def _kept_connection(engine: Engine):
    """This process's writer connection from the engine's current pool, taken on first use;
    one from a pool replaced since (`dispose`) is closed."""
    key = (os.getpid(), engine.pool)
    connection = _kept.get(key)
    if connection is None:
        # (A parent's, inherited by fork, is left untouched: a child must not use it.)
        for stale in [other for other in _kept if other[0] == key[0]]:
            old = _kept.pop(stale)
            old.invalidate()  # closed for real: a disposed pool would keep it open
            old.close()
        connection = _kept[key] = engine.raw_connection()
    return connection
