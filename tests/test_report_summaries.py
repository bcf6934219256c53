"""Per-day summaries: the statistics and the official table read through them equal,
cell by cell, the same figures counted from the raw rows, also after late changes."""

import sqlite3
from datetime import date

import pytest
import time_machine

from conftest import count, local_time
from core.dossiers.states import OPEN, TRANSITIONS, Action, Move, move
from core.models import (
    Counter,
    Dossier,
    Rating,
    RatingScore,
    RatingSource,
    ReportDay,
    Ticket,
    TicketStatus,
)
from core.reports.periods import custom_period, month_period, year_period
from core.reports.queue_stats import period_statistics
from core.reports.reform import ReportFilter, reform_report
from extensions import db
from tests import factories
from tests.reform_history import DRIVERS

HISTORY = [
    "demo-history",
    "--days",
    "45",
    "--dossiers-per-day",
    "30",
    "--tickets-per-day",
    "80",
    "--seed",
    "11",
]
TODAY = local_time(2026, 3, 12, 10, 0)  # a Thursday


def figures(rows) -> list:
    return [(name, values.as_dict()) for name, values in rows]


def statistics_fingerprint(stats) -> dict:
    return {
        "queue": stats.queue.as_dict(),
        "by_service": figures(stats.by_service),
        "by_counter": figures(stats.by_counter),
        "by_officer": figures(stats.by_officer),
        "by_weekday": figures(stats.by_weekday),
        "by_hour": figures(stats.by_hour),
        "arrivals": dict(stats.arrivals),
        "satisfaction": stats.satisfaction.counts,
        "satisfaction_by_counter": [(n, s.counts) for n, s in stats.satisfaction_by_counter],
        "satisfaction_by_officer": [(n, s.counts) for n, s in stats.satisfaction_by_officer],
        "apologies": stats.apologies,
        "months": stats.months,
    }


def through_both(period, filters=None) -> tuple[dict, dict]:
    """The report and the statistics through the summaries, checked against raw rows."""
    report = reform_report(period, filters).as_json()
    stats = statistics_fingerprint(period_statistics(period, filters))
    assert report == reform_report(period, filters, summaries=False).as_json()
    assert stats == statistics_fingerprint(period_statistics(period, filters, summaries=False))
    return report, stats


@pytest.fixture
def history(demo, runner):
    """45 calendar days of seeded history before 12/3/2026, and some of today's work."""
    with time_machine.travel(TODAY, tick=False):
        result = runner.invoke(args=HISTORY)
        assert result.exit_code == 0, result.output
        served = factories.ticket("GPLX", commit=False)
        served.status = TicketStatus.SERVING
        served.counter_id = db.session.execute(db.select(Counter.id).limit(1)).scalar_one()
        served.called_at = served.serving_started_at = local_time(2026, 3, 12, 9, 5)
        factories.dossier(ticket=served)  # a dossier received today at the counter
        served.status = TicketStatus.DONE
        served.finished_at = local_time(2026, 3, 12, 9, 17)
        factories.ticket("GPLX", commit=False)
        db.session.add(rating_of(served, local_time(2026, 3, 12, 9, 18)))
        db.session.commit()
        yield


def rating_of(ticket: Ticket, moment) -> Rating:
    return Rating(
        ticket_id=ticket.id,
        counter_id=ticket.counter_id,
        officer_id=ticket.officer_id,
        service_id=ticket.service_id,
        score=RatingScore.SATISFIED,
        reasons=[],
        source=RatingSource.TRACKING,
        created_at=moment,
    )


def some_filters() -> list[ReportFilter | None]:
    counter_id = db.session.execute(
        db.select(Ticket.counter_id).where(Ticket.counter_id.is_not(None)).limit(1)
    ).scalar_one()
    officer_id = db.session.execute(
        db.select(Dossier.received_by_id).where(Dossier.received_by_id.is_not(None)).limit(1)
    ).scalar_one()
    return [
        None,
        ReportFilter(field=DRIVERS),
        ReportFilter(procedure="GPLX-DOI"),
        ReportFilter(counter_id=counter_id),
        ReportFilter(officer_id=officer_id),
    ]


def test_figures_through_summaries_equal_the_raw_rows(history):
    with time_machine.travel(TODAY, tick=False):
        assert count(ReportDay) >= 44  # demo-history summarised every closed day it wrote
        periods = [
            month_period(2026, 3),  # 15/2–14/3: running, summaries and today
            custom_period(date(2026, 2, 2), date(2026, 2, 20)),  # closed
            custom_period(date(2026, 3, 2), date(2026, 3, 12)),  # ends today
            custom_period(date(2026, 3, 12), date(2026, 3, 12)),  # today alone
            custom_period(date(2026, 3, 9), date(2026, 3, 20)),  # across today, into the future
            year_period(2026),  # 15/12/2025–14/12/2026, before the history began
        ]
        for period in periods:
            for filters in some_filters():
                through_both(period, filters)
        report, stats = through_both(month_period(2026, 3))
        total = report["total"]
        assert total["carried_over"] and total["withdrawn"] and total["pending_overdue"]
        assert total["received_total"] == total["resolved_total"] + total["pending_total"]
        assert stats["queue"]["issued"] > 1000 and sum(stats["satisfaction"].values()) > 100


def test_late_changes_to_closed_days_are_counted_exactly(history):
    with time_machine.travel(local_time(2026, 4, 2, 10, 0), tick=False):
        later = custom_period(date(2026, 3, 13), date(2026, 3, 31))
        march = custom_period(date(2026, 3, 1), date(2026, 3, 31))
        report_before, stats_before = through_both(later)
        _, march_before = through_both(march)
        # A rating given on 13/3 for a ticket served on 11/3 (its day long closed).
        unrated = db.session.execute(
            db.select(Ticket)
            .where(
                Ticket.day == date(2026, 3, 11),
                Ticket.status == TicketStatus.DONE,
                Ticket.id.not_in(db.select(Rating.ticket_id)),
            )
            .limit(1)
        ).scalar_one()
        db.session.add(rating_of(unrated, local_time(2026, 3, 13, 8, 0)))
        # Two dossiers open since 10–11/3: one resolved on 25/3, one withdrawn on 20/3.
        resolved, withdrawn = (
            db.session.execute(
                db.select(Dossier)
                .where(
                    Dossier.status.in_(OPEN),
                    Dossier.received_at >= local_time(2026, 3, 10),
                    Dossier.received_at < local_time(2026, 3, 12),
                )
                .order_by(Dossier.id)
                .limit(2)
            )
            .scalars()
            .all()
        )
        for action in (Action.SUPPLEMENT_RECEIVED, Action.TRANSFER, Action.START):
            if resolved.status in TRANSITIONS[action][0]:
                move(resolved, action, user=factories.user(), now=local_time(2026, 3, 25, 9, 0))
        move(
            resolved,
            Action.RESOLVE,
            user=factories.user(),
            details=Move(note="Đã có kết quả"),
            now=local_time(2026, 3, 25, 10, 0),
        )
        move(
            withdrawn,
            Action.WITHDRAW,
            user=factories.user(),
            details=Move(note="Xin rút"),
            now=local_time(2026, 3, 20, 10, 0),
        )
        db.session.commit()
        report_after, stats_after = through_both(later)
        _, march_after = through_both(march)
        before, after = report_before["total"], report_after["total"]
        assert after["resolved_total"] == before["resolved_total"] + 1
        assert after["withdrawn"] == before["withdrawn"] + 1
        assert after["carried_over"] == before["carried_over"] - 1
        assert (
            sum(stats_after["satisfaction"].values())
            == sum(stats_before["satisfaction"].values()) + 1
        )
        received = {month["month"]: month["received"] for month in march_after["months"]}
        assert (
            received["2026-03"]
            == next(m["received"] for m in march_before["months"] if m["month"] == "2026-03") - 1
        )


def test_a_build_queues_as_a_writer_when_a_kiosk_wrote_meanwhile(history, app):
    """SQLite: a read transaction that starts writing fails at once if another process
    committed since it began; building missing days begins as a writer instead."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's snapshot upgrade; PostgreSQL waits on row locks instead")
    with time_machine.travel(TODAY, tick=False):
        day = date(2026, 3, 2)
        db.session.execute(db.delete(ReportDay).where(ReportDay.day == day))
        db.session.commit()
        db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one()  # a read begins
        kiosk = sqlite3.connect(db.engine.url.database, isolation_level=None)
        kiosk.execute("UPDATE service SET sort_order = sort_order + 1")  # another process writes
        kiosk.close()
        report = reform_report(month_period(2026, 3))
        assert db.session.get(ReportDay, day) is not None
        assert report.as_json() == reform_report(month_period(2026, 3), summaries=False).as_json()
