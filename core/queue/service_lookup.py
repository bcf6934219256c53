"""Finding the services tickets are issued for: by code (the ORM row, or a read-only snapshot
cached briefly for the kiosk's tap), the kiosk's list (by agency when it is long, with
each service's search key), and a name in the request's language."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.errors import ServiceNotFound
from core.i18n import speaks_english
from core.models import Service, ServiceNumberingChange, format_ticket_number, is_open
from core.vntext import search_key
from extensions import db

SERVICE_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class ServiceInfo:
    """A read-only snapshot of a service and its hours, cached briefly for the kiosk path."""

    id: int
    code: str
    name: str
    name_en: str
    prefix: str
    digits: int
    active: bool
    periods: tuple[tuple[int, int, int], ...]
    change_due_on: date | None = None  # a new prefix or width waits for this day

    @classmethod
    def of(cls, service: Service) -> ServiceInfo:
        periods = tuple(
            (period.weekday, period.opens_minute, period.closes_minute) for period in service.hours
        )
        # The numbering and a waiting change in one statement: one consistent view, even
        # under PostgreSQL's read committed while another issuer applies the change.
        prefix, digits, change_due_on = db.session.execute(
            select(Service.prefix, Service.digits, ServiceNumberingChange.effective_on)
            .outerjoin(ServiceNumberingChange, ServiceNumberingChange.service_id == Service.id)
            .where(Service.id == service.id)
        ).one()
        return cls(
            service.id,
            service.code,
            service.name,
            service.name_en,
            prefix,
            digits,
            service.active,
            periods,
            change_due_on,
        )

    def format_number(self, sequence: int) -> str:
        return format_ticket_number(self.prefix, self.digits, sequence)

    def numbering_change_due(self, day: date) -> bool:
        return self.change_due_on is not None and self.change_due_on <= day

    def is_open_at(self, local_moment: datetime) -> bool:
        return is_open(self.periods, local_moment)


_service_cache: dict[str, tuple[float, ServiceInfo]] = {}


def service_name(service: Service | ServiceInfo) -> str:
    """The service's name in the request's language (English when chosen and given)."""
    return service.name_en if service.name_en and speaks_english() else service.name


def find_service(code: str) -> Service:
    """The service with this code, with its opening hours."""
    service = db.session.execute(
        db.select(Service).filter_by(code=code).options(selectinload(Service.hours))
    ).scalar_one_or_none()
    if service is None:
        raise ServiceNotFound(service=code)
    return service


def service_info(code: str) -> ServiceInfo:
    """The service with this code as a snapshot at most SERVICE_CACHE_SECONDS old.

    Admin changes (hours, active) reach every app server within that time.
    """
    now = time.monotonic()
    cached = _service_cache.get(code)
    if cached is not None and now - cached[0] < SERVICE_CACHE_SECONDS:
        return cached[1]
    info = ServiceInfo.of(find_service(code))
    _service_cache[code] = (now, info)
    return info


def forget_cached_services() -> None:
    """Forget the cached snapshots (tests, and after bulk changes)."""
    _service_cache.clear()


def active_services() -> list[Service]:
    """Services offered at the kiosk, in display order, with their hours and agency."""
    return list(
        db.session.execute(
            db.select(Service)
            .where(Service.active.is_(True))
            .options(selectinload(Service.hours), selectinload(Service.agency))
            .order_by(Service.sort_order, Service.code)
        ).scalars()
    )


# Up to this many services the kiosk shows them all on its first screen; beyond, the
# agencies come first (when the services belong to more than one), then their services.
KIOSK_FLAT_SERVICES = 8


@dataclass
class KioskAgency:
    """An agency on the kiosk's first screen and its services in display order, each as
    the kiosk's item ({"service", "waiting", "open", …})."""

    id: int
    name: str
    items: list[dict]


def kiosk_groups(items: list[dict]) -> list[KioskAgency]:
    """The kiosk's agencies, in the order of their first service, when it has more than
    KIOSK_FLAT_SERVICES services of more than one agency; else none (one screen of
    services). A service without an agency counts as the desk's own (the first)."""
    if len(items) <= KIOSK_FLAT_SERVICES:
        return []
    groups: dict[int, KioskAgency] = {}
    for item in items:
        agency = item["service"].agency
        key = agency.id if agency is not None else 0
        if key not in groups:
            groups[key] = KioskAgency(key, agency.name if agency else "", [])
        groups[key].items.append(item)
    return list(groups.values()) if len(groups) > 1 else []


def kiosk_search_key(service: Service) -> str:
    """What the kiosk's search matches a service by: its names, code and agency, without
    diacritics (core.vntext), so that 'giay phep' finds 'Giấy phép'."""
    agency = service.agency.name if service.agency is not None else ""
    return search_key(service.name, service.name_en, service.code, agency)
