"""The tracking page a citizen opens on a phone, and the language switch."""

import re

import time_machine

from conftest import local_time
from core.models import Ticket, TicketStatus
from extensions import db
from tests import factories

MORNING = local_time(2026, 3, 2, 9, 30)


@time_machine.travel(MORNING, tick=False)
def test_tracking_page_shows_number_status_and_place(client, kiosk_headers):
    factories.kiosk_ticket(client, kiosk_headers)
    mine = factories.kiosk_ticket(client, kiosk_headers)
    page = client.get(f"/t/{mine['token']}").get_data(as_text=True)
    assert 'data-field="number">A002<' in page
    assert "Đang chờ đến lượt" in page
    assert 'data-field="ahead">1<' in page
    assert "Lấy số lúc 09:30 02/03/2026" in page
    assert "track.js" in page and "<script>" not in page


@time_machine.travel(MORNING, tick=False)
def test_tracking_page_follows_the_ticket_and_shows_no_personal_data(client, kiosk_headers):
    mine = factories.kiosk_ticket(client, kiosk_headers, priority=True)
    ticket = db.session.execute(db.select(Ticket).filter_by(token=mine["token"])).scalar_one()
    ticket.status = TicketStatus.CALLED
    ticket.counter_id = 2
    db.session.commit()
    page = client.get(f"/t/{mine['token']}").get_data(as_text=True)
    assert "Mời bạn đến quầy" in page
    assert 'data-field="counter">2<' in page
    assert "Ưu tiên" in page
    # The ticket's own random token is on its page (its address): it may spell anything.
    text = page.replace(mine["token"], "").lower().replace("keyboard", "")
    for private in ("kiosk", "kiosk sảnh", "canbo", "key"):
        assert private not in text


def test_tokens_are_unguessable_and_unknown_ones_are_refused(client, kiosk_headers):
    tokens = [factories.kiosk_ticket(client, kiosk_headers)["token"] for _ in range(5)]
    assert len(set(tokens)) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", token) for token in tokens)
    assert not any(token.isdigit() for token in tokens)
    response = client.get("/t/1")
    assert response.status_code == 404
    assert "Không tìm thấy số thứ tự này" in response.get_data(as_text=True)


def test_qr_code_of_the_tracking_page(client, kiosk_headers):
    token = factories.kiosk_ticket(client, kiosk_headers)["token"]
    response = client.get(f"/t/{token}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<?xml")


def test_english_is_one_tap_away_and_remembered(client, kiosk_headers):
    token = factories.kiosk_ticket(client, kiosk_headers)["token"]
    english = client.get(f"/t/{token}?lang=en")
    assert "Waiting for your turn" in english.get_data(as_text=True)
    assert "lang=en" in english.headers.get("Set-Cookie", "")
    again = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Waiting for your turn" in again and '<html lang="en">' in again
    kiosk = client.get("/kiosk/?lang=vi").get_data(as_text=True)
    assert "Chạm vào dịch vụ bạn cần để lấy số thứ tự" in kiosk
