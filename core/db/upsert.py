"""INSERT … ON CONFLICT, the same on both databases (each dialect's own `insert`)."""

from sqlalchemy.dialects import postgresql, sqlite

from extensions import db

UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def session_upsert():
    """The `insert` with `on_conflict_do_update`/`_do_nothing` for the session's database."""
    return UPSERTS[db.session.get_bind().dialect.name]
