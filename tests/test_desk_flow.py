"""Calling and serving at counters: order, the state machine, exact times, transfers."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from conftest import local_time
from core.accounts.devices import authenticate_device
from core.errors import DomainError
from core.models import AuditEvent, CallEvent, CallKind, DeviceKind, Ticket, TicketStatus
from core.queue import calling
from core.queue.errors import (
    IllegalTransition,
    NoCurrentTicket,
    NotAtCounter,
    NotEnoughCalls,
    NotStarted,
    StaleScreen,
    WrongCounterDevice,
)
from core.queue.service_lookup import find_service
from core.queue.ticket_flow import TRANSITIONS, Actor, TicketAction, move
from desk_support import snapshot
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 0)


@pytest.fixture
def desk(demo):
    """canbo1 at counter 2 (GPLX, PTIEN), canbo2 at counter 3 (PTIEN, VTAI)."""
    with time_machine.travel(MORNING, tick=False):
        factories.counter_session("canbo1", 2)
        factories.counter_session("canbo2", 3)
    return {2: Actor(user=factories.user("canbo1")), 3: Actor(user=factories.user("canbo2"))}


def at(hour: int, minute: int, second: int = 0):
    return time_machine.travel(local_time(2026, 3, 2, hour, minute, second), tick=False)


def call_next(desk, counter: int):
    result = calling.call_next(counter, desk[counter])
    db.session.commit()
    return result


def act(desk, counter: int, action: TicketAction):
    ticket = calling.act_on_current(counter, action, desk[counter])
    db.session.commit()
    return ticket


def test_priority_first_then_the_longest_waiting_of_the_counters_services(desk):
    with at(8, 1):
        factories.ticket("GPLX")  # A001
    with at(8, 2):
        factories.ticket("VTAI")  # C001: not a service of counter 2
    with at(8, 3):
        factories.ticket("PTIEN")  # B001
    with at(8, 4):
        factories.ticket("GPLX", priority=True)  # A002
    with at(8, 10):
        order = []
        while (result := call_next(desk, 2)).called is not None:
            order.append(result.called.number)
            act(desk, 2, TicketAction.START)  # the citizen arrives
    assert order == ["A002", "A001", "B001"]
    c001 = db.session.execute(db.select(Ticket).filter_by(number="C001")).scalar_one()
    assert c001.status == TicketStatus.WAITING
    # Calling next on the empty queue finished the last ticket and called nobody.
    others = db.session.execute(db.select(Ticket).where(Ticket.id != c001.id)).scalars()
    assert {ticket.status for ticket in others} == {TicketStatus.DONE}


def test_a_call_records_who_where_and_when_and_announces_it(desk):
    with at(8, 0):
        ticket = factories.ticket("GPLX")
    with at(8, 12, 30):
        result = call_next(desk, 2)
    assert result.called.id == ticket.id and result.finished is None
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.CALLED
    assert ticket.counter.number == 2
    assert ticket.officer.username == "canbo1"
    assert ticket.call_count == 1
    assert ticket.called_at == local_time(2026, 3, 2, 8, 12, 30)
    event = db.session.execute(db.select(CallEvent)).scalar_one()
    assert (event.ticket_id, event.counter.number, event.kind) == (ticket.id, 2, CallKind.CALL)
    assert event.called_at == ticket.called_at
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="ticket.call")).scalar_one()
    assert audit.user_id == factories.user("canbo1").id
    assert audit.subject_id == ticket.id
    assert audit.details == {
        "number": "A001",
        "counter": 2,
        "from_status": "waiting",
        "to_status": "called",
    }
    assert audit.occurred_at is not None


def test_waiting_and_service_times_are_exact(desk):
    with at(8, 0):
        ticket = factories.ticket("GPLX")
    with at(8, 12):
        call_next(desk, 2)
    with at(8, 13):
        act(desk, 2, TicketAction.RECALL)
    with at(8, 14):
        act(desk, 2, TicketAction.START)
    with at(8, 21, 30):
        act(desk, 2, TicketAction.FINISH)
        day = calling.counter_day(ticket.counter)
    db.session.refresh(ticket)
    assert ticket.called_at - ticket.issued_at == timedelta(minutes=12)
    assert ticket.finished_at - ticket.serving_started_at == timedelta(minutes=7, seconds=30)
    assert (day.served, day.no_show) == (1, 0)
    assert day.average_wait_minutes == 12
    assert day.average_service_minutes == 7.5


def test_call_next_finishes_the_served_ticket_first_and_counts_service_from_arrival(desk):
    with at(8, 0):
        first, second = factories.ticket("GPLX"), factories.ticket("GPLX")
    with at(8, 5):
        call_next(desk, 2)
    with at(8, 6):
        act(desk, 2, TicketAction.RECALL)
    with at(8, 7):
        act(desk, 2, TicketAction.START)
    with at(8, 11):
        result = call_next(desk, 2)
    assert (result.finished.id, result.called.id) == (first.id, second.id)
    db.session.refresh(first)
    assert first.status == TicketStatus.DONE
    # The service is counted from the citizen's arrival, not from a call.
    assert first.serving_started_at == local_time(2026, 3, 2, 8, 7)
    assert first.finished_at == local_time(2026, 3, 2, 8, 11)


def test_call_next_refuses_a_ticket_only_called_and_changes_nothing(desk):
    with at(8, 0):
        factories.ticket("GPLX"), factories.ticket("GPLX")
    with at(8, 5):
        call_next(desk, 2)
    with at(8, 9):
        before = snapshot()
        with pytest.raises(NotStarted) as refused:
            calling.call_next(2, desk[2])
        db.session.rollback()
        assert snapshot() == before
    assert refused.value.code == "not_started"
    assert refused.value.messages()["vi"].startswith(
        "Không thể hoàn thành số A001: số này mới được gọi, chưa bắt đầu phục vụ."
    )
    assert refused.value.messages()["en"].startswith("Cannot finish A001")


def test_no_show_only_after_the_configured_number_of_calls(app, desk):
    with at(8, 0):
        ticket = factories.ticket("GPLX")
        call_next(desk, 2)
        for calls in (1, 2):
            before = snapshot()
            with pytest.raises(NotEnoughCalls) as refused:
                calling.act_on_current(2, TicketAction.NO_SHOW, desk[2])
            db.session.rollback()
            assert snapshot() == before
            assert refused.value.messages()["vi"] == (
                f"Chỉ đánh dấu vắng mặt sau 3 lần gọi; số A001 mới được gọi {calls} lần."
            )
            act(desk, 2, TicketAction.RECALL)
        act(desk, 2, TicketAction.NO_SHOW)
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.NO_SHOW
    kinds = db.session.execute(db.select(CallEvent.kind).order_by(CallEvent.id)).scalars().all()
    assert kinds == [CallKind.CALL, CallKind.RECALL, CallKind.RECALL]
    app.config["NO_SHOW_AFTER_CALLS"] = 1  # the configuration's default, no admin change
    with at(8, 5):
        factories.ticket("GPLX")
        call_next(desk, 2)
        assert act(desk, 2, TicketAction.NO_SHOW).status == TicketStatus.NO_SHOW


def ticket_in(status: TicketStatus) -> Ticket:
    ticket = factories.ticket("GPLX", commit=False)
    ticket.status = status
    ticket.call_count = 5
    db.session.commit()
    return ticket


ILLEGAL_MOVES = [
    (action, status)
    for action, (sources, _) in TRANSITIONS.items()
    for status in TicketStatus
    if status not in sources
]


@time_machine.travel(MORNING, tick=False)
def test_every_illegal_move_is_refused_with_a_clear_message_and_changes_nothing(desk):
    assert len(ILLEGAL_MOVES) == 33
    counter = calling.find_counter(2)
    problems = []
    for action, status in ILLEGAL_MOVES:
        ticket = ticket_in(status)
        before = snapshot()
        try:
            move(ticket, action, counter=counter, actor=desk[2], now=MORNING)
        except IllegalTransition as refused:
            messages = refused.messages()
            if not (messages["vi"].startswith("Không thể ") and ticket.number in messages["vi"]):
                problems.append(f"{action} from {status}: {messages['vi']}")
            if not (messages["en"].startswith("Cannot ") and ticket.number in messages["en"]):
                problems.append(f"{action} from {status}: {messages['en']}")
        else:
            problems.append(f"{action} from {status} was allowed")
        db.session.rollback()
        if snapshot() != before:
            problems.append(f"{action} from {status} changed something")
    assert not problems, "\n".join(problems)
    example = IllegalTransition(action="gọi lại", ticket="A001", status="đang được phục vụ")
    assert example.messages()["vi"] == "Không thể gọi lại số A001: số này đang được phục vụ."


def test_the_table_allows_exactly_the_desk_moves():
    allowed = {
        (action.value, status.value)
        for action, (sources, _) in TRANSITIONS.items()
        for status in sources
    }
    assert allowed == {
        ("call", "waiting"),
        ("recall", "called"),
        ("start", "called"),
        ("finish", "serving"),
        ("no_show", "called"),
        ("put_back", "called"),
        ("put_back", "serving"),
        ("transfer", "called"),
        ("transfer", "serving"),
    }


def test_put_back_keeps_the_place_in_time(desk):
    with at(8, 0):
        first = factories.ticket("GPLX")
    with at(8, 1):
        factories.ticket("GPLX")
    with at(8, 5):
        call_next(desk, 2)
        act(desk, 2, TicketAction.RECALL)
        act(desk, 2, TicketAction.PUT_BACK)
    db.session.refresh(first)
    assert (first.status, first.counter_id, first.call_count) == (TicketStatus.WAITING, None, 0)
    assert first.called_at == local_time(2026, 3, 2, 8, 5), "waiting time counts to the first call"
    with at(8, 9):
        assert call_next(desk, 2).called.id == first.id


def test_transfer_to_another_service_keeps_the_number_and_the_place_in_time(desk):
    with at(8, 0):
        a001 = factories.ticket("GPLX")
    with at(8, 5):
        b001 = factories.ticket("PTIEN")
    with at(8, 10):
        call_next(desk, 2)  # counter 2 calls A001 (issued first)
        calling.transfer(2, desk[2], service_code="PTIEN")
        db.session.commit()
    db.session.refresh(a001)
    assert (a001.number, a001.service.code, a001.status) == ("A001", "PTIEN", TicketStatus.WAITING)
    assert a001.origin_service_id == find_service("GPLX").id
    # Counter 3 serves PTIEN: A001 was issued before B001, so it goes first.
    with at(8, 11):
        assert call_next(desk, 3).called.id == a001.id
        act(desk, 3, TicketAction.START)
        assert call_next(desk, 3).called.id == b001.id
        # Both hold sequence 1 of the day; numbering stays per issuing service.
        assert factories.ticket("PTIEN").number == "B002"
        assert factories.ticket("GPLX").number == "A002"
    audit = db.session.execute(
        db.select(AuditEvent).filter_by(action="ticket.transfer")
    ).scalar_one()
    assert audit.details["to_service"] == "PTIEN" and audit.details["counter"] == 2


def test_transfer_to_a_counter_only_that_counter_calls_it(desk, demo):
    with at(8, 0):
        factories.counter_session("lanhdao", 4)  # counter 4: VTAI, KCHT
        desk[4] = Actor(user=factories.user("lanhdao"))
        ticket = factories.ticket("GPLX")
    with at(8, 1):
        later = factories.ticket("GPLX")
    with at(8, 2):
        call_next(desk, 2)
        calling.transfer(2, desk[2], to_counter_number=4)
        db.session.commit()
        # Counter 2 serves GPLX but the ticket was sent to counter 4: it gets the later one.
        assert call_next(desk, 2).called.id == later.id
        assert [t.id for t in calling.counter_queue(calling.find_counter(4))] == [ticket.id]
        assert call_next(desk, 4).called.id == ticket.id


BAD_TRANSFERS = [
    ({}, "Hãy chọn dịch vụ hoặc quầy cần chuyển đến."),
    ({"service_code": "NOPE"}, "Không có dịch vụ “NOPE” đang hoạt động."),
    ({"service_code": "GPLX"}, "Số A001 đã thuộc dịch vụ này; hãy chọn dịch vụ khác."),
    ({"to_counter_number": 2}, "Không thể chuyển về chính quầy đang làm việc."),
    ({"to_counter_number": 42}, "Không có quầy số 42."),
]


def test_bad_transfers_are_refused_and_change_nothing(desk):
    with at(8, 0):
        factories.ticket("GPLX")
        call_next(desk, 2)
        for target, message in BAD_TRANSFERS:
            before = snapshot()
            with pytest.raises(DomainError) as refused:
                calling.transfer(2, desk[2], **target)
            db.session.rollback()
            assert refused.value.messages()["vi"] == message
            assert snapshot() == before


def test_actions_need_a_ticket_at_the_counter(desk):
    with at(8, 0), pytest.raises(NoCurrentTicket):
        calling.act_on_current(2, TicketAction.FINISH, desk[2])


def test_a_stale_console_is_refused(desk):
    with at(8, 0):
        factories.ticket("GPLX")
        factories.ticket("GPLX")
        shown = None  # the console showed no ticket…
        call_next(desk, 2)  # …but a keypad called one meanwhile
        before = snapshot()
        with pytest.raises(StaleScreen):
            calling.call_next(2, desk[2], expected=shown)
        db.session.rollback()
        assert snapshot() == before


def test_only_the_officer_signed_in_and_the_counters_own_device_may_act(desk):
    with at(8, 0):
        factories.ticket("GPLX")
        with pytest.raises(NotAtCounter):
            calling.call_next(2, Actor(user=factories.user("canbo2")))
        db.session.rollback()
        other = authenticate_device(factories.device("counter", counter=3).key, DeviceKind.COUNTER)
        with pytest.raises(WrongCounterDevice):
            calling.call_next(2, Actor(device=other))
        db.session.rollback()
        own = authenticate_device(factories.device("counter", counter=2).key, DeviceKind.COUNTER)
        called = calling.call_next(2, Actor(device=own)).called
        db.session.commit()
    # The device acted; the ticket belongs to the officer on duty there.
    assert called.officer.username == "canbo1"
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="ticket.call")).scalar_one()
    assert (audit.device_id, audit.user_id) == (own.id, None)


def test_the_database_refuses_two_active_tickets_at_one_counter(desk):
    with at(8, 0):
        factories.ticket("GPLX")
        second = factories.ticket("GPLX")
        call_next(desk, 2)
    second.status = TicketStatus.CALLED
    second.counter_id = calling.find_counter(2).id
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
