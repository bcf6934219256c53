"""The SQL behind the official table (core.reports.reform), each statement grouped by
the table's rows (a field, or an agency: `row_key`): the table's columns summed over raw
dossier rows, in three index-served slices; and the per-day sums of closed days with the
exact corrections they need (the withdrawn and the stopped dossiers, those overdue at the
cut-off, the apology letters)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.clock import day_bounds
from core.db.sql_time import LocalTime
from core.models import Channel, Dossier, DossierDay, DossierEvent, DossierSupplementRequest
from core.reports.summaries import (
    _flag,
    dossiers_received_columns,
    dossiers_resolved_columns,
    last_closed_day,
    resolution_classes,
)
from extensions import db

if TYPE_CHECKING:
    from core.reports.reform import ReportFilter


ROW_KINDS = ("field", "agency")


def row_key(by: str, table=Dossier) -> ColumnElement:
    """What a row of the table is, on dossier rows or on their per-day summaries (labelled
    `row_key`): the field's name, or the competent agency's id. An expression, so that
    grouping by it does not lead SQLite to walk that column's whole index instead of the
    narrow range these queries select."""
    if by == "agency":
        return func.coalesce(table.agency_id, 0).label("row_key")
    return func.coalesce(table.field_name, "").label("row_key")


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


def excused_wait_at(end: datetime) -> ColumnElement:
    """Whether the dossier awaits the applicant's supplement at `end` and its delay is
    not the unit's: no request before `end` was late (after the limit or the due time)."""
    late_request = (
        select(DossierSupplementRequest.id)
        .where(
            DossierSupplementRequest.dossier_id == Dossier.id,
            DossierSupplementRequest.requested_at < end,
            or_(
                DossierSupplementRequest.within_limit.is_(False),
                DossierSupplementRequest.before_due.is_(False),
            ),
        )
        .exists()
    )
    return and_(awaiting_supplement_at(end), not_(late_request))


def raw_table_columns(
    start: datetime, end: datetime, cutoff: datetime, local: LocalTime
) -> list[ColumnElement]:
    """Every column of the table, summed over the dossier rows a query selects; `cutoff`
    is the end of the period, or now for a period not yet over."""
    due = Dossier.judged_due_at
    withdrawn = and_(Dossier.withdrawn_at.is_not(None), Dossier.withdrawn_at < end)
    stopped = and_(Dossier.stopped_at.is_not(None), Dossier.stopped_at < end)
    counted = not_(or_(withdrawn, stopped))
    resolved = and_(counted, Dossier.resolved_at.is_not(None), Dossier.resolved_at < end)
    pending = and_(counted, or_(Dossier.resolved_at.is_(None), Dossier.resolved_at >= end))
    new = and_(counted, Dossier.received_at >= start)
    online = Dossier.channel == Channel.ONLINE
    early = local.date(Dossier.resolved_at) < local.date(due)
    # Overdue at the cut-off: the judged due time passed, unless the dossier awaits a
    # supplement asked for in time. The look-ups run only for these rows.
    overdue = case(
        (
            and_(pending, due < cutoff),
            case((excused_wait_at(cutoff), 0), else_=1),
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
        _flag(stopped).label("stopped"),
        _flag(
            and_(
                Dossier.apologised_at.is_not(None),
                Dossier.apologised_at >= start,
                Dossier.apologised_at < end,
            )
        ).label("apologies"),
    ]


def raw_slices(start: datetime, end: datetime) -> list[ColumnElement]:
    """Three disjoint slices, each served by an index: received in the period; received
    before it and resolved since it began; received before it and never resolved (open
    now, or withdrawn or stopped after it began)."""
    return [
        and_(Dossier.received_at >= start, Dossier.received_at < end),
        and_(Dossier.resolved_at >= start, Dossier.received_at < start),
        and_(
            Dossier.resolved_at.is_(None),
            Dossier.received_at < start,
            or_(Dossier.withdrawn_at.is_(None), Dossier.withdrawn_at >= start),
            or_(Dossier.stopped_at.is_(None), Dossier.stopped_at >= start),
        ),
    ]


def dossier_day_conditions(filters: ReportFilter) -> list[ColumnElement]:
    """The filters, on the dossiers' per-day summary rows."""
    days = DossierDay
    return filters.conditions_on(
        days.field_name,
        days.procedure_code,
        days.received_by_id,
        days.counter_id == filters.counter_id,
        days.agency_id,
    )


_DAY_SUMS = (
    "received_online",
    "received_direct",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
)


def day_sums(
    first: date | None,
    last: date,
    local: LocalTime,
    filters: ReportFilter,
    today: date,
    by: str = "field",
) -> dict[str, dict[str, int]]:
    """Dossiers received (by channel) and resolved (by class) on the local days
    [first, last] (from the beginning when `first` is None), per row (`by`), withdrawn ones
    included: summary rows for closed days, raw rows for the days from today on."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_DAY_SUMS, 0))

    def add(rows) -> None:
        for row in rows.mappings():
            for name in _DAY_SUMS:
                if name in row:
                    sums[row["row_key"]][name] += int(row[name] or 0)

    closed = min(last, last_closed_day(today))
    if first is None or first <= closed:
        days = DossierDay
        in_days = [days.day <= closed] + ([days.day >= first] if first else [])
        key = row_key(by, days)
        add(
            db.session.execute(
                select(key, *[func.sum(getattr(days, n)).label(n) for n in _DAY_SUMS])
                .where(*in_days, *dossier_day_conditions(filters))
                .group_by(key)
            )
        )
    live_first = max(first or closed, closed + timedelta(days=1))
    if live_first <= last:
        low, high = day_bounds(live_first, last)
        for moment, columns in (
            (Dossier.received_at, dossiers_received_columns()),
            (Dossier.resolved_at, dossiers_resolved_columns(local)),
        ):
            key = row_key(by)
            add(
                db.session.execute(
                    select(key, *columns)
                    .where(moment >= low, moment < high, *filters.dossier_conditions())
                    .group_by(key)
                )
            )
    return sums


def left_table_corrections(
    left_at, start, end, local, filters, by: str = "field"
) -> dict[str, dict[str, int]]:
    """What the day sums count of the dossiers that left the table before the end (withdrawn
    when `left_at` is `Dossier.withdrawn_at`, stopped when it is `Dossier.stopped_at`), and
    their own count (`left`): one pass over those dossiers, on their own index."""
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
            left_at >= start,
        ),
    )
    key = row_key(by)
    statement = (
        select(
            key,
            _flag(and_(received_in, online)).label("received_online"),
            _flag(and_(received_in, not_(online))).label("received_direct"),
            _flag(and_(Dossier.received_at < start, open_at_start)).label("carried_over"),
            _flag(and_(resolved_in, classes["early"])).label("resolved_early"),
            _flag(and_(resolved_in, classes["on_time"])).label("resolved_on_time"),
            _flag(and_(resolved_in, classes["late"])).label("resolved_late"),
            _flag(listed).label("left"),
        )
        .where(left_at < end, *filters.dossier_conditions())
        .group_by(key)
    )
    return {row["row_key"]: row for row in db.session.execute(statement).mappings()}


def overdue_by_row(end, cutoff, filters, by: str = "field") -> dict[str, int]:
    """Dossiers pending at the end of the period (not resolved, withdrawn or stopped before it)
    and overdue at the cut-off, per row (`by`): the open ones and those resolved later. The
    supplement look-ups run only for the rows whose judged due time has passed."""
    pending = and_(
        or_(Dossier.withdrawn_at.is_(None), Dossier.withdrawn_at >= end),
        or_(Dossier.stopped_at.is_(None), Dossier.stopped_at >= end),
    )
    late = Dossier.judged_due_at < cutoff
    overdue = func.sum(case((excused_wait_at(cutoff), 0), else_=1))
    key = row_key(by)
    counts: dict[str, int] = defaultdict(int)
    for slice_ in (Dossier.resolved_at.is_(None), Dossier.resolved_at >= end):
        for name, count in db.session.execute(
            select(key, overdue)
            .where(slice_, Dossier.received_at < end, pending, late, *filters.dossier_conditions())
            .group_by(key)
        ):
            counts[name] += int(count or 0)
    return counts


def apologies_by_row(start, end, filters, by: str = "field") -> dict[str, int]:
    key = row_key(by)
    return dict(
        db.session.execute(
            select(key, func.count())
            .where(
                Dossier.apologised_at >= start,
                Dossier.apologised_at < end,
                *filters.dossier_conditions(),
            )
            .group_by(key)
        ).all()
    )
