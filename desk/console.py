"""What the console shows: the counter's current ticket, its queue and today's figures."""

import hashlib

from flask import current_app

from core.clock import utcnow
from core.dossiers.reception import open_dossiers_of, received_for_ticket
from core.models import Counter, CounterSession, TicketStatus
from core.queue import calling
from core.queue.counters import active_counters, current_ticket
from core.queue.service_lookup import active_services
from core.queue.ticket_flow import TicketAction, allowed, no_show_after_calls

QUEUE_SHOWN = 12


def console_version(counter: Counter) -> str:
    """A fingerprint of everything the console shows that others can change."""
    current = current_ticket(counter)
    queue = calling.counter_queue(counter)
    parts = [f"{current.id}:{current.status}:{current.call_count}" if current else "-"]
    parts += [f"{ticket.id}:{ticket.service_id}" for ticket in queue]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def minutes_between(start, end) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() / 60))


def console_context(session: CounterSession) -> dict:
    counter = session.counter
    now = utcnow()
    current = current_ticket(counter)
    queue = calling.counter_queue(counter)
    counts: dict[int, int] = {}
    for ticket in queue:
        counts[ticket.service_id] = counts.get(ticket.service_id, 0) + 1
    return {
        "session": session,
        "counter": counter,
        "current": current,
        "can": (lambda action: current is not None and allowed(current, TicketAction(action))),
        "no_show_after": no_show_after_calls(),
        "waited_minutes": (
            minutes_between(current.issued_at, current.called_at or now) if current else None
        ),
        "serving_minutes": (
            minutes_between(current.serving_started_at, now)
            if current is not None and current.status == TicketStatus.SERVING
            else None
        ),
        "dossiers": received_for_ticket(current.id) if current is not None else [],
        "open_dossiers": open_dossiers_of(current.citizen_id) if current is not None else [],
        "queue": queue[:QUEUE_SHOWN],
        "queue_length": len(queue),
        "queue_counts": counts,
        "now": now,
        "today": calling.counter_day(counter, now),
        "transfer_services": [
            service
            for service in active_services()
            if current is None or service.id != current.service_id
        ],
        "transfer_counters": [c for c in active_counters() if c.id != counter.id],
        "refresh_seconds": current_app.config["DESK_REFRESH_SECONDS"],
        "version": console_version(counter),
    }
