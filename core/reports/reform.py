"""The official table of results of handling administrative procedures (Circular
01/2020/TT-VPCP form), for any period, counted by SQL aggregation.

Rules (see docs/dashboard.md):
- received in the period: received_at within the period's local days; carried over:
  received before the period and neither resolved nor withdrawn before it began;
- resolved: a result (or a refusal) recorded within the period; early when on a day
  before the due day, on time on the due day by the due time, late after it;
- lateness is judged against the legal due time: the one set at reception, or set again
  when a supplemented dossier restarted the clock; a new date promised in an apology
  letter does not make a late dossier timely (the letter is counted apart);
- pending at the end of the last day (or now, for a period not yet over): overdue when its
  due time has passed, except while it awaits the applicant's supplement (the clock
  restarts when the supplement comes);
- withdrawn within the period: left out of every column and counted apart, so that
  received_total = resolved_total + pending_total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.clock import day_start, local_today, local_zone, utcnow
from core.db.sql_time import LocalTime, statistics_transaction
from core.models import Channel, Dossier, DossierDay, DossierEvent, Ticket
from core.reports.periods import Period
from core.reports.summaries import (
    _flag,
    dossiers_received_columns,
    dossiers_resolved_columns,
    ensure_summaries,
    last_closed_day,
    legal_due,
    resolution_classes,
)
from extensions import db

COUNT_KEYS = (
    "received_total",
    "received_online",
    "received_direct",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_on_time",
    "pending_overdue",
)
# The sums the database returns; the totals are derived from them.
_SUMMED = (
    "received_online",
    "received_direct",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_on_time",
    "pending_overdue",
    "withdrawn",
    "apologies",
)


@dataclass(frozen=True)
class ReportFilter:
    """Narrow the statistics: a field, a procedure code, a counter id or an officer id."""

    field: str | None = None
    procedure: str | None = None
    counter_id: int | None = None
    officer_id: int | None = None

    def dossier_conditions(self) -> list[ColumnElement]:
        """The filters on dossier rows (a dossier's counter is its ticket's)."""
        at_counter = select(Ticket.id).where(Ticket.counter_id == self.counter_id)
        return self.conditions_on(
            Dossier.field_name,
            Dossier.procedure_code,
            Dossier.received_by_id,
            Dossier.ticket_id.in_(at_counter),
        )

    def conditions_on(self, field, procedure, officer, at_counter) -> list[ColumnElement]:
        """The conditions of the filters that are set, on the given columns."""
        wanted = (
            (self.field, lambda: field == self.field),
            (self.procedure, lambda: procedure == self.procedure),
            (self.officer_id, lambda: officer == self.officer_id),
            (self.counter_id, lambda: at_counter),
        )
        return [condition() for value, condition in wanted if value]


@dataclass
class Counts:
    received_online: int = 0
    received_direct: int = 0
    carried_over: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    pending_on_time: int = 0
    pending_overdue: int = 0
    withdrawn: int = 0
    apologies: int = 0

    def add(self, other: Counts) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def received_total(self) -> int:
        return self.received_online + self.received_direct + self.carried_over

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def pending_total(self) -> int:
        return self.pending_on_time + self.pending_overdue

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) ÷ resolved, in per cent with one decimal; None if none resolved."""
        if not self.resolved_total:
            return None
        return round(100 * (self.resolved_early + self.resolved_on_time) / self.resolved_total, 1)

    def as_dict(self) -> dict:
        values = {key: getattr(self, key) for key in COUNT_KEYS}
        values["on_time_rate"] = self.on_time_rate
        values["withdrawn"] = self.withdrawn
        values["apologies"] = self.apologies
        return values


@dataclass
class ReformReport:
    period: Period
    rows: list[tuple[str, Counts]] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)

    def as_json(self) -> dict:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "rows": [{"field": name, **counts.as_dict()} for name, counts in self.rows],
            "total": self.total.as_dict(),
        }


def awaiting_supplement_at(end: datetime) -> ColumnElement:
    """Whether the dossier's last supplement step before `end` was the request."""
    last_step = (
        select(DossierEvent.action)
        .where(
            DossierEvent.dossier_id == Dossier.id,
            DossierEvent.action.in_(("request_supplement", "supplement_received")),
            DossierEvent.occurred_at < end,
        )
        .order_by(DossierEvent.occurred_at.desc(), DossierEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last_step, "") == "request_supplement"


def _columns(
    start: datetime, end: datetime, cutoff: datetime, local: LocalTime
) -> list[ColumnElement]:
    """`cutoff` is the end of the period, or now for a period not yet over."""
    due = legal_due()
    withdrawn = and_(Dossier.withdrawn_at.is_not(None), Dossier.withdrawn_at < end)
    counted = not_(withdrawn)
    resolved = and_(counted, Dossier.resolved_at.is_not(None), Dossier.resolved_at < end)
    pending = and_(counted, or_(Dossier.resolved_at.is_(None), Dossier.resolved_at >= end))
    new = and_(counted, Dossier.received_at >= start)
    online = Dossier.channel == Channel.ONLINE
    early = local.date(Dossier.resolved_at) < local.date(due)
    # Overdue at the cut-off: due time passed, the clock running (not restarted after
    # the cut-off, not stopped for a supplement). The event look-up runs only for these.
    overdue = case(
        (
            and_(pending, due < cutoff, Dossier.clock_started_at < cutoff),
            case((awaiting_supplement_at(cutoff), 0), else_=1),
        ),
        else_=0,
    )
    return [
        _flag(and_(new, online)).label("received_online"),
        _flag(and_(new, not_(online))).label("received_direct"),
        _flag(and_(counted, Dossier.received_at < start)).label("carried_over"),
        _flag(and_(resolved, Dossier.resolved_at <= due, early)).label("resolved_early"),
        _flag(and_(resolved, Dossier.resolved_at <= due, not_(early))).label("resolved_on_time"),
        _flag(and_(resolved, Dossier.resolved_at > due)).label("resolved_late"),
        (_flag(pending) - func.sum(overdue)).label("pending_on_time"),
        func.sum(overdue).label("pending_overdue"),
        _flag(withdrawn).label("withdrawn"),
        _flag(
            and_(
                Dossier.apologised_at.is_not(None),
                Dossier.apologised_at >= start,
                Dossier.apologised_at < end,
            )
        ).label("apologies"),
    ]


def _population(start: datetime, end: datetime) -> list[ColumnElement]:
    """Three disjoint slices, each served by an index: received in the period; received
    before it and resolved since it began; received before it and never resolved (open
    now, or withdrawn after it began)."""
    return [
        and_(Dossier.received_at >= start, Dossier.received_at < end),
        and_(Dossier.resolved_at >= start, Dossier.received_at < start),
        and_(
            Dossier.resolved_at.is_(None),
            Dossier.received_at < start,
            or_(Dossier.withdrawn_at.is_(None), Dossier.withdrawn_at >= start),
        ),
    ]


def reform_report(
    period: Period,
    filters: ReportFilter | None = None,
    now: datetime | None = None,
    summaries: bool = True,
) -> ReformReport:
    """The official table for `period`: one row per field and the total row.

    Pending dossiers are judged at the end of the last day, or now if that is still ahead.
    `summaries=False` counts from the raw rows only (the reference for the summaries).
    """
    today = local_today()  # once: the summaries built and read end on the same day
    if summaries:
        ensure_summaries(today)
    statistics_transaction()
    filters = filters or ReportFilter()
    zone = local_zone()
    start, end = period.bounds(zone)
    cutoff = min(end, now or utcnow())
    local = LocalTime(zone, end)
    if summaries:
        by_field = _summed_counts(period, start, end, cutoff, local, filters, today)
    else:
        by_field = _raw_counts(start, end, cutoff, local, filters)
    report = ReformReport(period)
    for name in sorted(by_field, key=_vietnamese_sort_key):
        report.rows.append((name, by_field[name]))
        report.total.add(by_field[name])
    return report


def _raw_counts(start, end, cutoff, local, filters) -> dict[str, Counts]:
    """Every column from the raw rows: three index-served slices, each grouped by field."""
    by_field: dict[str, Counts] = {}
    for population in _population(start, end):
        statement = (
            select(Dossier.field_name, *_columns(start, end, cutoff, local))
            .where(population, *filters.dossier_conditions())
            .group_by(Dossier.field_name)
        )
        for row in db.session.execute(statement).mappings():
            counts = Counts(**{name: int(row[name] or 0) for name in _SUMMED})
            by_field.setdefault(row["field_name"], Counts()).add(counts)
    return by_field


def dossier_day_conditions(filters: ReportFilter) -> list[ColumnElement]:
    """The filters, on the dossiers' per-day summary rows."""
    days = DossierDay
    return filters.conditions_on(
        days.field_name,
        days.procedure_code,
        days.received_by_id,
        days.counter_id == filters.counter_id,
    )


_DAY_SUMS = (
    "received_online",
    "received_direct",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
)


def _day_sums(
    first: date | None, last: date, local: LocalTime, filters: ReportFilter, today: date
) -> dict[str, dict[str, int]]:
    """Dossiers received (by channel) and resolved (by class) on the local days
    [first, last] (from the beginning when `first` is None), per field, withdrawn ones
    included: summary rows for closed days, raw rows for the days from today on."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_DAY_SUMS, 0))

    def add(rows) -> None:
        for row in rows.mappings():
            for name in _DAY_SUMS:
                if name in row:
                    sums[row["field_name"]][name] += int(row[name] or 0)

    closed = min(last, last_closed_day(today))
    if first is None or first <= closed:
        days = DossierDay
        in_days = [days.day <= closed] + ([days.day >= first] if first else [])
        add(
            db.session.execute(
                select(days.field_name, *[func.sum(getattr(days, n)).label(n) for n in _DAY_SUMS])
                .where(*in_days, *dossier_day_conditions(filters))
                .group_by(days.field_name)
            )
        )
    live_first = max(first or closed, closed + timedelta(days=1))
    if live_first <= last:
        low, high = day_start(live_first), day_start(last + timedelta(days=1))
        for moment, columns in (
            (Dossier.received_at, dossiers_received_columns()),
            (Dossier.resolved_at, dossiers_resolved_columns(local)),
        ):
            add(
                db.session.execute(
                    select(Dossier.field_name, *columns)
                    .where(moment >= low, moment < high, *filters.dossier_conditions())
                    .group_by(Dossier.field_name)
                )
            )
    return sums


def _field_key() -> ColumnElement:
    """The field, as an expression: grouping by it must not lead SQLite to walk the whole
    field index instead of the narrow range these queries select."""
    return func.coalesce(Dossier.field_name, "").label("field_name")


def _withdrawn_corrections(start, end, local, filters) -> dict[str, dict[str, int]]:
    """What the day sums count of the dossiers withdrawn before the end (left out of the
    table), and the withdrawn column itself: one pass over the withdrawn dossiers."""
    received_in = and_(Dossier.received_at >= start, Dossier.received_at < end)
    resolved_in = and_(Dossier.resolved_at >= start, Dossier.resolved_at < end)
    online = Dossier.channel == Channel.ONLINE
    open_at_start = or_(Dossier.resolved_at.is_(None), Dossier.resolved_at >= start)
    classes = resolution_classes(local)
    listed = or_(
        received_in,
        and_(Dossier.received_at < start, Dossier.resolved_at >= start),
        and_(
            Dossier.received_at < start,
            Dossier.resolved_at.is_(None),
            Dossier.withdrawn_at >= start,
        ),
    )
    field_key = _field_key()
    statement = (
        select(
            field_key,
            _flag(and_(received_in, online)).label("received_online"),
            _flag(and_(received_in, not_(online))).label("received_direct"),
            _flag(and_(Dossier.received_at < start, open_at_start)).label("carried_over"),
            _flag(and_(resolved_in, classes["early"])).label("resolved_early"),
            _flag(and_(resolved_in, classes["on_time"])).label("resolved_on_time"),
            _flag(and_(resolved_in, classes["late"])).label("resolved_late"),
            _flag(listed).label("withdrawn"),
        )
        .where(Dossier.withdrawn_at < end, *filters.dossier_conditions())
        .group_by(field_key)
    )
    return {row["field_name"]: row for row in db.session.execute(statement).mappings()}


def _overdue(end, cutoff, filters) -> dict[str, int]:
    """Dossiers pending at the end of the period (not resolved or withdrawn before it)
    and overdue at the cut-off, per field: the open ones and those resolved later. The
    supplement look-up runs only for the rows whose due time has passed."""
    pending = or_(Dossier.withdrawn_at.is_(None), Dossier.withdrawn_at >= end)
    late = and_(legal_due() < cutoff, Dossier.clock_started_at < cutoff)
    overdue = func.sum(case((awaiting_supplement_at(cutoff), 0), else_=1))
    field_key = _field_key()
    counts: dict[str, int] = defaultdict(int)
    for slice_ in (Dossier.resolved_at.is_(None), Dossier.resolved_at >= end):
        for field_name, count in db.session.execute(
            select(field_key, overdue)
            .where(slice_, Dossier.received_at < end, pending, late, *filters.dossier_conditions())
            .group_by(field_key)
        ):
            counts[field_name] += int(count or 0)
    return counts


def _apologies(start, end, filters) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Dossier.field_name, func.count())
            .where(
                Dossier.apologised_at >= start,
                Dossier.apologised_at < end,
                *filters.dossier_conditions(),
            )
            .group_by(Dossier.field_name)
        ).all()
    )


def _summed_counts(period, start, end, cutoff, local, filters, today) -> dict[str, Counts]:
    """The table from per-day sums plus small exact corrections:
    received and resolved = day sums over the period − the withdrawn ones;
    carried over = received − resolved on every day before the period − the withdrawn
    ones still open at its start; pending = received total − resolved total, of which
    overdue counted directly at the cut-off."""
    in_period = _day_sums(period.start, period.end, local, filters, today)
    before = _day_sums(None, period.start - timedelta(days=1), local, filters, today)
    withdrawn = _withdrawn_corrections(start, end, local, filters)
    overdue = _overdue(end, cutoff, filters)
    apologies = _apologies(start, end, filters)
    by_field: dict[str, Counts] = {}
    for name in set(in_period) | set(before) | set(withdrawn) | set(overdue) | set(apologies):
        now_, earlier = in_period.get(name, {}), before.get(name, {})
        gone = withdrawn.get(name, {})

        def less(sums, key, gone=gone):
            return int(sums.get(key, 0)) - int(gone.get(key) or 0)

        counts = Counts(
            received_online=less(now_, "received_online"),
            received_direct=less(now_, "received_direct"),
            carried_over=earlier.get("received_online", 0)
            + earlier.get("received_direct", 0)
            - earlier.get("resolved", 0)
            - int(gone.get("carried_over") or 0),
            resolved_early=less(now_, "resolved_early"),
            resolved_on_time=less(now_, "resolved_on_time"),
            resolved_late=less(now_, "resolved_late"),
            pending_overdue=overdue.get(name, 0),
            withdrawn=int(gone.get("withdrawn") or 0),
            apologies=apologies.get(name, 0),
        )
        counts.pending_on_time = (
            counts.received_total - counts.resolved_total - counts.pending_overdue
        )
        if any(getattr(counts, key) for key in _SUMMED):
            by_field[name] = counts
    return by_field


def _vietnamese_sort_key(text: str) -> str:
    from core.vntext import unaccent

    return unaccent(text).lower()
