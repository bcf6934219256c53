"""Writing many rows fast: COPY on PostgreSQL, executemany on SQLite, in the session's
own transaction (the caller commits)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Table

from extensions import db

SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"


class BulkWriter:
    """Buffers rows per table and writes them in large batches."""

    def __init__(self, batch: int = 20_000):
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.batch = batch
        self.buffers: dict[str, list[tuple]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}
        self.tables: dict[str, Table] = {}
        self.written: dict[str, int] = {}

    def add(self, table: Table, columns: tuple[str, ...], row: tuple) -> None:
        name = table.name
        if name not in self.buffers:
            self.buffers[name], self.columns[name], self.tables[name] = [], columns, table
            self.written[name] = 0
        self.buffers[name].append(row)
        if len(self.buffers[name]) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, in the order the tables were first used (parents first)."""
        for table_name in list(self.buffers):
            rows = self.buffers[table_name]
            if rows:
                self._write(table_name, self.columns[table_name], rows)
                self.written[table_name] += len(rows)
                self.buffers[table_name] = []

    def _write(self, name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        raw = self.connection.connection.driver_connection
        if self.dialect == "postgresql":
            names = ", ".join(f'"{column}"' for column in columns)
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(tuple(_for_postgres(value) for value in row))
            return
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{column}"' for column in columns)
        cursor = raw.cursor()
        cursor.executemany(
            f'INSERT INTO "{name}" ({names}) VALUES ({placeholders})',
            [tuple(_for_sqlite(value) for value in row) for row in rows],
        )
        cursor.close()

    def reset_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids written explicitly."""
        if self.dialect != "postgresql":
            return
        for name in self.written:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'GREATEST((SELECT COALESCE(MAX(id), 0) FROM "{name}"), 1))'
            )


def _for_sqlite(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQLITE_MOMENT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _for_postgres(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
