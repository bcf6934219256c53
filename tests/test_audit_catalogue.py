"""Every audit event goes through one function and one catalogue of action labels."""

import re

import pytest

from conftest import PROJECT_DIR
from core.audit import ACTIONS, action_name, record_event
from core.dossiers.states import Action as DossierAction
from core.models import AuditEvent, SlipKind
from core.queue.ticket_flow import TicketAction
from extensions import db

SOURCE_FOLDERS = ("core", "printing", "admin", "api", "dashboard", "desk", "dossiers", "privacy")


def test_every_action_named_at_run_time_has_a_label():
    """The actions built from a value: moves of tickets and dossiers, reception slips and
    the two ways a failed print job is resolved (printing.jobs.resolve)."""
    for action in TicketAction:
        assert f"ticket.{action.value}" in ACTIONS
    for action in DossierAction:
        assert f"dossier.{action.value}" in ACTIONS
    for kind in SlipKind:
        assert f"reception.{kind.value}" in ACTIONS
    for resolution in ("reprinted", "dismissed"):
        assert f"print_job.{resolution}" in ACTIONS


def test_every_action_named_in_the_code_is_in_the_catalogue():
    literal = re.compile(r"""record_event\(\s*["']([a-z_]+\.[a-z_]+)["']""")
    found = set()
    for folder in SOURCE_FOLDERS:
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            found.update(literal.findall(path.read_text()))
    assert len(found) > 30
    assert found <= set(ACTIONS)


def test_nothing_but_the_audit_module_builds_an_audit_row():
    for folder in SOURCE_FOLDERS:
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            if path.relative_to(PROJECT_DIR).as_posix() in (
                "core/audit.py",
                "core/models/audit.py",
            ):
                continue
            assert not re.search(r"(?<!class )AuditEvent\(", path.read_text()), path


def test_an_action_outside_the_catalogue_is_refused_and_writes_nothing(app):
    with pytest.raises(ValueError, match="not in core.audit.ACTIONS"):
        record_event("ticket.teleported", ("ticket", 1))
    assert db.session.execute(db.select(AuditEvent)).first() is None


def test_labels_read_in_vietnamese(app):
    assert action_name("dossier.transfer") == "Hồ sơ: chuyển cho đơn vị xử lý"
    assert action_name("something.else") == "something.else"
