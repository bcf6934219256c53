"""Backups of the whole database: SQLite's online backup API, or pg_dump's custom format.

Both run while the desk is open: SQLite copies a consistent snapshot page by page, pg_dump
reads one snapshot transaction. The backup and its SHA-256 checksum (`<backup>.sha256`,
in `sha256sum` format) are written readable by their owner only (0600). A restore replaces
everything in the database with the backup; before it touches anything it refuses a file
that is not a backup of this kind of database, or whose checksum does not match.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from glob import glob
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.private_files import create_private_file, write_private_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PAGES_PER_STEP = 256

Progress = Callable[[int, int], None]  # (done, total)


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why, in both languages."""


def file_kind(path: Path) -> str | None:
    """'sqlite', 'postgresql' (a pg_dump custom-format archive), or None."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupRefused(f"Không hỗ trợ sao lưu cơ sở dữ liệu {backend} (unsupported database).")
    return backend


def checksum_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".sha256")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(url: str, target: Path, progress: Progress) -> None:
    """Write a backup of the database at `url` to `target` and its checksum beside it, both
    0600 (each replaced only once complete)."""
    partial = target.with_name(target.name + ".partial")
    create_private_file(partial)
    if database_kind(url) == "sqlite":
        _sqlite_backup(_sqlite_path(url), partial, progress)
    else:
        _pg_dump(make_url(url), partial, progress)
    checksum, checksum_partial = checksum_path(target), checksum_path(partial)
    write_private_file(checksum_partial, f"{sha256_of(partial)}  {target.name}\n".encode())
    os.replace(partial, target)
    os.replace(checksum_partial, checksum)


def check_integrity(source: Path) -> None:
    """Refuse a backup whose checksum file is missing or does not match its bytes."""
    checksum = checksum_path(source)
    if not checksum.is_file():
        raise BackupRefused(
            f"Không có tệp kiểm tra {checksum.name} bên cạnh bản sao lưu: không kiểm tra được "
            "bản sao lưu còn nguyên vẹn. Chép tệp đó vào cùng thư mục, hoặc khôi phục với "
            f"--without-checksum nếu chắc chắn (no checksum file {checksum.name} beside the "
            "backup; copy it there, or restore with --without-checksum if you are sure)."
        )
    expected = checksum.read_text(encoding="ascii", errors="replace").split()[:1]
    if not expected or not hmac.compare_digest(expected[0].lower(), sha256_of(source)):
        raise BackupRefused(
            f"Bản sao lưu {source} đã bị hỏng hoặc bị sửa: mã kiểm tra SHA-256 không khớp với "
            f"{checksum.name}. Không có gì bị thay đổi (the backup is corrupted or altered: "
            "its SHA-256 does not match; nothing was changed)."
        )


def restore(url: str, source: Path, progress: Progress, *, checksum: bool = True) -> str:
    """Replace everything in the database at `url` with the backup `source`, once its kind
    and (unless `checksum` is False) its checksum are right.

    Returns the schema revision the backup holds.
    """
    kind, wanted = file_kind(source), database_kind(url)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL (pg_dump)"}
    if kind is None:
        raise BackupRefused(
            f"Tệp {source} không phải bản sao lưu của hệ thống (not a backup: neither an SQLite "
            "database nor a pg_dump custom-format archive)."
        )
    if kind != wanted:
        raise BackupRefused(
            f"Tệp {source} là bản sao lưu {names[kind]}, còn cơ sở dữ liệu đang dùng là "
            f"{names[wanted]}: không khôi phục được (a {names[kind]} backup cannot be restored "
            f"into {names[wanted]})."
        )
    if checksum:
        check_integrity(source)
    if kind == "sqlite":
        return _sqlite_restore(source, _sqlite_path(url), progress)
    return _pg_restore(make_url(url), source, progress)


# SQLite -----------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupRefused("Cơ sở dữ liệu SQLite không nằm trong tệp (not a file database).")
    return Path(database)


def _copy_pages(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress):
    def report(_status, remaining, total):
        progress(total - remaining, total)

    source.backup(target, pages=PAGES_PER_STEP, progress=report)


def _sqlite_backup(database: Path, target: Path, progress: Progress) -> None:
    source = sqlite3.connect(database)
    copy = sqlite3.connect(target)
    try:
        _copy_pages(source, copy, progress)
    finally:
        copy.close()
        source.close()


def _schema_revision(connection: sqlite3.Connection) -> str:
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return ""


def _sqlite_restore(source: Path, database: Path, progress: Progress) -> str:
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        revision = _schema_revision(backup_file)
        if not revision:
            raise BackupRefused(
                f"Tệp {source} là SQLite nhưng không phải dữ liệu của hệ thống một cửa "
                "(an SQLite file, but not a one-stop desk database)."
            )
        # Writers on this host queue on the same lock as the app's (core/db/transactions.py).
        lock = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            live = sqlite3.connect(database, timeout=30)
            try:
                _copy_pages(backup_file, live, progress)
            finally:
                live.close()
        finally:
            os.close(lock)
    finally:
        backup_file.close()
    return revision


# PostgreSQL -------------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore on the PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major_version)
    if not candidates:
        raise BackupRefused(
            f"Không tìm thấy {name}: hãy cài gói postgresql-client (install postgresql-client)."
        )
    return candidates[-1]


def _major_version(path: str) -> int:
    match = re.search(r"/postgresql/(\d+)/", path)
    return int(match.group(1)) if match else 0


def _libpq_environment(url: URL) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore, the password kept out of the process list."""
    settings = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{name: value for name, value in settings.items() if value}}


def _table_count(url: URL) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            query = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _run_with_progress(command: list[str], url: URL, marker: str, total: int, progress):
    """Run a pg tool with --verbose; each `marker` line in its log is one table done."""
    done = 0
    progress(done, total)
    process = subprocess.Popen(
        command,
        env=_libpq_environment(url),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    errors = []
    for line in process.stderr:
        if marker in line:
            done = min(done + 1, total)
            progress(done, total)
        elif "error" in line.lower() or "fatal" in line.lower():
            errors.append(line.strip())
    if process.wait() != 0:
        raise BackupRefused(
            f"{Path(command[0]).name} thất bại (failed): " + (" | ".join(errors[-3:]) or "?")
        )
    progress(total, total)


def _pg_dump(url: URL, target: Path, progress: Progress) -> None:
    command = [postgres_tool("pg_dump"), "--format=custom", "--verbose", f"--file={target}"]
    _run_with_progress(command, url, "dumping contents of table", _table_count(url), progress)


def _pg_restore(url: URL, source: Path, progress: Progress) -> str:
    listing = subprocess.run(
        [postgres_tool("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
    )
    if listing.returncode != 0 or " alembic_version " not in listing.stdout:
        raise BackupRefused(
            f"Tệp {source} không phải bản sao lưu của hệ thống một cửa "
            "(not a one-stop desk backup)."
        )
    tables = listing.stdout.count(" TABLE DATA ")
    command = [
        postgres_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--verbose",
        f"--dbname={url.database}",
        str(source),
    ]
    _run_with_progress(command, url, "processing data for table", tables, progress)
    from sqlalchemy import create_engine, text

    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
