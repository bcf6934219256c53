"""Setting up services: codes, names, the agency whose queue each is, ticket numbering
and opening hours."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.agencies.registry import home_agency
from core.audit import record_event
from core.clock import local_today
from core.dossiers.settings import dossier_settings
from core.errors import InvalidInput
from core.models import Agency, Service, ServiceHours, ServiceNumberingChange, User
from core.queue.numbering import NumberingOutcome, change_numbering
from core.queue.opening_hours import Week, summarise, week_of
from extensions import db

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
PREFIX_PATTERN = re.compile(r"^(?:[A-Z]{1,2}|[0-9])$")
DIGITS_RANGE = range(2, 6)
SORT_ORDER_RANGE = range(0, 10000)


@dataclass
class ServiceFields:
    """What an admin types for a service."""

    code: str
    name: str
    name_en: str
    prefix: str
    digits: int
    sort_order: int
    active: bool
    agency_id: int | None = None  # None: the desk's own agency


def list_services() -> list[Service]:
    """Every service, active or not, in display order, with hours and counters."""
    return list(
        db.session.execute(
            db.select(Service)
            .options(
                selectinload(Service.hours),
                selectinload(Service.counters),
                selectinload(Service.agency),
            )
            .order_by(Service.sort_order, Service.code)
        ).scalars()
    )


def pending_changes() -> dict[int, ServiceNumberingChange]:
    """Numbering changes waiting for a later day, by service id."""
    changes = db.session.execute(db.select(ServiceNumberingChange)).scalars()
    return {change.service_id: change for change in changes}


def clean_fields(fields: ServiceFields) -> ServiceFields:
    """Trimmed, upper-cased and checked fields; raises `InvalidInput` naming the field."""
    cleaned = ServiceFields(
        code=fields.code.strip().upper(),
        name=" ".join(fields.name.split()),
        name_en=" ".join(fields.name_en.split()),
        prefix=fields.prefix.strip().upper(),
        digits=fields.digits,
        sort_order=fields.sort_order,
        active=bool(fields.active),
        agency_id=fields.agency_id,
    )
    if not CODE_PATTERN.match(cleaned.code):
        raise InvalidInput(
            _l("Mã dịch vụ gồm 2–32 chữ in hoa không dấu, số, gạch ngang hoặc gạch dưới."),
            field="code",
        )
    if not cleaned.name or len(cleaned.name) > 200:
        raise InvalidInput(_l("Tên dịch vụ (tiếng Việt) cần có, tối đa 200 ký tự."), field="name")
    if len(cleaned.name_en) > 200:
        raise InvalidInput(_l("Tên tiếng Anh tối đa 200 ký tự."), field="name_en")
    if not PREFIX_PATTERN.match(cleaned.prefix):
        raise InvalidInput(
            _l("Tiền tố là một hoặc hai chữ cái không dấu (A, AB) hoặc một chữ số (1)."),
            field="prefix",
        )
    if cleaned.digits not in DIGITS_RANGE:
        raise InvalidInput(_l("Số chữ số phải từ 2 đến 5."), field="digits")
    if cleaned.sort_order not in SORT_ORDER_RANGE:
        raise InvalidInput(_l("Thứ tự hiển thị phải từ 0 đến 9999."), field="sort_order")
    return cleaned


def check_unique(service: Service | None, fields: ServiceFields) -> None:
    """No other service has the code; no other active service prints the same prefix."""
    others = db.select(Service).where(Service.id != service.id) if service else db.select(Service)
    same_code = db.session.execute(others.where(Service.code == fields.code)).scalar()
    if same_code is not None:
        raise InvalidInput(
            _l("Mã dịch vụ “{code}” đã được dùng cho “{other}”."),
            field="code",
            code=fields.code,
            other=same_code.name,
        )
    if not fields.active:
        return
    waiting = db.select(ServiceNumberingChange.service_id).where(
        ServiceNumberingChange.prefix == fields.prefix
    )
    same_prefix = db.session.execute(
        others.where(
            Service.active.is_(True),
            (Service.prefix == fields.prefix) | Service.id.in_(waiting),
        )
    ).scalar()
    if same_prefix is not None:
        raise InvalidInput(
            _l(
                "Tiền tố “{prefix}” đang được dịch vụ “{other}” dùng; hai hàng chờ sẽ in trùng "
                "số. Hãy chọn tiền tố khác."
            ),
            field="prefix",
            prefix=fields.prefix,
            other=same_prefix.name,
        )


def owning_agency(agency_id: int | None) -> Agency | None:
    """The agency a service or a counter belongs to: the one chosen, which must exist, or
    the desk's own agency when none is."""
    if agency_id is None:
        return home_agency(dossier_settings()["agency_code"])
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise InvalidInput(_l("Cơ quan được chọn không còn tồn tại."), field="agency_id")
    return agency


def replace_hours(service: Service, week: Week) -> None:
    """Replace the service's opening periods with `week`."""
    service.hours.clear()
    db.session.flush()  # the old rows go before new ones reuse (weekday, opens_minute)
    service.hours.extend(
        ServiceHours(weekday=weekday, opens_minute=opens, closes_minute=closes)
        for weekday, day in enumerate(week)
        for opens, closes in day
    )


def hours_text(week: Week) -> str:
    """The hours in one line of Vietnamese, for the audit trail."""
    with force_locale("vi"):
        return "; ".join(f"{days} {periods}" for days, periods in summarise(week)) or "-"


def create_service(fields: ServiceFields, week: Week, actor: User | None) -> Service:
    """Add a service with its hours; the caller commits."""
    fields = clean_fields(fields)
    check_unique(None, fields)
    service = Service(
        agency=owning_agency(fields.agency_id),
        code=fields.code,
        name=fields.name,
        name_en=fields.name_en,
        prefix=fields.prefix,
        digits=fields.digits,
        sort_order=fields.sort_order,
        active=fields.active,
    )
    replace_hours(service, week)
    db.session.add(service)
    db.session.flush()
    record_event(
        "service.created",
        service,
        user=actor,
        code=service.code,
        prefix=service.prefix,
        hours=hours_text(week),
        agency=service.agency.code if service.agency else None,
    )
    return service


def update_service(
    service: Service, fields: ServiceFields, week: Week, actor: User
) -> NumberingOutcome:
    """Save an edited service; a new prefix waits for tomorrow once today's numbering began."""
    fields = clean_fields(fields)
    check_unique(service, fields)
    before = snapshot(service)
    service.code, service.name, service.name_en = fields.code, fields.name, fields.name_en
    service.sort_order, service.active = fields.sort_order, fields.active
    service.agency = owning_agency(fields.agency_id)
    if week_of(service.hours) != week:
        replace_hours(service, week)
    outcome = change_numbering(service, fields.prefix, fields.digits, local_today(), actor)
    changes = {
        key: [before[key], value]
        for key, value in snapshot(service, week).items()
        if before[key] != value
    }
    if changes:
        record_event("service.updated", service, user=actor, changes=changes)
    return outcome


def snapshot(service: Service, week: Week | None = None) -> dict:
    """The audited fields of a service."""
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "prefix": service.prefix,
        "digits": service.digits,
        "sort_order": service.sort_order,
        "active": service.active,
        "agency": service.agency.code if service.agency else None,
        "hours": hours_text(week if week is not None else week_of(service.hours)),
    }
