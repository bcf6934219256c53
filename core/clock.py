"""Time at the edges: UTC inside, the centre's local time for days and display."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The centre's time zone (TIMEZONE setting)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """An aware UTC instant in the centre's local time."""
    return moment.astimezone(local_zone())


def local_today(moment: datetime | None = None) -> date:
    """The centre's calendar day at `moment` (now by default)."""
    return to_local(moment or utcnow()).date()


def local_text(moment: datetime | None) -> str:
    """'10:15 16/03/2026': an instant in the centre's local time, as forms and messages
    write it ('' for none)."""
    return f"{to_local(moment):%H:%M %d/%m/%Y}" if moment else ""


def local_now() -> datetime:
    """The current instant in the centre's local time."""
    return to_local(utcnow())


def day_start(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The first instant of the local `day`, aware (in the centre's zone unless given)."""
    return datetime.combine(day, time.min, tzinfo=zone or local_zone())


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The first instant of `first` and the first instant after `last` (`first` by default)."""
    zone = local_zone()
    return day_start(first, zone), day_start((last or first) + timedelta(days=1), zone)
