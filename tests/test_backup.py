"""Backup, wipe, restore: every row of every table comes back (SQLite and PostgreSQL passes)."""

import hashlib
import os
import sqlite3
import stat

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
        refused = runner.invoke(args=["restore", "--yes", "--without-checksum", str(path)])
        assert refused.exit_code == 1, refused.output
        assert reason in refused.output
    assert every_row() == before


def test_backup_files_are_readable_by_their_owner_only(runner, demo, tmp_path):
    previous = os.umask(0o022)  # the usual umask would leave them readable by everyone
    try:
        path = tmp_path / "backups" / "daily" / "onestop.backup"
        made = runner.invoke(args=["backup", str(path)])
    finally:
        os.umask(previous)
    assert made.exit_code == 0, made.output
    checksum = path.with_name("onestop.backup.sha256")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(checksum.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert checksum.read_text() == f"{digest}  onestop.backup\n"
    assert not list(path.parent.glob("*.partial"))


def test_a_corrupted_backup_is_refused_before_anything_is_replaced(runner, demo, tmp_path):
    path = tmp_path / "onestop.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    factories.ticket("GPLX")  # written after the backup: a restore would take it away
    before = every_row()
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one flipped byte in the middle of the data
    path.write_bytes(bytes(content))
    refused = runner.invoke(args=["restore", "--yes", str(path)])
    assert refused.exit_code == 1, refused.output
    assert "đã bị hỏng hoặc bị sửa" in refused.output and "nothing was changed" in refused.output
    assert every_row() == before

    path.with_name("onestop.backup.sha256").unlink()
    missing = runner.invoke(args=["restore", "--yes", str(path)])
    assert missing.exit_code == 1 and "Không có tệp kiểm tra" in missing.output
    assert every_row() == before
