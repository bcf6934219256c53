"""Booked appointments: each service's booking settings, the slots' places and the bookings."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.types import UTCDateTime
from core.models.base import enum_column
from core.models.queue import Service, Ticket
from extensions import db

ACTIVE_BOOKING = text("status IN ('booked', 'checked_in')")


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"


class BookingSettings(db.Model):
    """How a service takes bookings; a service without this row takes none.

    The bookable part of each opening period is `opens_minute`..`closes_minute` (local
    minutes); bookings close `cutoff_minutes` before a slot starts (0: until it starts).
    """

    __tablename__ = "booking_settings"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    places: Mapped[int] = mapped_column(Integer, default=2)
    days_ahead: Mapped[int] = mapped_column(Integer, default=14)
    opens_minute: Mapped[int] = mapped_column(Integer, default=0)
    closes_minute: Mapped[int] = mapped_column(Integer, default=24 * 60)
    cutoff_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Closed on the calendar's days off (weekends, holidays); the demo's services are not.
    working_days_only: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship()


class AppointmentSlot(db.Model):
    """One slot's places: an atomic counter row, written at the first booking of the slot.

    `booked` moves only by `UPDATE … SET booked = booked ± 1 WHERE booked < capacity`;
    the check constraint is the last guard against overbooking.
    """

    __tablename__ = "appointment_slot"
    __table_args__ = (
        UniqueConstraint("service_id", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(db.Model):
    """A citizen's booking of one slot, its contact details and the channels agreed to.

    One active booking per phone, e-mail or citizen ID per service and local day (partial
    unique indexes). `code` is what the citizen types or shows as a QR code at the kiosk;
    `token` opens the page that cancels or moves it.
    """

    __tablename__ = "appointment"
    __table_args__ = tuple(
        Index(
            f"uq_appointment_active_{column}",
            "service_id",
            "day",
            column,
            unique=True,
            sqlite_where=ACTIVE_BOOKING,
            postgresql_where=ACTIVE_BOOKING,
        )
        for column in ("phone", "email", "citizen_id")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointment_slot.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_column(AppointmentStatus), default=AppointmentStatus.BOOKED
    )
    name: Mapped[str] = mapped_column(String(200))
    # Empty contact details are NULL, so the unique indexes ignore them.
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))
    citizen_id: Mapped[str | None] = mapped_column(String(12))
    # The citizen's agreement to notices, per channel, as given when booking.
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_zalo: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), unique=True)
    # Moves to another time so far; at most BOOKING_MAX_MOVES (each one sends a confirmation).
    moves: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    service: Mapped[Service] = relationship()
    slot: Mapped[AppointmentSlot] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
