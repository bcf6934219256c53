"""The evaluation of units and officers read through the per-day summaries of the stays
equals, figure by figure, the same evaluation counted from the stays themselves, also after
a stay of a closed day changed."""

import random
from datetime import date

import pytest
import time_machine

from conftest import local_time
from core.models import DossierStep, ReportDay, StepDay
from core.reports.evaluation import evaluate
from core.reports.summaries import exact_text
from extensions import db

HISTORY = [
    "demo-history", "--days", "30", "--dossiers-per-day", "40", "--tickets-per-day", "0",
    "--agencies", "3", "--seed", "7",
]  # fmt: skip
TODAY = local_time(2026, 3, 12, 10, 0)  # a Thursday


@pytest.fixture
def walked(demo, runner):
    with time_machine.travel(TODAY, tick=False):
        result = runner.invoke(args=HISTORY)
        assert result.exit_code == 0, result.output
        yield


def through_both(first: date, last: date, agency: str | None = None) -> dict:
    """The evaluation through the summaries, checked against the one from the stays."""
    summed = evaluate(first, last, TODAY, agency).as_dict()
    assert summed == evaluate(first, last, TODAY, agency, summaries=False).as_dict()
    return summed


def test_the_evaluation_through_summaries_equals_the_stays(walked):
    with time_machine.travel(TODAY, tick=False):
        periods = [
            (date(2026, 2, 1), date(2026, 3, 31)),  # the whole history, today and after
            (date(2026, 2, 20), date(2026, 3, 5)),  # closed days only
            (date(2026, 3, 12), date(2026, 3, 12)),  # today alone
        ]
        for first, last in periods:
            for agency in (None, "000.00.07.H56"):
                through_both(first, last, agency)
        whole = through_both(*periods[0])
        closed = through_both(*periods[1])
        assert db.session.execute(db.select(db.func.count(StepDay.id))).scalar() > 100
    handled = sum(row["handled"] for row in whole["agencies"])
    assert handled > 500 and sum(row["late"] for row in whole["agencies"]) > 0
    assert 0 < sum(row["handled"] for row in closed["agencies"]) < handled
    assert all(row["p90_hours"] is not None for row in whole["officers"] if row["handled"])


def test_a_changed_stay_of_a_closed_day_is_counted_again(walked):
    with time_machine.travel(TODAY, tick=False):
        first, last = date(2026, 2, 20), date(2026, 3, 5)
        before = through_both(first, last)
        stay = db.session.execute(
            db.select(DossierStep)
            .where(
                DossierStep.left_at >= local_time(2026, 3, 2),
                DossierStep.left_at < local_time(2026, 3, 3),
                DossierStep.verdict.in_(("early", "on_time")),
                DossierStep.handled_by_id.is_not(None),
            )
            .order_by(DossierStep.id)
            .limit(1)
        ).scalar_one()
        built = db.session.get(ReportDay, date(2026, 3, 2))
        assert built is not None
        # Judged again: it took three days more than its allowance.
        stay.worked_hours = stay.allowance_hours + 22.5
        stay.verdict = "late"
        db.session.commit()
        assert db.session.get(ReportDay, date(2026, 3, 2)) is None  # forgotten by the trigger
        after = through_both(first, last)

    def total(figures: dict, column: str) -> float:
        return sum(row[column] for row in figures["agencies"])

    assert total(after, "late") == total(before, "late") + 1
    assert total(after, "handled") == total(before, "handled")


def test_hours_are_kept_as_text_that_reads_back_exactly(app):
    """The summaries keep each stay's hours as text: every float, also one that needs 17
    significant digits (SQLite writes 15), reads back as the same float."""
    rng = random.Random(5)
    numbers = [0.1 + 0.2, 1 / 3, 46.0, 0.0, 7.5, 1e-9, 123456.789012345]
    numbers += [rng.uniform(0, 200) for _ in range(300)]
    texts = db.session.execute(
        db.select(*[exact_text(db.literal(number, db.Float)) for number in numbers])
    ).one()
    assert [float(text) for text in texts] == numbers
