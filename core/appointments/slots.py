"""The slots a service offers for booking, and their free places.

A slot is offered on a day between today and `days_ahead` days on, inside one of the
service's opening periods and the part of it its booking settings name, on a working day
unless the service books every day, and until `cutoff_minutes` before it starts. Its places
are counted on its `AppointmentSlot` row once someone books it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from core.clock import day_start, local_zone, to_local, utcnow
from core.errors import InvalidInput
from core.models import AppointmentSlot, BookingSettings, Service
from extensions import db


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    capacity: int
    free: int


def booking_settings(service: Service) -> BookingSettings | None:
    """The service's booking settings when it takes bookings, else None."""
    settings = db.session.get(BookingSettings, service.id)
    if settings is None or not settings.enabled or not service.active:
        return None
    return settings


def bookable_days(settings: BookingSettings, now: datetime | None = None) -> list[date]:
    """Today and the following `days_ahead` days, the working ones if the service says so."""
    today = to_local(now or utcnow()).date()
    days = [today + timedelta(days=offset) for offset in range(settings.days_ahead + 1)]
    if settings.working_days_only:
        from core.dossiers.workdays import work_calendar

        calendar = work_calendar(today, days[-1])
        days = [day for day in days if calendar.is_working_day(day)]
    return days


def slot_starts(service: Service, settings: BookingSettings, day: date) -> list[datetime]:
    """Every slot's start on `day` (aware, local), whether or not still bookable."""
    midnight = day_start(day, local_zone())
    starts = []
    for hours in service.hours:
        if hours.weekday != day.weekday():
            continue
        first = max(hours.opens_minute, settings.opens_minute)
        last = min(hours.closes_minute, settings.closes_minute)
        minute = first
        while minute + settings.slot_minutes <= last:
            starts.append(midnight + timedelta(minutes=minute))
            minute += settings.slot_minutes
    return sorted(starts)


def offered_slots(service: Service, day: date, now: datetime | None = None) -> list[Slot]:
    """The slots of `day` that can still be booked, with their free places (none full)."""
    now = now or utcnow()
    settings = booking_settings(service)
    if settings is None or day not in bookable_days(settings, now):
        return []
    cutoff = timedelta(minutes=settings.cutoff_minutes)
    taken = {
        row.starts_at: (row.capacity, row.booked)
        for row in db.session.execute(
            db.select(AppointmentSlot).filter_by(service_id=service.id, day=day)
        ).scalars()
    }
    slots = []
    for start in slot_starts(service, settings, day):
        if start - cutoff <= now:
            continue
        capacity, booked = taken.get(start, (settings.places, 0))
        if booked < capacity:
            slots.append(Slot(start=start, capacity=capacity, free=capacity - booked))
    return slots


def is_offered(service: Service, start: datetime, now: datetime | None = None) -> bool:
    """Whether a slot starting at `start` can be booked now (full or not)."""
    now = now or utcnow()
    settings = booking_settings(service)
    if settings is None:
        return False
    local_start = to_local(start)
    if local_start.date() not in bookable_days(settings, now):
        return False
    if local_start - timedelta(minutes=settings.cutoff_minutes) <= now:
        return False
    return local_start in slot_starts(service, settings, local_start.date())


def bookable_services() -> list[Service]:
    """The active services taking bookings, in the kiosk's order."""
    return list(
        db.session.execute(
            db.select(Service)
            .join(BookingSettings, BookingSettings.service_id == Service.id)
            .where(Service.active, BookingSettings.enabled)
            .order_by(Service.sort_order, Service.code)
        ).scalars()
    )


def parse_start(text: str) -> datetime:
    """A slot's start as ISO 8601 (the booking page's choices, the API's `start`); without
    an offset, the centre's local time."""
    try:
        start = datetime.fromisoformat(text or "")
    except ValueError:
        raise InvalidInput(
            _l("Giờ hẹn phải có dạng ISO 8601, ví dụ 2026-03-02T09:15:00+07:00."), field="start"
        ) from None
    return start if start.tzinfo else start.replace(tzinfo=local_zone())
