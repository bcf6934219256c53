"""Processing units of an agency (phòng, đơn vị): adding, editing, deactivating them.

A unit is never deleted: dossiers and their control slips will name it. Deactivated, it
takes no new work. Every function flushes and audits; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.errors import InvalidInput
from core.models import Agency, ProcessingUnit, User
from extensions import db

UNIT_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")


@dataclass
class UnitFields:
    """What an admin types for a processing unit."""

    code: str
    name: str
    active: bool = True


def clean_fields(agency: Agency, unit: ProcessingUnit | None, fields: UnitFields) -> UnitFields:
    """A code unique within the agency (letters, digits, . _ -) and a name."""
    code = "".join((fields.code or "").split()).upper()
    if not UNIT_CODE_PATTERN.match(code):
        raise InvalidInput(
            _l("Mã đơn vị chỉ gồm chữ không dấu, số và . _ -, tối đa 32 ký tự."), field="code"
        )
    clash = db.session.execute(
        db.select(ProcessingUnit.id).filter_by(agency_id=agency.id, code=code)
    ).scalar_one_or_none()
    if clash is not None and (unit is None or clash != unit.id):
        raise InvalidInput(
            _l("Cơ quan “{agency}” đã có đơn vị mã “{code}”."),
            agency=agency.code,
            code=code,
            field="code",
        )
    name = " ".join((fields.name or "").split())
    if not name:
        raise InvalidInput(_l("Vui lòng nhập tên đơn vị."), field="name")
    if len(name) > 200:
        raise InvalidInput(_l("Tên đơn vị tối đa 200 ký tự."), field="name")
    return UnitFields(code=code, name=name, active=fields.active)


def snapshot(unit: ProcessingUnit) -> dict:
    return {"code": unit.code, "name": unit.name, "active": unit.active}


def add_unit(agency: Agency, fields: UnitFields, actor: User | None) -> ProcessingUnit:
    """Add a processing unit to the agency."""
    fields = clean_fields(agency, None, fields)
    unit = ProcessingUnit(agency=agency, code=fields.code, name=fields.name, active=fields.active)
    db.session.add(unit)
    db.session.flush()
    record_event("processing_unit.created", unit, user=actor, agency=agency.code, **snapshot(unit))
    return unit


def update_unit(unit: ProcessingUnit, fields: UnitFields, actor: User | None) -> None:
    """Save an edited unit (deactivating it is an edit of `active`)."""
    fields = clean_fields(unit.agency, unit, fields)
    before = snapshot(unit)
    unit.code, unit.name, unit.active = fields.code, fields.name, fields.active
    db.session.flush()
    changes = {
        key: [before[key], value] for key, value in snapshot(unit).items() if before[key] != value
    }
    if changes:
        record_event(
            "processing_unit.updated", unit, user=actor, agency=unit.agency.code, changes=changes
        )


def find_unit(agency: Agency, unit_id: int) -> ProcessingUnit | None:
    """The unit with this id if it belongs to `agency`."""
    unit = db.session.get(ProcessingUnit, unit_id)
    return unit if unit is not None and unit.agency_id == agency.id else None
