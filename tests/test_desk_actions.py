"""Desk actions keep the figures honest: a called ticket is started, called again or marked
absent (after the calls the settings require), never finished; a finished ticket's service
time begins when the citizen arrived; the console, the API and the board agree."""

import re
from datetime import date

import pytest
import time_machine

from conftest import count, csrf_token, local_time
from core.errors import DomainError
from core.models import AuditEvent, CallEvent, QueueSetting, Ticket, TicketStatus
from core.queue import calling
from core.queue.settings import NO_SHOW_AFTER_CALLS, queue_settings, save_queue_settings
from core.queue.ticket_flow import Actor, TicketAction, no_show_after_calls
from core.reports.live import live_state
from core.reports.periods import custom_period
from core.reports.queue_stats import period_statistics
from desk_support import fresh_user_per_request, snapshot  # noqa: F401  (fixture)
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 0)


def at(hour: int, minute: int, second: int = 0):
    return time_machine.travel(local_time(2026, 3, 2, hour, minute, second), tick=False)


@pytest.fixture
def desk(demo):
    """canbo1 at counter 2 (GPLX, PTIEN)."""
    with time_machine.travel(MORNING, tick=False):
        factories.counter_session("canbo1", 2)
    return Actor(user=factories.user("canbo1"))


def set_calls_before_absent(calls: int) -> None:
    save_queue_settings({NO_SHOW_AFTER_CALLS: str(calls)}, user=factories.user("quantri"))
    db.session.commit()


def ticket_at_counter(desk, state: str) -> Ticket:
    """A GPLX ticket at counter 2: `called1` (called once), `called3` (called and recalled
    twice) or `serving` (called, then the citizen arrived)."""
    ticket = factories.ticket("GPLX")
    calling.call_next(2, desk)
    if state == "called3":
        calling.act_on_current(2, TicketAction.RECALL, desk)
        calling.act_on_current(2, TicketAction.RECALL, desk)
    if state == "serving":
        calling.act_on_current(2, TicketAction.START, desk)
    db.session.commit()
    return ticket


def do(desk, action: str):
    if action == "next":
        return calling.call_next(2, desk)
    return calling.act_on_current(2, TicketAction(action), desk)


# (state of the ticket at the counter, action) -> None when allowed, else the refusal's code.
# The setting is 3 calls (the configuration's default).
STATES_BY_ACTIONS = {
    ("called1", "start"): None,
    ("called1", "recall"): None,
    ("called1", "no_show"): "not_enough_calls",
    ("called1", "finish"): "not_started",
    ("called1", "next"): "not_started",
    ("called3", "start"): None,
    ("called3", "recall"): None,
    ("called3", "no_show"): None,
    ("called3", "finish"): "not_started",
    ("called3", "next"): "not_started",
    ("serving", "start"): "illegal_transition",
    ("serving", "recall"): "illegal_transition",
    ("serving", "no_show"): "illegal_transition",
    ("serving", "finish"): None,
    ("serving", "next"): None,
}


@pytest.mark.parametrize(("state", "action"), list(STATES_BY_ACTIONS))
def test_states_by_actions(desk, state, action):
    refusal = STATES_BY_ACTIONS[(state, action)]
    with at(8, 5):
        ticket = ticket_at_counter(desk, state)
    with at(8, 9):
        before = snapshot()
        try:
            do(desk, action)
            db.session.commit()
        except DomainError as refused:
            db.session.rollback()
            assert refused.code == refusal, f"{action} on {state}: {refused.code}"
            messages = refused.messages()
            assert ticket.number in messages["vi"] and ticket.number in messages["en"]
            assert messages["vi"] != messages["en"]
            assert snapshot() == before, "a refusal writes nothing"
        else:
            assert refusal is None, f"{action} on {state} was allowed"
            assert snapshot() != before
    db.session.refresh(ticket)
    if refusal is None and action in ("finish", "next"):
        assert ticket.status == TicketStatus.DONE
        assert ticket.serving_started_at == local_time(2026, 3, 2, 8, 5), "from the arrival"


def test_finishing_always_has_a_service_start(desk):
    """Whatever the path to DONE, the service start was recorded by "start"."""
    with at(8, 0):
        for _ in range(3):
            factories.ticket("GPLX")
    with at(8, 5):
        calling.call_next(2, desk)
        db.session.commit()
    for minute in (10, 20, 30):
        with at(8, minute):
            calling.act_on_current(2, TicketAction.START, desk)
            calling.call_next(2, desk)
            db.session.commit()
    done = db.session.execute(
        db.select(Ticket).filter_by(status=TicketStatus.DONE).order_by(Ticket.number)
    ).scalars()
    starts = [(ticket.number, ticket.serving_started_at) for ticket in done]
    assert starts == [
        ("A001", local_time(2026, 3, 2, 8, 10)),
        ("A002", local_time(2026, 3, 2, 8, 20)),
        ("A003", local_time(2026, 3, 2, 8, 30)),
    ]


@pytest.mark.parametrize("calls", [1, 3])
def test_absent_opens_after_the_calls_the_setting_gives(desk, calls):
    set_calls_before_absent(calls)
    assert no_show_after_calls() == calls
    with at(8, 5):
        ticket = ticket_at_counter(desk, "called1")
        for made in range(1, calls):
            before = snapshot()
            with pytest.raises(DomainError) as refused:
                calling.act_on_current(2, TicketAction.NO_SHOW, desk)
            db.session.rollback()
            assert refused.value.code == "not_enough_calls"
            assert refused.value.messages()["vi"] == (
                f"Chỉ đánh dấu vắng mặt sau {calls} lần gọi; số A001 mới được gọi {made} lần."
            )
            assert snapshot() == before
            calling.act_on_current(2, TicketAction.RECALL, desk)
            db.session.commit()
        calling.act_on_current(2, TicketAction.NO_SHOW, desk)
        db.session.commit()
    db.session.refresh(ticket)
    assert (ticket.status, ticket.call_count) == (TicketStatus.NO_SHOW, calls)


def test_the_setting_is_validated_and_audited(demo):
    admin = factories.user("quantri")
    assert queue_settings() == {NO_SHOW_AFTER_CALLS: 3}, "the configuration's default"
    for bad in ("0", "10", "-1", "two", "", " ", "2.5"):
        with pytest.raises(DomainError) as refused:
            save_queue_settings({NO_SHOW_AFTER_CALLS: bad}, user=admin)
        db.session.rollback()
        assert refused.value.code == "invalid_input"
        assert "từ 1 đến 9" in refused.value.messages()["vi"]
        assert "from 1 to 9" in refused.value.messages()["en"]
    assert count(QueueSetting) == 0 and count(AuditEvent, action="queue.settings_changed") == 0
    assert save_queue_settings({NO_SHOW_AFTER_CALLS: " 2 "}, user=admin) == [NO_SHOW_AFTER_CALLS]
    db.session.commit()
    assert save_queue_settings({NO_SHOW_AFTER_CALLS: "2"}, user=admin) == [], "no change"
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="queue.settings_changed")
    ).scalar_one()
    assert (event.user_id, event.details) == (admin.id, {NO_SHOW_AFTER_CALLS: [3, 2]})
    assert queue_settings() == {NO_SHOW_AFTER_CALLS: 2}


# --- the admin screen ---------------------------------------------------------------------


def test_the_admin_screen_changes_the_setting(client, auth, demo):
    auth.login("quantri")
    page = client.get("/admin/queue-settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="no_show_after_calls"' in html and 'value="3"' in html
    assert 'href="/admin/queue-settings"' in client.get("/admin/").get_data(as_text=True)
    before = snapshot(), count(QueueSetting)
    refused = client.post(
        "/admin/queue-settings",
        data={"csrf_token": csrf_token(client), "no_show_after_calls": "12"},
    )
    assert refused.status_code == 422
    assert re.search(
        r'has-error.*?name="no_show_after_calls".*?form__error"[^>]*>'
        r"“Số lần gọi trước khi được đánh dấu vắng mặt” phải là số nguyên từ 1 đến 9.",
        refused.get_data(as_text=True),
        flags=re.S,
    ), "the error is beside its field"
    assert (snapshot(), count(QueueSetting)) == before
    saved = client.post(
        "/admin/queue-settings",
        data={"csrf_token": csrf_token(client), "no_show_after_calls": "1"},
        follow_redirects=True,
    )
    assert "Đã lưu 1 thay đổi." in saved.get_data(as_text=True)
    assert queue_settings() == {NO_SHOW_AFTER_CALLS: 1}


def test_a_manager_reads_the_setting_and_an_officer_does_not(client, auth, demo):
    auth.login("lanhdao")
    page = client.get("/admin/queue-settings").get_data(as_text=True)
    assert "chế độ chỉ đọc" in page and "disabled" in page
    posted = client.post(
        "/admin/queue-settings",
        data={"csrf_token": csrf_token(client), "no_show_after_calls": "1"},
    )
    assert posted.status_code == 403 and count(QueueSetting) == 0
    auth.login("canbo1")
    assert client.get("/admin/queue-settings").status_code == 403


# --- the console --------------------------------------------------------------------------


def console_actions(client) -> dict[str, bool]:
    """The console's action buttons: data-action -> enabled."""
    html = client.get("/desk/").get_data(as_text=True)
    buttons = re.findall(r'<(?:button|a)[^>]*data-action="([a-z_]+)"([^>]*)>', html)
    return {name: "disabled" not in rest for name, rest in buttons}


def post(client, path: str, ticket: Ticket | None, **data):
    shown = str(ticket.id) if ticket is not None else ""
    return client.post(
        path,
        data={"csrf_token": csrf_token(client), "ticket": shown, **data},
        follow_redirects=True,
    )


def flashes(response) -> list[tuple[str, str]]:
    html = response.get_data(as_text=True)
    return [
        (category, re.sub(r"\s+", " ", text).strip())
        for category, text in re.findall(r'class="flash flash--(\w+)"[^>]*>(.*?)</p>', html, re.S)
    ]


@pytest.fixture
def officer(client, auth, demo):
    with time_machine.travel(MORNING, tick=False):
        auth.login("canbo1")
        factories.counter_session("canbo1", 2)
    return client


@time_machine.travel(MORNING, tick=False)
def test_the_console_offers_the_actions_of_each_state(officer):
    factories.ticket("GPLX")
    assert console_actions(officer) == {"call_next": True}
    post(officer, "/desk/call-next", None)
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    called = console_actions(officer)
    assert called == {"start": True, "recall": True, "no_show": False, "put_back": True}
    html = officer.get("/desk/").get_data(as_text=True)
    assert "Công dân đã đến" in html and "Được bấm sau 3 lần gọi" in html
    assert "Xong, gọi số tiếp theo" not in html and "Hoàn thành" not in html
    post(officer, "/desk/recall", ticket)
    post(officer, "/desk/recall", ticket)
    assert console_actions(officer)["no_show"] is True
    post(officer, "/desk/start", ticket)
    serving = console_actions(officer)
    assert serving == {
        "finish": True,
        "call_next": True,
        "receive_dossier": True,
        "put_back": True,
    }


@time_machine.travel(MORNING, tick=False)
def test_absent_is_offered_from_the_first_call_when_the_setting_is_one(officer):
    set_calls_before_absent(1)
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", None)
    assert console_actions(officer)["no_show"] is True
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    page = post(officer, "/desk/no-show", ticket)
    assert ("success", "Đã ghi nhận số A001 vắng mặt.") in flashes(page)


@time_machine.travel(MORNING, tick=False)
def test_the_console_refuses_finishing_a_called_ticket_and_writes_nothing(officer):
    factories.ticket("GPLX")
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", None)
    ticket = db.session.execute(db.select(Ticket).filter_by(number="A001")).scalar_one()
    not_started = (
        "Không thể hoàn thành số A001: số này mới được gọi, chưa bắt đầu phục vụ. "
        "Khi công dân đến quầy, hãy bấm “Công dân đã đến”; nếu chưa thấy công dân, "
        "hãy gọi lại hoặc đánh dấu vắng mặt."
    )
    for path in ("/desk/finish", "/desk/call-next"):
        before = snapshot()
        page = post(officer, path, ticket)
        assert flashes(page) == [("error", not_started)], path
        assert snapshot() == before, path
    before = snapshot()
    page = post(officer, "/desk/no-show", ticket)
    assert flashes(page) == [
        ("error", "Chỉ đánh dấu vắng mặt sau 3 lần gọi; số A001 mới được gọi 1 lần.")
    ]
    assert snapshot() == before
    officer.get("/?lang=en")
    page = post(officer, "/desk/finish", ticket)
    assert flashes(page)[0][1].startswith("Cannot finish A001: it has only been called")
    assert snapshot() == before


@time_machine.travel(MORNING, tick=False)
def test_an_empty_queue_is_information_not_success(officer):
    page = post(officer, "/desk/call-next", None)
    assert flashes(page) == [("info", "Không có công dân đang chờ.")]
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", None)
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    post(officer, "/desk/start", ticket)
    page = post(officer, "/desk/call-next", ticket)  # finishes A001, nobody left
    assert flashes(page) == [("info", "Không có công dân đang chờ.")]
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.DONE


@time_machine.travel(MORNING, tick=False)
def test_the_console_lists_the_dossiers_received_for_the_served_ticket(officer):
    factories.ticket("GPLX")
    post(officer, "/desk/call-next", None)
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    post(officer, "/desk/start", ticket)
    html = officer.get("/desk/").get_data(as_text=True)
    assert "Hồ sơ đã tiếp nhận cho số A001" in html
    assert "Chưa tiếp nhận hồ sơ nào cho số này." in html
    first = factories.dossier(ticket=ticket)
    second = factories.dossier("GPLX-LAI", ticket=ticket)
    factories.dossier()  # received without a ticket: not this citizen's
    html = officer.get("/desk/").get_data(as_text=True)
    listed = re.findall(r'<a class="desk-dossiers__code" href="([^"]+)">([^<]+)</a>', html)
    assert listed == [
        (f"/dossiers/{first.code}", first.code),
        (f"/dossiers/{second.code}", second.code),
    ]
    assert f'href="/dossiers/receive?ticket={ticket.id}"' in html
    assert officer.get(listed[0][0]).status_code == 200


# --- the counter API ----------------------------------------------------------------------


def test_the_api_refuses_finishing_a_called_ticket_and_absent_too_early(client, demo):
    keypad = factories.device("counter", counter=1).headers
    with time_machine.travel(MORNING, tick=False):
        factories.ticket("GPLX")
        factories.ticket("GPLX")
        assert client.post("/api/v1/counters/1/next", headers=keypad).status_code == 200
        for action, code in (
            ("finish", "not_started"),
            ("next", "not_started"),
            ("no-show", "not_enough_calls"),
        ):
            before = snapshot()
            refused = client.post(f"/api/v1/counters/1/{action}", headers=keypad)
            assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, code)
            error = refused.get_json()["error"]
            assert "A001" in error["message_vi"] and "A001" in error["message_en"]
            assert error["message_vi"] != error["message_en"]
            assert snapshot() == before, action
        started = client.post("/api/v1/counters/1/start", headers=keypad).get_json()
        assert (started["number"], started["status"]) == ("A001", "serving")
        again = client.post("/api/v1/counters/1/start", headers=keypad)
        assert again.get_json()["error"]["code"] == "illegal_transition"
        finished = client.post("/api/v1/counters/1/next", headers=keypad).get_json()
        assert (finished["number"], finished["finished"]) == ("A002", "A001")


def test_the_api_follows_the_setting(client, demo):
    set_calls_before_absent(1)
    keypad = factories.device("counter", counter=1).headers
    with time_machine.travel(MORNING, tick=False):
        factories.ticket("GPLX")
        client.post("/api/v1/counters/1/next", headers=keypad)
        gone = client.post("/api/v1/counters/1/no-show", headers=keypad)
    assert (gone.status_code, gone.get_json()["status"]) == (200, "no_show")


# --- the board ----------------------------------------------------------------------------


@time_machine.travel(MORNING, tick=False)
def test_call_again_is_announced_again_and_absent_clears_the_tile(officer):
    board = factories.device("display", "Sảnh chính").headers
    factories.ticket("GPLX")

    def state():
        body = officer.get("/api/v1/display", headers=board).get_json()
        tiles = {item["number"]: (item["call"] or {}).get("number") for item in body["counters"]}
        return tiles[2], [(call["number"], call["kind"]) for call in body["calls"]]

    post(officer, "/desk/call-next", None)
    ticket = db.session.execute(db.select(Ticket)).scalar_one()
    assert state() == ("A001", [("A001", "call")])
    post(officer, "/desk/recall", ticket)
    tile, calls = state()
    assert tile == "A001" and calls[0] == ("A001", "recall"), "announced again"
    post(officer, "/desk/recall", ticket)
    assert count(CallEvent) == 3
    post(officer, "/desk/no-show", ticket)
    assert state()[0] is None, "absent: the tile is empty"


# --- the statistics -----------------------------------------------------------------------


def test_service_time_starts_when_the_citizen_arrives(desk):
    """Called 8:05, called again 8:07, arrived 8:10, finished 8:20: ten minutes of service,
    in the console's figures, the live view and the period's statistics (raw and summed)."""
    with at(8, 0):
        factories.ticket("GPLX")
    for minute, action in ((5, "next"), (7, "recall"), (10, "start"), (20, "finish")):
        with at(8, minute):
            do(desk, action)
            db.session.commit()
    with at(8, 30):
        assert calling.counter_day(factories.counter(2)).average_service_minutes == 10
        assert live_state()["today"]["average_service_minutes"] == 10.0
    period = custom_period(date(2026, 3, 2), date(2026, 3, 2))
    with time_machine.travel(local_time(2026, 3, 3, 9, 0), tick=False):
        for summaries in (True, False):
            figures = period_statistics(period, summaries=summaries).queue.as_dict()
            assert figures["average_service_minutes"] == 10.0, summaries
            assert figures["average_wait_minutes"] == 5.0, summaries
