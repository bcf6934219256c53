"""Shared helpers for the counter desk tests (test data: tests/factories.py)."""

import pytest
from flask import g

from conftest import count
from core.audit import READING_ACTIONS
from core.models import AuditEvent, CallEvent, Ticket
from extensions import db


def snapshot() -> tuple:
    """Everything a refused action must leave untouched."""
    db.session.expire_all()
    tickets = db.session.execute(
        db.select(
            Ticket.id,
            Ticket.status,
            Ticket.service_id,
            Ticket.counter_id,
            Ticket.officer_id,
            Ticket.call_count,
            Ticket.called_at,
            Ticket.serving_started_at,
            Ticket.finished_at,
        ).order_by(Ticket.id)
    ).all()
    changes = db.select(db.func.count()).where(AuditEvent.action.not_in(READING_ACTIONS))
    return tuple(tickets), db.session.execute(changes).scalar_one(), count(CallEvent)


@pytest.fixture(autouse=True)
def fresh_user_per_request(app):
    """Tests keep one app context open, and Flask-Login and Flask-WTF cache the user and the
    CSRF token in its `g`: forget them after each request, as a server does, so one client's
    user or token never leaks into another's request."""
    cached = ("_login_user", app.config["WTF_CSRF_FIELD_NAME"])

    @app.teardown_request
    def forget_request_state(_error=None):
        for name in cached:
            g.pop(name, None)

    forget_request_state()
