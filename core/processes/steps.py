"""A dossier's stays at the steps of its process: entering a step (its due time from its
allowance), leaving it (how, by whom, the working hours it stayed and its verdict against
the allowance), and what the control slip names as each step's holder.

The dossier state machine (`core.dossiers.states`) calls these inside its moves, so a
hand-over row, its stay rows and its audit event are written together; they flush nothing
and commit nothing.
"""

from __future__ import annotations

from datetime import datetime

from core.dossiers.calendar import WorkCalendar
from core.models import Dossier, DossierStep, ProcessStep, StepOutcome, StepRole, User
from core.processes.timing import hours_per_day, step_due, step_hours, working_hours_between
from extensions import db

# Stored on hand-over rows and printed on forms: data in Vietnamese, not screen strings.
DESK_UNIT = "Bộ phận tiếp nhận và trả kết quả"
LEADER_UNIT = "Lãnh đạo cơ quan"
ROLE_SUFFIX = {StepRole.SPECIALIST: "chuyên viên", StepRole.UNIT_HEAD: "lãnh đạo đơn vị"}


def holder_label(step: ProcessStep | None) -> str:
    """Who holds a dossier at `step`, as the control slip names them."""
    if step is None or step.role == StepRole.DESK:
        return DESK_UNIT
    if step.unit is not None:
        suffix = f" – {ROLE_SUFFIX[step.role]}"
        return step.unit.name[: 200 - len(suffix)] + suffix
    return LEADER_UNIT


def open_stay(dossier: Dossier) -> DossierStep | None:
    """The dossier's current stay (not yet left), if any."""
    for stay in reversed(stays_of(dossier)):
        if stay.left_at is None:
            return stay
    return None


def stays_of(dossier: Dossier) -> list[DossierStep]:
    if dossier.id is None:
        return [obj for obj in db.session.new if isinstance(obj, DossierStep)]
    return list(
        db.session.execute(
            db.select(DossierStep).filter_by(dossier_id=dossier.id).order_by(DossierStep.id)
        ).scalars()
    )


def enter(dossier: Dossier, step: ProcessStep, now: datetime, calendar: WorkCalendar) -> None:
    """The dossier comes to `step` now and waits in its in-tray until someone takes it."""
    dossier.step = step
    dossier.step_entered_at = now
    dossier.step_due_at = step_due(step, now, calendar)
    dossier.holder = None
    db.session.add(
        DossierStep(
            dossier=dossier,
            step=step,
            agency_id=dossier.agency_id,
            unit_id=step.unit_id,
            role=step.role,
            entered_at=now,
            due_at=dossier.step_due_at,
            allowance_hours=step_hours(step, hours_per_day(calendar)),
        )
    )


def take(dossier: Dossier, officer: User | None, now: datetime) -> None:
    """`officer` takes the dossier at its step (or is given it by the unit's head)."""
    dossier.holder = officer
    stay = open_stay(dossier)
    if stay is not None:
        stay.taken_at = stay.taken_at or now
        stay.handled_by = officer


def leave(
    dossier: Dossier,
    outcome: StepOutcome,
    officer: User | None,
    now: datetime,
    calendar: WorkCalendar,
) -> DossierStep | None:
    """Close the current stay: how the dossier left, who handled it, the working hours it
    stayed and its verdict against the step's due time."""
    stay = open_stay(dossier)
    if stay is None:
        return None
    stay.left_at = now
    stay.outcome = outcome
    # Whoever took it; the desk's own step, whoever handed it on. A processing step left
    # untaken (the desk asked for a supplement, say) counts for no officer.
    desk_step = stay.role == StepRole.DESK
    stay.handled_by = stay.handled_by or dossier.holder or (officer if desk_step else None)
    stay.worked_hours = working_hours_between(calendar, stay.entered_at, now)
    stay.verdict = calendar.timeliness(now, stay.due_at).value
    dossier.holder = None
    return stay


def pass_on(
    dossier: Dossier,
    target: ProcessStep | None,
    outcome: StepOutcome,
    officer: User | None,
    now: datetime,
    calendar: WorkCalendar,
) -> tuple[str, str, datetime | None]:
    """Leave the current step for `target` (None: the desk, for the return). Gives what the
    control slip's row says: from whom, to whom, and the due time of the step left."""
    current = dossier.step
    due = dossier.step_due_at
    leave(dossier, outcome, officer, now, calendar)
    if target is None:
        dossier.step = None
        dossier.step_entered_at = dossier.step_due_at = None
    else:
        enter(dossier, target, now, calendar)
    return holder_label(current), holder_label(target) if target else DESK_UNIT, due


def first_processing_step(dossier: Dossier) -> ProcessStep | None:
    """Where the desk hands a dossier on to: the first step after the desk's."""
    step = dossier.step
    if step is None or step.role != StepRole.DESK or not step.next_positions:
        return None
    return dossier.process.step_at(step.next_positions[0])
