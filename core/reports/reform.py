"""The official table of results of handling administrative procedures (Circular
01/2020/TT-VPCP form), for any period, counted by SQL aggregation (the statements are in
core.reports.reform_queries).

Rules (see docs/dashboard.md):
- received in the period: received_at within the period's local days; carried over:
  received before the period and neither resolved, withdrawn nor stopped before it began;
- resolved: a result (or a refusal) recorded within the period; early when on a day
  before the due day, on time on the due day by the due time, late after it;
- lateness is judged against `Dossier.judged_due_at`: the due time set at reception, or
  set again when a dossier supplemented after a request made in time restarted the
  clock; a new date promised in an apology letter, or the restart after a late request,
  does not make a late dossier timely (the letter is counted apart);
- pending at the end of the last day (or now, for a period not yet over): overdue when its
  judged due time has passed, except while it awaits the applicant's supplement asked for
  in time (the clock restarts when the supplement comes);
- withdrawn within the period: left out of every column and counted apart, so that
  received_total = resolved_total + pending_total; stopped within the period (the agency
  stopped processing it, form 05): the same, counted apart under `stopped`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from core.clock import local_today, local_zone, utcnow
from core.db.sql_time import LocalTime, statistics_transaction
from core.models import Agency, Dossier, Ticket
from core.reports.periods import Period
from core.reports.reform_queries import (
    ROW_KINDS,
    apologies_by_row,
    day_sums,
    left_table_corrections,
    overdue_by_row,
    raw_slices,
    raw_table_columns,
    row_key,
)
from core.reports.summaries import ensure_summaries
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
    "stopped",
    "apologies",
)


@dataclass(frozen=True)
class ReportFilter:
    """Narrow the statistics: a field, a procedure code, a counter id, an officer id or
    the competent agency's id (none: the whole centre)."""

    field: str | None = None
    procedure: str | None = None
    counter_id: int | None = None
    officer_id: int | None = None
    agency_id: int | None = None

    def dossier_conditions(self) -> list[ColumnElement]:
        """The filters on dossier rows (a dossier's counter is its ticket's)."""
        at_counter = select(Ticket.id).where(Ticket.counter_id == self.counter_id)
        return self.conditions_on(
            Dossier.field_name,
            Dossier.procedure_code,
            Dossier.received_by_id,
            Dossier.ticket_id.in_(at_counter),
            # An expression, not the column: a test of it must not lead SQLite to walk the
            # agency's index (half the table) instead of a report index's narrow range,
            # which covers agency_id too.
            func.coalesce(Dossier.agency_id, 0),
        )

    def conditions_on(self, field, procedure, officer, at_counter, agency) -> list[ColumnElement]:
        """The conditions of the filters that are set, on the given columns."""
        wanted = (
            (self.field, lambda: field == self.field),
            (self.procedure, lambda: procedure == self.procedure),
            (self.officer_id, lambda: officer == self.officer_id),
            (self.counter_id, lambda: at_counter),
            (self.agency_id, lambda: agency == self.agency_id),
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
    stopped: int = 0
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

    @property
    def evaluation_rate(self) -> float | None:
        """(early + on time) ÷ received, in per cent with one decimal, the rate the yearly
        assessment of the agency uses; None if nothing was received."""
        if not self.received_total:
            return None
        return round(100 * (self.resolved_early + self.resolved_on_time) / self.received_total, 1)

    def as_dict(self) -> dict:
        values = {key: getattr(self, key) for key in COUNT_KEYS}
        values["on_time_rate"] = self.on_time_rate
        values["withdrawn"] = self.withdrawn
        values["stopped"] = self.stopped
        values["apologies"] = self.apologies
        values["evaluation_rate"] = self.evaluation_rate
        return values

    @classmethod
    def from_dict(cls, values: dict) -> Counts:
        """The counts back from `as_dict` (the totals and rates follow from them); a count
        the figures lack (`stopped`, in figures closed before it existed) is 0."""
        return cls(**{name: int(values.get(name) or 0) for name in _SUMMED})


@dataclass
class ReformReport:
    """The table: its rows are fields (`by` "field": the row's label is the field's name)
    or agencies (`by` "agency": the label is the agency's code, `names` its name); `agency`
    the agency the table is narrowed to, as (code, name), or None for the whole centre."""

    period: Period
    rows: list[tuple[str, Counts]] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)
    by: str = "field"
    names: dict[str, str] = field(default_factory=dict)
    agency: tuple[str, str] | None = None

    def row_json(self, label: str) -> dict:
        if self.by == "agency":
            return {"agency": label, "name": self.names.get(label, "")}
        return {"field": label}

    def as_json(self) -> dict:
        figures = {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
        }
        if self.agency is not None:
            figures["agency"] = {"code": self.agency[0], "name": self.agency[1]}
        figures["rows"] = [
            {**self.row_json(name), **counts.as_dict()} for name, counts in self.rows
        ]
        figures["total"] = self.total.as_dict()
        return figures

    @classmethod
    def from_json(cls, period: Period, figures: dict) -> ReformReport:
        """The report back from `as_json` (stored figures of a closed period)."""
        rows = [(row["field"], Counts.from_dict(row)) for row in figures["rows"]]
        return cls(period, rows, Counts.from_dict(figures["total"]))


def reform_report(
    period: Period,
    filters: ReportFilter | None = None,
    now: datetime | None = None,
    summaries: bool = True,
    by: str = "field",
) -> ReformReport:
    """The official table for `period`: one row per field (or per agency, `by` "agency")
    and the total row; for the whole centre unless `filters` name an agency.

    Pending dossiers are judged at the end of the last day, or now if that is still ahead.
    `summaries=False` counts from the raw rows only (the reference for the summaries).
    """
    if by not in ROW_KINDS:
        raise ValueError(f"rows by {by!r}")
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
        by_row = _summed_counts(period, start, end, cutoff, local, filters, today, by)
    else:
        by_row = _raw_counts(start, end, cutoff, local, filters, by)
    report = ReformReport(period, by=by)
    agencies = _agencies() if by == "agency" or filters.agency_id else {}
    if filters.agency_id in agencies:
        report.agency = agencies[filters.agency_id]
    if by == "agency":
        # A row per agency, labelled by its code (a dossier without one: "").
        report.names = {code: name for code, name in agencies.values()}
        by_row = {agencies.get(key, ("", ""))[0]: counts for key, counts in by_row.items()}
    order = (lambda code: code) if by == "agency" else field_order_key
    for name in sorted(by_row, key=order):
        report.rows.append((name, by_row[name]))
        report.total.add(by_row[name])
    return report


def _agencies() -> dict[int, tuple[str, str]]:
    """Every agency's (code, name), by id."""
    return {
        agency_id: (code, name)
        for agency_id, code, name in db.session.execute(select(Agency.id, Agency.code, Agency.name))
    }


def _raw_counts(start, end, cutoff, local, filters, by) -> dict[str, Counts]:
    """Every column from the raw rows: three index-served slices, each grouped by row."""
    by_row: dict[str, Counts] = {}
    key = row_key(by)
    for population in raw_slices(start, end):
        statement = (
            select(key, *raw_table_columns(start, end, cutoff, local))
            .where(population, *filters.dossier_conditions())
            .group_by(key)
        )
        for row in db.session.execute(statement).mappings():
            counts = Counts(**{name: int(row[name] or 0) for name in _SUMMED})
            by_row.setdefault(row["row_key"], Counts()).add(counts)
    return by_row


def _summed_counts(period, start, end, cutoff, local, filters, today, by) -> dict[str, Counts]:
    """The table from per-day sums plus small exact corrections:
    received and resolved = day sums over the period − the withdrawn and stopped ones;
    carried over = received − resolved on every day before the period − the withdrawn and
    stopped ones still open at its start; pending = received total − resolved total, of
    which overdue counted directly at the cut-off."""
    in_period = day_sums(period.start, period.end, local, filters, today, by)
    before = day_sums(None, period.start - timedelta(days=1), local, filters, today, by)
    withdrawn = left_table_corrections(Dossier.withdrawn_at, start, end, local, filters, by)
    stopped = left_table_corrections(Dossier.stopped_at, start, end, local, filters, by)
    overdue = overdue_by_row(end, cutoff, filters, by)
    apologies = apologies_by_row(start, end, filters, by)
    by_field: dict[str, Counts] = {}
    names = set(in_period) | set(before) | set(withdrawn) | set(stopped)
    for name in names | set(overdue) | set(apologies):
        now_, earlier = in_period.get(name, {}), before.get(name, {})
        gone = (withdrawn.get(name, {}), stopped.get(name, {}))

        def left(key, gone=gone) -> int:
            return sum(int(rows.get(key) or 0) for rows in gone)

        def less(sums, key) -> int:
            return int(sums.get(key, 0)) - left(key)

        counts = Counts(
            received_online=less(now_, "received_online"),
            received_direct=less(now_, "received_direct"),
            carried_over=earlier.get("received_online", 0)
            + earlier.get("received_direct", 0)
            - earlier.get("resolved", 0)
            - left("carried_over"),
            resolved_early=less(now_, "resolved_early"),
            resolved_on_time=less(now_, "resolved_on_time"),
            resolved_late=less(now_, "resolved_late"),
            pending_overdue=overdue.get(name, 0),
            withdrawn=int(gone[0].get("left") or 0),
            stopped=int(gone[1].get("left") or 0),
            apologies=apologies.get(name, 0),
        )
        counts.pending_on_time = (
            counts.received_total - counts.resolved_total - counts.pending_overdue
        )
        if any(getattr(counts, key) for key in _SUMMED):
            by_field[name] = counts
    return by_field


def field_order_key(text: str) -> str:
    """Where a field's row goes: in Vietnamese alphabetical order, accents aside."""
    from core.vntext import unaccent

    return unaccent(text).lower()
