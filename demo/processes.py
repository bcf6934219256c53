"""The demo centre's internal processes, its processing officers, and a history in which
the steps were really handed on (`demo-history --agencies N`).

Each agency of the demo gets, for every procedure it handles, a process of four steps (the
desk, a specialist of the unit of the procedure's field, the unit's head, the agency's
leader) whose allowances share the legal time; each unit two specialists and a head, each
agency a leader, with passwords kept like the demo accounts' (`demo-info` shows them).

`walk_history` then puts the history's dossiers on their agency's process: the time from
the transfer to the result (or to now, for a dossier still open) is spread over the steps,
each stay handled by an officer of its unit and judged against its allowance, with a row of
the control slip for each hand-over, written in bulk.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select, update

from core.accounts.users import add_user, assign_post, new_username
from core.db.bulk_insert import BulkWriter
from core.dossiers.calendar import WorkCalendar
from core.models import (
    Agency,
    Dossier,
    DossierEvent,
    DossierStep,
    InternalProcess,
    Role,
    StepOutcome,
    StepRole,
    User,
)
from core.processes.definition import StepFields, agency_processes, define_process
from core.processes.steps import holder_label
from core.processes.timing import hours_per_day, legal_hours, step_hours, working_hours_between
from demo.agencies import OTHER_PROCEDURE_UNITS
from extensions import db

# The share of the legal time each step gets (the specialist takes what rounding leaves).
SHARES = {StepRole.DESK: 0.1, StepRole.UNIT_HEAD: 0.2, StepRole.AGENCY_LEADER: 0.1}
# The desk's own agency: the unit of each field of its catalogue.
HOME_FIELD_UNITS = {"Vận tải": "QLVT", "Kết cấu hạ tầng giao thông": "KCHT"}
HOME_DEFAULT_UNIT = "QLPT"
FIRST_NAMES = ["Hà", "Lộc", "Ngọc", "Quân", "Trang", "Sơn", "Thảo", "Việt", "Yến", "Đạt"]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]


def quarter(hours: float) -> float:
    return max(round(hours * 4) / 4, 0.25)


def demo_steps(agency: Agency, procedure, calendar: WorkCalendar, home: bool) -> list[StepFields]:
    """Four steps sharing the procedure's legal time, in working hours."""
    total = legal_hours(procedure, hours_per_day(calendar))
    desk, head, leader = (quarter(total * SHARES[role]) for role in SHARES)
    specialist = total - desk - head - leader
    unit = unit_for(agency, procedure, home)
    return [
        StepFields("desk", f"{desk}h"),
        StepFields("specialist", f"{specialist}h", unit),
        StepFields("unit_head", f"{head}h", unit),
        StepFields("agency_leader", f"{leader}h"),
    ]


def unit_for(agency: Agency, procedure, home: bool) -> str:
    """The unit that processes `procedure` at `agency`: by field at the desk's own agency,
    as `demo.agencies.OTHER_PROCEDURE_UNITS` says at the others, else the first unit."""
    codes = [unit.code for unit in agency.units if unit.active]
    if home:
        wanted = HOME_FIELD_UNITS.get(procedure.field.name, HOME_DEFAULT_UNIT)
    else:
        wanted = OTHER_PROCEDURE_UNITS.get(agency.code, {}).get(procedure.code)
    return wanted if wanted in codes else codes[0]


def seed_demo_processes(
    agencies: Iterable[Agency], calendar: WorkCalendar, home_id: int
) -> list[str]:
    """A process for each procedure of each agency that has none yet."""
    added = []
    for agency in agencies:
        if not any(unit.active for unit in agency.units):
            continue
        existing = agency_processes(agency)
        for procedure in agency.procedures:
            if procedure.id in existing:
                continue
            steps = demo_steps(agency, procedure, calendar, agency.id == home_id)
            define_process(agency, procedure, steps, None, calendar)
            added.append(f"process {agency.code}/{procedure.code}")
    return added


def officer_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(FAMILY_NAMES[::-1])} {rng.choice(FIRST_NAMES)}"


def demo_officer_names(agency: Agency, home: bool) -> list[tuple[str, Role, str | None]]:
    """(username, role, unit code) of each processing officer of an agency of the demo, the
    other agencies' prefixed `cq<id>.`; the desk's own keeps the seed's chuyenvien,
    truongphong and giamdoc for QLPT and its leader."""
    prefix = "" if home else f"cq{agency.id}."
    accounts = [] if home else [(f"{prefix}giamdoc", Role.AGENCY_LEADER, None)]
    for unit in agency.units:
        if not unit.active:
            continue
        code = unit.code.lower()
        if home and unit.code == HOME_DEFAULT_UNIT:
            accounts.append((f"chuyenvien.{code}2", Role.SPECIALIST, unit.code))
            continue
        accounts += [
            (f"{prefix}chuyenvien.{code}1", Role.SPECIALIST, unit.code),
            (f"{prefix}chuyenvien.{code}2", Role.SPECIALIST, unit.code),
            (f"{prefix}truongphong.{code}", Role.UNIT_HEAD, unit.code),
        ]
    return accounts


def seed_demo_officers(
    agencies: Iterable[Agency], home_id: int, password_for, seed: int = 2026
) -> dict[str, str]:
    """The processing officers missing; returns the new accounts' passwords by username."""
    rng = random.Random(seed)
    existing = set(db.session.execute(select(User.username)).scalars())
    passwords = {}
    for agency in agencies:
        for username, role, unit_code in demo_officer_names(agency, agency.id == home_id):
            if username in existing:
                continue
            passwords[username] = password_for(username)
            user = add_user(
                new_username(username), role.value, passwords[username], officer_name(rng), None
            )
            unit = next((unit for unit in agency.units if unit.code == unit_code), None)
            assign_post(user, agency, unit)
    return passwords


STEP_COLUMNS = (
    "id", "dossier_id", "step_id", "agency_id", "unit_id", "role", "entered_at", "due_at",
    "allowance_hours", "taken_at", "handled_by_id", "left_at", "outcome", "worked_hours",
    "verdict",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "dossier_id", "action", "from_status", "to_status", "occurred_at", "user_id", "note",
    "from_unit", "to_unit", "receiver_name", "step_due_at", "verdict",
)  # fmt: skip
# The statuses a history dossier walks its process in (a supplement awaited or a withdrawal
# keeps the history's own rows).
WALKED = ("received", "transferred", "processing", "resolved", "refused", "returned")


class HistoryWalk:
    """Puts the history's dossiers on their processes, in bulk."""

    def __init__(self, calendar: WorkCalendar, now: datetime, seed: int = 2026):
        self.calendar = calendar
        self.now = now
        self.rng = random.Random(seed)
        self.per_day = hours_per_day(calendar)
        self.bulk = BulkWriter()
        self.next_step_id = (
            db.session.execute(select(db.func.max(DossierStep.id))).scalar() or 0
        ) + 1
        self.next_event_id = (
            db.session.execute(select(db.func.max(DossierEvent.id))).scalar() or 0
        ) + 1
        self.processes: dict[tuple[int, int], InternalProcess] = {}
        for agency in db.session.execute(select(Agency)).scalars():
            for procedure_id, process in agency_processes(agency).items():
                self.processes[(agency.id, procedure_id)] = process
        self.officers: dict[tuple[int, int | None, Role], list[int]] = {}
        for user in db.session.execute(select(User).where(User.agency_id.is_not(None))).scalars():
            self.officers.setdefault((user.agency_id, user.unit_id, user.role), []).append(user.id)
        self.updates: list[dict] = []

    def officer(self, agency_id: int, step, desk_officer: int | None) -> int | None:
        if step.role == StepRole.DESK:
            return desk_officer
        role = {
            StepRole.SPECIALIST: Role.SPECIALIST,
            StepRole.UNIT_HEAD: Role.UNIT_HEAD,
            StepRole.AGENCY_LEADER: Role.AGENCY_LEADER,
        }[step.role]
        candidates = self.officers.get((agency_id, step.unit_id, role))
        return self.rng.choice(candidates) if candidates else None

    def walk(self, dossier) -> None:
        """One dossier (a row of id, agency, procedure, status, times, receiving officer)."""
        (dossier_id, agency_id, procedure_id, status, received, transferred, resolved, refused,
         desk_officer, clock_started) = dossier  # fmt: skip
        process = self.processes.get((agency_id, procedure_id))
        if process is None or status not in WALKED:
            return
        steps = process.steps
        if transferred is None:  # still at the desk, waiting to be handed on
            due = self.calendar.due_after_hours(received, step_hours(steps[0], self.per_day))
            self.add_stay(dossier_id, steps[0], agency_id, received, due, desk_officer, None, True)
            self.updates.append(
                {"b_id": dossier_id, "b_process": process.id, "b_step": steps[0].id,
                 "b_entered": received, "b_due": due, "b_holder": None}
            )  # fmt: skip
            return
        end = resolved or self.now
        # The desk's step, then the processing steps sharing the rest of the time; after a
        # supplement (the clock restarted when it came back) they begin again from then: the
        # dossier waited with the applicant in between, at no step.
        restarted = clock_started if clock_started and clock_started > transferred else None
        chain = [min(restarted or transferred, end)]
        allowances = [step_hours(step, self.per_day) for step in steps[1:]]
        span = working_hours_between(self.calendar, chain[0], end) if resolved else None
        for allowance in allowances:
            if span is not None:
                share = allowance / sum(allowances) * span * self.rng.uniform(0.7, 1.3)
            else:
                share = allowance * self.rng.uniform(0.3, 1.4)
            chain.append(self.calendar.due_after_hours(chain[-1], share))
        if resolved:
            chain[-1] = resolved
        stays = [(received, min(transferred, end))] + list(zip(chain, chain[1:], strict=False))
        current = None
        for index, step in enumerate(steps):
            entered, left = stays[index]
            if entered > self.now:
                break
            due = self.calendar.due_after_hours(entered, step_hours(step, self.per_day))
            officer = self.officer(agency_id, step, desk_officer)
            still_here = left > self.now or (resolved is None and index == len(steps) - 1)
            last = index == len(steps) - 1
            self.add_stay(dossier_id, step, agency_id, entered, due, officer, left, still_here)
            if still_here:
                current = (step, entered, due, officer)
                break
            to = steps[index + 1] if not last else None
            action = (
                "transfer" if index == 0 else ("refuse" if refused else "resolve") if last
                else "hand_over"
            )  # fmt: skip
            self.add_event(dossier_id, action, left, officer, step, to, due)
        values = {"b_id": dossier_id, "b_process": process.id, "b_step": None,
                  "b_entered": None, "b_due": None, "b_holder": None}  # fmt: skip
        if current is not None and status in ("received", "transferred", "processing"):
            step, entered, due, officer = current
            values |= {"b_step": step.id, "b_entered": entered, "b_due": due,
                       "b_holder": officer if step.role != StepRole.DESK else None}  # fmt: skip
        self.updates.append(values)

    def add_stay(self, dossier_id, step, agency_id, entered, due, officer, left, open_) -> None:
        allowance = step_hours(step, self.per_day)
        row = [self.next_step_id, dossier_id, step.id, agency_id, step.unit_id, step.role.value,
               entered, due, allowance, entered if officer else None, officer]  # fmt: skip
        if open_:
            row += [None, None, None, None]
        else:
            row += [
                left,
                StepOutcome.TO_DESK.value
                if step.next_positions == []
                else StepOutcome.HANDED_ON.value,
                working_hours_between(self.calendar, entered, left),
                self.calendar.timeliness(left, due).value,
            ]
        self.next_step_id += 1
        self.bulk.add(DossierStep.__table__, STEP_COLUMNS, tuple(row))

    def add_event(self, dossier_id, action, moment, officer, step, to, due) -> None:
        before, after = {
            "transfer": ("received", "transferred"),
            "hand_over": ("processing", "processing"),
            "resolve": ("processing", "resolved"),
            "refuse": ("processing", "refused"),
        }[action]
        row = (self.next_event_id, dossier_id, action, before, after, moment, officer, "",
               holder_label(step), holder_label(to), "", due,
               self.calendar.timeliness(moment, due).value)  # fmt: skip
        self.next_event_id += 1
        self.bulk.add(DossierEvent.__table__, EVENT_COLUMNS, row)

    def finish(self) -> None:
        self.bulk.flush()
        self.bulk.reset_sequences()
        if self.updates:
            table = Dossier.__table__
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(
                    process_id=bindparam("b_process"),
                    step_id=bindparam("b_step"),
                    step_entered_at=bindparam("b_entered"),
                    step_due_at=bindparam("b_due"),
                    holder_id=bindparam("b_holder"),
                )
            )
            db.session.execute(statement, self.updates)


def walk_history(calendar: WorkCalendar, now: datetime, seed: int = 2026) -> int:
    """Put every history dossier without a process on its agency's; how many were walked."""
    walk = HistoryWalk(calendar, now, seed)
    rows = db.session.execute(
        select(
            Dossier.id, Dossier.agency_id, Dossier.procedure_id, Dossier.status,
            Dossier.received_at, Dossier.transferred_at, Dossier.resolved_at, Dossier.refused,
            Dossier.received_by_id, Dossier.clock_started_at,
        )
        .where(Dossier.process_id.is_(None), Dossier.received_at < now)
        .order_by(Dossier.id)
    ).all()  # fmt: skip
    for row in rows:
        walk.walk(tuple(row))
    walk.finish()
    return len(walk.updates)


def seed_demo_centre(count: int, instance) -> list[str]:
    """The processes and processing officers of the first `count` agencies of the demo
    (their passwords kept like the demo accounts'); says what was added."""
    from core.agencies.registry import home_agency
    from core.dossiers.settings import dossier_settings
    from core.dossiers.workdays import work_calendar
    from demo.desk import keep_demo_passwords, random_password

    home = home_agency(dossier_settings()["agency_code"])
    agencies = list(db.session.execute(select(Agency).order_by(Agency.id).limit(count)).scalars())
    added = seed_demo_processes(agencies, work_calendar(), home.id)
    passwords = seed_demo_officers(agencies, home.id, random_password)
    if passwords:
        keep_demo_passwords(instance, passwords)
    return added + [f"user {username}" for username in passwords]


def walk_demo_history(seed: int) -> int:
    from core.clock import utcnow
    from core.dossiers.workdays import work_calendar

    now = utcnow()
    return walk_history(work_calendar(now), now, seed)
