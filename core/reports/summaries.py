"""Per-day summaries of closed local days, so that a year's statistics, reform report and
evaluation add up a few thousand summary rows and aggregate only today (and later days)
from the raw rows.

A closed day is a local day before today. Its summary rows hold exactly what the raw
queries group (same expressions, same groups, by the filters' keys), so sums over them
equal the raw aggregation.

Keeping them exact: database triggers on ticket, rating, dossier (migration 0011) and
dossier_step (0060) delete the `report_day` row of every day a changed row feeds, inside
the writer's own transaction, whatever the write path (ORM, bulk COPY, raw SQL, imports,
restores): the ticket's day; the rating's day; a dossier's received day (when its channel,
keys, withdrawal or stop change; 0017 added the stop) and resolved day (when its result or
judged due time change); the day a stay at a step was left. Moves of an open dossier and
today's work touch no closed day.
`ensure_summaries()`, called by every statistics call before it reads, rebuilds each
closed day that has no `report_day` row (one grouped INSERT … SELECT per table for each
run of missing days) and commits.
`demo-history` builds them once after its bulk load. Deleting `report_day` rows (e.g.
after changing the TIMEZONE setting) makes the next statistics call rebuild those days.

A dossier's counter key is its ticket's counter; a dossier is received on its ticket's
day, so the ticket's trigger already forgets that day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    Float,
    String,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    not_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from core.clock import day_bounds, day_start, local_today, local_zone, utcnow
from core.db.sql_time import LocalTime, dialect_name, statistics_transaction
from core.db.transactions import begin_write_transaction_afresh
from core.models import (
    Channel,
    Dossier,
    DossierDay,
    DossierStep,
    Rating,
    RatingDay,
    ReportDay,
    StepDay,
    StepOutcome,
    Ticket,
    TicketDayFigures,
    TicketDayHours,
    TicketDayServiceMinutes,
    TicketStatus,
)
from extensions import db

QUICK_WAIT_SECONDS = 15 * 60  # "served within 15 minutes"
HISTOGRAM_CAP_MINUTES = 240
SUMMARY_TABLES = (
    TicketDayFigures,
    TicketDayServiceMinutes,
    TicketDayHours,
    RatingDay,
    DossierDay,
    StepDay,
)


def local_time_for(day: date) -> LocalTime:
    return LocalTime(local_zone(), day_start(day))


def last_closed_day(today: date | None = None) -> date:
    return (today or local_today()) - timedelta(days=1)


# --- What is grouped: written once, read from raw rows and stored for closed days ------


def _flag(condition: ColumnElement) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


def _served_with_times() -> ColumnElement:
    """Served tickets whose service time is known (both times recorded)."""
    return and_(
        Ticket.status == TicketStatus.DONE,
        Ticket.serving_started_at.is_not(None),
        Ticket.finished_at.is_not(None),
    )


def _desk_keys(by_day: bool) -> list[ColumnElement]:
    keys = [Ticket.service_id, Ticket.counter_id, Ticket.officer_id]
    return [Ticket.day, *keys] if by_day else keys


def ticket_figures_select(local: LocalTime, conditions: list, by_day: bool = False):
    """Sums and the waiting-minute histogram, grouped by service, counter, officer, minute."""
    wait = local.seconds(Ticket.called_at, Ticket.issued_at)
    served = Ticket.status == TicketStatus.DONE
    timed = _served_with_times()
    service = local.seconds(Ticket.finished_at, Ticket.serving_started_at)
    keys = _desk_keys(by_day)
    minute = local.whole_minutes(wait, HISTOGRAM_CAP_MINUTES).label("minute")
    return (
        select(
            *keys,
            minute,
            func.count().label("issued"),
            _flag(served).label("served"),
            _flag(Ticket.status == TicketStatus.NO_SHOW).label("no_show"),
            func.count(Ticket.called_at).label("waited"),
            func.sum(wait).label("wait_seconds"),
            _flag(wait <= QUICK_WAIT_SECONDS).label("quick"),
            _flag(timed).label("timed"),
            func.sum(case((timed, service), else_=0)).label("service_seconds"),
        )
        .where(*conditions)
        .group_by(*keys, minute)
    )


def service_minutes_select(local: LocalTime, conditions: list, by_day: bool = False):
    """The service-time histogram of the served tickets with both times."""
    timed = _served_with_times()
    service = local.seconds(Ticket.finished_at, Ticket.serving_started_at)
    keys = _desk_keys(by_day)
    minute = local.whole_minutes(service, HISTOGRAM_CAP_MINUTES).label("minute")
    return (
        select(*keys, minute, func.count().label("tickets"))
        .where(*conditions, timed)
        .group_by(*keys, minute)
    )


def ticket_hours_select(local: LocalTime, conditions: list, by_desk: bool = False):
    """Arrivals by day and local hour of issue (and counter, officer for the summary)."""
    wait = local.seconds(Ticket.called_at, Ticket.issued_at)
    keys = [Ticket.day, local.hour(Ticket.issued_at).label("hour")]
    if by_desk:
        keys += [Ticket.counter_id, Ticket.officer_id]
    return (
        select(
            *keys,
            func.count().label("issued"),
            _flag(Ticket.status == TicketStatus.DONE).label("served"),
            func.count(Ticket.called_at).label("waited"),
            func.sum(wait).label("wait_seconds"),
            _flag(wait <= QUICK_WAIT_SECONDS).label("quick"),
        )
        .where(*conditions)
        .group_by(*keys)
    )


def resolution_classes(local: LocalTime) -> dict[str, ColumnElement]:
    """Early (a day before the judged due day), on time, late: for a resolved dossier,
    against the due time it is judged against (`Dossier.judged_due_at`)."""
    due = Dossier.judged_due_at
    early = local.date(Dossier.resolved_at) < local.date(due)
    return {
        "early": and_(Dossier.resolved_at <= due, early),
        "on_time": and_(Dossier.resolved_at <= due, not_(early)),
        "late": Dossier.resolved_at > due,
    }


def dossiers_received_columns() -> list[ColumnElement]:
    online = Dossier.channel == Channel.ONLINE
    return [
        _flag(online).label("received_online"),
        _flag(not_(online)).label("received_direct"),
        _flag(and_(Dossier.withdrawn_at.is_(None), Dossier.stopped_at.is_(None))).label(
            "received_kept"
        ),
    ]


def dossiers_resolved_columns(local: LocalTime) -> list[ColumnElement]:
    classes = resolution_classes(local)
    return [
        func.count().label("resolved"),
        _flag(classes["early"]).label("resolved_early"),
        _flag(classes["on_time"]).label("resolved_on_time"),
        _flag(classes["late"]).label("resolved_late"),
    ]


STEP_ON_TIME = ("early", "on_time")  # a stay's verdicts that count as on time


def joined_text(texts) -> ColumnElement:
    """The group's texts, comma-separated."""
    if dialect_name() == "postgresql":
        return func.string_agg(texts, literal(","))
    return func.group_concat(texts, literal(","))


def exact_text(number) -> ColumnElement:
    """A float as text that reads back as the same float: PostgreSQL writes the shortest
    such text; SQLite writes 15 significant digits, too few for some, which take 17."""
    text = cast(number, Text)
    if dialect_name() == "postgresql":
        return text
    return case((cast(text, Float) == number, text), else_=func.printf("%!.17g", number))


def stay_group_keys() -> list[ColumnElement]:
    """A stay's officer's group: agency, unit, step role and officer (the role read as its
    stored text: no enum conversion on each of many rows)."""
    return [
        DossierStep.agency_id,
        DossierStep.unit_id,
        type_coerce(DossierStep.role, String).label("role"),
        DossierStep.handled_by_id,
    ]


def step_figures_select(local: LocalTime, conditions: list, by_day: bool = False):
    """Stays left and not ended by a withdrawal or a stop, counted and summed per officer's
    group, with each stay's working hours."""
    worked = func.coalesce(DossierStep.worked_hours, 0.0)
    keys = stay_group_keys()
    if by_day:
        keys.insert(0, local.date(DossierStep.left_at).label("day"))
    return (
        select(
            *keys,
            func.count().label("steps"),
            _flag(DossierStep.verdict.in_(STEP_ON_TIME)).label("on_time"),
            func.sum(worked).label("worked_hours"),
            func.sum(DossierStep.allowance_hours).label("allowance_hours"),
            joined_text(exact_text(worked)).label("hours_taken"),
        )
        .where(*conditions, DossierStep.outcome != StepOutcome.ENDED)
        .group_by(*keys)
    )


# --- Building closed days ---------------------------------------------------------------


def _first_day() -> date | None:
    """The earliest local day any ticket, rating or dossier feeds."""
    days = []
    ticket_day = db.session.execute(select(func.min(Ticket.day))).scalar()
    if ticket_day is not None:
        days.append(ticket_day if isinstance(ticket_day, date) else date.fromisoformat(ticket_day))
    for column in (Dossier.received_at, Rating.created_at):
        moment = db.session.execute(select(func.min(column))).scalar()
        if moment is not None:
            days.append(moment.astimezone(local_zone()).date())
    return min(days) if days else None


def missing_runs(first: date, last: date) -> list[tuple[date, date]]:
    """Runs of consecutive days in [first, last] without a current summary."""
    built = {
        day if isinstance(day, date) else date.fromisoformat(day)
        for day in db.session.execute(
            select(ReportDay.day).where(ReportDay.day >= first, ReportDay.day <= last)
        ).scalars()
    }
    runs: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if day not in built:
            if runs and runs[-1][1] == day - timedelta(days=1):
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        day += timedelta(days=1)
    return runs


def build_days(first: date, last: date) -> None:
    """(Re)build the summaries of the local days [first, last] in the session's transaction."""
    for table in (*SUMMARY_TABLES, ReportDay):
        db.session.execute(delete(table).where(table.day >= first, table.day <= last))
    local = local_time_for(last)
    low, high = day_bounds(first, last)
    in_days = [Ticket.day >= first, Ticket.day <= last]
    _insert(TicketDayFigures, ticket_figures_select(local, in_days, by_day=True))
    _insert(TicketDayServiceMinutes, service_minutes_select(local, in_days, by_day=True))
    _insert(TicketDayHours, ticket_hours_select(local, in_days, by_desk=True))
    rating_day = local.date(Rating.created_at).label("day")
    _insert(
        RatingDay,
        select(rating_day, Rating.counter_id, Rating.officer_id, Rating.score, func.count())
        .where(Rating.created_at >= low, Rating.created_at < high)
        .group_by(rating_day, Rating.counter_id, Rating.officer_id, Rating.score),
    )
    zero = literal(0)
    for moment, columns in (
        (Dossier.received_at, [*dossiers_received_columns(), zero, zero, zero, zero]),
        (Dossier.resolved_at, [zero, zero, zero, *dossiers_resolved_columns(local)]),
    ):
        keys = [
            local.date(moment).label("day"),
            Dossier.field_name,
            Dossier.procedure_code,
            Dossier.received_by_id,
            Ticket.counter_id,
            Dossier.agency_id,
        ]
        _insert(
            DossierDay,
            select(*keys, *columns)
            .select_from(Dossier)
            .outerjoin(Ticket, Ticket.id == Dossier.ticket_id)
            .where(moment >= low, moment < high)
            .group_by(*keys),
        )
    _insert(
        StepDay,
        step_figures_select(local, [DossierStep.left_at >= low, DossierStep.left_at < high], True),
    )
    built_at = utcnow()
    db.session.execute(
        insert(ReportDay),
        [
            {
                "day": first + timedelta(days=offset),
                "starts_at": day_start(first + timedelta(days=offset)),
                "ends_at": day_start(first + timedelta(days=offset + 1)),
                "built_at": built_at,
            }
            for offset in range((last - first).days + 1)
        ],
    )


def _insert(model, statement) -> None:
    names = [column.name for column in model.__table__.columns if column.name != "id"]
    db.session.execute(insert(model).from_select(names, statement))


def _tune_for_building() -> None:
    """PostgreSQL: no JIT, and room to hash a long run of days in memory (with the
    default 4 MB, five years of dossiers spill to disk and take minutes, not seconds)."""
    statistics_transaction()
    if dialect_name() == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))


def build_missing(today: date | None = None) -> int:
    """Build every closed day without a current summary, in the session's transaction;
    returns how many days were built."""
    first, last = _first_day(), last_closed_day(today)
    if first is None or first > last:
        return 0
    runs = missing_runs(first, last)
    if runs:
        _tune_for_building()
    for run_first, run_last in runs:
        build_days(run_first, run_last)
    return sum((run_last - run_first).days + 1 for run_first, run_last in runs)


def ensure_summaries(today: date | None = None) -> None:
    """Bring the closed days' summaries up to date and commit them (before a statistics
    read). A concurrent request building the same day wins; this one retries once.

    Most calls find nothing to build and write nothing. A build begins as a writer: on
    SQLite a read transaction that starts writing fails at once ("database is locked")
    when a kiosk wrote in between, while a writer's transaction queues for its turn.
    """
    first, last = _first_day(), last_closed_day(today)
    if first is None or first > last or not missing_runs(first, last):
        return
    for attempt in range(2):
        begin_write_transaction_afresh()  # keeps anything the caller wrote
        try:
            if build_missing(today):
                db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
