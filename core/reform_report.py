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

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from extensions import db

from .clock import local_zone, utcnow
from .models import Ticket
from .models_dossiers import Channel, Dossier, DossierEvent
from .report_periods import Period
from .sql_time import LocalTime, statistics_transaction

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
        conditions = []
        if self.field:
            conditions.append(Dossier.field_name == self.field)
        if self.procedure:
            conditions.append(Dossier.procedure_code == self.procedure)
        if self.officer_id:
            conditions.append(Dossier.received_by_id == self.officer_id)
        if self.counter_id:
            at_counter = select(Ticket.id).where(Ticket.counter_id == self.counter_id)
            conditions.append(Dossier.ticket_id.in_(at_counter))
        return conditions


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


def legal_due() -> ColumnElement:
    """The due time lateness is judged against: the apology's new date does not count,
    unless the clock restarted (a supplement came back) after the apology."""
    kept_after_apology = and_(
        Dossier.apologised_at.is_not(None),
        Dossier.original_due_at.is_not(None),
        Dossier.clock_started_at <= Dossier.apologised_at,
    )
    return case((kept_after_apology, Dossier.original_due_at), else_=Dossier.due_at)


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


def _flag(condition: ColumnElement) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


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
    period: Period, filters: ReportFilter | None = None, now: datetime | None = None
) -> ReformReport:
    """The official table for `period`: one row per field and the total row.

    Pending dossiers are judged at the end of the last day, or now if that is still ahead.
    """
    statistics_transaction()
    filters = filters or ReportFilter()
    zone = local_zone()
    start, end = period.bounds(zone)
    cutoff = min(end, now or utcnow())
    local = LocalTime(zone, end)
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
    report = ReformReport(period)
    for name in sorted(by_field, key=_vietnamese_sort_key):
        report.rows.append((name, by_field[name]))
        report.total.add(by_field[name])
    return report


def _vietnamese_sort_key(text: str) -> str:
    from .vntext import unaccent

    return unaccent(text).lower()
