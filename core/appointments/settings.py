"""A service's booking settings as an admin changes them: checked, saved, audited.

Places already booked keep their slot's capacity (the `AppointmentSlot` row written at the
first booking); a new number of places applies to slots nobody has booked yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.errors import InvalidInput
from core.models import BookingSettings, Service
from core.queue.opening_hours import MINUTES_PER_DAY, format_clock, parse_clock
from extensions import db

# (field, lowest, highest): the bounds an admin may set
BOUNDS = {
    "slot_minutes": (5, 240),
    "places": (1, 50),
    "days_ahead": (0, 90),
    "cutoff_minutes": (0, 7 * 24 * 60),
}
DEFAULTS = dict(
    enabled=False,
    slot_minutes=15,
    places=2,
    days_ahead=14,
    opens_minute=0,
    closes_minute=MINUTES_PER_DAY,
    cutoff_minutes=0,
    working_days_only=True,
)


@dataclass(frozen=True)
class BookingFields:
    enabled: bool
    slot_minutes: int
    places: int
    days_ahead: int
    opens: str  # clock texts: 07:30, 7h30
    closes: str
    cutoff_minutes: int
    working_days_only: bool


def settings_of(service: Service) -> BookingSettings:
    """The service's settings row, or unsaved defaults (taking no bookings)."""
    return db.session.get(BookingSettings, service.id) or BookingSettings(
        service_id=service.id, **DEFAULTS
    )


def fields_of(settings: BookingSettings) -> BookingFields:
    return BookingFields(
        settings.enabled,
        settings.slot_minutes,
        settings.places,
        settings.days_ahead,
        format_clock(settings.opens_minute),
        format_clock(settings.closes_minute),
        settings.cutoff_minutes,
        settings.working_days_only,
    )


def _checked(fields: BookingFields) -> dict:
    values = {}
    for name, (low, high) in BOUNDS.items():
        value = getattr(fields, name)
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(
                _l("Hãy nhập một số từ {low} đến {high}."), field=name, low=low, high=high
            )
        values[name] = value
    where = {"day": _l("Giờ nhận đặt lịch"), "period": _l("mở"), "field": "opens"}
    opens = parse_clock(fields.opens, closing=False, where=where)
    where = {"day": _l("Giờ nhận đặt lịch"), "period": _l("đóng"), "field": "closes"}
    closes = parse_clock(fields.closes, closing=True, where=where)
    if closes - opens < values["slot_minutes"]:
        raise InvalidInput(
            _l("Giờ nhận đặt lịch phải dài ít nhất một khung giờ ({minutes} phút)."),
            field="closes",
            minutes=values["slot_minutes"],
        )
    return values | {
        "enabled": bool(fields.enabled),
        "opens_minute": opens,
        "closes_minute": closes,
        "working_days_only": bool(fields.working_days_only),
    }


def save_booking_settings(service: Service, fields: BookingFields, user=None) -> list[str]:
    """Check and save; returns the names of what changed (audited as one event)."""
    values = _checked(fields)
    settings = db.session.get(BookingSettings, service.id)
    if settings is None:
        settings = BookingSettings(service_id=service.id, **DEFAULTS)
        db.session.add(settings)
    before = asdict(fields_of(settings))
    for name, value in values.items():
        setattr(settings, name, value)
    after = asdict(fields_of(settings))
    changed = [name for name in after if after[name] != before[name]]
    if changed:
        db.session.flush()
        record_event(
            "booking_settings.changed",
            ("bookingsettings", service.id),
            user=user,
            service=service.code,
            **{name: after[name] for name in changed},
        )
    return changed
