"""Time arithmetic inside SQL, written once for PostgreSQL and once for SQLite.

`statistics_transaction()` also turns PostgreSQL's JIT off for the period queries: on a
year of rows its compile time costs more than it saves.

UTC instants are stored; the reports count in the centre's local days. PostgreSQL
converts with the zone's rules; SQLite shifts by the zone's UTC offset at a given moment
(Vietnam has had no daylight saving since 1975, so the offset is fixed).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, func, literal, text
from sqlalchemy.sql.elements import ColumnElement

from extensions import db


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def statistics_transaction() -> None:
    """Tune the current transaction for the period aggregations (PostgreSQL: no JIT)."""
    if dialect_name() == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


class LocalTime:
    """SQL expressions for one zone and one database dialect."""

    def __init__(self, zone: ZoneInfo, at: datetime, dialect: str | None = None):
        self.zone = zone
        self.dialect = dialect or dialect_name()
        offset = zone.utcoffset(at.replace(tzinfo=None))
        self.offset_minutes = int(offset.total_seconds() // 60) if offset else 0

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _sqlite_shift(self) -> str:
        return f"{self.offset_minutes:+d} minutes"

    def date(self, column) -> ColumnElement:
        """The local calendar day of a UTC instant, comparable between rows."""
        if self.postgres:
            return cast(func.timezone(self.zone.key, column), db.Date)
        return func.date(column, self._sqlite_shift())

    def hour(self, column) -> ColumnElement:
        """The local hour (0–23) of a UTC instant (arithmetic on the epoch: cheap)."""
        if self.postgres:
            local_seconds = func.date_part("epoch", column) + self.offset_minutes * 60
            return cast(func.floor(local_seconds / 3600), Integer) % 24
        return cast(func.strftime("%H", column, self._sqlite_shift()), Integer)

    def day_number(self, column) -> ColumnElement:
        """Days since 1970-01-01 of the local day of a UTC instant (see `from_day_number`)."""
        if self.postgres:
            local_seconds = func.date_part("epoch", column) + self.offset_minutes * 60
            return cast(func.floor(local_seconds / 86400), Integer)
        return cast(func.julianday(column, self._sqlite_shift()) - 2440587.5, Integer)

    def seconds(self, later, earlier) -> ColumnElement:
        """Seconds from `earlier` to `later` (NULL when either is NULL)."""
        if self.postgres:  # date_part gives a float; EXTRACT a (much slower) numeric
            return func.date_part("epoch", later - earlier)
        # julianday is a float of days: round off its noise to the millisecond.
        return func.round((func.julianday(later) - func.julianday(earlier)) * literal(86400.0), 3)

    def whole_minutes(self, seconds, cap: int) -> ColumnElement:
        """Whole minutes of a duration in seconds (rounded down), at most `cap`."""
        if self.postgres:
            minutes = cast(func.floor(seconds / 60), Integer)
        else:
            minutes = cast(seconds / 60, Integer)  # truncates: durations are not negative
        return func.least(minutes, cap) if self.postgres else func.min(minutes, cap)

    def weekday_of_day(self, day_column) -> ColumnElement:
        """0 = Monday … 6 = Sunday, of a DATE column."""
        if self.postgres:
            return cast(func.date_part("isodow", day_column), Integer) - 1
        return (cast(func.strftime("%w", day_column), Integer) + 6) % 7

    def month_of_day(self, day_column) -> ColumnElement:
        """'YYYY-MM' of a DATE column."""
        if self.postgres:
            return func.to_char(day_column, "YYYY-MM")
        return func.substr(day_column, 1, 7)

    def month(self, column) -> ColumnElement:
        """'YYYY-MM' of the local day of a UTC instant."""
        if self.postgres:
            return func.to_char(func.timezone(self.zone.key, column), "YYYY-MM")
        return func.strftime("%Y-%m", column, self._sqlite_shift())
