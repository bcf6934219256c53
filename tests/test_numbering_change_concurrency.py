"""A numbering change that falls due is applied once, even when kiosks issue at the same time."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from core.clock import local_today
from core.models import AuditEvent, Service, ServiceNumberingChange, Ticket
from extensions import db

pytestmark = pytest.mark.slow
ISSUERS = 24


def test_the_first_tickets_of_the_day_apply_a_waiting_prefix_exactly_once(live_server):
    gplx = db.session.execute(db.select(Service).filter_by(code="GPLX")).scalar_one()
    db.session.add(
        ServiceNumberingChange(
            service_id=gplx.id, prefix="G", digits=4, effective_on=local_today() - timedelta(days=1)
        )
    )
    db.session.commit()
    headers = {"Authorization": f"Bearer {live_server.kiosk_key}"}

    def issue(_):
        return requests.post(
            f"{live_server.url}/api/v1/tickets",
            json={"service": "GPLX"},
            headers=headers,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(issue, range(ISSUERS)))
    assert [response.status_code for response in responses] == [201] * ISSUERS
    db.session.rollback()
    numbers = sorted(db.session.execute(db.select(Ticket.number)).scalars())
    assert numbers == [f"G{sequence:04d}" for sequence in range(1, ISSUERS + 1)]
    assert db.session.get(Service, gplx.id).prefix == "G"
    assert db.session.execute(db.select(ServiceNumberingChange)).first() is None
    applied = db.session.execute(
        db.select(db.func.count()).where(AuditEvent.action == "service.numbering_applied")
    ).scalar_one()
    assert applied == 1
