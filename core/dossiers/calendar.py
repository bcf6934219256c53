"""Working-day arithmetic for dossier deadlines: pure, with the day sets as parameters.

A period of N working days starts the day after receipt, whatever the hour and whether or
not that day was worked, and ends at the close of the Nth working day. The afternoon
cut-off touches only two things: a same-day procedure (0 days) and the transfer to the
processing unit, which both move to the next working day after it (or when received on a
day off). A period in hours runs through the office hours of working days from the moment
of receipt.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY, SUNDAY = 5, 6
DEFAULT_OFFICE_HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
MAX_DAYS_SCANNED = 3660  # ten years: a guard against a calendar with no working day


class Timeliness(enum.StrEnum):
    """How a step or a result compares with its deadline (the report's columns 8–10)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """'07:30-11:30,13:30-17:00' → ((07:30, 11:30), (13:30, 17:00)), checked and ordered."""
    periods = []
    for part in text.split(","):
        opens, _, closes = part.strip().partition("-")
        start, end = time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
        if start >= end:
            raise ValueError(f"office period {part!r} ends before it starts")
        periods.append((start, end))
    periods.sort()
    if not periods or any(a[1] > b[0] for a, b in zip(periods, periods[1:], strict=False)):
        raise ValueError(f"office hours {text!r} are empty or overlap")
    return tuple(periods)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked, the office hours and the afternoon cut-off, in one zone.

    `days_off` are weekdays not worked (public holidays, compensatory days off);
    `working_days` are weekend days worked (make-up Saturdays). An explicit entry wins
    over the weekend rule.
    """

    zone: ZoneInfo
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS
    cutoff: time = time(15, 0)

    @classmethod
    def build(
        cls,
        zone: ZoneInfo,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        **options,
    ) -> WorkCalendar:
        working = frozenset(working_days)
        return cls(
            zone=zone,
            days_off=frozenset(days_off) - working,
            working_days=working,
            **options,
        )

    @property
    def closing_time(self) -> time:
        return self.office_hours[-1][1]

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, MAX_DAYS_SCANNED):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day in the calendar")

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        for offset in range(1, MAX_DAYS_SCANNED):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day in the calendar")

    def apology_deadline(self, due_at: datetime) -> datetime:
        """The latest moment an apology letter may go out, at least one working day before
        the due time: the close of the last working day before the due day."""
        due_day = self.local(due_at).date()
        return self.at(self.previous_working_day(due_day), self.closing_time)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to the calendar")
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)

    @property
    def opening_time(self) -> time:
        return self.office_hours[0][0]

    def handling_day(self, received_at: datetime) -> date:
        """The working day a same-day dossier is handled on: the day of receipt, or the
        next working day when received at or after the cut-off or on a day off."""
        local = self.local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.cutoff:
            return day
        return self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself when count is 0)."""
        if count < 0:
            raise ValueError("a period cannot be negative")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def due(
        self, received_at: datetime, days: int | None = None, hours: float | None = None
    ) -> datetime:
        """The due time of a processing period of `days` working days or `hours` working
        hours: the one rule every caller uses."""
        if hours is not None:
            return self.due_after_hours(received_at, hours)
        return self.due_after_days(received_at, days or 0)

    def due_after_days(self, received_at: datetime, days: int) -> datetime:
        """The close of the `days`-th working day after the day of receipt; a same-day
        period (0) ends at the close of the handling day."""
        if days < 0:
            raise ValueError("a period cannot be negative")
        if days == 0:
            return self.at(self.handling_day(received_at), self.closing_time)
        last_day = self.add_working_days(self.local(received_at).date(), days)
        return self.at(last_day, self.closing_time)

    def due_after_hours(self, received_at: datetime, hours: float) -> datetime:
        """`hours` of office time from the moment of receipt (received on a day off: from
        the next working day's opening)."""
        if hours < 0:
            raise ValueError("a period cannot be negative")
        cursor = self.local(received_at)
        day = cursor.date()
        if not self.is_working_day(day):
            day = self.next_working_day(day)
            cursor = self.at(day, self.opening_time)
        remaining = timedelta(hours=hours)
        while True:
            for opens, closes in self.office_hours:
                start = max(cursor, self.at(day, opens))
                end = self.at(day, closes)
                if start >= end:
                    continue
                if remaining <= end - start:
                    return start + remaining
                remaining -= end - start
            day = self.next_working_day(day)
            cursor = self.at(day, self.opening_time)

    def transfer_due(self, received_at: datetime) -> datetime:
        """Hand-over to the processing unit: the close of the day of receipt, or the
        opening of the next working day when received at or after the cut-off or on a day
        off (Decree 61/2018, art. 20)."""
        day = self.handling_day(received_at)
        if day == self.local(received_at).date():
            return self.at(day, self.closing_time)
        return self.at(day, self.opening_time)

    def timeliness(self, moment: datetime, due_at: datetime) -> Timeliness:
        """Early if done on a day before the due day, on time on the due day, else late."""
        if moment > due_at:
            return Timeliness.LATE
        if self.local(moment).date() < self.local(due_at).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME


def parse_period(text: str) -> tuple[int | None, float | None]:
    """'5' → (5 days, None); '4h' or '4 giờ' → (None, 4.0 hours)."""
    cleaned = text.strip().lower().replace("giờ", "h").replace(" ", "")
    if cleaned.endswith("h"):
        hours = float(cleaned[:-1])
        if hours < 0:
            raise ValueError("a period cannot be negative")
        return None, hours
    days = int(cleaned)
    if days < 0:
        raise ValueError("a period cannot be negative")
    return days, None
