"""Ticket numbers: per service, per local day, gap-free, unique, history kept."""

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from conftest import count, local_time
from core.errors import ServiceClosed, ServiceInactive
from core.models import AuditEvent, Service, ServiceHours, Ticket, TicketSequence, TicketStatus
from core.queue.issuing import issue_ticket
from core.queue.positions import waiting_ahead
from core.queue.service_lookup import find_service
from extensions import db
from tests import factories


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_each_service_counts_from_one_with_its_prefix(demo):
    numbers = [
        factories.ticket("GPLX").number,
        factories.ticket("GPLX").number,
        factories.ticket("PTIEN").number,
    ]
    assert numbers == ["A001", "A002", "B001"]


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_leading_digit_format(demo):
    service = find_service("VTAI")
    service.prefix, service.digits = "1", 3
    db.session.commit()
    assert [factories.ticket("VTAI").number for _ in range(2)] == ["1001", "1002"]


def test_numbers_restart_at_local_midnight_and_history_is_kept(demo):
    with time_machine.travel(local_time(2026, 3, 2, 23, 58), tick=False):
        first_day = [factories.ticket("GPLX").number for _ in range(3)]
    # 00:01 in Hà Nội is still 17:01 of the previous day in UTC: the local day decides.
    with time_machine.travel(local_time(2026, 3, 3, 0, 1), tick=False):
        next_day = factories.ticket("GPLX")
    assert first_day == ["A001", "A002", "A003"]
    assert next_day.number == "A001"
    assert str(next_day.day) == "2026-03-03"
    assert count(Ticket) == 4, "yesterday's tickets are history, never deleted"
    assert count(TicketSequence) == 2


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_a_rolled_back_issue_gives_its_number_back(demo):
    factories.ticket("GPLX")
    issue_ticket(find_service("GPLX"))
    db.session.rollback()
    assert factories.ticket("GPLX").number == "A002"


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_unique_constraint_is_the_last_guard(demo):
    ticket = factories.ticket("GPLX")
    duplicate = Ticket(
        service_id=ticket.service_id,
        day=ticket.day,
        sequence=ticket.sequence,
        number="A001",
        token="another-token-value",
        issued_at=ticket.issued_at,
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count(Ticket) == 1


def office_hours(service: Service) -> None:
    """Monday to Friday 7:30–11:30 and 13:30–17:00, as at most centres."""
    service.hours = [
        ServiceHours(weekday=day, opens_minute=opens, closes_minute=closes)
        for day in range(5)
        for opens, closes in ((450, 690), (810, 1020))
    ]
    db.session.commit()


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (local_time(2026, 3, 2, 7, 29), False),
        (local_time(2026, 3, 2, 7, 30), True),
        (local_time(2026, 3, 2, 11, 30), False),
        (local_time(2026, 3, 2, 13, 30), True),
        (local_time(2026, 3, 6, 16, 59), True),
        (local_time(2026, 3, 7, 9, 0), False),  # Saturday
    ],
)
def test_opening_hours_decide_whether_tickets_are_issued(demo, moment, is_open):
    office_hours(find_service("GPLX"))
    with time_machine.travel(moment, tick=False):
        if is_open:
            assert factories.ticket("GPLX").sequence == 1
        else:
            with pytest.raises(ServiceClosed):
                issue_ticket(find_service("GPLX"))
            db.session.rollback()
            assert count(Ticket) == 0
            assert count(TicketSequence) == 0


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_inactive_service_issues_nothing(demo):
    find_service("KCHT").active = False
    db.session.commit()
    with pytest.raises(ServiceInactive):
        issue_ticket(find_service("KCHT"))
    db.session.rollback()
    assert count(Ticket) == 0


def test_priority_tickets_go_ahead_of_ordinary_ones(demo):
    with time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False):
        first = factories.ticket("GPLX")
    with time_machine.travel(local_time(2026, 3, 2, 8, 1), tick=False):
        second = factories.ticket("GPLX")
    with time_machine.travel(local_time(2026, 3, 2, 8, 2), tick=False):
        elderly = factories.ticket("GPLX", priority=True)
    with time_machine.travel(local_time(2026, 3, 2, 8, 3), tick=False):
        pregnant = factories.ticket("GPLX", priority=True)
        third = factories.ticket("GPLX")
    assert [waiting_ahead(ticket) for ticket in (elderly, pregnant, first, second, third)] == [
        0,
        1,
        2,
        3,
        4,
    ]
    first.status = TicketStatus.DONE
    db.session.commit()
    assert waiting_ahead(third) == 3
    assert waiting_ahead(first) == 0


@time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False)
def test_issuing_writes_an_audit_event(demo):
    ticket = factories.ticket("GPLX", priority=True)
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="ticket.issued", subject_id=ticket.id)
    ).scalar_one()
    assert event.details == {"number": "A001", "priority": True}
    assert event.device_id is None
