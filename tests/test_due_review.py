"""`flask --app wsgi dossiers due-check`: open dossiers promised later than the rule of
today would promise, listed for the desk; nothing is written."""

import time_machine

from conftest import count, local_time
from core.models import AuditEvent, Dossier, DossierEvent, DossierStatus
from extensions import db
from tests import factories


def received(moment: tuple, procedure: str = "GPLX-DOI") -> Dossier:
    with time_machine.travel(local_time(*moment), tick=False):
        return factories.dossier(procedure)


def stored_state() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(
            Dossier.code, Dossier.status, Dossier.due_at, Dossier.original_due_at, Dossier.imported
        ).order_by(Dossier.code)
    )
    return [tuple(row) for row in rows]


def test_due_check_lists_only_open_dossiers_promised_later_and_writes_nothing(demo, runner):
    # Promised by the old rule (after 15:00, counted from the next working day): 11/3, not 10/3.
    late = received((2026, 3, 3, 15, 30))
    late.due_at = local_time(2026, 3, 11, 17, 0)
    # Received in the morning: the old and the new rule agree.
    kept = received((2026, 3, 2, 9, 0))
    # Promised earlier than the rule gives: the rule would make it later, not earlier.
    sooner = received((2026, 3, 2, 10, 0))
    sooner.due_at = local_time(2026, 3, 6, 17, 0)
    # Old promise 12/3, then an apology moved it to 20/3: the promise (12/3) is compared.
    apologised = received((2026, 3, 4, 16, 0))
    apologised.original_due_at = local_time(2026, 3, 12, 17, 0)
    apologised.due_at = local_time(2026, 3, 20, 17, 0)
    apologised.apologised_at = local_time(2026, 3, 10, 9, 0)
    apologised.apology_reason = "Chờ xác minh"
    # A period in hours, promised from the next opening (old) instead of from receipt.
    hours = received((2026, 3, 5, 16, 30))
    hours.processing_days, hours.processing_hours = None, 4
    hours.due_at = local_time(2026, 3, 6, 11, 30)
    # Closed: not the desk's question any more.
    closed = received((2026, 3, 5, 15, 30))
    closed.due_at = local_time(2026, 3, 13, 17, 0)
    closed.status = DossierStatus.WITHDRAWN
    db.session.commit()
    before = stored_state()
    audit_before, events_before = count(AuditEvent), count(DossierEvent)

    result = runner.invoke(args=["dossiers", "due-check"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "3 trong 5 hồ sơ đang mở" in lines[0]
    listed = {line.split()[0]: line for line in lines[2:-1]}
    assert set(listed) == {late.code, apologised.code, hours.code}
    assert listed[late.code].split()[1:7] == [
        "15:30",
        "03/03/2026",
        "17:00",
        "11/03/2026",
        "17:00",
        "10/03/2026",
    ]
    assert "12/03/2026" in listed[apologised.code] and "11/03/2026" in listed[apologised.code]
    assert "đã hẹn lại" in listed[apologised.code]
    assert "11:30 06/03/2026" in listed[hours.code] and "11:00 06/03/2026" in listed[hours.code]
    assert kept.code not in result.output and sooner.code not in result.output
    assert closed.code not in result.output
    assert "giữ nguyên" in lines[-1]
    assert stored_state() == before
    assert (count(AuditEvent), count(DossierEvent)) == (audit_before, events_before)


def test_due_check_with_nothing_to_report(demo, runner):
    received((2026, 3, 3, 15, 30))
    result = runner.invoke(args=["dossiers", "due-check"])
    assert result.exit_code == 0
    assert "Đã kiểm tra 1 hồ sơ đang mở: không có hồ sơ nào" in result.output
