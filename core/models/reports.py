"""The per-day summary tables of closed days that the statistics and the reform report read
(see core.reports.summaries; the indexes they read dossiers through are on the dossier table),
and the closed report periods with the figures they were reported with (core.reports.closing)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.types import UTCDateTime
from core.models.accounts import User
from extensions import db


class ReportDay(db.Model):
    """A closed local day whose summary rows are built and current.

    Database triggers on ticket, rating and dossier delete a day's row whenever a row
    feeding that day changes; the statistics rebuild days without a row before reading.
    `starts_at`/`ends_at` are the day's UTC bounds, so triggers find it from an instant.
    """

    __tablename__ = "report_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketDayFigures(db.Model):
    """Queue sums of one closed day, by service, counter, officer and whole waiting minute
    (the same groups the raw query of core.reports.queue_stats forms)."""

    __tablename__ = "ticket_day_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    service_id: Mapped[int] = mapped_column(Integer)
    counter_id: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    wait_minute: Mapped[int | None] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    waited: Mapped[int] = mapped_column(Integer)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    quick: Mapped[int] = mapped_column(Integer)
    timed: Mapped[int] = mapped_column(Integer)
    service_seconds: Mapped[float | None] = mapped_column(Float)


class TicketDayServiceMinutes(db.Model):
    """The service-time histogram of one closed day, by service, counter and officer."""

    __tablename__ = "ticket_day_service_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    service_id: Mapped[int] = mapped_column(Integer)
    counter_id: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    tickets: Mapped[int] = mapped_column(Integer)


class TicketDayHours(db.Model):
    """Arrivals of one closed day by local hour of issue, counter and officer."""

    __tablename__ = "ticket_day_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[int] = mapped_column(Integer)
    counter_id: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    waited: Mapped[int] = mapped_column(Integer)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    quick: Mapped[int] = mapped_column(Integer)


class RatingDay(db.Model):
    """Ratings given on one closed local day, by counter, officer and score."""

    __tablename__ = "rating_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    counter_id: Mapped[int] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[str] = mapped_column(String(20))
    ratings: Mapped[int] = mapped_column(Integer)


class DossierDay(db.Model):
    """Dossiers received and resolved on one closed local day, by the filters' keys.

    Received counts include dossiers withdrawn or stopped since (`received_kept` leaves them
    out);
    resolved counts are by the day of the result, classified against the legal due time.
    `counter_id` is the counter of the ticket the dossier came with.
    """

    __tablename__ = "dossier_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    field_name: Mapped[str] = mapped_column(String(200))
    procedure_code: Mapped[str] = mapped_column(String(40))
    received_by_id: Mapped[int | None] = mapped_column(Integer)
    counter_id: Mapped[int | None] = mapped_column(Integer)
    agency_id: Mapped[int | None] = mapped_column(Integer)
    received_online: Mapped[int] = mapped_column(Integer, default=0)
    received_direct: Mapped[int] = mapped_column(Integer, default=0)
    received_kept: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved_early: Mapped[int] = mapped_column(Integer, default=0)
    resolved_on_time: Mapped[int] = mapped_column(Integer, default=0)
    resolved_late: Mapped[int] = mapped_column(Integer, default=0)


class StepDay(db.Model):
    """Stays at steps left on one closed local day (not ended by a withdrawal or a stop), by
    agency, unit, step role and officer: how many, how many on time, the working hours taken
    and allowed, and each stay's working hours (`hours_taken`, comma-separated), from which
    the evaluation reads exact 90th percentiles."""

    __tablename__ = "step_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    agency_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    handled_by_id: Mapped[int | None] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    worked_hours: Mapped[float] = mapped_column(Float)
    allowance_hours: Mapped[float] = mapped_column(Float)
    hours_taken: Mapped[str] = mapped_column(Text)


class ClosedReportPeriod(db.Model):
    """A report period whose reform-report figures were closed (chốt số liệu): the table as
    `report tthc` gave it in JSON then, when (UTC) and by whom (none: the command line without
    `--by`). Every later reading of exactly this period shows these figures; reopening deletes
    the row (the audit trail keeps who closed and reopened it, and the closed total)."""

    __tablename__ = "closed_report_period"
    __table_args__ = (UniqueConstraint("period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    figures: Mapped[dict] = mapped_column(JSON)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    closed_by: Mapped[User | None] = relationship()
