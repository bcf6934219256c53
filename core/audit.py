"""The audit trail: every state change is recorded in the same transaction."""

from core.models import AuditEvent
from extensions import db


def record_event(action: str, subject, *, user=None, device=None, **details) -> AuditEvent:
    """Add an audit event for `subject` (a model instance with an id); the caller commits."""
    event = AuditEvent(
        action=action,
        subject_type=type(subject).__name__.lower(),
        subject_id=subject.id,
        user_id=user.id if user is not None else None,
        device_id=device.id if device is not None else None,
        details=details,
    )
    db.session.add(event)
    return event
