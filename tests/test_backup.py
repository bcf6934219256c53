"""Backup, wipe, restore: every row of every table comes back (SQLite and PostgreSQL passes)."""

import sqlite3

import pytest
from sqlalchemy import MetaData, text

from core.models import Ticket
from extensions import db
from ops.backup import file_kind
from tests import factories


def every_row() -> dict[str, list[tuple]]:
    """Each table's rows, in a stable order, read afresh from the database."""
    db.session.remove()
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    with db.engine.connect() as connection:
        return {
            name: sorted(connection.execute(table.select()).all(), key=repr)
            for name, table in metadata.tables.items()
        }


def wipe() -> None:
    """Drop every table, the schema version too: only the backup can bring them back."""
    db.session.remove()
    with db.engine.begin() as connection:
        db.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE alembic_version"))
    db.engine.dispose()


@pytest.fixture
def busy_desk(demo):
    from core.queue.calling import call_ticket
    from core.queue.counters import find_counter

    for code in ("GPLX", "PTIEN", "GPLX", "VTAI"):
        factories.ticket(code)
    factories.counter_session("canbo1", 1)
    ticket = db.session.execute(db.select(Ticket).order_by(Ticket.id)).scalars().first()
    call_ticket(ticket, find_counter(1))
    db.session.commit()


def test_backup_then_wipe_then_restore_gives_back_every_row(runner, busy_desk, tmp_path):
    before = every_row()
    assert sum(len(rows) for rows in before.values()) > 30
    path = tmp_path / "backups" / "onestop.backup"

    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert file_kind(path) == ("postgresql" if db.engine.dialect.name == "postgresql" else "sqlite")

    factories.ticket("GPLX")  # written after the backup: gone after the restore
    declined = runner.invoke(args=["restore", str(path)], input="n\n")
    assert declined.exit_code != 0 and "Tiếp tục?" in declined.output
    assert len(every_row()["ticket"]) == len(before["ticket"]) + 1, "declining changes nothing"

    wipe()
    restored = runner.invoke(args=["restore", "--yes", str(path)])
    assert restored.exit_code == 0, restored.output
    assert "Đã khôi phục" in restored.output
    assert every_row() == before


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(runner, demo, tmp_path):
    before = every_row()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("không phải bản sao lưu")
    other = tmp_path / "other.backup"
    if db.engine.dialect.name == "postgresql":
        sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
        wrong_kind = "là bản sao lưu SQLite"
    else:
        other.write_bytes(b"PGDMP" + bytes(200))
        wrong_kind = "là bản sao lưu PostgreSQL"
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE x (y)").connection.commit()

    cases = [(text_file, "không phải bản sao lưu"), (other, wrong_kind)]
    if db.engine.dialect.name == "sqlite":
        cases.append((foreign, "không phải dữ liệu của hệ thống một cửa"))
    for path, reason in cases:
        refused = runner.invoke(args=["restore", "--yes", str(path)])
        assert refused.exit_code == 1, refused.output
        assert reason in refused.output
    assert every_row() == before
