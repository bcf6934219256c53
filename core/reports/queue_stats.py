"""Queue, satisfaction and trend figures for a period, by SQL aggregation.

Closed days are added up from their per-day summary rows (core.reports.summaries), today
from the raw rows grouped the same way; Python only adds up the few grouped rows (per
service, counter and officer) and reads the 90th percentile off per-minute histograms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select

from core.clock import day_start, local_today, local_zone
from core.db.sql_time import LocalTime, statistics_transaction
from core.models import (
    Counter,
    Dossier,
    DossierDay,
    Rating,
    RatingDay,
    RatingScore,
    Service,
    Ticket,
    TicketDayFigures,
    TicketDayHours,
    TicketDayServiceMinutes,
    User,
)
from core.queue.opening_hours import WEEKDAY_NAMES
from core.reports.periods import Period
from core.reports.reform import ReportFilter, dossier_day_conditions, legal_due
from core.reports.summaries import (
    ensure_summaries,
    last_closed_day,
    service_minutes_select,
    ticket_figures_select,
    ticket_hours_select,
)
from extensions import db

EPOCH_DAY = date(1970, 1, 1)


@dataclass
class QueueFigures:
    """Sums for one group of tickets; averages and shares derived."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    waited: int = 0
    wait_seconds: float = 0.0
    quick: int = 0
    timed: int = 0
    service_seconds: float = 0.0
    wait_histogram: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    service_histogram: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: QueueFigures) -> None:
        for name in ("issued", "served", "no_show", "waited", "quick", "timed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait_seconds += other.wait_seconds
        self.service_seconds += other.service_seconds
        for minute, count in other.wait_histogram.items():
            self.wait_histogram[minute] += count
        for minute, count in other.service_histogram.items():
            self.service_histogram[minute] += count

    @property
    def average_wait_minutes(self) -> float | None:
        return round(self.wait_seconds / self.waited / 60, 1) if self.waited else None

    @property
    def average_service_minutes(self) -> float | None:
        return round(self.service_seconds / self.timed / 60, 1) if self.timed else None

    @property
    def p90_wait_minutes(self) -> int | None:
        return percentile_minutes(self.wait_histogram, 0.9)

    @property
    def p90_service_minutes(self) -> int | None:
        return percentile_minutes(self.service_histogram, 0.9)

    @property
    def quick_share(self) -> float | None:
        """Per cent of the called tickets called within 15 minutes of issue."""
        return round(100 * self.quick / self.waited, 1) if self.waited else None

    def as_dict(self) -> dict:
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "average_wait_minutes": self.average_wait_minutes,
            "p90_wait_minutes": self.p90_wait_minutes,
            "average_service_minutes": self.average_service_minutes,
            "p90_service_minutes": self.p90_service_minutes,
            "quick_share": self.quick_share,
        }


def percentile_minutes(histogram: dict[int, int], share: float) -> int | None:
    """The whole minutes under which `share` of the durations fall (bucket upper edge)."""
    total = sum(histogram.values())
    if not total:
        return None
    running = 0
    for minute in sorted(histogram):
        running += histogram[minute]
        if running >= share * total:
            return minute + 1
    return max(histogram) + 1


@dataclass
class Satisfaction:
    counts: dict[str, int] = field(
        default_factory=lambda: {score.value: 0 for score in RatingScore}
    )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied_share(self) -> float | None:
        """Per cent rating 'very satisfied' or 'satisfied'."""
        if not self.total:
            return None
        pleased = self.counts["very_satisfied"] + self.counts["satisfied"]
        return round(100 * pleased / self.total, 1)

    def shares(self) -> dict[str, float | None]:
        return {
            score: (round(100 * count / self.total, 1) if self.total else None)
            for score, count in self.counts.items()
        }


@dataclass
class PeriodStatistics:
    period: Period
    queue: QueueFigures = field(default_factory=QueueFigures)
    by_service: list[tuple[str, QueueFigures]] = field(default_factory=list)
    by_counter: list[tuple[str, QueueFigures]] = field(default_factory=list)
    by_officer: list[tuple[str, QueueFigures]] = field(default_factory=list)
    by_weekday: list[tuple[str, QueueFigures]] = field(default_factory=list)
    by_hour: list[tuple[int, QueueFigures]] = field(default_factory=list)
    arrivals: dict[tuple[int, int], int] = field(default_factory=dict)  # (weekday, hour)
    satisfaction: Satisfaction = field(default_factory=Satisfaction)
    satisfaction_by_counter: list[tuple[str, Satisfaction]] = field(default_factory=list)
    satisfaction_by_officer: list[tuple[str, Satisfaction]] = field(default_factory=list)
    apologies: int = 0
    months: list[dict] = field(default_factory=list)
    ticket_months: dict[str, list[int]] = field(default_factory=dict)

    @property
    def arrival_hours(self) -> list[int]:
        hours = sorted({hour for _, hour in self.arrivals})
        return list(range(hours[0], hours[-1] + 1)) if hours else []

    @property
    def arrival_weekdays(self) -> list[int]:
        return sorted({weekday for weekday, _ in self.arrivals})


def _desk_conditions(table, filters: ReportFilter) -> list:
    """The counter and officer filters, on ticket, rating or a summary table."""
    conditions = []
    if filters.counter_id:
        conditions.append(table.counter_id == filters.counter_id)
    if filters.officer_id:
        conditions.append(table.officer_id == filters.officer_id)
    return conditions


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
        return day_start(self.live_first), day_start(self.end + timedelta(days=1))


def _names():
    services = {
        s.id: f"{s.prefix} – {s.name}" for s in db.session.execute(select(Service)).scalars()
    }
    counters = {c.id: c.name for c in db.session.execute(select(Counter)).scalars()}
    officers = {u.id: u.full_name or u.username for u in db.session.execute(select(User)).scalars()}
    return services, counters, officers


def period_statistics(
    period: Period,
    filters: ReportFilter | None = None,
    apologies: int | None = None,
    summaries: bool = True,
) -> PeriodStatistics:
    """Every figure of the statistics page for `period` except the official table
    (`apologies`, when the caller already has the report's count, saves a query).

    Closed days are read from their per-day summaries (built first when missing, see
    core.reports.summaries), today from the raw rows; `summaries=False` reads raw rows
    only (the reference the summaries are tested against)."""
    today = local_today()  # once: the summaries built and read end on the same day
    if summaries:
        ensure_summaries(today)
    statistics_transaction()
    filters = filters or ReportFilter()
    zone = local_zone()
    start, end = period.bounds(zone)
    local = LocalTime(zone, end)
    split = DaySplit.of(period, summaries, today)
    stats = PeriodStatistics(period)
    _queue_figures(stats, split, filters, local)
    _satisfaction(stats, split, filters)
    stats.months = _months(stats, split, filters, local)
    if apologies is None:
        apologies = db.session.execute(
            select(func.count()).where(
                Dossier.apologised_at >= start,
                Dossier.apologised_at < end,
                *filters.dossier_conditions(),
            )
        ).scalar_one()
    stats.apologies = apologies
    return stats


def _queue_figures(stats, split: DaySplit, filters, local) -> None:
    """Sums with the waiting-time histogram, then the service-time histogram, grouped by
    service, counter and officer (summaries of closed days, raw rows of the others)."""
    groups: dict[tuple, QueueFigures] = defaultdict(QueueFigures)
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
    for row in figure_rows:
        figures = groups[(row[0], row[1], row[2])]
        figures.issued += row.issued
        figures.served += row.served or 0
        figures.no_show += row.no_show or 0
        figures.waited += row.waited
        figures.quick += row.quick or 0
        figures.timed += row.timed or 0
        figures.wait_seconds += float(row.wait_seconds or 0)
        figures.service_seconds += float(row.service_seconds or 0)
        if row.minute is not None:
            figures.wait_histogram[int(row.minute)] += row.waited
    for service_id, counter_id, officer_id, bucket, count in minute_rows:
        groups[(service_id, counter_id, officer_id)].service_histogram[int(bucket)] += count
    services, counters, officers = _names()
    stats.by_service = _roll_up(groups, 0, services)
    stats.by_counter = _roll_up(groups, 1, counters)
    stats.by_officer = _roll_up(groups, 2, officers)
    for figures in groups.values():
        stats.queue.add(figures)
    _arrivals(stats, split, filters, local)


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


def _live_ticket_conditions(split: DaySplit, filters) -> list:
    return [
        Ticket.day >= split.live_first,
        Ticket.day <= split.end,
        *_desk_conditions(Ticket, filters),
    ]


def natural_key(item) -> list:
    """Sort 'Quầy số 2' before 'Quầy số 10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(item[0]))]


def _roll_up(groups, position: int, names: dict) -> list[tuple[str, QueueFigures]]:
    rolled: dict[int, QueueFigures] = defaultdict(QueueFigures)
    for key, figures in groups.items():
        if key[position] is not None:
            rolled[key[position]].add(figures)
    return sorted(
        ((names.get(key, f"#{key}"), figures) for key, figures in rolled.items()),
        key=natural_key,
    )


def _arrivals(stats, split: DaySplit, filters, local) -> None:
    """Grouped by day and hour: the heat map, the weekday and hour tables and the months'
    ticket counts (weekday and month are read off the day here)."""
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
    by_weekday: dict[int, QueueFigures] = defaultdict(QueueFigures)
    by_hour: dict[int, QueueFigures] = defaultdict(QueueFigures)
    stats.ticket_months = defaultdict(lambda: [0, 0])
    for row in rows:
        day = _as_date(row.day)
        figures = QueueFigures(
            issued=row.issued,
            waited=row.waited,
            wait_seconds=float(row.wait_seconds or 0),
            quick=row.quick or 0,
        )
        key = (day.weekday(), int(row.hour))
        stats.arrivals[key] = stats.arrivals.get(key, 0) + row.issued
        by_weekday[day.weekday()].add(figures)
        by_hour[int(row.hour)].add(figures)
        stats.ticket_months[f"{day:%Y-%m}"][0] += row.issued
        stats.ticket_months[f"{day:%Y-%m}"][1] += row.served or 0
    stats.by_weekday = [(WEEKDAY_NAMES[day], by_weekday[day]) for day in sorted(by_weekday)]
    stats.by_hour = sorted(by_hour.items())


_HOUR_SUMS = ("issued", "served", "waited", "wait_seconds", "quick")


def _satisfaction(stats, split: DaySplit, filters) -> None:
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
    _, counters, officers = _names()
    by_counter: dict[int, Satisfaction] = defaultdict(Satisfaction)
    by_officer: dict[int, Satisfaction] = defaultdict(Satisfaction)
    for counter_id, officer_id, score, count in rows:
        value = RatingScore(score).value
        stats.satisfaction.counts[value] += count
        by_counter[counter_id].counts[value] += count
        if officer_id is not None:
            by_officer[officer_id].counts[value] += count
    stats.satisfaction_by_counter = sorted(
        ((counters.get(key, f"#{key}"), value) for key, value in by_counter.items()),
        key=natural_key,
    )
    stats.satisfaction_by_officer = sorted(
        ((officers.get(key, f"#{key}"), value) for key, value in by_officer.items()),
        key=natural_key,
    )


def from_day_number(number: int) -> str:
    """'YYYY-MM' of a day counted from 1970-01-01."""
    return f"{EPOCH_DAY + timedelta(days=int(number)):%Y-%m}"


def _months(stats, split: DaySplit, filters, local) -> list[dict]:
    """Calendar months of the period: tickets, dossiers received (not withdrawn),
    resolved and late."""
    months: dict[str, dict] = defaultdict(
        lambda: {"tickets": 0, "served": 0, "received": 0, "resolved": 0, "late": 0}
    )
    for key, (issued, served) in stats.ticket_months.items():
        months[key]["tickets"], months[key]["served"] = issued, served
    if split.has_summaries:
        days = DossierDay
        for day, received, resolved, late in db.session.execute(
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
        ):
            month = months[f"{_as_date(day):%Y-%m}"]
            month["received"] += received
            month["resolved"] += resolved
            month["late"] += late
    if split.has_live:
        low, high = split.live_bounds()
        received_day = local.day_number(Dossier.received_at).label("day")
        for number, count in db.session.execute(
            select(received_day, func.count())
            .where(
                Dossier.received_at >= low,
                Dossier.received_at < high,
                Dossier.withdrawn_at.is_(None),
                *filters.dossier_conditions(),
            )
            .group_by(received_day)
        ):
            months[from_day_number(number)]["received"] += count
        resolved_day = local.day_number(Dossier.resolved_at).label("day")
        for number, count, late in db.session.execute(
            select(
                resolved_day,
                func.count(),
                func.sum(case((Dossier.resolved_at > legal_due(), 1), else_=0)),
            )
            .where(
                Dossier.resolved_at >= low,
                Dossier.resolved_at < high,
                *filters.dossier_conditions(),
            )
            .group_by(resolved_day)
        ):
            months[from_day_number(number)]["resolved"] += count
            months[from_day_number(number)]["late"] += late or 0
    return [{"month": key, **values} for key, values in sorted(months.items())]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
