"""Agencies: adding and editing them, their parents and the procedures they handle.

An agency is competent for every procedure of the catalogue unless narrowed; a procedure
added later to the catalogue goes to the desk's own agency (`home_agency`) until an admin
says otherwise. Every function flushes and audits; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.agencies.codes import is_agency_code, normalise_agency_code
from core.audit import record_event
from core.errors import InvalidInput, NotFound
from core.models import Agency, Procedure, User
from extensions import db

NAME_MAX = 200


class AgencyNotFound(NotFound):
    code = "agency_not_found"
    message = _l("Không có cơ quan mã “{code}”.")


class UnknownProcedures(InvalidInput):
    code = "unknown_procedures"
    message = _l("Không có thủ tục mã: {codes}.")


@dataclass
class AgencyFields:
    """What an admin types for an agency."""

    code: str
    name: str
    parent_id: int | None = None
    active: bool = True


def list_agencies() -> list[Agency]:
    """Every agency, by code, with its parent, units and procedures loaded."""
    return list(
        db.session.execute(
            db.select(Agency)
            .options(
                selectinload(Agency.parent),
                selectinload(Agency.units),
                selectinload(Agency.procedures),
            )
            .order_by(Agency.code)
        ).scalars()
    )


def find_agency(code: str) -> Agency:
    """The agency with this code (spaces and case forgiven)."""
    code = normalise_agency_code(code)
    agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one_or_none()
    if agency is None:
        raise AgencyNotFound(code=code)
    return agency


def find_parent(code: str) -> Agency:
    """The parent agency named on the command line."""
    try:
        return find_agency(code)
    except AgencyNotFound:
        raise InvalidInput(
            _l("Không có cơ quan chủ quản mã “{code}”."), code=normalise_agency_code(code)
        ) from None


def home_agency(code: str | None = None) -> Agency | None:
    """The desk's own agency: the one whose code its dossiers carry (the settings' agency
    code), else the first agency, the one migration 0026 made of the desk."""
    if code:
        agency = db.session.execute(
            db.select(Agency).filter_by(code=normalise_agency_code(code))
        ).scalar_one_or_none()
        if agency is not None:
            return agency
    return db.session.execute(db.select(Agency).order_by(Agency.id).limit(1)).scalar_one_or_none()


def clean_fields(agency: Agency | None, fields: AgencyFields) -> AgencyFields:
    """A well-formed code no other agency has, a name, and a parent that is not the
    agency itself nor one of the agencies under it."""
    code = normalise_agency_code(fields.code or "")
    if not is_agency_code(code):
        raise InvalidInput(
            _l("Mã cơ quan “{code}” không đúng dạng mã định danh, ví dụ 000.17.22.H56."),
            code=code,
            field="code",
        )
    clash = db.session.execute(db.select(Agency.id).filter_by(code=code)).scalar_one_or_none()
    if clash is not None and (agency is None or clash != agency.id):
        raise InvalidInput(_l("Mã cơ quan “{code}” đã có."), code=code, field="code")
    name = " ".join((fields.name or "").split())
    if not name:
        raise InvalidInput(_l("Vui lòng nhập tên cơ quan."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_l("Tên cơ quan tối đa 200 ký tự."), field="name")
    if fields.parent_id is not None:
        parent = db.session.get(Agency, fields.parent_id)
        if parent is None:
            raise InvalidInput(
                _l("Cơ quan chủ quản được chọn không còn tồn tại."), field="parent_id"
            )
        refuse_cycle(agency, parent)
    return AgencyFields(code=code, name=name, parent_id=fields.parent_id, active=fields.active)


def refuse_cycle(agency: Agency | None, parent: Agency) -> None:
    """An agency cannot be its own parent, nor come under an agency under it."""
    if agency is None:
        return
    seen = set()
    ancestor: Agency | None = parent
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == agency.id:
            raise InvalidInput(
                _l(
                    "Không thể đặt “{parent}” làm cơ quan chủ quản của “{agency}”: "
                    "“{parent}” là chính cơ quan này hoặc trực thuộc nó."
                ),
                parent=parent.code,
                agency=agency.code,
                field="parent_id",
            )
        seen.add(ancestor.id)
        ancestor = ancestor.parent


def procedures_by_codes(codes: Iterable[str]) -> list[Procedure]:
    """The procedures with these codes, all of which must exist."""
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    found = {
        procedure.code: procedure
        for procedure in db.session.execute(
            db.select(Procedure).where(Procedure.code.in_(wanted))
        ).scalars()
    }
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise UnknownProcedures(codes=", ".join(unknown), field="procedures")
    return [found[code] for code in wanted]


def procedures_by_ids(procedure_ids: Iterable[int]) -> list[Procedure]:
    wanted = set(procedure_ids)
    procedures = list(
        db.session.execute(db.select(Procedure).where(Procedure.id.in_(wanted))).scalars()
    )
    if len(procedures) != len(wanted):
        raise InvalidInput(_l("Có thủ tục được chọn không còn tồn tại."), field="procedure_ids")
    return procedures


def every_procedure() -> list[Procedure]:
    return list(db.session.execute(db.select(Procedure).order_by(Procedure.code)).scalars())


def snapshot(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "parent": agency.parent.code if agency.parent else None,
        "active": agency.active,
    }


def create_agency(
    fields: AgencyFields, actor: User | None, procedures: list[Procedure] | None = None
) -> Agency:
    """Register an agency, competent for `procedures` or, when None, for every procedure
    of the catalogue."""
    fields = clean_fields(None, fields)
    agency = Agency(
        code=fields.code,
        name=fields.name,
        parent=db.session.get(Agency, fields.parent_id) if fields.parent_id else None,
        active=fields.active,
        procedures=every_procedure() if procedures is None else procedures,
    )
    db.session.add(agency)
    db.session.flush()
    record_event(
        "agency.created",
        agency,
        user=actor,
        **snapshot(agency),
        procedures=sorted(procedure.code for procedure in agency.procedures),
    )
    return agency


def update_agency(agency: Agency, fields: AgencyFields, actor: User | None) -> None:
    """Save an edited agency."""
    fields = clean_fields(agency, fields)
    before = snapshot(agency)
    agency.code, agency.name, agency.active = fields.code, fields.name, fields.active
    agency.parent = db.session.get(Agency, fields.parent_id) if fields.parent_id else None
    db.session.flush()
    after = snapshot(agency)
    changes = {key: [before[key], value] for key, value in after.items() if before[key] != value}
    if changes:
        record_event("agency.updated", agency, user=actor, changes=changes)


def set_competence(agency: Agency, procedures: list[Procedure], actor: User | None) -> None:
    """The procedures the agency is competent for, exactly these."""
    before = {procedure.code for procedure in agency.procedures}
    after = {procedure.code for procedure in procedures}
    if before == after:
        return
    agency.procedures = sorted(procedures, key=lambda procedure: procedure.code)
    db.session.flush()
    record_event(
        "agency.competence_changed",
        agency,
        user=actor,
        code=agency.code,
        added=sorted(after - before),
        removed=sorted(before - after),
    )


def competent_agencies(procedure: Procedure, *, active_only: bool = True) -> list[Agency]:
    """The agencies that handle `procedure`, by code."""
    return [agency for agency in procedure.agencies if agency.active or not active_only]
