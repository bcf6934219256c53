"""The kiosk's wait estimate: people ahead times the recent service time, shared by counters."""

from datetime import timedelta

import time_machine

from conftest import local_time
from core.models import Counter, Service, TicketStatus
from core.queue.positions import estimated_wait_minutes, service_time
from core.queue.service_lookup import find_service
from extensions import db
from tests import factories


def served(code: str, minutes: int, day) -> None:
    """A ticket of `code` served in `minutes`, on a past day."""
    with time_machine.travel(day, tick=False):
        ticket = factories.ticket(code, commit=False)
    ticket.status = TicketStatus.DONE
    ticket.serving_started_at = day + timedelta(minutes=5)
    ticket.finished_at = ticket.serving_started_at + timedelta(minutes=minutes)
    db.session.commit()


def test_estimate_uses_the_last_thirty_days_of_service_times(demo):
    served("KCHT", 4, local_time(2026, 3, 2, 8, 0))
    served("KCHT", 8, local_time(2026, 3, 20, 9, 0))
    served("KCHT", 60, local_time(2026, 1, 5, 9, 0))  # too old to count
    counters = db.session.execute(
        db.select(db.func.count(Counter.id)).where(Counter.services.any(Service.code == "KCHT"))
    ).scalar_one()
    with time_machine.travel(local_time(2026, 3, 25, 8, 0), tick=False):
        pace = service_time(find_service("KCHT").id)
        assert (round(pace.minutes, 3), pace.counters) == (6.0, counters)
        last = [factories.ticket("KCHT") for _ in range(4)][-1]
        assert estimated_wait_minutes(last, 3) == -(-3 * 6 // counters)


def test_estimate_falls_back_to_the_default_without_history(app, demo):
    with time_machine.travel(local_time(2026, 3, 25, 8, 0), tick=False):
        pace = service_time(find_service("VTAI").id)
    assert pace.minutes == app.config["DEFAULT_SERVICE_MINUTES"]
