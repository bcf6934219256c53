"""Satisfaction ratings: once per ticket, tied to its counter and officer, from two places."""

import re

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from conftest import count, csrf_token, local_time
from core.models import AuditEvent, Rating, RatingScore, RatingSource, Ticket
from desk_support import fresh_user_per_request  # noqa: F401  (fixture)
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 9, 0)


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def keypad(demo):
    """Counter 1 with canbo1 signed in, and its keypad's headers."""
    factories.counter_session("canbo1", 1)
    return factories.device("counter", "Bàn phím quầy 1", counter=1).headers


@pytest.fixture
def tablet(keypad):
    """The rating tablet of counter 1, with a rating key of its own."""
    return factories.device("rating", "Máy đánh giá quầy 1", counter=1).headers


def serve(client, keypad, code="GPLX") -> Ticket:
    ticket = factories.ticket(code)
    client.post("/api/v1/counters/1/next", headers=keypad)
    client.post("/api/v1/counters/1/start", headers=keypad)
    client.post("/api/v1/counters/1/finish", headers=keypad)
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def test_the_tablet_offers_the_ticket_just_served_and_rates_it_once(client, tablet, keypad):
    idle = client.get("/api/v1/counters/1/rating", headers=tablet).get_json()
    assert idle == {"counter": 1, "ticket": None, "serving": None}
    ticket = serve(client, keypad)
    target = client.get("/api/v1/counters/1/rating", headers=tablet).get_json()
    assert target["ticket"]["number"] == "A001" and target["ticket"]["id"] == ticket.id
    response = client.post(
        "/api/v1/counters/1/rating",
        json={
            "ticket_id": ticket.id,
            "score": "unsatisfied",
            "reasons": ["many_visits", "long_wait"],
        },
        headers=tablet,
    )
    assert response.status_code == 201
    assert response.get_json() == {
        "ticket": "A001",
        "score": "unsatisfied",
        "reasons": ["long_wait", "many_visits"],
    }
    rating = db.session.execute(db.select(Rating)).scalar_one()
    assert (rating.ticket_id, rating.counter.number, rating.officer.username) == (
        ticket.id,
        1,
        "canbo1",
    )
    assert (rating.source, rating.device.name) == (RatingSource.COUNTER, "Máy đánh giá quầy 1")
    assert count(AuditEvent, action="ticket.rated") == 1
    again = client.post(
        "/api/v1/counters/1/rating",
        json={"ticket_id": ticket.id, "score": "satisfied"},
        headers=tablet,
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    assert client.get("/api/v1/counters/1/rating", headers=tablet).get_json()["ticket"] is None


def test_the_offer_lasts_a_few_minutes(client, tablet, keypad):
    serve(client, keypad)
    with time_machine.travel(local_time(2026, 3, 2, 9, 9), tick=False):
        assert client.get("/api/v1/counters/1/rating", headers=tablet).get_json()["ticket"]
    with time_machine.travel(local_time(2026, 3, 2, 9, 11), tick=False):
        assert client.get("/api/v1/counters/1/rating", headers=tablet).get_json()["ticket"] is None


BAD_RATINGS = [
    {"score": "satisfied"},
    {"ticket_id": "1", "score": "satisfied"},
    {"ticket_id": 999, "score": "satisfied"},
    {"ticket_id": "SERVED", "score": "great"},
    {"ticket_id": "SERVED", "score": "satisfied", "reasons": ["long_wait"]},
    {"ticket_id": "SERVED", "score": "neutral", "reasons": ["rude"]},
    {"ticket_id": "SERVED", "score": "neutral", "reasons": "long_wait"},
    {"ticket_id": "SERVED", "score": "neutral", "comment": "…"},
]


def test_bad_ratings_are_refused_and_write_nothing(client, tablet, keypad):
    ticket = serve(client, keypad)
    for body in BAD_RATINGS:
        if body.get("ticket_id") == "SERVED":
            body = {**body, "ticket_id": ticket.id}
        response = client.post("/api/v1/counters/1/rating", json=body, headers=tablet)
        error = response.get_json()["error"]
        assert (response.status_code, error["code"]) == (422, "invalid_input"), body
        assert error["message_vi"] != error["message_en"]
    assert count(Rating) == 0


def test_a_tablet_rates_only_its_own_counters_tickets(client, tablet, demo, keypad):
    ticket = serve(client, keypad)
    other = factories.device("rating", counter=2).headers
    response = client.post(
        "/api/v1/counters/2/rating",
        json={"ticket_id": ticket.id, "score": "satisfied"},
        headers=other,
    )
    assert response.status_code == 422
    response = client.get("/api/v1/counters/2/rating", headers=tablet)
    assert response.status_code == 403
    assert client.get("/api/v1/counters/1/rating").status_code == 401
    assert count(Rating) == 0


def test_a_ticket_not_yet_served_cannot_be_rated(client, tablet, keypad):
    factories.ticket("GPLX")
    called = client.post("/api/v1/counters/1/next", headers=keypad).get_json()
    response = client.post(
        "/api/v1/counters/1/rating",
        json={"ticket_id": called["id"], "score": "satisfied"},
        headers=tablet,
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "not_rateable")


def test_the_database_allows_one_rating_per_ticket(client, tablet, keypad):
    ticket = serve(client, keypad)
    for _ in range(2):
        db.session.add(
            Rating(
                ticket_id=ticket.id,
                counter_id=ticket.counter_id,
                service_id=ticket.service_id,
                score=RatingScore.SATISFIED,
                source=RatingSource.TRACKING,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_tracking_page_of_a_served_ticket_offers_the_rating_once(client, tablet, keypad):
    waiting = factories.ticket("PTIEN")
    assert "Bạn có hài lòng" not in page_text(client.get(f"/t/{waiting.token}"))
    ticket = serve(client, keypad)
    page = page_text(client.get(f"/t/{ticket.token}"))
    assert "Bạn có hài lòng với việc giải quyết thủ tục?" in page
    assert "Không hài lòng" in page and "Chờ lâu" in page
    token = csrf_token(client)
    response = client.post(
        f"/t/{ticket.token}/rating",
        data={"csrf_token": token, "score": "neutral", "reasons": ["unclear_guidance"]},
        follow_redirects=True,
    )
    page = page_text(response)
    assert "Cảm ơn bạn đã đánh giá!" in page
    assert "Bạn đã đánh giá: Bình thường" in page
    rating = db.session.execute(db.select(Rating)).scalar_one()
    assert (rating.source, rating.reasons, rating.officer.username) == (
        RatingSource.TRACKING,
        ["unclear_guidance"],
        "canbo1",
    )
    again = client.post(
        f"/t/{ticket.token}/rating",
        data={"csrf_token": token, "score": "satisfied"},
        follow_redirects=True,
    )
    assert "Số A001 đã được đánh giá." in page_text(again)
    assert count(Rating) == 1


def test_high_ratings_from_the_phone_drop_leftover_reasons(client, tablet, keypad):
    ticket = serve(client, keypad)
    client.post(
        f"/t/{ticket.token}/rating",
        data={"csrf_token": csrf_token(client), "score": "very_satisfied", "reasons": ["attitude"]},
    )
    rating = db.session.execute(db.select(Rating)).scalar_one()
    assert (rating.score, rating.reasons) == (RatingScore.VERY_SATISFIED, [])


def test_rating_a_waiting_ticket_from_the_phone_is_refused(client, tablet):
    ticket = factories.ticket("GPLX")
    response = client.post(
        f"/t/{ticket.token}/rating",
        data={"csrf_token": csrf_token(client), "score": "satisfied"},
        follow_redirects=True,
    )
    assert "chưa được phục vụ xong nên chưa thể đánh giá" in page_text(response)
    assert count(Rating) == 0


def test_the_tablet_page(client, demo):
    page = page_text(client.get("/rate/3"))
    assert "Đánh giá mức độ hài lòng" in page and "Rất hài lòng" in page
    assert client.get("/rate/77").status_code == 404


def test_a_rating_key_can_only_rate(client, tablet, keypad):
    waiting = factories.ticket("GPLX")
    for action in ("next", "start", "recall", "no-show", "finish", "transfer"):
        refused = client.post(f"/api/v1/counters/1/{action}", json={}, headers=tablet)
        assert refused.status_code == 401, action
    assert count(AuditEvent, action="ticket.call") == 0
    client.post("/api/v1/counters/1/next", headers=keypad)
    client.post("/api/v1/counters/1/start", headers=keypad)
    client.post("/api/v1/counters/1/finish", headers=keypad)
    rated = client.post(
        "/api/v1/counters/1/rating",
        json={"ticket_id": waiting.id, "score": "satisfied"},
        headers=tablet,
    )
    assert rated.status_code == 201


def test_a_tablet_paired_with_a_keypad_key_keeps_rating(client, keypad):
    """Tablets paired before rating keys existed hold a keypad's key: still accepted."""
    ticket = serve(client, keypad)
    assert client.get("/api/v1/counters/1/rating", headers=keypad).get_json()["ticket"]
    rated = client.post(
        "/api/v1/counters/1/rating",
        json={"ticket_id": ticket.id, "score": "satisfied"},
        headers=keypad,
    )
    assert rated.status_code == 201


def test_a_rating_tablet_must_be_bound_to_a_counter(runner, demo):
    refused = runner.invoke(args=["device-create", "rating", "Máy đánh giá"])
    assert refused.exit_code == 1 and "phải gắn với một quầy" in refused.output
    made = runner.invoke(args=["device-create", "rating", "Máy đánh giá quầy 2", "--counter", "2"])
    assert made.exit_code == 0, made.output
    assert "rating" in made.output
