"""Several kiosks issuing at once through real gunicorn workers: numbers stay gap-free."""

import random
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

import pytest
import requests

from core.models import AuditEvent, Service, Ticket, TicketSequence
from extensions import db

pytestmark = pytest.mark.slow

SERVICES = ("GPLX", "PTIEN", "VTAI")
CLIENTS = 6
TICKETS_PER_CLIENT = 40


def kiosk_client(url: str, key: str, seed: int) -> list[dict]:
    """One kiosk tapping services in a seeded random order; returns what it was told."""
    chooser = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    acknowledged = []
    for _ in range(TICKETS_PER_CLIENT):
        body = {"service": chooser.choice(SERVICES), "priority": chooser.random() < 0.2}
        response = session.post(f"{url}/api/v1/tickets", json=body, timeout=30)
        assert response.status_code == 201, response.text
        acknowledged.append(response.json())
    return acknowledged


def test_kiosks_issuing_at_once_get_gap_free_unique_numbers(live_server):
    with ProcessPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [
            pool.submit(kiosk_client, live_server.url, live_server.kiosk_key, seed)
            for seed in range(CLIENTS)
        ]
        acknowledged = [ticket for future in futures for ticket in future.result()]

    assert len(acknowledged) == CLIENTS * TICKETS_PER_CLIENT
    db.session.rollback()  # see what the servers committed
    stored = db.session.execute(
        db.select(Service.code, Ticket.sequence, Ticket.number, Ticket.token).join(Ticket.service)
    ).all()
    assert len(stored) == len(acknowledged), "every acknowledged ticket exists, and no other"

    sequences = defaultdict(list)
    for code, sequence, _, _ in stored:
        sequences[code].append(sequence)
    for code, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"{code} has gaps or repeats"

    stored_by_token = {token: (code, sequence, number) for code, sequence, number, token in stored}
    for ticket in acknowledged:
        assert stored_by_token[ticket["token"]] == (
            ticket["service"],
            ticket["sequence"],
            ticket["number"],
        )
    issued_events = db.session.execute(
        db.select(db.func.count(AuditEvent.id)).filter_by(action="ticket.issued")
    ).scalar_one()
    assert issued_events == len(acknowledged)

    # Nobody was called, so everyone issued earlier in a queue is ahead; priority tickets
    # have only the earlier priority tickets ahead. The counts kept for the kiosk agree.
    for code in SERVICES:
        issued = sorted(
            (t for t in acknowledged if t["service"] == code), key=lambda t: t["sequence"]
        )
        priority_before = 0
        for ticket in issued:
            expected = priority_before if ticket["priority"] else ticket["sequence"] - 1
            assert ticket["waiting_ahead"] == expected, ticket["number"]
            priority_before += ticket["priority"]
    kept = db.session.execute(
        db.select(Service.code, TicketSequence.waiting, TicketSequence.waiting_priority).join(
            Service, Service.id == TicketSequence.service_id
        )
    ).all()
    assert {code: (waiting, priority) for code, waiting, priority in kept} == {
        code: (
            sum(1 for t in acknowledged if t["service"] == code),
            sum(1 for t in acknowledged if t["service"] == code and t["priority"]),
        )
        for code in SERVICES
    }
