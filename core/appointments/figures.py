"""What managers see of bookings: per service and day, the bookings, check-ins, no-shows
and cancellations, and the average wait of booked citizens against walk-ins (issue to first
call, minutes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func

from core.clock import day_bounds, local_zone, utcnow
from core.db.sql_time import LocalTime
from core.models import Appointment, AppointmentStatus, Service, Ticket
from core.reports.periods import Period
from core.reports.reform import ReportFilter
from core.reports.tables import Table
from extensions import db


def _rounded(minutes: float | None) -> float | None:
    """SQL's float noise (julianday) off an average of minutes."""
    return None if minutes is None else round(minutes, 6)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _agency_services(filters: ReportFilter):
    return db.select(Service.id).where(Service.agency_id == filters.agency_id)


def booking_table(
    period: Period, filters: ReportFilter | None = None, now: datetime | None = None
) -> Table:
    """One row per service and day with a booking or a booked ticket in `period`, summed in
    SQL. The page's agency filter narrows both to the agency's services; its counter and
    officer filters narrow the waits (a booking has no counter until it is called)."""
    now = now or utcnow()
    filters = filters or ReportFilter()
    late = timedelta(minutes=current_app.config["CHECK_IN_LATE_MINUTES"])
    status = Appointment.status
    bookings = db.select(
        Appointment.day,
        Appointment.service_id,
        func.count(Appointment.id),
        _count_if(status == AppointmentStatus.CHECKED_IN),
        _count_if((status == AppointmentStatus.BOOKED) & (Appointment.starts_at < now - late)),
        _count_if(status == AppointmentStatus.CANCELLED),
    ).where(Appointment.day.between(period.start, period.end))
    if filters.agency_id:
        bookings = bookings.where(Appointment.service_id.in_(_agency_services(filters)))
    rows = {
        (day, service_id): list(figures)
        for day, service_id, *figures in db.session.execute(
            bookings.group_by(Appointment.day, Appointment.service_id)
        )
    }
    start, end = day_bounds(period.start, period.end)
    booked = Ticket.booked_for.is_not(None)
    minutes = LocalTime(local_zone(), now).seconds(Ticket.called_at, Ticket.issued_at) / 60
    waits_query = db.select(Ticket.day, Ticket.origin_service_id, booked, func.avg(minutes)).where(
        Ticket.issued_at >= start, Ticket.issued_at < end, Ticket.called_at.is_not(None)
    )
    if filters.agency_id:
        waits_query = waits_query.where(Ticket.origin_service_id.in_(_agency_services(filters)))
    if filters.counter_id:
        waits_query = waits_query.where(Ticket.counter_id == filters.counter_id)
    if filters.officer_id:
        waits_query = waits_query.where(Ticket.officer_id == filters.officer_id)
    waits = {
        (day, service_id, bool(is_booked)): float(average)
        for day, service_id, is_booked, average in db.session.execute(
            waits_query.group_by(Ticket.day, Ticket.origin_service_id, booked)
        )
    }
    names = dict(db.session.execute(db.select(Service.id, Service.name)).all())
    table_rows = [
        [
            day.strftime("%d/%m/%Y"),
            names.get(service_id, ""),
            *rows[(day, service_id)],
            _rounded(waits.get((day, service_id, True))),
            _rounded(waits.get((day, service_id, False))),
        ]
        for day, service_id in sorted(rows, key=lambda key: (key[0], names.get(key[1], "")))
    ]
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
