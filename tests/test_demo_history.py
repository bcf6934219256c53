"""demo-history: a seeded history of past working days that leaves today's numbering alone."""

import time_machine

from conftest import count, local_time
from core.dossiers.states import Action, Move, move
from core.dossiers.workdays import work_calendar
from core.models import Dossier, DossierEvent, DossierStatus, Rating, Ticket, TicketStatus
from core.queue.issuing import issue_ticket
from core.queue.service_lookup import find_service
from core.reports.periods import custom_period
from core.reports.reform import reform_report
from extensions import db
from tests import factories

HISTORY = ["demo-history", "--days", "14", "--dossiers-per-day", "40", "--tickets-per-day", "90"]


def test_history_is_realistic_deterministic_and_keeps_todays_numbering(demo, runner):
    with time_machine.travel(local_time(2026, 3, 12, 9, 0), tick=False):
        before = factories.dossier()  # received this morning, before the history is written
        result = runner.invoke(args=HISTORY)
        assert result.exit_code == 0, result.output
        assert "10 ngày làm việc" in result.output
        again = runner.invoke(args=HISTORY)
        assert again.exit_code != 0 and "đã có" in again.output
        quiet = runner.invoke(args=[*HISTORY, "--if-empty"])
        assert quiet.exit_code == 0
        db.session.expire_all()
        # The same seed gives the same history: wipe it and write it again.
        first = fingerprint()
        wipe_history(keep=before.id)
        assert runner.invoke(args=HISTORY).exit_code == 0
        db.session.expire_all()
        assert fingerprint() == first and len(first[0]) > 300 and len(first[1]) > 700
        # Its due times follow the desk's one rule (except where an apology moved them).
        calendar = work_calendar(local_time(2026, 3, 12, 9, 0))
        rows = db.session.execute(
            db.select(
                Dossier.received_at,
                Dossier.clock_started_at,
                Dossier.processing_days,
                Dossier.processing_hours,
                Dossier.transfer_due_at,
                Dossier.due_at,
            ).where(Dossier.apologised_at.is_(None))
        ).all()
        assert len(rows) > 300
        for row in rows:
            rule = calendar.due(row.clock_started_at, row.processing_days, row.processing_hours)
            assert row.due_at == rule
            assert row.transfer_due_at == calendar.transfer_due(row.received_at)
        days = {day for (day,) in db.session.execute(db.select(Ticket.day).distinct())}
        # The ten working days of the fortnight before Thursday 12/3/2026 (26/2–11/3).
        assert len(days) == 10 and min(days).isoformat() == "2026-02-26"
        assert max(days).isoformat() == "2026-03-11"
        assert all(day.weekday() < 5 for day in days)
        statuses = dict(
            db.session.execute(
                db.select(Dossier.status, db.func.count()).group_by(Dossier.status)
            ).all()
        )
        assert statuses[DossierStatus.RETURNED] > statuses.get(DossierStatus.WITHDRAWN, 0)
        assert count(DossierEvent) > 0  # supplement steps recorded
        report = reform_report(custom_period(*(sorted(days)[i] for i in (0, -1)))).as_json()
        total = report["total"]
        assert total["received_total"] == total["resolved_total"] + total["pending_total"]
        assert total["resolved_early"] and total["resolved_on_time"]
        # Today's kiosk numbering and the register carry on unbroken.
        ticket = issue_ticket(find_service("GPLX"))
        after = factories.dossier()
        db.session.commit()
        assert ticket.number == "A001"
        assert after.code.endswith("-260312-0002") and before.code.endswith("-260312-0001")
        top = db.session.execute(
            db.select(db.func.max(Dossier.register_number)).where(Dossier.register_year == 2026)
        ).scalar_one()
        assert after.register_number == top
        move(after, Action.WITHDRAW, user=factories.user(), details=Move(note="thử"))
        db.session.commit()


def fingerprint():
    dossiers = db.session.execute(
        db.select(
            Dossier.code,
            Dossier.status,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.resolved_at,
            Dossier.applicant_name,
        ).order_by(Dossier.code)
    ).all()
    tickets = db.session.execute(
        db.select(
            Ticket.day, Ticket.number, Ticket.status, Ticket.issued_at, Ticket.finished_at
        ).order_by(Ticket.day, Ticket.number)
    ).all()
    ratings = db.session.execute(db.select(db.func.count(Rating.id))).scalar_one()
    return dossiers, tickets, ratings


def wipe_history(keep: int) -> None:
    db.session.execute(db.delete(Rating))
    db.session.execute(db.delete(DossierEvent).where(DossierEvent.action != "receive"))
    db.session.execute(db.delete(Dossier).where(Dossier.id != keep))
    db.session.execute(db.delete(Ticket))
    db.session.commit()


def test_history_tickets_follow_the_desk_rules(demo, runner):
    """Served tickets started when the citizen arrived, after the call; absent ones were
    called as often as the settings require; a dossier brought by a ticket was received
    during its service."""
    from core.queue.settings import NO_SHOW_AFTER_CALLS, save_queue_settings

    save_queue_settings({NO_SHOW_AFTER_CALLS: "2"})
    db.session.commit()
    small = ["demo-history", "--days", "7", "--dossiers-per-day", "30", "--tickets-per-day", "80"]
    with time_machine.travel(local_time(2026, 3, 12, 9, 0), tick=False):
        result = runner.invoke(args=small)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    tickets = {ticket.id: ticket for ticket in db.session.execute(db.select(Ticket)).scalars()}
    done = [t for t in tickets.values() if t.status == TicketStatus.DONE]
    absent = [t for t in tickets.values() if t.status == TicketStatus.NO_SHOW]
    assert len(done) > 200 and absent
    for ticket in done:
        assert ticket.issued_at <= ticket.called_at < ticket.serving_started_at, ticket.number
        assert ticket.serving_started_at < ticket.finished_at, ticket.number
        assert ticket.call_count >= 1
    for ticket in absent:
        assert ticket.serving_started_at is None and ticket.call_count == 2, ticket.number
        assert ticket.called_at < ticket.finished_at
    brought = db.session.execute(db.select(Dossier).where(Dossier.ticket_id.is_not(None)))
    brought = brought.scalars().all()
    assert len(brought) > 20
    for dossier in brought:
        ticket = tickets[dossier.ticket_id]
        assert ticket.status == TicketStatus.DONE, dossier.code
        assert ticket.serving_started_at <= dossier.received_at <= ticket.finished_at
