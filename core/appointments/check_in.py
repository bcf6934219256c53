"""Checking in a booking at the kiosk: a ticket marked as booked, once per booking.

From `CHECK_IN_EARLY_MINUTES` before the slot starts to `CHECK_IN_LATE_MINUTES` after it,
the booking's code (typed, or read from its QR code) or the citizen ID card of whoever
booked gives a ticket of the booking's service whose `booked_for` is the slot's start:
once the slot has started, it is called before walk-ins (core.queue.calling). The ticket gets
the contacts the citizen agreed to when booking, so "your turn is near" and "called to
counter X" reach them as they reach a citizen who gave a phone at the kiosk. The booking
moves from booked to checked in with one conditional UPDATE, so a second check-in, however
close, finds it taken and is refused. Runs in the session's writer's transaction; the
caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from core.appointments.booking import STATUS_WORDS, clean_code
from core.appointments.errors import (
    AlreadyCheckedIn,
    AppointmentClosed,
    AppointmentNotFound,
    NoBookingToday,
    OutsideCheckInWindow,
)
from core.audit import record_event
from core.clock import local_text, local_today, utcnow
from core.models import Appointment, AppointmentStatus, Ticket
from core.notices.consent import contacts_of, record_consent
from core.queue.issuing import IssuedTicket, issue_ticket
from extensions import db

_appointments = Appointment.__table__


def check_in_window(starts_at: datetime) -> tuple[datetime, datetime]:
    config = current_app.config
    return (
        starts_at - timedelta(minutes=config["CHECK_IN_EARLY_MINUTES"]),
        starts_at + timedelta(minutes=config["CHECK_IN_LATE_MINUTES"]),
    )


def find_by_code(code: str) -> Appointment:
    appointment = db.session.execute(
        db.select(Appointment).filter_by(code=clean_code(code))
    ).scalar_one_or_none()
    if appointment is None:
        raise AppointmentNotFound()
    return appointment


def find_by_citizen_id(citizen_id: str, now: datetime) -> Appointment:
    """Today's booking of this card: the one open for check-in now, else the nearest."""
    bookings = list(
        db.session.execute(
            db.select(Appointment)
            .filter_by(citizen_id=citizen_id, day=local_today(now))
            .where(Appointment.status != AppointmentStatus.CANCELLED)
            .order_by(Appointment.starts_at)
        ).scalars()
    )
    if not bookings:
        raise NoBookingToday()
    for appointment in bookings:
        opens, closes = check_in_window(appointment.starts_at)
        if appointment.status == AppointmentStatus.BOOKED and opens <= now <= closes:
            return appointment
    return min(bookings, key=lambda booking: abs(booking.starts_at - now))


def _refuse_unless_open(appointment: Appointment, now: datetime) -> None:
    if appointment.status == AppointmentStatus.CHECKED_IN:
        ticket = db.session.get(Ticket, appointment.ticket_id)
        raise AlreadyCheckedIn(code=appointment.code, ticket=ticket.number if ticket else "")
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentClosed(code=appointment.code, status=STATUS_WORDS[appointment.status])
    opens, closes = check_in_window(appointment.starts_at)
    if not opens <= now <= closes:
        raise OutsideCheckInWindow(
            code=appointment.code,
            start=local_text(appointment.starts_at),
            opens=local_text(opens)[:5],
            closes=local_text(closes)[:5],
        )


def check_in(
    *,
    code: str | None = None,
    citizen_id: str | None = None,
    kiosk=None,
    now: datetime | None = None,
) -> tuple[Appointment, IssuedTicket]:
    """Check a booking in by its code or its citizen's ID number, issuing its ticket
    (`kiosk`: the device that asked)."""
    now = now or utcnow()
    appointment = find_by_code(code) if code is not None else find_by_citizen_id(citizen_id, now)
    _refuse_unless_open(appointment, now)
    taken = db.session.execute(
        update(_appointments)
        .where(
            _appointments.c.id == appointment.id,
            _appointments.c.status == AppointmentStatus.BOOKED.value,
        )
        .values(status=AppointmentStatus.CHECKED_IN.value, checked_in_at=now)
    ).rowcount
    if taken != 1:  # checked in by another tap meanwhile
        db.session.refresh(appointment)
        _refuse_unless_open(appointment, now)
    ticket = issue_ticket(
        appointment.service,
        kiosk_id=kiosk.id if kiosk is not None else None,
        now=now,
        booked_for=appointment.starts_at,
        citizen_id=citizen_id or appointment.citizen_id,
    )
    db.session.execute(
        update(_appointments)
        .where(_appointments.c.id == appointment.id)
        .values(ticket_id=ticket.id)
    )
    db.session.refresh(appointment)
    for contact in contacts_of(appointment_id=appointment.id):
        record_consent(
            contact,
            where="booking",
            ticket_id=ticket.id,
            device=kiosk,
            now=appointment.consent_at or now,
        )
    record_event(
        "appointment.checked_in",
        appointment,
        device=kiosk,
        code=appointment.code,
        ticket=ticket.number,
    )
    return appointment, ticket
