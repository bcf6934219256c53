"""The live view of the hall for managers: queues, counters, today's figures and the
dossiers falling due, for the whole centre or one agency. A handful of small grouped
queries over today's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.sql.elements import ColumnElement

from core.clock import day_bounds, local_today, local_zone, to_local, utcnow
from core.db.sql_time import LocalTime
from core.models import (
    Counter,
    CounterSession,
    Dossier,
    DossierStatus,
    Service,
    Ticket,
    TicketStatus,
    User,
)
from core.reports.reform_queries import excused_wait_at
from extensions import db

RUNNING = (DossierStatus.RECEIVED, DossierStatus.TRANSFERRED, DossierStatus.PROCESSING)


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


@dataclass(frozen=True)
class LiveScope:
    """What the live view covers: the whole centre, or one agency's queues (its services),
    counters and dossiers."""

    agency_id: int | None = None

    def services(self) -> list[ColumnElement]:
        return [Service.agency_id == self.agency_id] if self.agency_id else []

    def tickets(self) -> list[ColumnElement]:
        if not self.agency_id:
            return []
        return [Ticket.service_id.in_(select(Service.id).where(*self.services()))]

    def counters(self) -> list[ColumnElement]:
        return [Counter.agency_id == self.agency_id] if self.agency_id else []

    def dossiers(self) -> list[ColumnElement]:
        # An expression: SQLite must keep to the status and due-time indexes rather than
        # walk the agency's index.
        agency = func.coalesce(Dossier.agency_id, 0)
        return [agency == self.agency_id] if self.agency_id else []


def live_state(now: datetime | None = None, scope: LiveScope | None = None) -> dict:
    """Everything the live view shows, as plain JSON-ready values, for the whole centre or
    one agency (`scope`)."""
    now = now or utcnow()
    scope = scope or LiveScope()
    today = local_today(now)
    zone = local_zone()
    local = LocalTime(zone, now)
    today_starts, today_ends = day_bounds(today)
    return {
        "generated_at": to_local(now).isoformat(timespec="seconds"),
        "day": today.isoformat(),
        "services": _services(today, now, scope),
        "counters": _counters(today, scope),
        "today": _today(today, local, scope),
        "dossiers": _dossiers(now, today_starts, today_ends, scope),
    }


def _services(today, now, scope: LiveScope) -> list[dict]:
    waiting = dict(
        (service_id, (count, oldest))
        for service_id, count, oldest in db.session.execute(
            select(Ticket.service_id, func.count(), func.min(Ticket.issued_at))
            .where(Ticket.day == today, Ticket.status == TicketStatus.WAITING, *scope.tickets())
            .group_by(Ticket.service_id)
        )
    )
    rows = []
    for service in db.session.execute(
        select(Service)
        .where(Service.active.is_(True), *scope.services())
        .order_by(Service.sort_order, Service.code)
    ).scalars():
        count, oldest = waiting.get(service.id, (0, None))
        rows.append(
            {
                "code": service.code,
                "name": service.name,
                "prefix": service.prefix,
                "waiting": count,
                "longest_wait_minutes": _minutes((now - oldest).total_seconds())
                if oldest
                else None,
            }
        )
    return rows


def _counters(today, scope: LiveScope) -> list[dict]:
    sessions = {
        counter_id: name
        for counter_id, name in db.session.execute(
            select(
                CounterSession.counter_id,
                func.coalesce(func.nullif(User.full_name, ""), User.username),
            )
            .join(User, User.id == CounterSession.officer_id)
            .where(CounterSession.day == today, CounterSession.ended_at.is_(None))
        )
    }
    at_counter = {
        counter_id: (number, status)
        for counter_id, number, status in db.session.execute(
            select(Ticket.counter_id, Ticket.number, Ticket.status).where(
                Ticket.day == today,
                Ticket.status.in_((TicketStatus.CALLED, TicketStatus.SERVING)),
                Ticket.counter_id.is_not(None),
            )
        )
    }
    served = dict(
        db.session.execute(
            select(Ticket.counter_id, func.count())
            .where(Ticket.day == today, Ticket.status == TicketStatus.DONE)
            .group_by(Ticket.counter_id)
        ).all()
    )
    rows = []
    for counter in db.session.execute(
        select(Counter).where(Counter.active.is_(True), *scope.counters()).order_by(Counter.number)
    ).scalars():
        number, status = at_counter.get(counter.id, (None, None))
        rows.append(
            {
                "number": counter.number,
                "name": counter.name,
                "open": counter.id in sessions,
                "officer": sessions.get(counter.id),
                "ticket": number,
                "ticket_status": TicketStatus(status).value if status else None,
                "served_today": served.get(counter.id, 0),
            }
        )
    return rows


def _today(today, local: LocalTime, scope: LiveScope) -> dict:
    wait = local.seconds(Ticket.called_at, Ticket.issued_at)
    service = local.seconds(Ticket.finished_at, Ticket.serving_started_at)
    done = Ticket.status == TicketStatus.DONE
    timed = and_(done, Ticket.serving_started_at.is_not(None), Ticket.finished_at.is_not(None))
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((Ticket.status == TicketStatus.NO_SHOW, 1), else_=0)),
            func.avg(wait),
            func.avg(case((timed, service), else_=None)),
        ).where(Ticket.day == today, *scope.tickets())
    ).one()
    return {
        "issued": row[0],
        "served": row[1] or 0,
        "no_show": row[2] or 0,
        "average_wait_minutes": _minutes(float(row[3])) if row[3] is not None else None,
        "average_service_minutes": _minutes(float(row[4])) if row[4] is not None else None,
    }


def due_later_today(now: datetime, day_end: datetime) -> tuple:
    """Running dossiers (not awaiting a supplement) promised for later today: the live
    view's count and the dossier list's `due=today` (core/dossiers/search.py)."""
    return (Dossier.status.in_(RUNNING), Dossier.due_at >= now, Dossier.due_at < day_end)


def overdue_at(now: datetime) -> tuple:
    """Open dossiers overdue at `now` as the report counts them: past the due time they
    are judged against, unless they await a supplement asked for in time. The live view's
    count and the dossier list's `due=overdue`."""
    return (
        Dossier.status.in_((*RUNNING, DossierStatus.SUPPLEMENT)),
        Dossier.judged_due_at < now,
        not_(excused_wait_at(now)),
    )


def _dossiers(now, day_start, day_end, scope: LiveScope) -> dict:
    """Running dossiers (not awaiting a supplement) promised for later today, and the open
    ones overdue now as the report counts them: past the due time they are judged against,
    unless they await a supplement asked for in time (core.reports.reform_queries)."""
    mine = scope.dossiers()
    due_today = db.session.execute(
        select(func.count()).where(*due_later_today(now, day_end), *mine)
    ).scalar_one()
    overdue = db.session.execute(select(func.count()).where(*overdue_at(now), *mine)).scalar_one()
    resolved_today = db.session.execute(
        select(func.count()).where(
            Dossier.resolved_at >= day_start, Dossier.resolved_at < day_end, *mine
        )
    ).scalar_one()
    return {
        "due_today": due_today or 0,
        "overdue": overdue or 0,
        "resolved_today": resolved_today,
    }
