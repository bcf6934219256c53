"""Notices to citizens: the outbox, its channels (a real SMTP server and a fake HTTP gateway
on 127.0.0.1), what is sent for tickets, dossiers and bookings, the agreements behind them
and their erasure, and the admins' page."""

import statistics
import threading
import time
from datetime import timedelta

import pytest
import time_machine

from conftest import count, csrf_token, local_time, wait_until
from core.appointments import booking
from core.appointments.booking import Booker as BookingContact
from core.appointments.privacy import erase_bookings
from core.appointments.reminders import queue_reminders
from core.clock import utcnow
from core.db.transactions import begin_write_transaction
from core.dossiers.privacy import erase_parties, personal_data_of
from core.dossiers.states import Move, move
from core.dossiers.workdays import add_calendar_day
from core.models import (
    Appointment,
    AuditEvent,
    BookingSettings,
    Dossier,
    Notice,
    NoticeChannel,
    NoticeConsent,
    NoticeKind,
    NoticeStatus,
)
from core.notices import events
from core.notices.consent import Contact, forget_ticket_contacts, record_consent
from core.notices.outbox import (
    claim_next,
    queue_notice,
    record_outcome,
    retry_delay,
    withdraw_notices,
)
from extensions import db
from notices.senders import send
from notices.worker import NoticeWorker, housekeeping, send_next
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 0)
EMAIL = "an.nguyen@example.vn"


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def channels(app, smtp, gateway):
    """E-mail to the local SMTP server, SMS through the fake gateway; tries again at once."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_DEFAULT_SENDER="mot-cua@example.vn",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_HEADERS='{"Content-Type": "application/json", "Authorization": "Bearer t"}',
        SMS_GATEWAY_BODY='{"to": "$phone84", "message": "$text", "brandname": "$sender"}',
        SMS_SENDER="MOTCUA",
        NOTICE_RETRY_SECONDS=0,
        NOTICE_RETRY_MAX_SECONDS=0,
        NOTICE_SEND_TIMEOUT=2,
    )
    return app.config


@pytest.fixture
def keypad(demo):
    return factories.device("counter", counter=1).headers


def send_all(app) -> int:
    """What the worker does: send every due notice, one at a time."""
    sent = 0
    while send_next(app, "test-sender"):
        sent += 1
    return sent


def statuses() -> list[tuple[str, str]]:
    """The notices' kinds and states, read in a transaction ended at once (a worker thread
    may be waiting for its turn to write)."""
    db.session.rollback()
    rows = db.session.execute(db.select(Notice.kind, Notice.status).order_by(Notice.id)).all()
    db.session.rollback()
    return [(kind.value, status.value) for kind, status in rows]


def call_next(client, keypad) -> dict:
    """The keypad's "next": starts the ticket called before, then calls the next one."""
    client.post("/api/v1/counters/1/start", headers=keypad)
    return client.post("/api/v1/counters/1/next", headers=keypad).get_json()


def agree_by_sms(client, kiosk_headers, token: str, phone: str = "0912345678"):
    db.session.rollback()
    return client.post(
        f"/api/v1/tickets/{token}/notices",
        json={"phone": phone, "agree": True},
        headers=kiosk_headers,
    )


def test_a_channel_without_settings_is_off_and_queues_nothing(app, client, kiosk_headers, keypad):
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    refused = agree_by_sms(client, kiosk_headers, ticket["token"])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "notices_off"
    assert "mã QR" in refused.get_json()["error"]["message"]
    dossier = factories.dossier()
    record_consent(Contact(NoticeChannel.EMAIL, EMAIL), where="desk", dossier_id=dossier.id)
    events.dossier_received(dossier)
    db.session.commit()
    call_next(client, keypad)
    assert count(Notice) == 0 and count(NoticeConsent) == 1


def test_sms_end_to_end_called_and_turn_near_through_the_gateway(
    app, client, kiosk_headers, keypad, channels, gateway
):
    """Kiosk tickets, one citizen agrees at the kiosk; the counter calls; the gateway gets
    "turn near" once, when 2 are ahead, then "called to counter 1"."""
    app.config["NOTICE_TURN_NEAR_AHEAD"] = 2
    tickets = [factories.kiosk_ticket(client, kiosk_headers) for _ in range(5)]
    agreed = agree_by_sms(client, kiosk_headers, tickets[4]["token"], "+84 912 345 678")
    assert agreed.status_code == 201
    assert agreed.get_json() == {"channel": "sms", "phone": "091****678"}
    consent = db.session.execute(db.select(NoticeConsent)).scalar_one()
    assert (consent.recipient, consent.agreed_where, consent.agreed_at) == (
        "0912345678",
        "kiosk",
        utcnow(),
    )
    assert call_next(client, keypad)["number"] == "A001"  # 3 ahead of A005: nothing yet
    assert statuses() == []
    call_next(client, keypad)  # A002: 2 ahead of A005
    call_next(client, keypad)  # A003: 1 ahead, already told
    assert statuses() == [("turn_near", "queued")]
    call_next(client, keypad)  # A004
    assert call_next(client, keypad)["number"] == "A005"
    assert send_all(app) == 2
    assert gateway.texts() == [
        "Sắp đến lượt số A005: còn 2 người trước bạn. Xin mời có mặt gần quầy.",
        "Mời số A005 đến quầy 1.",
    ]
    request = gateway.received[0]
    assert request["headers"]["Authorization"] == "Bearer t"
    assert request["body"]["to"] == "84912345678" and request["body"]["brandname"] == "MOTCUA"
    assert statuses() == [("turn_near", "sent"), ("called", "sent")]


def test_sms_in_plain_ascii_when_asked(app, client, kiosk_headers, keypad, channels, gateway):
    app.config["SMS_ASCII"] = True
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    agree_by_sms(client, kiosk_headers, ticket["token"])
    call_next(client, keypad)
    send_all(app)
    assert gateway.texts() == ["Moi so A001 den quay 1."]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"phone": "12345", "agree": True}, 422, "10 chữ số"),
        ({"phone": "0912345678"}, 422, "đồng ý"),
        ({"phone": "0912345678", "agree": True, "channel": "fax"}, 422, "sms hoặc zalo"),
        ({"phone": "0912345678", "agree": True, "extra": 1}, 422, "extra"),
    ],
)
def test_the_kiosk_agreement_refuses_bad_input_and_writes_nothing(
    client, kiosk_headers, channels, body, status, words
):
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    db.session.rollback()
    answer = client.post(
        f"/api/v1/tickets/{ticket['token']}/notices", json=body, headers=kiosk_headers
    )
    assert answer.status_code == status
    assert words in answer.get_json()["error"]["message"]
    assert count(NoticeConsent) == 0


def test_a_ticket_no_longer_waiting_needs_no_notice(client, kiosk_headers, keypad, channels):
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    call_next(client, keypad)
    answer = agree_by_sms(client, kiosk_headers, ticket["token"])
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "ticket_not_waiting"
    assert agree_by_sms(client, {"Authorization": "Bearer wrong"}, "x").status_code == 401


RECEPTION = {
    "procedure": "GPLX-DOI",
    "documents": ["0", "1", "2"],
    "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "001099012345",
    "applicant_phone": "0912345678",
    "applicant_email": EMAIL,
    "applicant_address": "Hà Đông, Hà Nội",
    "notify_by": ["email", "sms"],
    "channel": "direct",
    "sets": "1",
    "accept": "1",
}


def test_email_end_to_end_from_the_reception_page_to_the_smtp_server(
    app, demo, client, auth, channels, smtp, gateway
):
    """The officer ticks the applicant's agreement at reception; the worker sends the
    receipt by e-mail (with the look-up link) and SMS; the result's notice follows."""
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login("canbo1", form=False)
    assert "đồng ý nhận thông báo" in client.get("/dossiers/receive?procedure=GPLX-DOI").text
    assert client.post("/dossiers/receive", data=RECEPTION).status_code == 302
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    consents = db.session.execute(db.select(NoticeConsent).order_by(NoticeConsent.id)).scalars()
    assert [(c.channel.value, c.recipient, c.agreed_where) for c in consents] == [
        ("email", EMAIL, "desk"),
        ("sms", "0912345678", "desk"),
    ]
    assert send_all(app) == 2
    [mail] = smtp.messages
    assert mail["To"] == EMAIL and mail["From"] == "mot-cua@example.vn"
    assert mail["Subject"] == f"Đã tiếp nhận hồ sơ {dossier.code}"
    body = mail.get_content()
    assert "hẹn trả kết quả 17:00 ngày 09/03/2026" in body
    assert f"http://testserver.local{factories.lookup_path(dossier.code)}" in body
    assert client.get(factories.lookup_path(dossier.code)).status_code == 200
    assert gateway.texts()[0].startswith(f"Đã tiếp nhận hồ sơ {dossier.code}")
    officer = factories.user()
    for action in ("transfer", "start", "resolve"):
        move(dossier, action, user=officer)
    db.session.commit()
    send_all(app)
    assert smtp.messages[-1]["Subject"] == f"Hồ sơ {dossier.code} đã có kết quả"
    assert "mời đến nhận" in smtp.messages[-1].get_content()


def test_reception_asks_for_the_address_of_a_ticked_channel(app, demo, client, auth, channels):
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login("canbo1", form=False)
    answer = client.post("/dossiers/receive", data={**RECEPTION, "applicant_email": ""})
    assert answer.status_code == 422
    assert "Hãy ghi thư điện tử của chủ hồ sơ" in answer.text
    assert count(Dossier) == 0 and count(NoticeConsent) == 0


def test_supplement_and_new_return_date_are_told(app, demo, channels, smtp):
    dossier = factories.dossier()
    record_consent(Contact(NoticeChannel.EMAIL, EMAIL), where="desk", dossier_id=dossier.id)
    officer = factories.user()
    move(dossier, "transfer", user=officer)
    move(dossier, "start", user=officer)
    new_due = dossier.due_at + timedelta(days=3)
    move(dossier, "apologise", user=officer, details=Move(note="Chờ xác minh", new_due_at=new_due))
    db.session.commit()
    send_all(app)
    assert [mail["Subject"] for mail in smtp.messages] == [
        f"Hồ sơ {dossier.code}: hẹn trả kết quả mới"
    ]
    assert "hẹn trả kết quả mới 17:00 ngày 12/03/2026" in smtp.messages[0].get_content()
    events.dossier_moved(dossier, "request_supplement")
    events.dossier_moved(dossier, "request_supplement")  # a second request is told too
    db.session.commit()
    assert send_all(app) == 2


def test_a_keyed_notice_is_queued_once(app, demo, channels):
    made = booking.book(
        "GPLX",
        local_time(2026, 3, 3, 8, 0),
        BookingContact("Nguyễn Văn An", email=EMAIL, consent=("email",)),
    )
    for _ in range(2):
        events.booking_confirmed(made, "http://x/b")
        events.booking_reminder(made, "http://x/b")
    db.session.commit()
    notices = db.session.execute(db.select(Notice).order_by(Notice.id)).scalars().all()
    assert [notice.kind for notice in notices] == [
        NoticeKind.BOOKING_CONFIRMED,
        NoticeKind.BOOKING_REMINDER,
    ]
    assert notices[0].text.startswith(
        f"Đã đặt lịch {made.service.name} lúc 08:00 ngày 03/03/2026, mã {made.code}. "
        "Xem, đổi hoặc hủy: http://"
    )


def test_a_notice_withdrawn_while_it_was_being_sent_is_not_tried_again(app, demo, channels):
    """The contacts are erased while the worker is sending: a failed send keeps the notice
    withdrawn (no back-off, no retry), a notice sent meanwhile is recorded as sent."""
    failing = queue_notice(
        NoticeChannel.SMS, "0912345678", NoticeKind.CALLED, number="A1", counter=1
    )
    going = queue_notice(NoticeChannel.SMS, "0912345679", NoticeKind.CALLED, number="A2", counter=1)
    db.session.commit()
    first, second = claim_next("test"), claim_next("test")
    assert {first.id, second.id} == {failing, going}
    assert withdraw_notices(Notice.id.in_([failing, going]), "erased", sending_too=True) == 2
    db.session.commit()
    record_outcome(db.session.get(Notice, failing), "gateway_error", "HTTP 503")
    record_outcome(db.session.get(Notice, going), None)
    db.session.commit()
    assert statuses_of([failing, going]) == [NoticeStatus.WITHDRAWN, NoticeStatus.SENT]
    assert db.session.get(Notice, failing).last_error.startswith("gateway_error")
    assert claim_next("test") is None


def statuses_of(notice_ids: list[int]) -> list[NoticeStatus]:
    return [db.session.get(Notice, notice_id).status for notice_id in notice_ids]


def test_back_off_then_failure_then_an_admin_sends_it_again(
    app, demo, client, auth, channels, gateway
):
    app.config.update(NOTICE_MAX_ATTEMPTS=3, NOTICE_RETRY_SECONDS=30, NOTICE_RETRY_MAX_SECONDS=100)
    assert [retry_delay(attempt) for attempt in (1, 2, 3, 4)] == [30, 60, 100, 100]
    notice_id = queue_notice(
        NoticeChannel.SMS, "0912345678", NoticeKind.CALLED, number="A001", counter=1
    )
    db.session.commit()
    gateway.status = 503
    now = utcnow()
    for attempt, wait in ((1, 30), (2, 60)):
        notice = claim_next("test", now=now)
        assert notice.id == notice_id and notice.attempts == attempt
        record_outcome(notice, "gateway_error", "HTTP 503", now=now)
        assert notice.status == NoticeStatus.QUEUED
        assert claim_next("test", now=now) is None, "not due before its back-off"
        now = notice.next_attempt_at
        assert notice.next_attempt_at - notice.claimed_at == timedelta(seconds=wait)
    with time_machine.travel(now, tick=False):
        assert send_next(app, "test") is True
    assert statuses() == [("called", "failed")]
    auth.login("quantri", form=False)
    page = client.get("/admin/notices").text
    assert "Không gửi được" in page and "091****678" in page and "gateway_error" in page
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/admin/notices/{notice_id}/retry").status_code == 302
    gateway.status = 200
    assert send_all(app) == 1
    assert statuses() == [("called", "sent")] and gateway.texts() == ["Mời số A001 đến quầy 1."]


def test_a_refused_address_fails_at_once(app, demo, channels, gateway):
    gateway.status = 400
    queue_notice(NoticeChannel.SMS, "0912345678", NoticeKind.CALLED, number="A001", counter=1)
    db.session.commit()
    send_all(app)
    notice = db.session.execute(db.select(Notice)).scalar_one()
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 1)
    assert notice.last_error.startswith("gateway_refused: HTTP 400")


def test_contacts_are_erased_with_the_personal_data(app, client, kiosk_headers, keypad, channels):
    dossier = factories.dossier()
    record_consent(Contact(NoticeChannel.EMAIL, EMAIL), where="desk", dossier_id=dossier.id)
    events.dossier_received(dossier)
    db.session.commit()
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    agree_by_sms(client, kiosk_headers, ticket["token"])
    call_next(client, keypad)
    db.session.commit()
    exported = personal_data_of("001099012345")["dossiers"][0]["notices_agreed"]
    assert [(item["channel"], item["address"], item["where"]) for item in exported] == [
        ("email", EMAIL, "desk")
    ]
    erase_parties(dossier)
    assert forget_ticket_contacts(MORNING.date()) == 0, "today's tickets keep theirs"
    assert forget_ticket_contacts(MORNING.date() + timedelta(days=1)) == 1
    db.session.commit()
    assert count(NoticeConsent) == 0
    notices = db.session.execute(db.select(Notice)).scalars().all()
    assert [(notice.recipient, notice.status) for notice in notices] == [
        ("", NoticeStatus.WITHDRAWN),
        ("", NoticeStatus.WITHDRAWN),
    ]
    assert send_all(app) == 0


def test_a_gateway_that_is_down_is_tried_again_and_the_smtp_server_too(app, demo, channels):
    gateway = channels["SMS_GATEWAY_URL"]
    channels["SMS_GATEWAY_URL"] = "http://127.0.0.1:9/send"  # nothing listens on port 9
    outcome = send(channels, NoticeChannel.SMS, "0912345678", "", "x")
    assert outcome.error_code == "gateway_down"
    channels["SMS_GATEWAY_URL"] = gateway
    channels["MAIL_PORT"] = 9
    assert send(channels, NoticeChannel.EMAIL, EMAIL, "s", "x").error_code == "smtp_error"


@pytest.mark.timing
def test_a_gateway_that_is_down_slows_neither_the_tap_nor_the_call(
    app, client, kiosk_headers, keypad, channels, gateway
):
    """The worker runs beside the requests. Taps (each citizen agreeing to SMS), check-ins
    of bookings made with an SMS agreement, and calls are timed with the gateway answering,
    then with it hanging (every send waits for its timeout): their medians stay alike, and
    every notice (the bookings' confirmations too) goes out once it answers again."""
    app.config.update(
        NOTICE_TURN_NEAR_AHEAD=1,
        NOTICE_POLL_SECONDS=0.05,
        NOTICE_SEND_TIMEOUT=1,
        NOTICE_RETRY_SECONDS=0.5,
        NOTICE_RETRY_MAX_SECONDS=2,
        NOTICE_MAX_ATTEMPTS=50,
    )
    db.session.execute(db.update(BookingSettings).values(places=12))
    bookings = [
        booking.book(
            "GPLX",
            local_time(2026, 3, 2, 8, 15),
            BookingContact("Nguyễn Văn An", phone=f"09123450{n:02d}", consent=("sms",)),
        ).code
        for n in range(12)
    ]
    db.session.commit()
    worker = NoticeWorker(app)
    clock = time_machine.travel(MORNING, tick=True)  # the back-off's seconds must pass
    clock.start()
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        timings = {}
        for phase in ("answering", "down"):
            if phase == "down":
                gateway.hang()
            taps, check_ins, calls = [], [], []
            for _ in range(12):
                started = time.perf_counter()
                ticket = factories.kiosk_ticket(client, kiosk_headers)
                taps.append(time.perf_counter() - started)
                assert agree_by_sms(client, kiosk_headers, ticket["token"]).status_code == 201
            for _ in range(6):
                code = bookings.pop()
                started = time.perf_counter()
                check_in_at_kiosk(client, kiosk_headers, code)
                check_ins.append(time.perf_counter() - started)
            for _ in range(12):
                started = time.perf_counter()
                call_next(client, keypad)
                calls.append(time.perf_counter() - started)
            timings[phase] = tuple(map(statistics.median, (taps, check_ins, calls)))
        (tap_up, check_in_up, call_up) = timings["answering"]
        (tap_down, check_in_down, call_down) = timings["down"]
        print(
            f"median tap {tap_up * 1000:.1f} ms → {tap_down * 1000:.1f} ms, "
            f"check-in {check_in_up * 1000:.1f} ms → {check_in_down * 1000:.1f} ms, "
            f"call {call_up * 1000:.1f} ms → {call_down * 1000:.1f} ms with the gateway down"
        )
        assert tap_down < 2 * tap_up + 0.02 and call_down < 2 * call_up + 0.02
        assert check_in_down < 2 * check_in_up + 0.02
        gateway.answer()
        sent = wait_until(lambda: all(status == "sent" for _, status in statuses()), 60)
        assert sent, [row for row in statuses() if row[1] != "sent"]
    finally:
        gateway.answer()
        worker.stop()
        thread.join(timeout=30)
        clock.stop()
    # Every notice reached the gateway; one whose send timed out while the gateway hung may
    # have reached it twice (sent at least once, never lost).
    texts = db.session.execute(db.select(Notice.text)).scalars().all()
    assert len(texts) >= 24 + 12 and set(texts) <= set(gateway.texts())
    booked = db.select(Notice).where(Notice.kind == NoticeKind.BOOKING_CONFIRMED)
    assert len(db.session.execute(booked).all()) == 12


def test_a_keyed_notice_queued_from_many_threads_at_once_is_queued_once(app, demo, channels):
    """Two counters calling at once may both find a ticket's turn near: the keyed insert
    skips the taken key (SQLite's writer lock; PostgreSQL's ON CONFLICT DO NOTHING), and no
    call fails for it."""
    barrier = threading.Barrier(6)
    outcomes = []

    def queue_once():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                begin_write_transaction()
                notice_id = queue_notice(
                    NoticeChannel.SMS, "0912345678", NoticeKind.TURN_NEAR,
                    key="turn_near:1:sms", number="A005", ahead=2,
                )  # fmt: skip
                db.session.commit()
                outcomes.append(notice_id)
            except Exception as error:  # reported below
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=queue_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 6 and not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len([o for o in outcomes if o is not None]) == 1
    assert statuses() == [("turn_near", "queued")]


def test_zalo_goes_through_the_same_sender_with_its_own_template(
    app, client, kiosk_headers, keypad, gateway
):
    app.config.update(
        ZALO_GATEWAY_URL=gateway.url,
        ZALO_GATEWAY_BODY='{"phone": "$phone84", "template_id": "123456", '
        '"template_data": {"message": "$text"}}',
    )
    ticket = factories.kiosk_ticket(client, kiosk_headers)
    db.session.rollback()
    agreed = client.post(
        f"/api/v1/tickets/{ticket['token']}/notices",
        json={"phone": "0912345678", "agree": True, "channel": "zalo"},
        headers=kiosk_headers,
    )
    assert agreed.status_code == 201 and agreed.get_json()["channel"] == "zalo"
    call_next(client, keypad)
    assert send_all(app) == 1
    assert gateway.received[0]["body"] == {
        "phone": "84912345678",
        "template_id": "123456",
        "template_data": {"message": "Mời số A001 đến quầy 1."},
    }


# Bookings: the agreements given when booking, the confirmation, the reminder the working
# day before, and the booked ticket's notices after check-in at the kiosk.


def book_by_api(client, start: str, **contact) -> dict:
    db.session.rollback()
    response = client.post(
        "/api/v1/appointments",
        json={"service": "GPLX", "start": start, "name": "Nguyễn Văn An", **contact},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def check_in_at_kiosk(client, kiosk_headers, code: str) -> dict:
    db.session.rollback()
    response = client.post("/api/v1/tickets", json={"appointment": code}, headers=kiosk_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def booked_by_email(start, now=None, email: str = EMAIL):
    contact = BookingContact("Nguyễn Văn An", email=email, consent=("email",))
    made = booking.book("GPLX", start, contact, now=now)
    db.session.commit()
    return made


def test_a_booking_by_email_is_confirmed_and_its_checked_in_ticket_called_by_email(
    app, client, kiosk_headers, keypad, channels, smtp
):
    """Done when: book with an e-mail address, check in at the kiosk within the window, be
    called; the confirmation and the "called" e-mails reach the real SMTP server."""
    made = book_by_api(
        client, "2026-03-02T08:15:00+07:00", email="An.Nguyen@Example.vn", consent=["email"]
    )
    consent = db.session.execute(db.select(NoticeConsent)).scalar_one()
    assert (consent.channel, consent.recipient, consent.agreed_where, consent.ticket_id) == (
        NoticeChannel.EMAIL,
        EMAIL,
        "booking",
        None,
    )
    assert statuses() == [("booked", "queued")], "queued in the booking's own transaction"
    ticket = check_in_at_kiosk(client, kiosk_headers, made["code"])
    assert call_next(client, keypad)["number"] == ticket["number"]
    assert send_all(app) == 2
    mails = smtp.messages
    assert [(mail["To"], mail["Subject"]) for mail in mails] == [
        (EMAIL, f"Đã đặt lịch hẹn {made['code']}"),
        (EMAIL, f"Mời số {ticket['number']} đến quầy 1"),
    ]
    confirmation = mails[0].get_content()
    assert "lúc 08:15 ngày 02/03/2026" in confirmation and made["manage_url"] in confirmation
    ticket_consent = db.session.execute(
        db.select(NoticeConsent).where(NoticeConsent.ticket_id.is_not(None))
    ).scalar_one()
    assert (ticket_consent.agreed_where, ticket_consent.device_id) == ("booking", 1)


def test_a_booking_by_sms_from_the_booking_page_is_told_its_turn_and_its_counter(
    app, client, kiosk_headers, keypad, channels, gateway
):
    """The same with an SMS through the fake gateway, booked on the public page; a booking
    whose citizen agreed to nothing gets nothing."""
    app.config["NOTICE_TURN_NEAR_AHEAD"] = 1
    form = {
        "service": "GPLX",
        "start": "2026-03-02T08:30:00+07:00",
        "name": "Phạm Thị Dung",
        "phone": "0912 345 678",
        "consent_sms": "y",
        "csrf_token": csrf_token(client, "/dat-lich"),
    }
    done = client.post("/dat-lich?service=GPLX&date=2026-03-02", data=form)
    assert done.status_code == 302
    silent = book_by_api(client, "2026-03-02T08:30:00+07:00", phone="0987654321")
    [made] = db.session.execute(
        db.select(Appointment).where(Appointment.code != silent["code"])
    ).scalars()
    walk_ins = [factories.kiosk_ticket(client, kiosk_headers) for _ in range(2)]
    ticket = check_in_at_kiosk(client, kiosk_headers, made.code)
    check_in_at_kiosk(client, kiosk_headers, silent["code"])
    assert call_next(client, keypad)["number"] == walk_ins[0]["number"]  # 1 ahead: told
    call_next(client, keypad)
    assert call_next(client, keypad)["number"] == ticket["number"]
    assert send_all(app) == 3
    assert gateway.texts() == [
        f"Đã đặt lịch {made.service.name} lúc 08:30 ngày 02/03/2026, mã {made.code}. "
        f"Xem, đổi hoặc hủy: {app.config['PUBLIC_BASE_URL']}/dat-lich/{made.token}",
        f"Sắp đến lượt số {ticket['number']}: còn 1 người trước bạn. Xin mời có mặt gần quầy.",
        f"Mời số {ticket['number']} đến quầy 1.",
    ]
    assert {request["body"]["to"] for request in gateway.received} == {"84912345678"}


def test_a_moved_booking_is_confirmed_again_and_a_cancelled_one_told_nothing_more(
    app, demo, channels
):
    made = booked_by_email(local_time(2026, 3, 3, 10, 0))
    booking.move(made.token, local_time(2026, 3, 3, 11, 0))
    booking.move(made.token, local_time(2026, 3, 3, 10, 0))  # and back: told again
    booking.cancel(made.token)
    db.session.commit()
    texts = db.session.execute(db.select(Notice.text).order_by(Notice.id)).scalars().all()
    assert [text.split(", mã")[0][-21:] for text in texts] == [
        "10:00 ngày 03/03/2026",
        "11:00 ngày 03/03/2026",
        "10:00 ngày 03/03/2026",
    ]
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        assert queue_reminders() == 0, "a cancelled booking is not reminded"
    # The confirmations not sent yet name a time no longer booked: none goes out.
    outcomes = db.session.execute(db.select(Notice.status, Notice.last_error).order_by(Notice.id))
    assert outcomes.all() == [
        (NoticeStatus.WITHDRAWN, "booking_moved"),
        (NoticeStatus.WITHDRAWN, "booking_moved"),
        (NoticeStatus.WITHDRAWN, "booking_cancelled"),
    ]
    assert send_all(app) == 0


def test_a_reminder_queued_before_a_booking_is_cancelled_or_moved_is_not_sent(app, demo, channels):
    made = booked_by_email(local_time(2026, 3, 4, 10, 0))
    moved = booked_by_email(local_time(2026, 3, 4, 14, 0), email="binh@example.vn")
    assert send_all(app) == 2  # the confirmations went out
    with time_machine.travel(local_time(2026, 3, 3, 8, 0), tick=False):
        assert queue_reminders() == 2
        db.session.commit()
        booking.cancel(made.token)
        booking.move(moved.token, local_time(2026, 3, 5, 9, 0))
        db.session.commit()
    reminders = db.session.execute(
        db.select(Notice.appointment_id, Notice.status, Notice.last_error)
        .where(Notice.kind == NoticeKind.BOOKING_REMINDER)
        .order_by(Notice.id)
    ).all()
    assert reminders == [
        (made.id, NoticeStatus.WITHDRAWN, "booking_cancelled"),
        (moved.id, NoticeStatus.WITHDRAWN, "booking_moved"),
    ]
    cancelled = db.session.execute(
        db.select(AuditEvent).filter_by(action="appointment.cancelled")
    ).scalar_one()
    assert cancelled.details["notices_withdrawn"] == 1
    with time_machine.travel(local_time(2026, 3, 3, 8, 5), tick=False):
        assert send_all(app) == 1  # only the moved booking's new confirmation
    sent = db.session.execute(
        db.select(Notice.kind, Notice.text)
        .where(Notice.status == NoticeStatus.SENT)
        .order_by(Notice.id)
    ).all()
    assert sent[-1][0] == NoticeKind.BOOKING_CONFIRMED and "09:00 ngày 05/03/2026" in sent[-1][1]


def test_a_reminder_day_missed_by_the_worker_is_caught_up_on_the_bookings_day(app, demo, channels):
    """Nothing ran on Tuesday 3 March 2026: on Wednesday the bookings of that day that were
    made before Tuesday and start at least an hour later are reminded, once; one made on
    Tuesday (its confirmation is a day old) and one reminded already are not."""
    reminded = booked_by_email(local_time(2026, 3, 5, 9, 0), email="an@example.vn")
    missed = booked_by_email(local_time(2026, 3, 4, 14, 0))
    booked_by_email(local_time(2026, 3, 4, 8, 30), email="binh@example.vn")  # too soon
    with time_machine.travel(local_time(2026, 3, 3, 16, 0), tick=False):
        booked_by_email(local_time(2026, 3, 4, 15, 0), email="chi@example.vn")  # made Tuesday
    with time_machine.travel(local_time(2026, 3, 4, 8, 0), tick=False):
        assert queue_reminders() == 2  # the missed one today, Thursday's one as usual
        db.session.commit()
        assert queue_reminders() == 0
    reminders = db.select(Notice.appointment_id).where(Notice.kind == NoticeKind.BOOKING_REMINDER)
    assert sorted(db.session.execute(reminders).scalars()) == sorted([missed.id, reminded.id])
    text = db.session.execute(
        db.select(Notice.text).where(
            Notice.appointment_id == missed.id, Notice.kind == NoticeKind.BOOKING_REMINDER
        )
    ).scalar_one()
    assert "lúc 14:00 ngày 04/03/2026" in text


def test_the_worker_reminds_a_booking_the_working_day_before_once_per_channel(app, demo, channels):
    """Fixed clocks. Friday 6 March 2026 is made a day off: a booking of Monday 9 March is
    reminded on Thursday 5 March, from the opening of the office, once."""
    add_calendar_day(local_time(2026, 3, 6, 0, 0).date(), "day_off", "Nghỉ bù")
    monday = booked_by_email(local_time(2026, 3, 9, 9, 30))
    sunday = booked_by_email(local_time(2026, 3, 8, 9, 30), email="binh@example.vn")
    later = booked_by_email(local_time(2026, 3, 10, 9, 30))
    with time_machine.travel(local_time(2026, 3, 5, 10, 0), tick=False):
        made_today = booked_by_email(local_time(2026, 3, 9, 10, 0), email="chi@example.vn")
    reminders = db.select(Notice.appointment_id).where(Notice.kind == NoticeKind.BOOKING_REMINDER)
    for moment in (local_time(2026, 3, 4, 16, 0), local_time(2026, 3, 5, 7, 0)):
        with time_machine.travel(moment, tick=False):
            housekeeping()
    assert db.session.execute(reminders).all() == [], "not on Wednesday, nor before opening"
    for _ in range(2):
        with time_machine.travel(local_time(2026, 3, 5, 7, 45), tick=False):
            housekeeping()
    assert sorted(db.session.execute(reminders).scalars()) == sorted([monday.id, sunday.id])
    queued = count(AuditEvent, action="notice.queued")
    with time_machine.travel(local_time(2026, 3, 5, 8, 0), tick=False):
        assert queue_reminders() == 0, "reminded already: nothing counted, nothing written"
    assert count(AuditEvent, action="notice.queued") == queued
    for moment in (local_time(2026, 3, 6, 9, 0), local_time(2026, 3, 7, 9, 0)):
        with time_machine.travel(moment, tick=False):
            assert queue_reminders() == 0, "no reminder on a day off"
    with time_machine.travel(local_time(2026, 3, 9, 9, 0), tick=False):
        assert queue_reminders() == 1  # Tuesday's booking, on Monday
    db.session.commit()
    assert made_today.id not in db.session.execute(reminders).scalars().all()
    assert later.id in db.session.execute(reminders).scalars().all()
    with time_machine.travel(local_time(2026, 3, 9, 9, 5), tick=False):
        assert send_all(app) == 4 + 3  # the four confirmations and three reminders
    reminder = db.session.execute(
        db.select(Notice).where(Notice.appointment_id == monday.id, Notice.kind == "reminder")
    ).scalar_one()
    assert reminder.text.startswith(f"Nhắc lịch hẹn {monday.service.name} lúc 09:30 ngày 09/03")


def test_a_bookings_contacts_are_erased_with_its_personal_data(app, demo, channels):
    made = booked_by_email(local_time(2026, 3, 2, 10, 0))
    kept = booked_by_email(local_time(2026, 3, 16, 10, 0))
    with time_machine.travel(local_time(2026, 3, 12, 9, 0), tick=False):
        erase_bookings(local_time(2026, 3, 5, 0, 0))
        db.session.commit()
    assert [
        consent.appointment_id for consent in db.session.execute(db.select(NoticeConsent)).scalars()
    ] == [kept.id]
    notices = db.session.execute(db.select(Notice).order_by(Notice.id)).scalars().all()
    assert [(notice.appointment_id, notice.recipient, notice.status) for notice in notices] == [
        (made.id, "", NoticeStatus.WITHDRAWN),
        (kept.id, EMAIL, NoticeStatus.QUEUED),
    ]


def test_a_moved_booking_is_confirmed_once_per_time_and_channel(app, demo, channels):
    """A time confirmed by a message sent is not confirmed again; one whose message was
    withdrawn unsent (the booking moved on before it went) is."""
    app.config["BOOKING_MAX_MOVES"] = 4
    made = booked_by_email(local_time(2026, 3, 3, 10, 0))
    booking.move(made.token, local_time(2026, 3, 3, 11, 0))
    db.session.commit()
    assert send_all(app) == 1  # 11:00 confirmed (10:00's was withdrawn)
    for hour in (10, 11, 10):
        booking.move(made.token, local_time(2026, 3, 3, hour, 0))
    db.session.commit()
    rows = db.session.execute(db.select(Notice.key, Notice.status).order_by(Notice.id)).all()
    code, ids = made.code, [notice_id for notice_id in db.session.execute(
        db.select(Notice.id).order_by(Notice.id)).scalars()]  # fmt: skip
    assert rows == [
        (f"booked:{code}:email:withdrawn:{ids[0]}", NoticeStatus.WITHDRAWN),
        (f"moved:{code}:202603031100:email", NoticeStatus.SENT),
        (f"moved:{code}:202603031000:email:withdrawn:{ids[2]}", NoticeStatus.WITHDRAWN),
        (f"moved:{code}:202603031000:email", NoticeStatus.QUEUED),
    ]
    withdrawn = count(AuditEvent, action="notice.withdrawn")
    assert withdrawn == 2


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SMS_GATEWAY_URL", "sms.example.vn/send?key=SECRET", "SMS_GATEWAY_URL"),
        ("SMS_GATEWAY_HEADERS", '["Authorization", "Bearer SECRET"]', "SMS_GATEWAY_HEADERS"),
        ("SMS_GATEWAY_METHOD", "SECRET", "SMS_GATEWAY_METHOD"),
    ],
)
def test_a_bad_gateway_setting_fails_the_notice_at_once_naming_the_setting(
    app, demo, channels, setting, value, named
):
    from app import check_gateways

    app.config[setting] = value
    with pytest.raises(RuntimeError, match=named) as refused:
        check_gateways(app)
    assert "SECRET" not in str(refused.value)
    queue_notice(NoticeChannel.SMS, "0912345678", NoticeKind.CALLED, number="A001", counter=1)
    db.session.commit()
    assert send_all(app) == 1
    notice = db.session.execute(db.select(Notice)).scalar_one()
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 1)
    assert notice.last_error.startswith(f"bad_settings: {named}")
    assert "SECRET" not in notice.last_error


def test_a_notice_whose_sender_vanishes_each_time_fails_at_the_attempt_cap(app, demo, channels):
    from core.notices.outbox import sweep

    app.config["NOTICE_MAX_ATTEMPTS"] = 2
    queue_notice(NoticeChannel.SMS, "0912345678", NoticeKind.CALLED, number="A001", counter=1)
    db.session.commit()
    now = utcnow()
    for attempt, requeued in ((1, 1), (2, 0)):
        assert claim_next("lost", now=now).attempts == attempt  # and the sender dies
        now += timedelta(minutes=6)
        assert sweep(now) == requeued
        db.session.commit()
    notice = db.session.execute(db.select(Notice)).scalar_one()
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 2)
    assert claim_next("next", now=now + timedelta(hours=1)) is None
    assert count(AuditEvent, action="notice.failed") == 1


@pytest.mark.parametrize(
    ("address", "taken"),
    [("an.nguyen@example.vn", True), ("an@example.v", False), ("a" * 65 + "@example.vn", False)],
)
def test_the_booking_page_and_the_desk_take_the_same_email_addresses(app, address, taken):
    from core.appointments.errors import BookingRefused
    from core.errors import InvalidInput
    from core.notices.consent import checked_contact

    booker = BookingContact("Nguyễn Văn An", email=address)
    for check, refused in (
        (lambda: checked_contact("email", address), InvalidInput),
        (booker.cleaned, BookingRefused),
    ):
        if taken:
            check()
        else:
            with pytest.raises(refused):
                check()
