"""The procedure catalogue: fields, procedures and their required documents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.agencies.registry import home_agency
from core.audit import record_event
from core.dossiers.errors import LazyJoin, ProcedureNotFound
from core.dossiers.settings import dossier_settings
from core.errors import InvalidInput
from core.models import DocumentKind, Field, OnlineLevel, Procedure, ProcedureDocument
from core.spreadsheets import read_rows
from core.vntext import search_key, search_terms, unaccent
from extensions import db

ONLINE_LEVELS = {
    "toan_trinh": OnlineLevel.FULL,
    "full": OnlineLevel.FULL,
    "mot_phan": OnlineLevel.PARTIAL,
    "partial": OnlineLevel.PARTIAL,
}
KIND_WORDS = [
    ("ban sao co chung thuc", DocumentKind.CERTIFIED_COPY),
    ("co chung thuc", DocumentKind.CERTIFIED_COPY),
    ("ban chinh", DocumentKind.ORIGINAL),
    ("ban sao", DocumentKind.COPY),
]
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,39}$")
CATALOGUE_COLUMNS = ("code", "name", "field", "processing_days", "fee_vnd", "online_level")


@dataclass
class DocumentSpec:
    name: str
    kind: DocumentKind = DocumentKind.ANY
    quantity: int = 1


@dataclass
class ProcedureData:
    """A procedure as entered in the admin screen or read from a published list."""

    code: str
    name: str
    field: str
    processing_days: int | None
    processing_hours: int | None
    fee_vnd: int
    processing_unit: str
    online_level: OnlineLevel
    documents: list[DocumentSpec]
    active: bool = True


def parse_document(text: str) -> DocumentSpec:
    """'Giấy phép lái xe cũ (bản sao)' → the name and its kind."""
    name, kind = text.strip(), DocumentKind.ANY
    match = re.search(r"\(([^)]*)\)\s*$", name)
    if match:
        words = unaccent(match.group(1))
        for marker, marker_kind in KIND_WORDS:
            if marker in words:
                kind = marker_kind
                name = name[: match.start()].strip()
                break
    else:
        words = unaccent(name)
        for marker, marker_kind in KIND_WORDS:
            if words.endswith(marker) or f"{marker} " in words:
                kind = marker_kind
                break
    return DocumentSpec(name=name, kind=kind)


def parse_documents(text: str) -> list[DocumentSpec]:
    return [parse_document(part) for part in text.split(";") if part.strip()]


def get_or_create_field(name: str) -> Field:
    name = " ".join(name.split())
    field = db.session.execute(db.select(Field).filter_by(name=name)).scalar_one_or_none()
    if field is None:
        field = Field(name=name)
        db.session.add(field)
        db.session.flush()
    return field


def check_procedure_data(data: ProcedureData) -> list[str]:
    """What is wrong with `data`, as messages (empty when valid)."""
    problems = []
    if not CODE_PATTERN.match(data.code or ""):
        problems.append(_l("mã thủ tục trống hoặc có ký tự không hợp lệ"))
    if not data.name.strip():
        problems.append(_l("thiếu tên thủ tục"))
    if not data.field.strip():
        problems.append(_l("thiếu lĩnh vực"))
    if (data.processing_days is None) == (data.processing_hours is None):
        problems.append(_l("cần đúng một thời hạn: số ngày làm việc hoặc số giờ"))
    for value in (data.processing_days, data.processing_hours):
        if value is not None and not 0 <= value <= 365:
            problems.append(_l("thời hạn giải quyết phải từ 0 đến 365"))
    if data.fee_vnd < 0:
        problems.append(_l("lệ phí không được âm"))
    return problems


def save_procedure(procedure: Procedure | None, data: ProcedureData, user=None) -> Procedure:
    """Create or update a procedure; time and fee changes are kept in the audit trail.

    Dossiers already received keep the terms copied onto them at receipt.
    """
    problems = check_procedure_data(data)
    if problems:
        raise InvalidInput(_l("Thủ tục không hợp lệ: {problems}."), problems=LazyJoin(problems))
    clash = db.session.execute(
        db.select(Procedure.id).where(Procedure.code == data.code)
    ).scalar_one_or_none()
    if clash is not None and (procedure is None or clash != procedure.id):
        raise InvalidInput(_l("Mã thủ tục “{code}” đã có."), code=data.code)
    created = procedure is None
    before = {} if created else terms_of(procedure)
    field = get_or_create_field(data.field)
    if created:
        # A new procedure is the desk's own agency's until an admin names others.
        agency = home_agency(dossier_settings()["agency_code"])
        procedure = Procedure(agencies=[agency] if agency is not None else [])
    procedure.code = data.code
    procedure.name = " ".join(data.name.split())
    procedure.field = field
    procedure.processing_days = data.processing_days
    procedure.processing_hours = data.processing_hours
    procedure.fee_vnd = data.fee_vnd
    procedure.processing_unit = data.processing_unit.strip()
    procedure.online_level = data.online_level
    procedure.active = data.active
    procedure.search_text = search_key(data.code, data.name, data.field)
    procedure.documents = [
        ProcedureDocument(position=index, name=doc.name, kind=doc.kind, quantity=doc.quantity)
        for index, doc in enumerate(data.documents)
    ]
    db.session.add(procedure)
    db.session.flush()
    after = terms_of(procedure)
    changes = {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
    if changes:
        action = "procedure.created" if created else "procedure.updated"
        record_event(action, procedure, user=user, code=procedure.code, changes=changes)
    return procedure


def terms_of(procedure: Procedure) -> dict:
    return {
        "name": procedure.name,
        "field": procedure.field.name if procedure.field else None,
        "processing_days": procedure.processing_days,
        "processing_hours": procedure.processing_hours,
        "fee_vnd": procedure.fee_vnd,
        "processing_unit": procedure.processing_unit,
        "online_level": procedure.online_level.value if procedure.online_level else None,
        "active": procedure.active,
        "documents": [[doc.name, doc.kind.value, doc.quantity] for doc in procedure.documents],
    }


def terms_at_receipt(procedure: Procedure) -> dict:
    """The procedure's terms as a dossier keeps them: later changes leave it alone."""
    return {
        "procedure": procedure,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "field_name": procedure.field.name,
        "processing_unit": procedure.processing_unit,
        "processing_days": procedure.processing_days,
        "processing_hours": procedure.processing_hours,
        "fee_vnd": procedure.fee_vnd,
    }


def find_procedure(code: str) -> Procedure:
    procedure = db.session.execute(
        db.select(Procedure).filter_by(code=code).options(selectinload(Procedure.documents))
    ).scalar_one_or_none()
    if procedure is None:
        raise ProcedureNotFound(code=code)
    return procedure


def search_procedures(query: str, *, limit: int = 20, active_only: bool = True) -> list[Procedure]:
    """Procedures whose code, name or field contain every word typed, accents ignored."""
    statement = db.select(Procedure).options(selectinload(Procedure.field))
    for term in search_terms(query)[:8]:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Procedure.search_text.like(f"%{escaped}%", escape="\\"))
    if active_only:
        statement = statement.where(Procedure.active.is_(True))
    return list(db.session.execute(statement.order_by(Procedure.code).limit(limit)).scalars())


def all_procedures() -> list[Procedure]:
    return list(
        db.session.execute(
            db.select(Procedure)
            .options(selectinload(Procedure.field))
            .order_by(Procedure.field_id, Procedure.code)
        ).scalars()
    )


def row_to_data(row: dict[str, str]) -> tuple[ProcedureData | None, list[str]]:
    """A catalogue row (the columns of a province's published list) as ProcedureData."""
    problems = []

    def number(column: str) -> int | None:
        text = row.get(column, "").replace(".", "").replace(",", "").strip()
        if not text:
            return None
        if not text.isdigit():
            problems.append(str(_l("cột {column} phải là số")).format(column=column))
            return None
        return int(text)

    level = ONLINE_LEVELS.get(row.get("online_level", "").strip().lower())
    if level is None:
        problems.append(_l("online_level phải là toan_trinh hoặc mot_phan"))
    days, hours, fee = number("processing_days"), number("processing_hours"), number("fee_vnd")
    data = ProcedureData(
        code=row.get("code", "").strip(),
        name=row.get("name", "").strip(),
        field=row.get("field", "").strip(),
        processing_days=days,
        processing_hours=hours,
        fee_vnd=fee or 0,
        processing_unit=row.get("processing_unit", "").strip(),
        online_level=level or OnlineLevel.PARTIAL,
        documents=parse_documents(row.get("documents", "")),
    )
    problems += check_procedure_data(data)
    return (None if problems else data), problems


def import_catalogue(path: Path, user=None) -> tuple[int, int]:
    """Load a published procedure list (CSV or XLSX): all rows or none; the caller commits.

    Returns (added, updated). Procedures are matched by code, so loading twice is safe.
    """
    headers, rows = read_rows(path)
    missing = [column for column in ("code", "name", "field") if column not in headers]
    if missing:
        raise InvalidInput(_l("Thiếu cột: {columns}."), columns=", ".join(missing))
    parsed, errors = [], []
    for line, row in rows:
        data, problems = row_to_data(row)
        if problems:
            errors.append(f"{line}: {LazyJoin(problems)}")
        else:
            parsed.append(data)
    if errors:
        raise InvalidInput(
            _l("Danh mục có dòng lỗi, chưa nhập gì:\n{errors}"), errors="\n".join(errors)
        )
    existing = {p.code: p for p in db.session.execute(db.select(Procedure)).scalars()}
    added = updated = 0
    for data in parsed:
        before = existing.get(data.code)
        save_procedure(before, data, user=user)
        if before is None:
            added += 1
        else:
            updated += 1
    return added, updated


DEMO_CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "procedures-transport.csv"


def seed_demo_catalogue(path: Path = DEMO_CATALOGUE) -> list[str]:
    """Add the demo transport procedures that are missing (codes already there are kept)."""
    _, rows = read_rows(path)
    known = set(db.session.execute(db.select(Procedure.code)).scalars())
    added = []
    for _line, row in rows:
        data, problems = row_to_data(row)
        if data is None or data.code in known:
            continue
        save_procedure(None, data)
        added.append(f"procedure {data.code}")
    return added
