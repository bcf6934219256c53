"""What boards and phones share, built once per change: never stale, and the same as a fresh
build (core.queue.shared, the display API, the tracking JSON and page)."""

import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from flask_babel import refresh

import api.display
import config
from conftest import LiveServer, local_time, requires_postgres, stop_quickly
from core.clock import local_today, utcnow
from core.models import Service, Ticket, TicketStatus
from core.queue import calling
from core.queue.board import board_state, board_version
from core.queue.issuing import issue_ticket
from core.queue.positions import place_in_queue, queue_places, waiting_ahead
from core.queue.service_lookup import find_service
from core.queue.shared import forget_shared_state
from core.queue.ticket_flow import Actor, TicketAction, no_show_after_calls
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 15)


@pytest.fixture
def board(demo):
    return factories.device("display", "Sảnh chính").headers


@pytest.fixture
def builds(monkeypatch):
    """How many times the display API built a board state."""
    built = []
    original = api.display.board_state

    def counting(day, **options):
        built.append(day)
        return original(day, **options)

    monkeypatch.setattr(api.display, "board_state", counting)
    return built


def served(client, board, language: str = "vi") -> dict:
    """The board state as a new board gets it (no ETag)."""
    db.session.rollback()  # the test's reads end: the next ones see what was committed
    refresh()
    response = client.get(f"/api/v1/display?lang={language}", headers=board)
    assert response.status_code == 200
    return response.get_json()


def fresh(app, client, board, language: str = "vi") -> dict:
    """The board state built now, with nothing kept."""
    with app.app_context():
        forget_shared_state()
    return served(client, board, language)


def tiles(body: dict) -> dict:
    return {item["number"]: (item["call"] or {}).get("number") for item in body["counters"]}


def waiting(body: dict) -> dict:
    return {service["code"]: service["waiting"] for service in body["services"]}


@time_machine.travel(MORNING, tick=False)
def test_the_shared_board_state_is_rebuilt_after_each_kind_of_change(
    app, client, board, builds, kiosk_headers
):
    factories.counter_session("canbo1", 2)  # GPLX, PTIEN
    factories.counter_session("canbo2", 3)  # PTIEN, VTAI
    officers = {2: Actor(user=factories.user("canbo1")), 3: Actor(user=factories.user("canbo2"))}
    for code in ("GPLX", "GPLX", "PTIEN", "PTIEN"):
        factories.ticket(code)

    def act(counter, action, **options):
        if action == "call":
            calling.call_next(counter, officers[counter])
        elif action == "transfer":
            calling.transfer(counter, officers[counter], **options)
        else:
            calling.act_on_current(counter, action, officers[counter])
        db.session.commit()

    def after(change, check):
        """The change, then the state a board gets: built again, once, and as fresh."""
        before = len(builds)
        served(client, board)  # kept for the version before the change
        assert len(builds) == before + (1 if before == 0 else 0)
        change()
        body = served(client, board)
        assert len(builds) == before + (2 if before == 0 else 1), "rebuilt once for the change"
        again = served(client, board)
        assert again == body and len(builds) == before + (2 if before == 0 else 1), "shared"
        assert body == fresh(app, client, board)
        check(body)

    after(lambda: act(2, "call"), lambda body: tiles(body)[2] == "A001" or pytest.fail(body))
    after(lambda: act(3, "call"), lambda body: tiles(body)[3] == "B001" or pytest.fail(body))

    def recalled(body):
        assert body["calls"][0]["kind"] == "recall" and tiles(body)[3] == "B001"

    after(lambda: act(3, TicketAction.RECALL), recalled)
    after(lambda: act(2, TicketAction.START), lambda body: tiles(body)[2] == "A001" or 1 / 0)
    after(lambda: act(2, TicketAction.FINISH), lambda body: tiles(body)[2] is None or 1 / 0)
    for _ in range(no_show_after_calls() - 2):
        after(lambda: act(3, TicketAction.RECALL), recalled)
    after(lambda: act(3, TicketAction.NO_SHOW), lambda body: tiles(body)[3] is None or 1 / 0)

    def put_back_state(body):
        assert tiles(body)[3] is None and waiting(body)["PTIEN"] == 1

    after(lambda: act(3, "call"), lambda body: waiting(body)["PTIEN"] == 0 or 1 / 0)
    after(lambda: act(3, TicketAction.PUT_BACK), put_back_state)

    def transferred(body):
        assert tiles(body) == {1: None, 2: None, 3: None, 4: None, 5: None}
        assert waiting(body) == {"GPLX": 1, "PTIEN": 0, "VTAI": 1, "KCHT": 0, "TRAKQ": 0}

    after(lambda: act(3, "call"), lambda body: tiles(body)[3] == "B002" or 1 / 0)
    after(lambda: act(3, "transfer", service_code="VTAI"), transferred)

    def new_ticket():
        factories.kiosk_ticket(client, kiosk_headers, "KCHT")  # the kiosk's raw fast path

    after(new_ticket, lambda body: waiting(body)["KCHT"] == 1 or 1 / 0)

    def cancelled():
        ticket = db.session.execute(db.select(Ticket).filter_by(number="A002")).scalar_one()
        ticket.status = TicketStatus.CANCELLED  # no call, no new number: only its move
        db.session.commit()

    after(cancelled, lambda body: waiting(body)["GPLX"] == 0 or 1 / 0)

    # The language: a state of its own, built once, while the Vietnamese one stays kept.
    count = len(builds)
    english = served(client, board, "en")
    assert english["services"][0]["name"] == "Driving licences"
    assert english == fresh(app, client, board, "en")
    assert served(client, board, "en") == english
    vietnamese = served(client, board)
    assert vietnamese["services"][0]["name"] != "Driving licences"
    assert len(builds) == count + 3  # English, English fresh, Vietnamese after the forgetting


@time_machine.travel(MORNING, tick=False)
def test_phones_read_their_place_after_each_change(app, client, demo, kiosk_headers):
    """The tracking JSON and page, at each move of the queue, say what a count says."""
    tokens = [factories.kiosk_ticket(client, kiosk_headers, "GPLX")["token"] for _ in range(4)]
    tokens.append(factories.kiosk_ticket(client, kiosk_headers, "GPLX", priority=True)["token"])
    factories.counter_session("canbo1", 1)
    officer = Actor(user=factories.user("canbo1"))

    def check():
        db.session.rollback()
        for token in tokens:
            ticket = db.session.execute(db.select(Ticket).filter_by(token=token)).scalar_one()
            expected = waiting_ahead(ticket)
            assert client.get(f"/api/v1/tickets/{token}").get_json()["waiting_ahead"] == expected
            page = client.get(f"/t/{token}").get_data(as_text=True)
            assert f'data-field="ahead">{expected}<' in page

    check()
    first = client.get(f"/api/v1/tickets/{tokens[0]}").get_json()
    assert first["waiting_ahead"] == 1  # the priority ticket goes first
    for change in ("call", TicketAction.PUT_BACK, "call", TicketAction.START, "call"):
        if change == "call":
            calling.call_next(1, officer)
        else:
            calling.act_on_current(1, change, officer)
        db.session.commit()
        check()
    tokens.append(factories.kiosk_ticket(client, kiosk_headers, "GPLX", priority=True)["token"])
    check()
    assert client.get(f"/api/v1/tickets/{tokens[-1]}").get_json()["waiting_ahead"] == 0


def slot_near(moment, chooser):
    """A quarter-hour slot start near `moment`: started already, or soon."""
    quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return quarter + timedelta(minutes=chooser.choice([-15, 0, 15, 30]))


def random_queue_day(seed: int, steps: int = 60):
    """Tickets issued (some of them booked, checked in before or after their slot started),
    called, put back, transferred and finished at random (seeded), many issued in the same
    second (ties go by id), the clock jumping over slot starts; yields after each step."""
    chooser = random.Random(seed)
    officers = {1: Actor(user=factories.user("canbo1")), 2: Actor(user=factories.user("canbo2"))}
    factories.counter_session("canbo1", 1)  # GPLX
    factories.counter_session("canbo2", 2)  # GPLX, PTIEN
    moment = MORNING
    for _ in range(steps):
        if chooser.random() < 0.3:
            moment += timedelta(seconds=chooser.choice([0, 1, 30, 420]))
        with time_machine.travel(moment, tick=False):
            roll = chooser.random()
            counter = chooser.choice([1, 2])
            try:
                if roll < 0.5:
                    booked = chooser.random() < 0.3
                    factories.ticket(
                        chooser.choice(["GPLX", "PTIEN", "VTAI"]),
                        priority=chooser.random() < 0.2,
                        booked_for=slot_near(moment, chooser) if booked else None,
                    )
                elif roll < 0.75:
                    calling.call_next(counter, officers[counter])
                elif roll < 0.85:
                    calling.act_on_current(counter, TicketAction.PUT_BACK, officers[counter])
                else:
                    calling.transfer(
                        counter, officers[counter], service_code=chooser.choice(["PTIEN", "VTAI"])
                    )
                db.session.commit()
            except Exception:  # nobody at the counter to put back or transfer: nothing moved
                db.session.rollback()
        yield moment


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_places_ranked_once_per_version_match_the_count_of_each_ticket(app, demo, seed):
    """At each step, and again a few minutes later with nothing changed (booked tickets'
    slots start meanwhile), the kept places say what a count and the counters' order say."""
    checked = 0
    for moment in random_queue_day(seed):
        for later in (0, 7, 16):
            with time_machine.travel(moment + timedelta(minutes=later), tick=False):
                day = local_today()
                tickets = db.session.execute(
                    db.select(Ticket).filter_by(day=day, status=TicketStatus.WAITING)
                ).scalars()
                expected = {ticket.id: waiting_ahead(ticket) for ticket in tickets}
                assert queue_places(day) == expected
                for ticket in db.session.execute(db.select(Ticket).filter_by(day=day)).scalars():
                    assert place_in_queue(ticket) == expected.get(ticket.id, 0)
                    checked += 1
                for service_id in db.session.execute(db.select(Service.id)).scalars():
                    order = db.session.execute(  # as the counters call them
                        db.select(Ticket.id)
                        .filter_by(day=day, service_id=service_id, status=TicketStatus.WAITING)
                        .order_by(*calling.calling_order(utcnow()))
                    ).scalars()
                    places = [expected[ticket_id] for ticket_id in order]
                    assert places == list(range(len(places)))
    assert checked > 600


@time_machine.travel(MORNING, tick=False)
def test_a_slot_starting_moves_a_booked_ticket_ahead_on_every_phone_with_nothing_written(
    app, client, demo, kiosk_headers, monkeypatch
):
    """Walk-ins at 08:15, a booking of 08:30 checked in after them: second in line until its
    slot starts, first from then on: the kept places are ranked again though no ticket moved
    (the version is the same), once, and the counter calls the booked ticket first."""
    import core.queue.positions as positions
    from core.notices.events import near_places

    ranked = []
    original = positions.ranked_places
    monkeypatch.setattr(
        positions, "ranked_places", lambda day, now: ranked.append(now) or original(day, now)
    )
    walk_ins = [factories.kiosk_ticket(client, kiosk_headers, "GPLX") for _ in range(2)]
    booked = factories.ticket("GPLX", booked_for=local_time(2026, 3, 2, 8, 30))
    version = board_version(local_today())
    ids = dict(db.session.execute(db.select(Ticket.token, Ticket.id)).all())

    def places() -> list[int]:
        db.session.rollback()
        return [
            client.get(f"/api/v1/tickets/{token}").get_json()["waiting_ahead"]
            for token in (walk_ins[0]["token"], walk_ins[1]["token"], booked.token)
        ]

    with time_machine.travel(local_time(2026, 3, 2, 8, 29), tick=False):
        assert places() == [0, 1, 2] and places() == [0, 1, 2]
        assert len(ranked) == 1, "ranked once for the version"
        assert list(near_places(booked, local_time(2026, 3, 2, 8, 29)).values()) == [0, 1, 2]
    with time_machine.travel(local_time(2026, 3, 2, 8, 30), tick=False):
        assert board_version(local_today()) == version
        assert places() == [1, 2, 0] and places() == [1, 2, 0]
        assert len(ranked) == 2, "ranked again once, when the slot started"
        assert near_places(booked, local_time(2026, 3, 2, 8, 30)) == {
            booked.id: 0,
            ids[walk_ins[0]["token"]]: 1,
            ids[walk_ins[1]["token"]]: 2,
        }
        factories.counter_session("canbo1", 1)
        called = calling.call_next(1, Actor(user=factories.user("canbo1")))
        db.session.commit()
        assert called.called.id == booked.id
    # A booking checked in after its slot started is told on its slip that it goes first.
    with time_machine.travel(local_time(2026, 3, 2, 8, 46), tick=False):
        issued = issue_ticket(find_service("GPLX"), booked_for=local_time(2026, 3, 2, 8, 45))
        assert issued.waiting_ahead == 0
        db.session.commit()
        assert places()[:2] == [1, 2]


@time_machine.travel(MORNING, tick=False)
def test_two_app_instances_on_one_database_never_serve_an_older_state(
    app, client, database_url, tmp_path, board, kiosk_headers
):
    """Two servers' worth of kept states (two apps, each its own): after every committed
    change, through either, both answer the state built fresh, boards and phones alike."""
    other = create_other_app(database_url, tmp_path)
    other_client = other.test_client()
    keypads = {n: factories.device("counter", counter=n).headers for n in (1, 2)}
    tokens = []
    called = {1: False, 2: False}
    chooser = random.Random(7)
    for step in range(40):
        via = chooser.choice([client, other_client])
        roll = chooser.random()
        if roll < 0.45:
            db.session.rollback()
            code = chooser.choice(["GPLX", "PTIEN"])
            answer = via.post("/api/v1/tickets", json={"service": code}, headers=kiosk_headers)
            assert answer.status_code == 201
            tokens.append(answer.get_json()["token"])
        else:
            number = chooser.choice([1, 2])
            # A called citizen arrives before the counter may call the next one.
            action = "start" if called[number] else "next"
            answer = via.post(f"/api/v1/counters/{number}/{action}", headers=keypads[number])
            assert answer.status_code in (200, 204), answer.get_data(as_text=True)
            called[number] = action == "next" and answer.status_code == 200
        # Committed: both apps, each holding the state of the version before, now agree with
        # a fresh build, for boards and for every phone.
        expected = fresh(app, client, board)
        for reader in (client, other_client):
            assert served(reader, board) == expected, f"stale state at step {step}"
        db.session.rollback()
        for token in tokens:
            ticket = db.session.execute(db.select(Ticket).filter_by(token=token)).scalar_one()
            ahead = waiting_ahead(ticket)
            for reader in (client, other_client):
                body = reader.get(f"/api/v1/tickets/{token}").get_json()
                assert (body["waiting_ahead"], body["status"]) == (ahead, ticket.status.value)


def create_other_app(database_url, tmp_path):
    from app import create_app

    return create_app(config.TestingConfig(database_url, str(tmp_path / "other-instance")))


@requires_postgres
@time_machine.travel(MORNING, tick=False)
def test_a_move_committed_after_a_later_numbered_one_still_changes_the_version(app, demo):
    """Under PostgreSQL two counters commit in any order: a finish whose audit event has the
    lower id, committed last, must still give a new version (or boards keep the old tile)."""
    factories.counter_session("canbo1", 1)
    factories.counter_session("canbo2", 2)
    officer = Actor(user=factories.user("canbo1"))
    for _ in range(3):
        factories.ticket("GPLX")
    calling.call_next(1, officer)
    db.session.commit()
    calling.act_on_current(1, TicketAction.START, officer)
    db.session.commit()

    calling.act_on_current(1, TicketAction.FINISH, officer)  # flushed, not committed
    db.session.flush()
    with app.app_context():  # another request, on another connection
        calling.call_next(2, Actor(user=factories.user("canbo2")))
        db.session.commit()
        seen = board_version(local_today())
    db.session.commit()
    with app.app_context():
        assert board_version(local_today()) != seen


@pytest.mark.slow
def test_two_servers_of_two_workers_answer_every_committed_change_at_once(app, demo, database_url):
    """Real gunicorn: after a change acknowledged by one server, every board and phone
    request to either server, whichever worker takes it, gets the state with the change."""
    board_key = factories.device("display", "Bảng sảnh").key
    keypads = {n: factories.device("counter", counter=n).key for n in (1, 2)}
    for _ in range(3):
        factories.ticket("GPLX")
    db.session.remove()
    instances = [Path(app.instance_path) / name for name in ("server-a", "server-b")]
    for instance in instances:
        instance.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(2) as pool:
        servers = list(pool.map(lambda path: LiveServer(database_url, path, 2), instances))
    chooser, tokens = random.Random(11), []
    board = requests.Session()
    board.headers["Authorization"] = f"Bearer {board_key}"
    called = {1: False, 2: False}
    try:
        for step in range(16):
            via = chooser.choice(servers).url
            if chooser.random() < 0.4:
                answer = requests.post(
                    f"{via}/api/v1/tickets",
                    json={"service": "GPLX"},
                    headers={"Authorization": f"Bearer {demo}"},
                    timeout=10,
                )
                assert answer.status_code == 201, answer.text
                tokens.append(answer.json()["token"])
            else:
                number = chooser.choice([1, 2])
                action = "start" if called[number] else "next"
                answer = requests.post(
                    f"{via}/api/v1/counters/{number}/{action}",
                    headers={"Authorization": f"Bearer {keypads[number]}"},
                    timeout=10,
                )
                assert answer.status_code in (200, 204), answer.text
                called[number] = action == "next" and answer.status_code == 200
            expected, places = committed_state(app, tokens)
            for server in servers * 3:  # several requests: each server's workers in turn
                body = board.get(f"{server.url}/api/v1/display?lang=vi", timeout=10).json()
                for name in ("now", "centre", "agency"):
                    body.pop(name)
                assert body == expected, f"step {step}: {server.url} served an older state"
                for token, ahead in places.items():
                    tracked = requests.get(f"{server.url}/api/v1/tickets/{token}", timeout=10)
                    assert tracked.json()["waiting_ahead"] == ahead, f"step {step}"
    finally:
        stop_quickly(*servers)


def committed_state(app, tokens):
    """The board's state and the phones' places, read now in this process."""
    db.session.rollback()
    with app.test_request_context("/?lang=vi"):
        refresh()
        fields = api.display.board_fields(board_state(local_today()))
        state = json.loads(app.json.dumps(fields))
    for name in ("centre", "agency"):
        state.pop(name)
    places = {}
    for token in tokens:
        ticket = db.session.execute(db.select(Ticket).filter_by(token=token)).scalar_one()
        places[token] = waiting_ahead(ticket)
    db.session.rollback()
    return state, places
