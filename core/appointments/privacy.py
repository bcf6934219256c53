"""Bookings' personal data: a booking's name, phone, e-mail and citizen ID (and the ID
number a ticket was taken with) are erased with the rest of the personal data, once the
retention period after the slot has passed (`flask --app wsgi privacy anonymise`), with the
addresses the citizen agreed to be told at and those of the notices sent about the booking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update

from core.audit import record_event
from core.models import Appointment, Ticket
from core.notices.consent import forget_booking_contacts
from extensions import db

ANONYMISED_NAME = "(đã ẩn danh)"  # as on dossiers (core.dossiers.privacy)


def bookings_due(cutoff: datetime):
    """Bookings whose slot started before `cutoff` and that still name someone."""
    return (
        db.select(Appointment)
        .where(Appointment.starts_at < cutoff, Appointment.name != ANONYMISED_NAME)
        .order_by(Appointment.id)
    )


def erase_bookings(
    cutoff: datetime,
    *,
    user=None,
    days: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Erase the contact details of bookings before `cutoff` (the channels agreed to stay
    on the booking: they name no one; the agreements' and notices' addresses go), and the
    ID numbers of tickets issued before it; the caller
    commits. Returns the number of bookings erased."""
    bookings = list(db.session.execute(bookings_due(cutoff)).scalars())
    for appointment in bookings:
        appointment.name = ANONYMISED_NAME
        appointment.phone = appointment.email = appointment.citizen_id = None
        record_event("appointment.anonymised", appointment, user=user, days=days)
        if progress:
            progress(1)
    forget_booking_contacts([appointment.id for appointment in bookings])
    db.session.execute(
        update(Ticket)
        .where(Ticket.issued_at < cutoff, Ticket.citizen_id.is_not(None))
        .values(citizen_id=None)
    )
    db.session.flush()
    return len(bookings)


def count_bookings_due(cutoff: datetime) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(bookings_due(cutoff).subquery())
    ).scalar_one()
