"""The reminder of a booking, the working day before its day (the centre's working-day
calendar, core/dossiers/workdays.py): queued by the worker's housekeeping, from the opening
of that working day, on each channel the citizen agreed to; once per booking, time and
channel, however often the job runs. A booking made on the reminder's day or later has just
had its confirmation and gets no reminder; a cancelled or checked-in booking gets none.

A reminder day missed (the worker stopped all that day) is caught up on the booking's day,
from the opening, for bookings at least `CATCH_UP_AHEAD` later that nothing was sent to
since the reminder day began. Cancelling or moving a booking withdraws its unsent reminder
(core.notices.events.withdraw_booking_notices).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.appointments.booking import manage_url
from core.clock import day_start, to_local, utcnow
from core.dossiers.workdays import work_calendar
from core.models import Appointment, AppointmentStatus, Notice, NoticeConsent, NoticeKind
from core.notices.events import booking_reminder
from extensions import db

CATCH_UP_AHEAD = timedelta(hours=1)


def queue_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now; the number of bookings a reminder was queued for now
    (those reminded already are skipped without a write). The caller commits."""
    now = now or utcnow()
    calendar = work_calendar(now)
    local = to_local(now)
    today = local.date()
    if not calendar.is_working_day(today) or local.time() < calendar.opening_time:
        return 0
    last_day = calendar.next_working_day(today)
    due = [
        booking
        for booking in _booked_with_consent(Appointment.day > today, Appointment.day <= last_day)
        if to_local(booking.created_at).date() < today
    ]
    # Today's bookings whose reminder day passed without the worker.
    reminder_day = calendar.previous_working_day(today)
    told = db.select(Notice.id).where(
        Notice.appointment_id == Appointment.id,
        Notice.created_at >= day_start(reminder_day),
    )
    missed = _booked_with_consent(
        Appointment.day == today, Appointment.starts_at >= now + CATCH_UP_AHEAD, ~told.exists()
    )
    bookings = due + [b for b in missed if to_local(b.created_at).date() < reminder_day]
    already = frozenset(
        db.session.execute(
            db.select(Notice.key).where(
                Notice.kind == NoticeKind.BOOKING_REMINDER,
                Notice.appointment_id.in_([appointment.id for appointment in bookings]),
            )
        ).scalars()
    )
    return sum(
        booking_reminder(appointment, manage_url(appointment.token), already) > 0
        for appointment in bookings
    )


def _booked_with_consent(*conditions) -> list[Appointment]:
    """Bookings still booked, whose citizen agreed to a channel, that meet `conditions`, by
    time; locked (PostgreSQL) so a cancel or move committing meanwhile waits, then withdraws
    the reminder queued here."""
    return list(
        db.session.execute(
            db.select(Appointment)
            .where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.id.in_(db.select(NoticeConsent.appointment_id)),
                *conditions,
            )
            .order_by(Appointment.starts_at, Appointment.id)
            .with_for_update()
        ).scalars()
    )
