"""The evaluation of units and officers on their steps: for a period, per agency, per unit
and per officer, the steps handled, on time and late against each step's allowance, the
average and 90th-percentile working hours a step took against the average allowance, the
dossiers held now and those overdue, and each unit's share in the agency's late dossiers.

A step counts in the period it was left (`dossier_step.left_at`); a stay ended by a
withdrawal or a stop is not a step handled. A late dossier (its result after its legal due
time, in the period) counts against every unit where it had a late step. Closed days are
read from their summaries (`step_day`, core/reports/summaries.py), the days from today on
from the stays.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain

from sqlalchemy import case, func, literal

from core.clock import day_bounds, local_today
from core.db.sql_time import statistics_transaction
from core.dossiers.states import AT_STEP
from core.models import (
    Agency,
    Dossier,
    DossierStep,
    ProcessingUnit,
    Role,
    StepDay,
    StepRole,
    User,
)
from core.processes.steps import DESK_UNIT, LEADER_UNIT
from core.reports.summaries import (
    ensure_summaries,
    joined_text,
    last_closed_day,
    local_time_for,
    stay_group_keys,
    step_figures_select,
)
from extensions import db


@dataclass
class Figures:
    """The figures of one agency, unit or officer."""

    key: str
    name: str
    agency: str
    unit: str = ""
    handled: int = 0
    on_time: int = 0
    late: int = 0
    hours_total: float = 0.0
    p90: float | None = None  # the nearest-rank 90th percentile of a step's working hours
    allowance_total: float = 0.0
    held: int = 0
    overdue: int = 0
    late_dossiers: int = 0  # the agency's late dossiers with a late step here
    late_share: float | None = None  # of the agency's late dossiers, in percent

    def add_steps(self, handled: int, on_time: int, hours: float, allowance: float) -> None:
        """Steps handled, counted and summed in SQL."""
        self.handled += handled
        self.on_time += on_time
        self.late += handled - on_time
        self.hours_total += hours
        self.allowance_total += allowance

    @property
    def average_hours(self) -> float | None:
        return round(self.hours_total / self.handled, 2) if self.handled else None

    @property
    def p90_hours(self) -> float | None:
        return round(self.p90, 2) if self.p90 is not None else None

    @property
    def average_allowance(self) -> float | None:
        return round(self.allowance_total / self.handled, 2) if self.handled else None

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.handled, 1) if self.handled else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "agency": self.agency,
            "unit": self.unit,
            "handled": self.handled,
            "on_time": self.on_time,
            "late": self.late,
            "on_time_percent": self.on_time_percent,
            "average_hours": self.average_hours,
            "p90_hours": self.p90_hours,
            "average_allowance_hours": self.average_allowance,
            "held": self.held,
            "overdue": self.overdue,
            "late_dossiers": self.late_dossiers,
            "late_share_percent": self.late_share,
        }


@dataclass
class Evaluation:
    first: date
    last: date
    agencies: list[Figures]
    units: list[Figures]
    officers: list[Figures]

    def as_dict(self) -> dict:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "agencies": [figures.as_dict() for figures in self.agencies],
            "units": [figures.as_dict() for figures in self.units],
            "officers": [figures.as_dict() for figures in self.officers],
        }


@dataclass(frozen=True)
class EvaluationScope:
    """What a member of staff evaluates: the centre or one agency (its code) and, for a
    unit's head, one unit (its code) of that agency; `own` when it is theirs, not chosen."""

    agency: str | None = None
    unit: str | None = None
    own: bool = False


def evaluation_scope(user: User, chosen_agency: str | None = None) -> EvaluationScope | None:
    """Managers and admins evaluate the whole centre or the agency they choose; an agency's
    leader their own agency; a unit's head their own unit (beside their agency's total, the
    figure its share in late dossiers is taken of). None for anyone else, or an officer
    without a post."""
    role = Role(user.role)
    if role in (Role.MANAGER, Role.ADMIN):
        return EvaluationScope(chosen_agency or None)
    if role == Role.AGENCY_LEADER and user.agency is not None:
        return EvaluationScope(user.agency.code, None, own=True)
    if role == Role.UNIT_HEAD and user.agency is not None and user.unit is not None:
        return EvaluationScope(user.agency.code, user.unit.code, own=True)
    return None


def unit_key(agency_code: str, unit_code: str | None, role: StepRole) -> tuple[str, str]:
    """A unit's key and name part: its code, or the desk or the agency's leaders."""
    if unit_code:
        return f"{agency_code}/{unit_code}", unit_code
    if role == StepRole.DESK:
        return f"{agency_code}/DESK", "DESK"
    return f"{agency_code}/LEADER", "LEADER"


def _step_totals(first: date, last: date, today: date | None, agency_ids: list[int]):
    """Rows of agency, unit, role, officer, steps, on time, hours worked and allowed, and
    each step's hours (comma-separated), of the stays left in [first, last]: from the
    summaries of the closed days, then from the stays of the days from today on (all from
    the stays without `today`)."""
    closed = min(last, last_closed_day(today)) if today else first - timedelta(days=1)
    if first <= closed:
        keys = (StepDay.agency_id, StepDay.unit_id, StepDay.role, StepDay.handled_by_id)
        yield from db.session.execute(
            db.select(
                *keys,
                func.sum(StepDay.steps),
                func.sum(StepDay.on_time),
                func.sum(StepDay.worked_hours),
                func.sum(StepDay.allowance_hours),
                joined_text(StepDay.hours_taken),
            )
            .where(StepDay.day >= first, StepDay.day <= closed, StepDay.agency_id.in_(agency_ids))
            .group_by(*keys)
        )
    live_first = max(first, closed + timedelta(days=1))
    if live_first <= last:
        low, high = day_bounds(live_first, last)
        yield from db.session.execute(
            step_figures_select(
                local_time_for(last),
                [
                    DossierStep.agency_id.in_(agency_ids),
                    DossierStep.left_at >= low,
                    DossierStep.left_at < high,
                ],
            )
        )


def nth_smallest(runs: list[list[float]], rank: int) -> float:
    """The value of rank `rank` (from 1) among the values of several sorted lists."""
    if len(runs) == 1:
        return runs[0][rank - 1]
    return sorted(chain.from_iterable(runs))[rank - 1]


def evaluate(
    first: date,
    last: date,
    now: datetime,
    agency_code: str | None = None,
    unit_code: str | None = None,
    summaries: bool = True,
) -> Evaluation:
    """The figures of the period from `first` to `last` (local days, both included), and
    of what is held at `now`; one agency's, or every agency's; with `unit_code`, only that
    unit of the agency and its officers beside the agency's total. `summaries=False` counts
    the closed days from the stays too (the summaries' tests compare the two)."""
    today = local_today() if summaries else None  # once: the days built are the days read
    if today:
        ensure_summaries(today)
    statistics_transaction()  # PostgreSQL: no JIT for the grouped passes over the stays
    start, end = day_bounds(first, last)
    agencies = {
        agency.id: agency
        for agency in db.session.execute(db.select(Agency).order_by(Agency.code)).scalars()
        if agency_code is None or agency.code == agency_code
    }
    units = {unit.id: unit for unit in db.session.execute(db.select(ProcessingUnit)).scalars()}
    names = dict(db.session.execute(db.select(User.id, User.full_name)).all())
    usernames = dict(db.session.execute(db.select(User.id, User.username)).all())
    by_agency: dict[int, Figures] = {
        agency.id: Figures(agency.code, agency.name, agency.code) for agency in agencies.values()
    }
    by_unit: dict[str, Figures] = {}
    by_officer: dict[tuple[int, int], Figures] = {}
    unit_cache: dict[tuple, Figures] = {}

    def unit_figures(agency_id: int, unit_id: int | None, role: str) -> Figures:
        key = (agency_id, unit_id, role if unit_id is None else "")
        if key in unit_cache:
            return unit_cache[key]
        agency = agencies[agency_id]
        unit = units.get(unit_id) if unit_id else None
        key, code = unit_key(agency.code, unit.code if unit else None, role)
        if key not in by_unit:
            name = unit.name if unit else (DESK_UNIT if role == StepRole.DESK else LEADER_UNIT)
            by_unit[key] = Figures(key, name, agency.code, code)
        unit_cache[(agency_id, unit_id, role if unit_id is None else "")] = by_unit[key]
        return by_unit[key]

    def officer_figures(agency_id: int, user_id: int, unit: Figures) -> Figures:
        if (agency_id, user_id) not in by_officer:
            by_officer[(agency_id, user_id)] = Figures(
                usernames.get(user_id, str(user_id)),
                names.get(user_id, ""),
                agencies[agency_id].code,
                unit.unit,
            )
        return by_officer[(agency_id, user_id)]

    agency_filter = DossierStep.agency_id.in_(list(agencies))
    by_officer_group = stay_group_keys()
    role_text = by_officer_group[2]

    def targets(agency_id, unit_id, role, officer_id) -> list[Figures]:
        unit = unit_figures(agency_id, unit_id, role)
        found = [by_agency[agency_id], unit]
        if officer_id is not None:
            found.append(officer_figures(agency_id, officer_id, unit))
        return found

    # The steps counted and summed per officer's group (closed days from their summaries,
    # the days from today on from the stays) with the hours each step took; the agencies',
    # units' and officers' figures add those up and rank the hours of their groups.
    taken: dict[tuple, list[float]] = defaultdict(list)
    for row in _step_totals(first, last, today, list(agencies)):
        agency_id, unit_id, role, officer_id, count, in_time, hours, allowance, each = row
        group = (agency_id, unit_id, role, officer_id)
        for figures in targets(*group):
            figures.add_steps(count, int(in_time), float(hours), float(allowance))
        taken[group].extend(map(float, each.split(",")))
    runs: dict[int, list[list[float]]] = defaultdict(list)
    for group, hours in taken.items():
        hours.sort()
        for figures in targets(*group):
            runs[id(figures)].append(hours)
    for figures in (*by_agency.values(), *by_unit.values(), *by_officer.values()):
        if figures.handled:
            figures.p90 = nth_smallest(runs[id(figures)], math.ceil(0.9 * figures.handled))

    held = db.session.execute(
        db.select(
            *by_officer_group,
            func.count(),
            func.sum(case((DossierStep.due_at < now, 1), else_=0)),
        )
        .join(Dossier, Dossier.id == DossierStep.dossier_id)
        .where(agency_filter, DossierStep.left_at.is_(None), Dossier.status.in_(AT_STEP))
        .group_by(*by_officer_group)
    )
    for agency_id, unit_id, role, officer_id, count, overdue in held:
        for figures in targets(agency_id, unit_id, role, officer_id):
            figures.held += count
            figures.overdue += int(overdue)

    late = (
        # An expression, as in the reports' filters: SQLite then reads the covering range of
        # the resolved dossiers (ix_dossier_report_resolved), not every dossier of the agency.
        func.coalesce(Dossier.agency_id, 0).in_(list(agencies)),
        Dossier.resolved_at >= start,
        Dossier.resolved_at < end,
        Dossier.resolved_at > Dossier.judged_due_at,
    )
    late_per_agency: dict[int, int] = defaultdict(int)
    late_counts = db.session.execute(
        db.select(Dossier.agency_id, func.count()).where(*late).group_by(Dossier.agency_id)
    )
    for agency_id, count in late_counts:
        late_per_agency[agency_id] += count
        by_agency[agency_id].late_dossiers += count
    # Each unit's late dossiers: those with a late step there, each dossier once a unit.
    unit_role = case((DossierStep.unit_id.is_(None), role_text), else_=literal(""))
    late_stays = db.session.execute(
        db.select(
            DossierStep.agency_id,
            DossierStep.unit_id,
            unit_role,
            func.count(DossierStep.dossier_id.distinct()),
        )
        .where(
            DossierStep.dossier_id.in_(db.select(Dossier.id).where(*late)),
            DossierStep.verdict == "late",
        )
        .group_by(DossierStep.agency_id, DossierStep.unit_id, unit_role)
    )
    for agency_id, unit_id, role, count in late_stays:
        unit_figures(agency_id, unit_id, role).late_dossiers += count
    for unit in by_unit.values():
        agency_id = next(a.id for a in agencies.values() if a.code == unit.agency)
        total = late_per_agency.get(agency_id, 0)
        unit.late_share = round(100 * unit.late_dossiers / total, 1) if total else None
    units_shown = [f for f in by_unit.values() if unit_code is None or f.unit == unit_code]
    officers = [f for f in by_officer.values() if unit_code is None or f.unit == unit_code]
    return Evaluation(
        first,
        last,
        list(by_agency.values()),
        sorted(units_shown, key=lambda figures: figures.key),
        sorted(officers, key=lambda figures: (figures.agency, figures.key)),
    )
