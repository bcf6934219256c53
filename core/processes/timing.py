"""A step's allowance in working time: its length in working hours (a working day is the
office hours of one day) and its due time with the centre's calendar.

A step runs on working hours from the moment it is entered, whether its allowance is given
in days or in hours: steps that each keep to their allowance end, together, within the
procedure's legal time (which the dossier itself is still judged against).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.dossiers.calendar import WorkCalendar
from core.models import Procedure, ProcessStep


def hours_per_day(calendar: WorkCalendar) -> float:
    """The office hours of one working day (7.5 with the default 07:30–11:30, 13:30–17:00)."""
    total = sum(
        (
            datetime.combine(datetime.min, closes) - datetime.combine(datetime.min, opens)
            for opens, closes in calendar.office_hours
        ),
        timedelta(),
    )
    return total.total_seconds() / 3600


def in_hours(days: int | None, hours: float | None, per_day: float) -> float:
    """A period in working hours."""
    if hours is not None:
        return float(hours)
    return (days or 0) * per_day


def legal_hours(procedure: Procedure, per_day: float) -> float:
    """The procedure's legal time in working hours; a same-day procedure has one day."""
    if procedure.processing_hours is not None:
        return float(procedure.processing_hours)
    return max(procedure.processing_days or 0, 1) * per_day


def step_hours(step: ProcessStep, per_day: float) -> float:
    return in_hours(step.allowance_days, step.allowance_hours, per_day)


def step_due(step: ProcessStep, entered_at: datetime, calendar: WorkCalendar) -> datetime:
    """When a step entered at `entered_at` is due: its allowance in working hours from then."""
    return calendar.due_after_hours(entered_at, step_hours(step, hours_per_day(calendar)))


def working_hours_between(calendar: WorkCalendar, start: datetime, end: datetime) -> float:
    """The office hours of working days between two moments (0 if `end` is not after)."""
    if end <= start:
        return 0.0
    total = timedelta()
    day = calendar.local(start).date()
    last = calendar.local(end).date()
    while day <= last:
        if calendar.is_working_day(day):
            for opens, closes in calendar.office_hours:
                period_start = max(start, calendar.at(day, opens))
                period_end = min(end, calendar.at(day, closes))
                if period_end > period_start:
                    total += period_end - period_start
        day += timedelta(days=1)
    return round(total.total_seconds() / 3600, 4)
