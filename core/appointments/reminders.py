"""The reminder of a booking, the working day before its day (the centre's working-day
calendar, core/dossiers/workdays.py): queued by the worker's housekeeping, from the opening
of that working day, on each channel the citizen agreed to; once per booking, time and
channel, however often the job runs. A booking made on the reminder's day or later has just
had its confirmation and gets no reminder; a cancelled or checked-in booking gets none.
"""

from __future__ import annotations

from datetime import datetime

from core.appointments.booking import manage_url
from core.clock import to_local, utcnow
from core.dossiers.workdays import work_calendar
from core.models import Appointment, AppointmentStatus, Notice, NoticeConsent, NoticeKind
from core.notices.events import booking_reminder
from extensions import db


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
    bookings = list(
        db.session.execute(
            db.select(Appointment)
            .where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.day > today,
                Appointment.day <= last_day,
                Appointment.id.in_(db.select(NoticeConsent.appointment_id)),
            )
            .order_by(Appointment.starts_at, Appointment.id)
        ).scalars()
    )
    bookings = [b for b in bookings if to_local(b.created_at).date() < today]
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
