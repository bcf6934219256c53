"""Defining an internal process: its steps checked and saved as the next version.

The first step is the desk's (reception and the transfer to the processing unit); each
step of a specialist or a unit head names an active unit of the agency; allowances are
positive working days or hours and add up to the procedure's legal time exactly. A step
hands on to the next by default (or to the steps listed), and sends back to the previous
processing step (or the one given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from core.audit import record_event
from core.dossiers.calendar import WorkCalendar, parse_period
from core.errors import InvalidInput
from core.i18n import format_figure
from core.models import (
    Agency,
    InternalProcess,
    Procedure,
    ProcessingUnit,
    ProcessStep,
    StepRole,
    User,
)
from core.processes.timing import hours_per_day, in_hours, legal_hours
from extensions import db

MAX_STEPS = 20
UNIT_ROLES = frozenset({StepRole.SPECIALIST, StepRole.UNIT_HEAD})
ROLE_NAMES = {
    StepRole.DESK: _l("Bộ phận một cửa"),
    StepRole.SPECIALIST: _l("Chuyên viên"),
    StepRole.UNIT_HEAD: _l("Lãnh đạo đơn vị"),
    StepRole.AGENCY_LEADER: _l("Lãnh đạo cơ quan"),
}
DEFAULT_NAMES = {
    StepRole.DESK: "Tiếp nhận, chuyển hồ sơ",
    StepRole.SPECIALIST: "Thẩm định, xử lý",
    StepRole.UNIT_HEAD: "Lãnh đạo đơn vị xem xét",
    StepRole.AGENCY_LEADER: "Lãnh đạo cơ quan ký duyệt",
}

NO_UNIT = _l("Bước {position}: hãy chọn đơn vị xử lý.")
ZERO_ALLOWANCE = _l("Bước {position}: thời gian của bước phải lớn hơn 0.")
LONG_NAME = _l("Bước {position}: tên bước tối đa 200 ký tự.")
NO_ROLE = _l("Bước {position}: vai trò “{role}” không có.")
UNKNOWN_UNIT = _l("Bước {position}: cơ quan không có đơn vị đang hoạt động mã “{code}”.")
UNIT_NOT_ALLOWED = _l(
    "Bước {position}: bước của bộ phận một cửa hoặc lãnh đạo cơ quan không gắn đơn vị."
)
BAD_ALLOWANCE = _l(
    "Bước {position}: thời gian phải là số ngày làm việc (ví dụ 3) hoặc số giờ (ví dụ 4h)."
)
QUARTER_HOURS = _l("Bước {position}: số giờ tính đến 15 phút (ví dụ 1,5h hoặc 0,25h).")
BAD_NEXT = _l("Bước {position}: bước chuyển tiếp {target} không có trong quy trình.")
DESK_LATER = _l(
    "Bước {position}: bộ phận một cửa chỉ làm bước 1 (tiếp nhận, chuyển hồ sơ); các bước sau "
    "là của chuyên viên, lãnh đạo đơn vị hoặc lãnh đạo cơ quan."
)
BAD_BACK = _l("Bước {position}: chỉ trả lại được một bước xử lý trước đó.")


@dataclass
class StepFields:
    """One step as an admin types it: the allowance is '3' (working days) or '4h'."""

    role: str
    allowance: str
    unit_code: str = ""
    name: str = ""
    next_positions: list[int] | None = None
    back_position: int | None = None


@dataclass
class CheckedStep:
    role: StepRole
    name: str
    unit: ProcessingUnit | None
    days: int | None
    hours: float | None
    next_positions: list[int] = field(default_factory=list)
    back_position: int | None = None


def current_process(agency_id: int, procedure_id: int) -> InternalProcess | None:
    """The latest version of the procedure's process at the agency, or None."""
    return db.session.execute(
        db.select(InternalProcess)
        .filter_by(agency_id=agency_id, procedure_id=procedure_id)
        .order_by(InternalProcess.version.desc())
        .limit(1)
        .options(selectinload(InternalProcess.steps).selectinload(ProcessStep.unit))
    ).scalar_one_or_none()


def process_versions(agency_id: int, procedure_id: int) -> list[InternalProcess]:
    """Every version of the procedure's process at the agency, newest first."""
    return list(
        db.session.execute(
            db.select(InternalProcess)
            .filter_by(agency_id=agency_id, procedure_id=procedure_id)
            .order_by(InternalProcess.version.desc())
        ).scalars()
    )


def agency_processes(agency: Agency) -> dict[int, InternalProcess]:
    """The current process of each procedure of the agency that has one, by procedure id."""
    latest = (
        db.select(InternalProcess.procedure_id, func.max(InternalProcess.version).label("version"))
        .where(InternalProcess.agency_id == agency.id)
        .group_by(InternalProcess.procedure_id)
        .subquery()
    )
    processes = db.session.execute(
        db.select(InternalProcess)
        .join(
            latest,
            (InternalProcess.procedure_id == latest.c.procedure_id)
            & (InternalProcess.version == latest.c.version),
        )
        .filter(InternalProcess.agency_id == agency.id)
        .options(selectinload(InternalProcess.steps).selectinload(ProcessStep.unit))
    ).scalars()
    return {process.procedure_id: process for process in processes}


def refuse(message, **values):
    raise InvalidInput(message, **values)


def check_step(agency: Agency, position: int, count: int, fields: StepFields) -> CheckedStep:
    try:
        role = StepRole(fields.role)
    except ValueError:
        refuse(NO_ROLE, position=position, role=fields.role, column="role")
    if role == StepRole.DESK and position != 1:
        # Nobody takes a dossier at a later desk step: it would wait there for ever.
        refuse(DESK_LATER, position=position, column="role")
    unit = None
    unit_code = "".join((fields.unit_code or "").split()).upper()
    if role in UNIT_ROLES:
        if not unit_code:
            refuse(NO_UNIT, position=position, column="unit")
        unit = next((unit for unit in agency.units if unit.code == unit_code), None)
        if unit is None or not unit.active:
            refuse(UNKNOWN_UNIT, position=position, code=unit_code, column="unit")
    elif unit_code:
        refuse(UNIT_NOT_ALLOWED, position=position, column="unit")
    try:
        days, hours = parse_period((fields.allowance or "").replace(",", "."))
        if hours is not None and not math.isfinite(hours):
            raise ValueError(fields.allowance)  # "nanh", "infh": no number of hours
    except ValueError:
        refuse(BAD_ALLOWANCE, position=position, column="allowance")
    if not (days or hours):
        refuse(ZERO_ALLOWANCE, position=position, column="allowance")
    if hours is not None and (hours * 4) != int(hours * 4):
        refuse(QUARTER_HOURS, position=position, column="allowance")
    name = " ".join((fields.name or "").split()) or DEFAULT_NAMES[role]
    if len(name) > 200:
        refuse(LONG_NAME, position=position, column="name")
    targets = (
        fields.next_positions
        if fields.next_positions is not None
        else ([position + 1] if position < count else [])
    )
    for target in targets:
        if not 1 < target <= count or target == position:
            refuse(BAD_NEXT, position=position, target=target, column="next_steps")
    back = fields.back_position
    if back is None and position > 2:
        back = position - 1
    if back is not None and not 1 < back < position:
        refuse(BAD_BACK, position=position, column="back_step")
    return CheckedStep(role, name, unit, days, hours, sorted(set(targets)), back)


def check_steps(
    agency: Agency, procedure: Procedure, steps: list[StepFields], calendar: WorkCalendar
) -> list[CheckedStep]:
    """The steps checked one by one, then together: the desk first, the sum exact."""
    if procedure not in agency.procedures:
        refuse(
            _l("Cơ quan {agency} không giải quyết thủ tục {procedure}."),
            agency=agency.code,
            procedure=procedure.code,
        )
    if len(steps) < 2:
        refuse(_l("Quy trình cần ít nhất hai bước: tiếp nhận và xử lý."))
    if len(steps) > MAX_STEPS:
        refuse(_l("Quy trình có tối đa {count} bước."), count=MAX_STEPS)
    checked = [
        check_step(agency, position, len(steps), fields)
        for position, fields in enumerate(steps, start=1)
    ]
    if checked[0].role != StepRole.DESK:
        refuse(_l("Bước 1 là bước tiếp nhận của bộ phận một cửa."))
    per_day = hours_per_day(calendar)
    total = sum(in_hours(step.days, step.hours, per_day) for step in checked)
    legal = legal_hours(procedure, per_day)
    if abs(total - legal) > 1e-6:
        refuse(
            _l(
                "Tổng thời gian các bước là {total} giờ làm việc, khác thời hạn giải quyết "
                "của thủ tục {procedure}: {legal} giờ làm việc ({days}). Một ngày làm việc "
                "tính {per_day} giờ."
            ),
            total=hours_text(total),
            legal=hours_text(legal),
            procedure=procedure.code,
            days=legal_text(procedure),
            per_day=hours_text(per_day),
        )
    return checked


def hours_text(hours: float) -> str:
    """7.5 → '7,5'; 30.0 → '30' (the number as Vietnamese writes it)."""
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def legal_text(procedure: Procedure) -> str:
    if procedure.processing_hours is not None:
        return f"{procedure.processing_hours} giờ"
    if not procedure.processing_days:
        return "trong ngày"
    return f"{procedure.processing_days} ngày làm việc"


def define_process(
    agency: Agency,
    procedure: Procedure,
    steps: list[StepFields],
    actor: User | None,
    calendar: WorkCalendar,
) -> InternalProcess:
    """Save `steps` as the next version of the procedure's process at the agency. Dossiers
    already received keep the version they were received under."""
    checked = check_steps(agency, procedure, steps, calendar)
    latest = db.session.execute(
        db.select(func.max(InternalProcess.version)).filter_by(
            agency_id=agency.id, procedure_id=procedure.id
        )
    ).scalar()
    process = InternalProcess(
        agency=agency,
        procedure=procedure,
        version=(latest or 0) + 1,
        created_by_id=actor.id if actor is not None else None,
        steps=[
            ProcessStep(
                position=position,
                name=step.name,
                role=step.role,
                unit=step.unit,
                allowance_days=step.days,
                allowance_hours=step.hours,
                next_positions=step.next_positions,
                back_position=step.back_position,
            )
            for position, step in enumerate(checked, start=1)
        ],
    )
    db.session.add(process)
    db.session.flush()
    record_event(
        "process.defined",
        process,
        user=actor,
        agency=agency.code,
        procedure=procedure.code,
        version=process.version,
        steps=[describe(step) for step in process.steps],
    )
    return process


def allowance_text(step: ProcessStep) -> str:
    """'3' (working days) or '4h': the form the admin typed, and the command line takes."""
    if step.allowance_hours is not None:
        return f"{hours_text(step.allowance_hours).replace(',', '.')}h"
    return str(step.allowance_days)


def allowance_label(step: ProcessStep) -> str:
    """'4,5 giờ' or '3 ngày làm việc', in the request's language."""
    if step.allowance_hours is not None:
        hours = step.allowance_hours
        decimals = 0 if hours == int(hours) else (1 if hours * 2 == int(hours * 2) else 2)
        return str(_l("{hours} giờ")).format(hours=format_figure(hours, decimals))
    return str(_l("{count} ngày làm việc")).format(count=step.allowance_days)


def describe(step: ProcessStep) -> dict:
    return {
        "position": step.position,
        "name": step.name,
        "role": step.role.value,
        "unit": step.unit.code if step.unit else None,
        "allowance": allowance_text(step),
        "next": list(step.next_positions),
        "back": step.back_position,
    }


def step_fields(process: InternalProcess) -> list[StepFields]:
    """A process's steps as fields, to start the next version from."""
    return [
        StepFields(
            role=step.role.value,
            allowance=allowance_text(step),
            unit_code=step.unit.code if step.unit else "",
            name=step.name,
            next_positions=list(step.next_positions),
            back_position=step.back_position,
        )
        for step in process.steps
    ]
