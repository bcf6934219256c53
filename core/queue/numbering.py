"""Ticket numbering changes (prefix, digits) that keep each day's numbers in one format.

Numbers are unique per service, day and sequence, and every ticket keeps the number it
was printed with. A prefix changed after the day's first ticket would still be unique,
but citizens holding A012 would then hear B013 called from the same queue; so such a
change waits for the next local day and is applied by the first ticket issued then.

Both sides take the service's sequence row of the day first (an upsert, as numbering
does), so a change and a ticket issued in the same instant are ordered: either the
ticket comes first and the change waits for tomorrow, or the change comes first and
the ticket is printed with the new prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm.attributes import set_committed_value

from core.audit import record_event
from core.clock import utcnow
from core.db.upsert import session_upsert
from core.models import Service, ServiceNumberingChange, Ticket, TicketSequence, User
from extensions import db


@dataclass(frozen=True)
class NumberingOutcome:
    """What a save did to the numbering: nothing, applied at once, or waiting for a day."""

    changed: bool = False
    effective_on: date | None = None  # set when the change waits for that day
    issued_today: int = 0


def pending_change(service: Service) -> ServiceNumberingChange | None:
    """The numbering change waiting for a later day, if any."""
    if service.id is None:
        return None
    return db.session.execute(
        db.select(ServiceNumberingChange).filter_by(service_id=service.id)
    ).scalar_one_or_none()


def delete_pending_change(service: Service) -> bool:
    """Remove the waiting change; False when another transaction removed it first."""
    table = ServiceNumberingChange.__table__
    deleted = db.session.execute(
        table.delete().where(table.c.service_id == service.id).returning(table.c.service_id)
    ).first()
    for change in [obj for obj in db.session if isinstance(obj, ServiceNumberingChange)]:
        if change.service_id == service.id:
            db.session.expunge(change)
    return deleted is not None


def apply_due_numbering_change(service: Service, day: date) -> None:
    """Bring `service` up to date before its ticket of `day` is numbered.

    Called once the day's sequence is taken, so any other issuer of the service has
    committed: the prefix is read again, and a change due by `day` is applied.
    """
    numbering = db.session.execute(
        db.select(
            Service.prefix,
            Service.digits,
            ServiceNumberingChange.prefix,
            ServiceNumberingChange.digits,
            ServiceNumberingChange.effective_on,
        )
        .outerjoin(ServiceNumberingChange, ServiceNumberingChange.service_id == Service.id)
        .where(Service.id == service.id)
    ).one()
    prefix, digits, new_prefix, new_digits, effective_on = numbering
    set_committed_value(service, "prefix", prefix)
    set_committed_value(service, "digits", digits)
    if effective_on is None or effective_on > day:
        return
    delete_pending_change(service)
    service.prefix, service.digits = new_prefix, new_digits
    record_event("service.numbering_applied", service, prefix=new_prefix, digits=new_digits)


def lock_day_sequence(service: Service, day: date) -> None:
    """Take the service's sequence row of `day` (creating it at zero), as issuing does."""
    insert = session_upsert()
    db.session.execute(
        insert(TicketSequence)
        .values(service_id=service.id, day=day, last_value=0)
        .on_conflict_do_update(
            index_elements=["service_id", "day"],
            set_={"last_value": TicketSequence.last_value},
        )
    )


def tickets_issued_on(service: Service, day: date) -> int:
    """How many tickets of `service` carry the local day `day`."""
    if service.id is None:
        return 0
    return db.session.execute(
        db.select(db.func.count(Ticket.id)).where(
            Ticket.service_id == service.id, Ticket.day == day
        )
    ).scalar_one()


def planned_numbering(service: Service) -> tuple[str, int]:
    """The prefix and digits the service will use next: a waiting change, else today's."""
    change = pending_change(service)
    if change is not None:
        return change.prefix, change.digits
    return service.prefix, service.digits


def change_numbering(
    service: Service, prefix: str, digits: int, today: date, actor: User | None
) -> NumberingOutcome:
    """Set the numbering now if no ticket was issued today, else from tomorrow.

    Asking again for today's numbering cancels a waiting change.
    """
    if service.id is None:
        service.prefix, service.digits = prefix, digits
        return NumberingOutcome(changed=True)
    if (prefix, digits) == (service.prefix, service.digits) and pending_change(service) is None:
        return NumberingOutcome()
    lock_day_sequence(service, today)
    apply_due_numbering_change(service, today)
    change = pending_change(service)
    if (prefix, digits) == (service.prefix, service.digits):
        if change is not None and delete_pending_change(service):
            record_event("service.numbering_cancelled", service, user=actor)
        return NumberingOutcome()
    if change is not None and (change.prefix, change.digits) == (prefix, digits):
        return NumberingOutcome(effective_on=change.effective_on)
    issued = tickets_issued_on(service, today)
    if issued == 0:
        if change is not None:
            delete_pending_change(service)
        service.prefix, service.digits = prefix, digits
        return NumberingOutcome(changed=True)
    tomorrow = today + timedelta(days=1)
    if change is None:
        change = ServiceNumberingChange(service_id=service.id)
        db.session.add(change)
    change.prefix, change.digits, change.effective_on = prefix, digits, tomorrow
    change.requested_by_id = actor.id if actor is not None else None
    change.requested_at = utcnow()
    record_event(
        "service.numbering_scheduled",
        service,
        user=actor,
        prefix=prefix,
        digits=digits,
        effective_on=tomorrow.isoformat(),
        issued_today=issued,
    )
    return NumberingOutcome(changed=True, effective_on=tomorrow, issued_today=issued)
