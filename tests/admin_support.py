"""Test helpers for the admin screens: staff clients that post forms with their CSRF token."""

import re

from sqlalchemy import text

from conftest import put_signed_in
from core.models import User
from extensions import db

CSRF_INPUT = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([^\"]+)\"")
# Every table the admin screens write; ordered rows of each, to prove "nothing changed".
ADMIN_TABLES = (
    "service",
    "service_hours",
    "service_numbering_change",
    "counter",
    "counter_service",
    "user_account",
    "device",
    "audit_event",
    "ticket",
    "ticket_sequence",
)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on the page."""
    field = CSRF_INPUT.search(html)
    assert field, "the page has no form with a CSRF token"
    return VALUE.search(field.group(0)).group(1)


def database_state() -> dict[str, list[tuple]]:
    """Every row of the admin tables, to compare before and after a refused change."""
    db.session.rollback()
    return {
        table: sorted(
            (tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table}"))), key=repr
        )
        for table in ADMIN_TABLES
    }


def audit_actions() -> list[tuple[str, int | None]]:
    """(action, acting user id) of every audit event, oldest first."""
    db.session.rollback()
    return [
        (event.action, event.user_id)
        for event in db.session.execute(text("SELECT action, user_id FROM audit_event ORDER BY id"))
    ]


class StaffClient:
    """A test client signed in as one member of staff.

    Each request runs in an app context of its own, as on a real server (a fresh `g`,
    so the signed-in user and language are looked up again), and the test's session is
    rolled back afterwards so that it reads what the request wrote.
    """

    def __init__(self, app, username: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.user_id = None
        if username is not None:
            self.user_id = db.session.execute(
                db.select(User.id).filter_by(username=username)
            ).scalar_one()

    def open(self, method: str, url: str, **kwargs):
        if self.user_id is not None:
            # Signed in again before each request: the cookie's signature carries a time,
            # and a test travelling in time would otherwise find it expired.
            with self.client.session_transaction() as session:
                put_signed_in(session, self.user_id)
        with self.app.app_context():
            response = self.client.open(url, method=method, **kwargs)
        db.session.rollback()
        return response

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.open("POST", url, data=data or {}, **kwargs)

    def submit(self, form_url: str, data: dict, action: str | None = None, **kwargs):
        """Open the page holding the form, then post `data` with the page's CSRF token."""
        page = self.get(form_url)
        assert page.status_code == 200, (form_url, page.status_code)
        fields = {"csrf_token": csrf_token(page.get_data(as_text=True)), **data}
        return self.post(action or form_url, fields, **kwargs)


def text_of(response) -> str:
    return response.get_data(as_text=True)
