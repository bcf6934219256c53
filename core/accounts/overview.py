"""What the admin home page shows: how the desk is set up and the latest changes."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Agency, AuditEvent, Counter, Device, ProcessingUnit, Service, User
from extensions import db

SETUP_SUBJECTS = {
    "service": (Service, lambda service: f"{service.code} · {service.name}"),
    "counter": (Counter, lambda counter: f"{counter.number} · {counter.name}"),
    "user": (User, lambda user: f"{user.username} · {user.full_name}"),
    "device": (Device, lambda device: f"#{device.id} · {device.name}"),
    "agency": (Agency, lambda agency: f"{agency.code} · {agency.name}"),
    "processingunit": (ProcessingUnit, lambda unit: f"{unit.code} · {unit.name}"),
}


@dataclass(frozen=True)
class Tally:
    active: int
    total: int


@dataclass(frozen=True)
class SetupChange:
    event: AuditEvent
    actor: str
    subject_type: str
    subject: str


def tally(model, active_condition) -> Tally:
    total, active = db.session.execute(
        db.select(db.func.count(model.id), db.func.count(model.id).filter(active_condition))
    ).one()
    return Tally(active=active, total=total)


def setup_tallies() -> dict[str, Tally]:
    """Active and total services, counters, accounts, devices and agencies."""
    return {
        "services": tally(Service, Service.active.is_(True)),
        "counters": tally(Counter, Counter.active.is_(True)),
        "users": tally(User, User.active.is_(True)),
        "devices": tally(Device, Device.revoked_at.is_(None)),
        "agencies": tally(Agency, Agency.active.is_(True)),
    }


def recent_setup_changes(limit: int = 10) -> list[SetupChange]:
    """The latest changes people made to services, counters, accounts, devices and agencies."""
    events = list(
        db.session.execute(
            db.select(AuditEvent)
            .where(
                AuditEvent.user_id.is_not(None),
                AuditEvent.subject_type.in_(SETUP_SUBJECTS),
            )
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )
    names = {}
    for subject_type, (model, describe) in SETUP_SUBJECTS.items():
        ids = {event.subject_id for event in events if event.subject_type == subject_type}
        if subject_type == "user":
            ids |= {event.user_id for event in events}
        if ids:
            rows = db.session.execute(db.select(model).where(model.id.in_(ids))).scalars()
            names[subject_type] = {row.id: (row, describe(row)) for row in rows}
    users = names.get("user", {})
    return [
        SetupChange(
            event=event,
            actor=users[event.user_id][0].full_name if event.user_id in users else "",
            subject_type=event.subject_type,
            subject=names.get(event.subject_type, {}).get(event.subject_id, (None, "?"))[1],
        )
        for event in events
    ]
