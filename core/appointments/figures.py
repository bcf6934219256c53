"""What managers see of bookings: per service and day, the bookings, check-ins, no-shows
and cancellations, and the average wait of booked citizens against walk-ins (issue to first
call, minutes)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.clock import day_bounds, utcnow
from core.models import Appointment, AppointmentStatus, Service, Ticket
from core.reports.periods import Period
from core.reports.tables import Table
from extensions import db


def _average(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def booking_table(period: Period, now: datetime | None = None) -> Table:
    """One row per service and day with a booking or a booked ticket in `period`."""
    now = now or utcnow()
    late = timedelta(minutes=current_app.config["CHECK_IN_LATE_MINUTES"])
    rows: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    names = dict(db.session.execute(db.select(Service.id, Service.name)).all())
    for service_id, day, status, starts_at in db.session.execute(
        db.select(
            Appointment.service_id, Appointment.day, Appointment.status, Appointment.starts_at
        ).where(Appointment.day.between(period.start, period.end))
    ):
        row = rows[(day, service_id)]
        row["booked"] += 1
        if status == AppointmentStatus.CHECKED_IN:
            row["checked_in"] += 1
        elif status == AppointmentStatus.CANCELLED:
            row["cancelled"] += 1
        elif starts_at + late < now:  # the window closed without them
            row["no_show"] += 1
    waits: dict[tuple, dict[bool, list[float]]] = defaultdict(lambda: defaultdict(list))
    start, end = day_bounds(period.start, period.end)
    for day, service_id, booked_for, issued_at, called_at in db.session.execute(
        db.select(
            Ticket.day, Ticket.origin_service_id, Ticket.booked_for, Ticket.issued_at,
            Ticket.called_at,
        ).where(
            Ticket.issued_at >= start,
            Ticket.issued_at < end,
            Ticket.called_at.is_not(None),
        )
    ):  # fmt: skip
        minutes = (called_at - issued_at).total_seconds() / 60
        waits[(day, service_id)][booked_for is not None].append(minutes)
    table_rows = []
    for key in sorted(rows, key=lambda key: (key[0], names.get(key[1], ""))):
        day, service_id = key
        row = rows[key]
        table_rows.append(
            [
                day.strftime("%d/%m/%Y"),
                names.get(service_id, ""),
                row["booked"],
                row["checked_in"],
                row["no_show"],
                row["cancelled"],
                _average(waits[key][True]),
                _average(waits[key][False]),
            ]
        )
    return Table(
        key="bookings",
        title=_l("Đặt lịch hẹn theo dịch vụ và ngày"),
        headers=[
            _l("Ngày"),
            _l("Dịch vụ"),
            _l("Lượt đặt"),
            _l("Đã đến (lấy số)"),
            _l("Không đến"),
            _l("Đã hủy"),
            _l("Chờ TB: có hẹn (phút)"),
            _l("Chờ TB: không hẹn (phút)"),
        ],
        kinds=["text", "text", "int", "int", "int", "int", "decimal", "decimal"],
        rows=table_rows,
    )
