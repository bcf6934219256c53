"""Reading the audit trail: filters, pages and readable descriptions for the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.clock import day_start
from core.models import AuditEvent, Device, Dossier, Ticket, User
from extensions import db


@dataclass
class AuditFilter:
    start: date | None = None
    end: date | None = None
    action: str = ""
    user_id: int | None = None
    device_id: int | None = None
    subject: str = ""  # a dossier code or a ticket number


def subject_condition(text: str, start: date | None, end: date | None):
    """Events about the dossier with this code, or about the tickets with this number
    (ticket numbers repeat daily: the date range narrows them)."""
    text = text.strip().upper()
    dossier_ids = db.select(Dossier.id).where(Dossier.code == text)
    tickets = db.select(Ticket.id).where(Ticket.number == text)
    if start:
        tickets = tickets.where(Ticket.day >= start)
    if end:
        tickets = tickets.where(Ticket.day <= end)
    return db.or_(
        db.and_(AuditEvent.subject_type == "dossier", AuditEvent.subject_id.in_(dossier_ids)),
        db.and_(AuditEvent.subject_type == "ticket", AuditEvent.subject_id.in_(tickets)),
    )


def audit_query(chosen: AuditFilter):
    """The matching events, newest first."""
    statement = db.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if chosen.start:
        statement = statement.where(AuditEvent.occurred_at >= day_start(chosen.start))
    if chosen.end:
        next_day = day_start(chosen.end + timedelta(days=1))
        statement = statement.where(AuditEvent.occurred_at < next_day)
    if chosen.action:
        statement = statement.where(AuditEvent.action == chosen.action)
    if chosen.user_id:
        statement = statement.where(AuditEvent.user_id == chosen.user_id)
    if chosen.device_id:
        statement = statement.where(AuditEvent.device_id == chosen.device_id)
    if chosen.subject.strip():
        statement = statement.where(subject_condition(chosen.subject, chosen.start, chosen.end))
    return statement


def known_actions() -> list[str]:
    return list(
        db.session.execute(
            db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        ).scalars()
    )


def filter_choices() -> tuple[list[User], list[Device]]:
    users = db.session.execute(db.select(User).order_by(User.username)).scalars()
    devices = db.session.execute(db.select(Device).order_by(Device.name)).scalars()
    return list(users), list(devices)
