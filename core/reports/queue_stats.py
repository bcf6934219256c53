"""Queue, satisfaction and trend figures for a period, by SQL aggregation.

Closed days are added up from their per-day summary rows (core.reports.summaries), today
from the raw rows grouped the same way (the statements: core.reports.queue_stats_queries);
Python only adds up the few grouped rows (per service, counter and officer) into the
tables here and reads the 90th percentile off per-minute histograms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from core.clock import local_today, local_zone
from core.db.sql_time import LocalTime, statistics_transaction
from core.models import Dossier, RatingScore
from core.queue.opening_hours import WEEKDAY_NAMES
from core.reports.periods import Period
from core.reports.queue_stats_queries import (
    DaySplit,
    display_names,
    live_dossier_rows,
    rating_rows,
    summarised_dossier_rows,
    ticket_figure_rows,
    ticket_hour_rows,
)
from core.reports.reform import ReportFilter
from core.reports.summaries import ensure_summaries
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
    service, counter and officer and rolled up each way."""
    groups: dict[tuple, QueueFigures] = defaultdict(QueueFigures)
    figure_rows, minute_rows = ticket_figure_rows(split, filters, local)
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
    services, counters, officers = display_names()
    stats.by_service = _roll_up(groups, 0, services)
    stats.by_counter = _roll_up(groups, 1, counters)
    stats.by_officer = _roll_up(groups, 2, officers)
    for figures in groups.values():
        stats.queue.add(figures)
    _arrivals(stats, split, filters, local)


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
    rows = ticket_hour_rows(split, filters, local)
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


def _satisfaction(stats, split: DaySplit, filters) -> None:
    rows = rating_rows(split, filters)
    _, counters, officers = display_names()
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
    for day, received, resolved, late in summarised_dossier_rows(split, filters):
        month = months[f"{_as_date(day):%Y-%m}"]
        month["received"] += received
        month["resolved"] += resolved
        month["late"] += late
    received_rows, resolved_rows = live_dossier_rows(split, filters, local)
    for number, count in received_rows:
        months[from_day_number(number)]["received"] += count
    for number, count, late in resolved_rows:
        months[from_day_number(number)]["resolved"] += count
        months[from_day_number(number)]["late"] += late or 0
    return [{"month": key, **values} for key, values in sorted(months.items())]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
