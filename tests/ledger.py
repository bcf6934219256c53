"""After a fault: every acknowledged ticket and call is stored exactly once, whole."""

from collections import Counter as Tally
from collections import defaultdict

from core.models import AuditEvent, CallEvent, CallKind, Service, Ticket, TicketStatus
from extensions import db


def check_ledger(acknowledged: list[dict], called: list[str]) -> list:
    """Assert the database agrees with what clients were told; returns the stored tickets."""
    db.session.rollback()  # see what the servers committed
    stored = db.session.execute(
        db.select(Ticket.id, Service.code, Ticket.sequence, Ticket.number, Ticket.token).join(
            Ticket.service
        )
    ).all()
    by_token = {row.token: row for row in stored}
    assert len(by_token) == len(stored)
    for ticket in acknowledged:
        row = by_token.get(ticket["token"])
        assert row is not None, f"acknowledged ticket {ticket['number']} is missing"
        assert (row.code, row.sequence, row.number) == (
            ticket["service"],
            ticket["sequence"],
            ticket["number"],
        )

    sequences = defaultdict(list)
    for row in stored:
        sequences[row.code].append(row.sequence)
    for code, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"{code}: gaps or repeats"

    issued_events = Tally(
        db.session.execute(
            db.select(AuditEvent.subject_id).where(AuditEvent.action == "ticket.issued")
        ).scalars()
    )
    assert issued_events == Tally(row.id for row in stored), "one issue event per ticket"

    repeated = [number for number, times in Tally(called).items() if times > 1]
    assert not repeated, f"tickets called twice by 'next': {repeated}"
    first_calls = Tally(
        db.session.execute(
            db.select(CallEvent.ticket_id).where(CallEvent.kind == CallKind.CALL)
        ).scalars()
    )
    assert all(times == 1 for times in first_calls.values()), "a ticket first-called twice"
    statuses = dict(db.session.execute(db.select(Ticket.number, Ticket.status)).all())
    for number in called:
        assert statuses[number] != TicketStatus.WAITING, f"{number} called but still waiting"
    waiting_with_calls = db.session.execute(
        db.select(db.func.count())
        .select_from(Ticket)
        .where(Ticket.status == TicketStatus.WAITING, Ticket.id.in_(list(first_calls)))
    ).scalar_one()
    assert waiting_with_calls == 0, "a call event whose ticket is still waiting"
    return stored
