"""The officers' console: counter sign-in for the day, one-tap actions, the dossier hook."""

import re
from datetime import timedelta

import pytest
import time_machine

from conftest import count, csrf_token, local_time
from core.models import AuditEvent, CounterSession, Ticket, TicketStatus
from core.queue.counters import close_session, open_session, open_session_of
from core.queue.errors import CounterBusy, CounterTaken
from desk_support import fresh_user_per_request, snapshot  # noqa: F401  (fixture)
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 0)


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data}, follow_redirects=True)


@pytest.fixture(autouse=True)
def morning():
    """Monday morning at the centre, for the fixtures too (session cookies carry a time)."""
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def officer(client, auth, demo):
    auth.login("canbo1")
    return client


def test_an_officer_picks_a_free_counter_then_gets_the_console(officer):
    factories.counter_session("canbo2", 3)
    page = text_of(officer.get("/desk/"))
    assert "Chọn quầy làm việc hôm nay" in page
    assert "Đang làm việc: Trần Văn Minh" in page
    assert "Làm việc tại quầy 1" in page and "Làm việc tại quầy 3" not in page
    console = text_of(post(officer, "/desk/session", counter="1"))
    assert "Quầy 1" in console and "Chưa có số nào tại quầy" in console
    assert "Gọi số tiếp theo" in console
    session = open_session_of(factories.user("canbo1"))
    assert (session.counter.number, str(session.day)) == (1, "2026-03-02")
    assert count(AuditEvent, action="counter_session.opened") == 2


def test_a_taken_counter_is_refused_with_a_clear_message(officer):
    factories.counter_session("canbo2", 3)
    page = text_of(post(officer, "/desk/session", counter="3"))
    assert (
        "Quầy số 3 đang do cán bộ Trần Văn Minh làm việc (từ 08:00). "
        "Vui lòng chọn quầy khác, hoặc đề nghị cán bộ đó trả quầy." in page
    )
    assert open_session_of(factories.user("canbo1")) is None


def test_one_counter_per_officer_and_yesterdays_sessions_do_not_block(demo):
    with time_machine.travel(local_time(2026, 3, 1, 16, 0), tick=False):
        factories.counter_session("canbo2", 1)  # forgot to hand it back yesterday
    with time_machine.travel(MORNING + timedelta(minutes=1), tick=False):
        factories.counter_session("canbo1", 1)
        with pytest.raises(CounterTaken):
            open_session(factories.user("canbo2"), 1)
        db.session.rollback()
        factories.counter_session("canbo1", 2)  # moving hands counter 1 back
        sessions = db.session.execute(
            db.select(CounterSession).filter_by(officer_id=factories.user("canbo1").id)
        ).scalars()
        assert [(s.counter.number, s.ended_at is not None) for s in sessions] == [
            (1, True),
            (2, False),
        ]
        factories.counter_session("canbo2", 1)


def test_the_counter_cannot_be_handed_back_with_a_citizen_at_it(officer):
    factories.counter_session("canbo1", 1)
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", ticket="")
    page = text_of(post(officer, "/desk/session/end"))
    assert "Quầy số 1 còn số A001 chưa xong." in page
    with pytest.raises(CounterBusy):
        close_session(open_session_of(factories.user("canbo1")), factories.user("canbo1"))
    db.session.rollback()
    post(officer, "/desk/start", ticket=str(ticket_id("A001")))
    post(officer, "/desk/finish", ticket=str(ticket_id("A001")))
    page = text_of(post(officer, "/desk/session/end"))
    assert "Đã trả quầy." in page and "Chọn quầy làm việc hôm nay" in page


def ticket_id(number: str) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(Ticket.id).filter_by(number=number)).scalar_one()


def status_of(number: str) -> TicketStatus:
    db.session.expire_all()
    return db.session.execute(db.select(Ticket.status).filter_by(number=number)).scalar_one()


def test_one_tap_actions_drive_the_ticket_through_its_day(officer):
    factories.counter_session("canbo1", 2)
    factories.ticket("GPLX")
    factories.ticket("PTIEN", priority=True)
    page = text_of(officer.get("/desk/"))
    assert "Số tiếp theo: B001" in page and "2 người đang chờ" in page
    page = text_of(post(officer, "/desk/call-next", ticket=""))
    assert status_of("B001") == TicketStatus.CALLED
    assert "Đang mời đến quầy" in page and "Đã gọi 1/3 lần" in page
    b001 = str(ticket_id("B001"))
    page = text_of(post(officer, "/desk/recall", ticket=b001))
    assert "Đã gọi 2/3 lần" in page
    html = officer.get("/desk/").get_data(as_text=True)
    assert re.search(r'action="/desk/no-show".*?disabled', html, flags=re.S), "too early"
    page = text_of(post(officer, "/desk/start", ticket=b001))
    assert status_of("B001") == TicketStatus.SERVING
    assert "Tiếp nhận hồ sơ" in page, "the served ticket can bring a dossier"
    html = officer.get("/desk/").get_data(as_text=True)
    assert f"/dossiers/receive?ticket={b001}" in html
    page = text_of(post(officer, "/desk/call-next", ticket=b001))
    assert status_of("B001") == TicketStatus.DONE and status_of("A001") == TicketStatus.CALLED
    assert "Đã phục vụ 1" in page
    a001 = str(ticket_id("A001"))
    post(officer, "/desk/recall", ticket=a001)
    post(officer, "/desk/recall", ticket=a001)
    page = text_of(post(officer, "/desk/no-show", ticket=a001))
    assert "Đã ghi nhận số A001 vắng mặt." in page
    assert status_of("A001") == TicketStatus.NO_SHOW


def test_a_double_tap_or_a_keypad_meanwhile_never_skips_a_citizen(officer):
    factories.counter_session("canbo1", 1)
    factories.ticket("GPLX")
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", ticket="")
    before = snapshot()
    page = text_of(post(officer, "/desk/call-next", ticket=""))  # the second tap
    assert "Tình trạng quầy vừa thay đổi" in page
    assert snapshot() == before
    assert status_of("A001") == TicketStatus.CALLED and status_of("A002") == TicketStatus.WAITING


def test_transfer_from_the_console(officer):
    factories.counter_session("canbo1", 1)
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", ticket="")
    page = text_of(
        post(officer, "/desk/transfer", ticket=str(ticket_id("A001")), service="PTIEN", counter="")
    )
    assert "Đã chuyển số A001; số này chờ theo đúng thứ tự lấy số." in page
    ticket = db.session.execute(db.select(Ticket).filter_by(number="A001")).scalar_one()
    assert (ticket.status, ticket.service.code) == (TicketStatus.WAITING, "PTIEN")


def test_a_manager_can_free_a_counter_left_signed_in(client, auth, demo):
    session = factories.counter_session("canbo2", 4)
    auth.login("lanhdao")
    page = text_of(post(client, f"/desk/sessions/{session.id}/release"))
    assert "Đã giải phóng quầy." in page
    db.session.refresh(session)
    assert session.ended_at is not None
    auth.login("canbo1")
    assert (
        client.post(
            f"/desk/sessions/{session.id}/release", data={"csrf_token": csrf_token(client)}
        ).status_code
        == 403
    )


def test_the_dossier_button_appears_only_while_serving(app, demo, auth):
    client = app.test_client()
    auth.login("canbo1", client=client)
    factories.counter_session("canbo1", 1)
    factories.ticket("GPLX")
    post(client, "/desk/call-next", ticket="")
    # The shared header always offers reception; the console's button carries the ticket.
    called = client.get("/desk/").get_data(as_text=True)
    assert "/dossiers/receive?ticket=" not in called, "only while serving"
    post(client, "/desk/start", ticket=str(ticket_id("A001")))
    html = client.get("/desk/").get_data(as_text=True)
    assert "Tiếp nhận hồ sơ" in html
    assert f'href="/dossiers/receive?ticket={ticket_id("A001")}"' in html


def test_the_console_state_changes_when_the_queue_does(officer):
    factories.counter_session("canbo1", 1)
    first = officer.get("/desk/state").get_json()["version"]
    assert officer.get("/desk/state").get_json()["version"] == first
    factories.ticket("GPLX")
    assert officer.get("/desk/state").get_json()["version"] != first
