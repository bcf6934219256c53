"""A processing officer's in-tray: the dossiers at the steps they act at (their agency,
their unit, their role), the most urgent first, and how urgent each is.

One query on the in-tray index (`ix_dossier_in_tray`: step, then the step's due time): the
officer's steps are a handful of `process_step` rows, and each dossier at them is found in
the order of its due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import selectinload

from core.dossiers.calendar import WorkCalendar
from core.dossiers.states import AT_STEP
from core.models import Dossier, InternalProcess, ProcessStep, User
from core.processes.flow import ACTS_AT
from core.processes.timing import working_hours_between
from extensions import db

# Left of a step's allowance when it turns from "in time" to "due soon".
DUE_SOON_SHARE = 0.25
IN_TRAY_LIMIT = 200


@dataclass
class InTrayRow:
    dossier: Dossier
    urgency: str  # overdue, due_soon, in_time
    hours_left: float  # working hours to the step's due time (negative: late by)


def officer_steps(user: User):
    """The ids of the process steps `user` acts at, as a subquery."""
    role = ACTS_AT.get(user.role)
    query = (
        db.select(ProcessStep.id)
        .join(InternalProcess, ProcessStep.process_id == InternalProcess.id)
        .where(ProcessStep.role == role, InternalProcess.agency_id == user.agency_id)
    )
    if user.unit_id is not None:
        query = query.where((ProcessStep.unit_id == user.unit_id) | (ProcessStep.unit_id.is_(None)))
    else:
        query = query.where(ProcessStep.unit_id.is_(None))
    return query


def in_tray(user: User, now: datetime, calendar: WorkCalendar) -> list[InTrayRow]:
    """The dossiers at `user`'s steps, by the step's due time, with their urgency."""
    if user.role not in ACTS_AT or user.agency_id is None:
        return []
    dossiers = db.session.execute(
        db.select(Dossier)
        .where(Dossier.step_id.in_(officer_steps(user)), Dossier.status.in_(AT_STEP))
        .order_by(Dossier.step_due_at, Dossier.id)
        .limit(IN_TRAY_LIMIT)
        .options(
            selectinload(Dossier.step).selectinload(ProcessStep.unit),
            selectinload(Dossier.holder),
        )
    ).scalars()
    return [row_of(dossier, now, calendar) for dossier in dossiers]


def row_of(dossier: Dossier, now: datetime, calendar: WorkCalendar) -> InTrayRow:
    due = dossier.step_due_at
    if now > due:
        return InTrayRow(dossier, "overdue", -working_hours_between(calendar, due, now))
    left = working_hours_between(calendar, now, due)
    allowance = working_hours_between(calendar, dossier.step_entered_at, due) or 1.0
    urgency = "due_soon" if left <= allowance * DUE_SOON_SHARE else "in_time"
    return InTrayRow(dossier, urgency, left)
