"""The working-day calendar of the centre: the `holidays` package's Vietnam calendar,
the days admins entered, and the cut-off and office hours of the settings."""

from __future__ import annotations

from datetime import date, datetime, time

import holidays
from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.clock import local_zone
from core.dossiers.calendar import WorkCalendar, parse_office_hours
from core.dossiers.settings import dossier_settings
from core.errors import InvalidInput
from core.models import CalendarDay, CalendarDayKind
from extensions import db

YEARS_AROUND = 2  # deadlines reach at most this many years ahead


def public_holidays(years: range) -> holidays.HolidayBase:
    """Vietnam's public holidays as the `holidays` package knows them."""
    return holidays.country_holidays("VN", years=years, language="vi")


def entered_days() -> list[CalendarDay]:
    return list(db.session.execute(db.select(CalendarDay).order_by(CalendarDay.day)).scalars())


def work_calendar(
    around: datetime | date | None = None, through: datetime | date | None = None
) -> WorkCalendar:
    """The calendar for deadlines starting near `around` (this year by default), or
    anywhere from `around` to `through`."""
    year = (around or date.today()).year
    years = range(year - 1, max(year, through.year if through else year) + YEARS_AROUND + 1)
    known = public_holidays(years)
    days_off = set(known.keys())
    working = set(known.weekend_workdays)
    for entry in entered_days():
        if entry.kind == CalendarDayKind.DAY_OFF:
            days_off.add(entry.day)
            working.discard(entry.day)
        else:
            working.add(entry.day)
            days_off.discard(entry.day)
    settings = dossier_settings()
    return WorkCalendar.build(
        local_zone(),
        days_off=days_off,
        working_days=working,
        office_hours=parse_office_hours(settings["office_hours"]),
        cutoff=time.fromisoformat(settings["cutoff"]),
    )


def add_calendar_day(day: date, kind: str, note: str = "", user=None) -> CalendarDay:
    """Enter an announced day off or make-up working day; the caller commits."""
    try:
        day_kind = CalendarDayKind(kind)
    except ValueError:
        raise InvalidInput(_l("Loại ngày không hợp lệ.")) from None
    if db.session.execute(db.select(CalendarDay.id).filter_by(day=day)).first():
        raise InvalidInput(
            _l("Ngày {day} đã có trong lịch; hãy xóa dòng cũ trước."), day=day.strftime("%d/%m/%Y")
        )
    entry = CalendarDay(day=day, kind=day_kind, note=note.strip()[:200])
    db.session.add(entry)
    db.session.flush()
    record_event("calendar.day_added", entry, user=user, day=day.isoformat(), kind=kind, note=note)
    return entry


def remove_calendar_day(entry_id: int, user=None) -> None:
    entry = db.session.get(CalendarDay, entry_id)
    if entry is None:
        raise InvalidInput(_l("Không tìm thấy ngày này trong lịch."))
    record_event(
        "calendar.day_removed", entry, user=user, day=entry.day.isoformat(), kind=entry.kind.value
    )
    db.session.delete(entry)
    db.session.flush()


def year_overview(year: int) -> list[tuple[date, str, str]]:
    """Non-working weekdays and worked weekend days of a year: (day, kind, name)."""
    calendar = work_calendar(date(year, 6, 1))
    names = public_holidays(range(year, year + 1))
    notes = {entry.day: entry.note for entry in entered_days()}
    rows = []
    for day in sorted(calendar.days_off | calendar.working_days):
        if day.year != year:
            continue
        if day in calendar.working_days:
            rows.append((day, "working_day", notes.get(day) or ""))
        elif day.weekday() not in calendar.weekend:
            rows.append((day, "day_off", notes.get(day) or names.get(day) or ""))
    return rows
