"""The SQL behind the queue statistics (core.reports.queue_stats): each figure's grouped rows,
read from the per-day summaries for closed days and from the raw rows for the others (a
`DaySplit` says which days are which), with the counter and officer filters applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from core.clock import day_bounds
from core.db.sql_time import LocalTime
from core.models import (
    Counter,
    Dossier,
    DossierDay,
    Rating,
    RatingDay,
    Service,
    Ticket,
    TicketDayFigures,
    TicketDayHours,
    TicketDayServiceMinutes,
    User,
)
from core.reports.periods import Period
from core.reports.reform import ReportFilter
from core.reports.reform_queries import dossier_day_conditions
from core.reports.summaries import (
    last_closed_day,
    service_minutes_select,
    ticket_figures_select,
    ticket_hours_select,
)
from extensions import db


@dataclass(frozen=True)
class DaySplit:
    """The period's local days read from summaries [start, summarised_last] and from raw
    rows [live_first, end]; either part may be empty."""

    start: date
    summarised_last: date
    live_first: date
    end: date

    @classmethod
    def of(cls, period: Period, summaries: bool, today: date | None = None) -> DaySplit:
        if not summaries:
            return cls(period.start, period.start - timedelta(days=1), period.start, period.end)
        closed = last_closed_day(today)
        summarised_last = min(period.end, closed)
        return cls(
            period.start, summarised_last, max(period.start, closed + timedelta(days=1)), period.end
        )

    @property
    def has_summaries(self) -> bool:
        return self.start <= self.summarised_last

    @property
    def has_live(self) -> bool:
        return self.live_first <= self.end

    def live_bounds(self) -> tuple:
        return day_bounds(self.live_first, self.end)


def _desk_conditions(table, filters: ReportFilter) -> list:
    """The counter, officer and agency filters, on ticket, rating or a summary table. An
    agency's tickets are those of its services; where a table has no service (hours of
    arrival, ratings), those at its counters."""
    conditions = []
    if filters.counter_id:
        conditions.append(table.counter_id == filters.counter_id)
    if filters.officer_id:
        conditions.append(table.officer_id == filters.officer_id)
    if filters.agency_id:
        if hasattr(table, "service_id"):
            services = select(Service.id).where(Service.agency_id == filters.agency_id)
            conditions.append(table.service_id.in_(services))
        else:
            counters = select(Counter.id).where(Counter.agency_id == filters.agency_id)
            conditions.append(table.counter_id.in_(counters))
    return conditions


def _live_ticket_conditions(split: DaySplit, filters) -> list:
    return [
        Ticket.day >= split.live_first,
        Ticket.day <= split.end,
        *_desk_conditions(Ticket, filters),
    ]


def display_names():
    """Services, counters and officers by id, as the tables name them."""
    services = {
        s.id: f"{s.prefix} – {s.name}" for s in db.session.execute(select(Service)).scalars()
    }
    counters = {c.id: c.name for c in db.session.execute(select(Counter)).scalars()}
    officers = {u.id: u.full_name or u.username for u in db.session.execute(select(User)).scalars()}
    return services, counters, officers


_FIGURE_SUMS = (
    "issued",
    "served",
    "no_show",
    "waited",
    "wait_seconds",
    "quick",
    "timed",
    "service_seconds",
)


def ticket_figure_rows(split: DaySplit, filters, local) -> tuple[list, list]:
    """Per (service, counter, officer): the ticket sums by whole waiting minute, and the
    tickets by whole service minute."""
    figure_rows, minute_rows = [], []
    if split.has_summaries:
        figures, minutes = TicketDayFigures, TicketDayServiceMinutes
        in_days = [figures.day >= split.start, figures.day <= split.summarised_last]
        keys = (figures.service_id, figures.counter_id, figures.officer_id)
        sums = [func.sum(getattr(figures, name)).label(name) for name in _FIGURE_SUMS]
        figure_rows += db.session.execute(
            select(*keys, figures.wait_minute.label("minute"), *sums)
            .where(*in_days, *_desk_conditions(figures, filters))
            .group_by(*keys, figures.wait_minute)
        ).all()
        keys = (minutes.service_id, minutes.counter_id, minutes.officer_id)
        minute_rows += db.session.execute(
            select(*keys, minutes.minute, func.sum(minutes.tickets))
            .where(
                minutes.day >= split.start,
                minutes.day <= split.summarised_last,
                *_desk_conditions(minutes, filters),
            )
            .group_by(*keys, minutes.minute)
        ).all()
    if split.has_live:
        conditions = _live_ticket_conditions(split, filters)
        figure_rows += db.session.execute(ticket_figures_select(local, conditions)).all()
        minute_rows += db.session.execute(service_minutes_select(local, conditions)).all()
    return figure_rows, minute_rows


_HOUR_SUMS = ("issued", "served", "waited", "wait_seconds", "quick")


def ticket_hour_rows(split: DaySplit, filters, local) -> list:
    """The ticket sums per local day and hour of issue."""
    rows = []
    if split.has_summaries:
        hours = TicketDayHours
        rows += db.session.execute(
            select(
                hours.day,
                hours.hour,
                *[func.sum(getattr(hours, name)).label(name) for name in _HOUR_SUMS],
            )
            .where(
                hours.day >= split.start,
                hours.day <= split.summarised_last,
                *_desk_conditions(hours, filters),
            )
            .group_by(hours.day, hours.hour)
        ).all()
    if split.has_live:
        conditions = _live_ticket_conditions(split, filters)
        rows += db.session.execute(ticket_hours_select(local, conditions)).all()
    return rows


def rating_rows(split: DaySplit, filters) -> list:
    """(counter id, officer id, score, ratings) rows."""
    rows = []
    if split.has_summaries:
        ratings = RatingDay
        keys = (ratings.counter_id, ratings.officer_id, ratings.score)
        rows += db.session.execute(
            select(*keys, func.sum(ratings.ratings))
            .where(
                ratings.day >= split.start,
                ratings.day <= split.summarised_last,
                *_desk_conditions(ratings, filters),
            )
            .group_by(*keys)
        ).all()
    if split.has_live:
        low, high = split.live_bounds()
        rows += db.session.execute(
            select(Rating.counter_id, Rating.officer_id, Rating.score, func.count())
            .where(
                Rating.created_at >= low,
                Rating.created_at < high,
                *_desk_conditions(Rating, filters),
            )
            .group_by(Rating.counter_id, Rating.officer_id, Rating.score)
        ).all()
    return rows


def summarised_dossier_rows(split: DaySplit, filters) -> list:
    """Per closed day: (day, dossiers received and not withdrawn or stopped, resolved,
    resolved late)."""
    if not split.has_summaries:
        return []
    days = DossierDay
    return db.session.execute(
        select(
            days.day,
            func.sum(days.received_kept),
            func.sum(days.resolved),
            func.sum(days.resolved_late),
        )
        .where(
            days.day >= split.start,
            days.day <= split.summarised_last,
            *dossier_day_conditions(filters),
        )
        .group_by(days.day)
    ).all()


def live_dossier_rows(split: DaySplit, filters, local: LocalTime) -> tuple[list, list]:
    """Per other local day, by its number counted from 1970-01-01: (day, dossiers received
    and not withdrawn or stopped), and (day, resolved, resolved late)."""
    if not split.has_live:
        return [], []
    low, high = split.live_bounds()
    received_day = local.day_number(Dossier.received_at).label("day")
    received = db.session.execute(
        select(received_day, func.count())
        .where(
            Dossier.received_at >= low,
            Dossier.received_at < high,
            Dossier.withdrawn_at.is_(None),
            Dossier.stopped_at.is_(None),
            *filters.dossier_conditions(),
        )
        .group_by(received_day)
    ).all()
    resolved_day = local.day_number(Dossier.resolved_at).label("day")
    resolved = db.session.execute(
        select(
            resolved_day,
            func.count(),
            func.sum(case((Dossier.resolved_at > Dossier.judged_due_at, 1), else_=0)),
        )
        .where(
            Dossier.resolved_at >= low,
            Dossier.resolved_at < high,
            *filters.dossier_conditions(),
        )
        .group_by(resolved_day)
    ).all()
    return received, resolved
