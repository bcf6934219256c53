"""Setting up counters (quầy) and the services each one serves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.audit import record_event
from core.errors import InvalidInput
from core.models import Counter, Service, User
from extensions import db

NUMBER_RANGE = range(1, 1000)


@dataclass
class CounterFields:
    """What an admin types for a counter."""

    number: int
    name: str
    active: bool
    service_ids: list[int]


def list_counters() -> list[Counter]:
    """Every counter, active or not, by number, with its services."""
    return list(
        db.session.execute(
            db.select(Counter).options(selectinload(Counter.services)).order_by(Counter.number)
        ).scalars()
    )


def chosen_services(service_ids: Iterable[int]) -> list[Service]:
    """The services with these ids, all of which must exist."""
    wanted = set(service_ids)
    if not wanted:
        return []
    services = list(
        db.session.execute(
            db.select(Service).where(Service.id.in_(wanted)).order_by(Service.code)
        ).scalars()
    )
    if len(services) != len(wanted):
        raise InvalidInput(_l("Có dịch vụ được chọn không còn tồn tại."), field="service_ids")
    return services


def clean_fields(counter: Counter | None, fields: CounterFields) -> CounterFields:
    """Checked fields: a free number from 1 to 999, a name (Quầy số N by default)."""
    if fields.number not in NUMBER_RANGE:
        raise InvalidInput(_l("Số quầy phải từ 1 đến 999."), field="number")
    name = " ".join(fields.name.split()) or f"Quầy số {fields.number}"
    if len(name) > 128:
        raise InvalidInput(_l("Tên quầy tối đa 128 ký tự."), field="name")
    query = db.select(Counter.id).where(Counter.number == fields.number)
    if counter is not None:
        query = query.where(Counter.id != counter.id)
    if db.session.execute(query).first() is not None:
        raise InvalidInput(
            _l("Đã có quầy số {number}. Mỗi quầy một số riêng."),
            field="number",
            number=fields.number,
        )
    return CounterFields(fields.number, name, bool(fields.active), list(fields.service_ids))


def snapshot(counter: Counter) -> dict:
    return {
        "number": counter.number,
        "name": counter.name,
        "active": counter.active,
        "services": [service.code for service in counter.services],
    }


def create_counter(fields: CounterFields, actor: User) -> Counter:
    """Add a counter serving the chosen services; the caller commits."""
    fields = clean_fields(None, fields)
    counter = Counter(
        number=fields.number,
        name=fields.name,
        active=fields.active,
        services=chosen_services(fields.service_ids),
    )
    db.session.add(counter)
    db.session.flush()
    record_event("counter.created", counter, user=actor, **snapshot(counter))
    return counter


def update_counter(counter: Counter, fields: CounterFields, actor: User) -> None:
    """Save an edited counter and its services; the caller commits."""
    fields = clean_fields(counter, fields)
    services = chosen_services(fields.service_ids)
    before = snapshot(counter)
    counter.number, counter.name, counter.active = fields.number, fields.name, fields.active
    counter.services = services
    changes = {
        key: [before[key], value]
        for key, value in snapshot(counter).items()
        if before[key] != value
    }
    if changes:
        record_event("counter.updated", counter, user=actor, changes=changes)
