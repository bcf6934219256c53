"""Shared helpers for the counter desk tests."""

import re

import pytest
from flask import g

from core.accounts.devices import create_device
from core.models import AuditEvent, CallEvent, Ticket, User
from core.queue.counters import open_session
from core.queue.issuing import issue_ticket
from core.queue.service_lookup import find_service
from extensions import db


def user(username: str) -> User:
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def issue(code: str, **kwargs) -> Ticket:
    issued = issue_ticket(find_service(code), **kwargs)
    db.session.commit()
    return db.session.get(Ticket, issued.id)


def sign_in_to_counter(username: str, counter_number: int):
    session = open_session(user(username), counter_number)
    db.session.commit()
    return session


def counter_key(counter_number: int, name: str | None = None) -> str:
    name = name or f"Bàn phím quầy {counter_number}"
    _, key = create_device("counter", name, None, counter_number)
    db.session.commit()
    return key


def count(model, **filters) -> int:
    statement = db.select(db.func.count()).select_from(model)
    for field, value in filters.items():
        statement = statement.where(getattr(model, field) == value)
    return db.session.execute(statement).scalar_one()


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
    return tuple(tickets), count(AuditEvent), count(CallEvent)


def log_in(client, username: str) -> None:
    """Sign a test client in as `username` (the sign-in form itself is tested elsewhere)."""
    account = user(username)
    with client.session_transaction() as session:
        session["_user_id"] = str(account.id)
        session["_fresh"] = True


def csrf_token(client) -> str:
    """The session's CSRF token, read from a real page as a browser would."""
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


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
