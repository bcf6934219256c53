"""Booked appointments: the slots offered, booking, cancelling and moving, never overbooked,
check-in at the kiosk for a booked ticket, and booked tickets in the calling order."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
import time_machine

from conftest import count, csrf_token, local_time
from core.appointments import booking
from core.appointments.booking import Booker as Contact
from core.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    AuditEvent,
    BookingSettings,
    Ticket,
)
from core.queue import calling
from core.queue.service_lookup import find_service
from core.queue.ticket_flow import Actor, TicketAction
from extensions import db
from tests import factories

MONDAY = local_time(2026, 3, 2, 9, 7)  # a Monday morning
SLOTS = "/api/v1/appointments/slots"
BOOK = "/api/v1/appointments"


def at(moment):
    return time_machine.travel(moment, tick=False)


def book(client, start: str, phone: str = "0912345678", service: str = "GPLX", **body):
    db.session.rollback()
    return client.post(
        BOOK,
        json={"service": service, "start": start, "name": "Nguyễn Văn An", "phone": phone, **body},
    )


def test_the_demo_services_offer_every_quarter_hour_of_today_and_14_days_on(client, demo):
    with at(MONDAY):
        today = client.get(SLOTS, query_string={"service": "GPLX", "date": "2026-03-02"}).get_json()
        sunday = client.get(
            SLOTS, query_string={"service": "GPLX", "date": "2026-03-08"}
        ).get_json()
        last = client.get(SLOTS, query_string={"service": "GPLX", "date": "2026-03-16"}).get_json()
        beyond = client.get(SLOTS, query_string={"service": "GPLX", "date": "2026-03-17"})
        bad = client.get(SLOTS, query_string={"service": "GPLX", "date": "2/3/2026"})
        unknown = client.get(SLOTS, query_string={"service": "NOPE", "date": "2026-03-02"})
    # Until a slot starts: the 09:00 slot has started, 09:15 is the first one offered.
    assert today[0] == {"start": "2026-03-02T09:15:00+07:00", "capacity": 2, "free": 2}
    assert today[-1]["start"] == "2026-03-02T23:45:00+07:00" and len(today) == 59
    assert len(sunday) == len(last) == 96
    assert beyond.get_json() == []
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_json()["error"]["message_vi"]
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "not_bookable"


def test_a_service_on_office_days_follows_the_calendar_and_its_settings(client, demo):
    settings = db.session.get(BookingSettings, find_service("PTIEN").id)
    settings.working_days_only = True
    settings.opens_minute, settings.closes_minute = 8 * 60, 10 * 60
    settings.slot_minutes, settings.cutoff_minutes = 30, 20
    db.session.commit()
    with at(MONDAY):
        monday = client.get(SLOTS, query_string={"service": "PTIEN", "date": "2026-03-02"})
        tuesday = client.get(SLOTS, query_string={"service": "PTIEN", "date": "2026-03-03"})
        saturday = client.get(SLOTS, query_string={"service": "PTIEN", "date": "2026-03-07"})
    # Closing 20 minutes before: at 09:07, only 09:30 is left today.
    assert [slot["start"][11:16] for slot in monday.get_json()] == ["09:30"]
    assert [slot["start"][11:16] for slot in tuesday.get_json()] == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
    ]
    assert saturday.get_json() == []


def test_booking_answers_its_code_and_link_refuses_a_second_and_a_full_slot(client, demo):
    with at(MONDAY):
        first = book(
            client, "2026-03-03T10:00:00+07:00", email="an@example.vn", consent=["email", "sms"]
        )
        again = book(client, "2026-03-03T14:00:00+07:00", email="other@example.vn")
        second = book(client, "2026-03-03T10:00:00", phone="0987654321", citizen_id="001089012345")
        full = book(client, "2026-03-03T10:00:00+07:00", phone="0977000111")
        past = book(client, "2026-03-02T09:00:00+07:00", phone="0977000111")
        odd = book(client, "2026-03-03T10:05:00+07:00", phone="0977000111")
        no_contact = client.post(
            BOOK, json={"service": "GPLX", "start": "2026-03-03T11:00:00", "name": "An"}
        )
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert set(body) >= {"code", "token", "start", "service", "manage_url"}
    assert body["start"] == "2026-03-03T10:00:00+07:00" and body["service"] == "GPLX"
    assert body["manage_url"] == f"http://testserver.local/dat-lich/{body['token']}"
    assert len(body["code"]) == 6
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "already_booked"
    assert second.status_code == 201
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "slot_full"
    assert "10:00 03/03/2026" in full.get_json()["error"]["message_vi"]
    assert full.get_json()["error"]["message_en"] != full.get_json()["error"]["message_vi"]
    assert past.status_code == odd.status_code == no_contact.status_code == 422
    stored = db.session.execute(db.select(Appointment).filter_by(code=body["code"])).scalar_one()
    assert (stored.consent_email, stored.consent_sms, stored.phone) == (True, True, "0912345678")
    assert count(AuditEvent, action="appointment.booked") == 2
    slot = db.session.execute(db.select(AppointmentSlot)).scalar_one()
    assert (slot.capacity, slot.booked) == (2, 2)


def test_cancelling_and_moving_give_the_place_back(app, demo):
    with at(MONDAY):
        contact = Contact("Trần Thị Bình", phone="0912345678")
        appointment = booking.book("GPLX", local_time(2026, 3, 3, 10, 0), contact)
        db.session.commit()
        booking.move(appointment.token, local_time(2026, 3, 4, 8, 30))
        db.session.commit()
        slots = {
            slot.starts_at: slot.booked
            for slot in db.session.execute(db.select(AppointmentSlot)).scalars()
        }
        assert slots == {local_time(2026, 3, 3, 10, 0): 0, local_time(2026, 3, 4, 8, 30): 1}
        booking.cancel(appointment.token)
        db.session.commit()
        assert appointment.status == AppointmentStatus.CANCELLED
        # Cancelled, it no longer holds the day: the same phone books again.
        booking.book("GPLX", local_time(2026, 3, 4, 8, 30), contact)
        db.session.commit()
    assert count(AuditEvent, action="appointment.moved") == 1
    assert count(AuditEvent, action="appointment.cancelled") == 1


def book_over_http(url: str, start: str, phone: str) -> int:
    body = {"service": "VTAI", "start": start, "name": "Lê Văn Cường", "phone": phone}
    return requests.post(f"{url}{BOOK}", json=body, timeout=30).status_code


@pytest.mark.slow
def test_many_booking_at_once_never_overbook_a_slot(live_server):
    """Real gunicorn workers, 24 threads: the last place of each slot goes to one of them."""
    tomorrow = db.session.execute(db.select(db.func.current_date())).scalar_one() + timedelta(
        days=1
    )
    starts = [f"{tomorrow.isoformat()}T{hour:02d}:00:00+07:00" for hour in (9, 10, 11)]
    # One place of the first slot already taken: its last place is fought over.
    assert book_over_http(live_server.url, starts[0], "0900000000") == 201
    phones = [f"09{index:08d}" for index in range(1, 25)]
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(
            pool.map(
                lambda pair: book_over_http(live_server.url, starts[pair[0] % 3], pair[1]),
                enumerate(phones),
            )
        )
    assert sorted(results).count(201) == 1 + 2 + 2
    assert set(results) == {201, 409}
    db.session.rollback()
    booked = db.session.execute(db.select(AppointmentSlot.booked)).scalars().all()
    assert sorted(booked) == [2, 2, 2]
    assert count(Appointment) == 6


def test_check_in_gives_a_booked_ticket_once_inside_the_window(client, demo, kiosk_headers):
    with at(MONDAY):
        made = book(client, "2026-03-02T10:00:00+07:00", citizen_id="001089012345").get_json()
    tickets = "/api/v1/tickets"
    with at(local_time(2026, 3, 2, 9, 29)):
        early = client.post(tickets, json={"appointment": made["code"]}, headers=kiosk_headers)
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "outside_check_in_window"
    assert "09:30" in early.get_json()["error"]["message_vi"]
    with at(local_time(2026, 3, 2, 9, 40)):
        typed = made["code"][:3].lower() + "-" + made["code"][3:]
        db.session.rollback()
        ticket = client.post(tickets, json={"appointment": typed}, headers=kiosk_headers)
        db.session.rollback()
        again = client.post(tickets, json={"appointment": made["code"]}, headers=kiosk_headers)
        unknown = client.post(tickets, json={"appointment": "ZZZZZZ"}, headers=kiosk_headers)
    assert ticket.status_code == 201, ticket.get_json()
    assert ticket.get_json()["booked_for"] == "2026-03-02T10:00:00+07:00"
    assert ticket.get_json()["appointment"] == made["code"]
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_checked_in"
    assert unknown.status_code == 404
    stored = db.session.execute(db.select(Appointment)).scalar_one()
    assert stored.status == AppointmentStatus.CHECKED_IN and stored.ticket.number == "A001"
    assert stored.ticket.citizen_id == "001089012345"
    assert count(AuditEvent, action="appointment.checked_in") == 1


def test_booked_tickets_are_called_after_priority_once_their_slot_starts(demo):
    with at(local_time(2026, 3, 2, 8, 0)):
        factories.counter_session("canbo1", 1)
        later = booking.book(
            "GPLX", local_time(2026, 3, 2, 9, 0), Contact("An", phone="0912000001")
        )
        sooner = booking.book(
            "GPLX", local_time(2026, 3, 2, 8, 30), Contact("Bình", phone="0912000002")
        )
        db.session.commit()
    with at(local_time(2026, 3, 2, 8, 25)):
        factories.ticket("GPLX")  # A001, a walk-in
        factories.ticket("GPLX", priority=True)  # A002
    from core.appointments.check_in import check_in

    with at(local_time(2026, 3, 2, 8, 40)):
        check_in(code=later.code)  # A003, its slot at 09:00 not yet started
        check_in(code=sooner.code)  # A004, its slot at 08:30 started
        db.session.commit()
        factories.ticket("GPLX")  # A005
    actor = Actor(user=factories.user("canbo1"))
    order = []
    with at(local_time(2026, 3, 2, 8, 45)):
        for _ in range(3):
            result = calling.call_next(1, actor)
            calling.act_on_current(1, TicketAction.START, actor)
            db.session.commit()
            order.append(result.called.number)
    with at(local_time(2026, 3, 2, 9, 0)):  # A003's slot starts now
        for _ in range(2):
            result = calling.call_next(1, actor)
            calling.act_on_current(1, TicketAction.START, actor)
            db.session.commit()
            order.append(result.called.number)
    assert order == ["A002", "A004", "A001", "A003", "A005"]
    assert db.session.execute(db.select(Ticket.booked_for).filter_by(number="A004")).scalar_one()


def test_the_booking_page_books_shows_the_code_moves_and_cancels(client, demo):
    with at(MONDAY):
        home = client.get("/").get_data(as_text=True)
        assert 'href="/dat-lich"' in home
        page = client.get("/dat-lich?service=GPLX&date=2026-03-03")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'value="2026-03-03T08:00:00+07:00"' in html and "còn 2 chỗ" in html
        form = {
            "service": "GPLX",
            "start": "2026-03-03T08:00:00+07:00",
            "name": "Phạm Thị Dung",
            "csrf_token": csrf_token(client, "/dat-lich"),
        }
        missing = client.post("/dat-lich?service=GPLX&date=2026-03-03", data=form)
        assert missing.status_code == 422
        assert "số điện thoại hoặc địa chỉ e-mail" in missing.get_data(as_text=True)
        done = client.post(
            "/dat-lich?service=GPLX&date=2026-03-03",
            data={**form, "phone": "0912 345 678", "consent_sms": "y"},
        )
        assert done.status_code == 302
        shown = client.get(done.headers["Location"])
        appointment = db.session.execute(db.select(Appointment)).scalar_one()
        assert appointment.code in shown.get_data(as_text=True)
        assert shown.headers["Cache-Control"] == "no-store"
        assert appointment.consent_sms and not appointment.consent_email
        moved = client.post(
            f"/dat-lich/{appointment.token}?date=2026-03-04",
            data={"start": "2026-03-04T10:30:00+07:00", "csrf_token": form["csrf_token"]},
        )
        assert moved.status_code == 302
        client.post(
            f"/dat-lich/{appointment.token}",
            data={"cancel": "Hủy lịch hẹn", "csrf_token": form["csrf_token"]},
        )
        db.session.refresh(appointment)
        assert appointment.status == AppointmentStatus.CANCELLED
        assert appointment.starts_at == local_time(2026, 3, 4, 10, 30)
        qr = client.get(f"/dat-lich/{appointment.token}/qr.svg")
        assert qr.mimetype == "image/svg+xml"


def test_managers_see_bookings_check_ins_no_shows_and_waits_per_service_and_day(client, auth, demo):
    from core.appointments.check_in import check_in
    from core.appointments.figures import booking_table
    from core.models import Agency
    from core.reports.periods import Period
    from core.reports.reform import ReportFilter

    with at(local_time(2026, 3, 2, 8, 0)):
        factories.counter_session("canbo1", 1)
        came = booking.book("GPLX", local_time(2026, 3, 2, 9, 0), Contact("An", phone="0912000001"))
        booking.book("GPLX", local_time(2026, 3, 2, 9, 0), Contact("Bình", phone="0912000002"))
        dropped = booking.book(
            "GPLX", local_time(2026, 3, 2, 9, 15), Contact("Chi", phone="0912000003")
        )
        booking.cancel(dropped.token)
        db.session.commit()
    with at(local_time(2026, 3, 2, 8, 50)):
        factories.ticket("GPLX")  # a walk-in, waits 20 minutes
        check_in(code=came.code)  # booked, waits 10 minutes
        db.session.commit()
    actor = Actor(user=factories.user("canbo1"))
    with at(local_time(2026, 3, 2, 9, 0)):
        calling.call_next(1, actor)  # the booked one, its slot started
        calling.act_on_current(1, TicketAction.START, actor)
        db.session.commit()
    with at(local_time(2026, 3, 2, 9, 10)):
        calling.call_next(1, actor)
        db.session.commit()
    with at(local_time(2026, 3, 2, 12, 0)):
        monday = Period(local_time(2026, 3, 2).date(), local_time(2026, 3, 2).date())
        table = booking_table(monday)
        assert table.rows == [["02/03/2026", "Cấp, đổi giấy phép lái xe", 3, 1, 1, 1, 10.0, 20.0]]
        # The page's filters narrow it: another agency's services, another counter's waits.
        police = Agency(code="CA-TINH", name="Công an tỉnh")
        db.session.add(police)
        db.session.flush()
        gplx = find_service("GPLX")
        assert booking_table(monday, ReportFilter(agency_id=police.id)).rows == []
        assert booking_table(monday, ReportFilter(agency_id=gplx.agency_id)).rows == table.rows
        assert booking_table(monday, ReportFilter(counter_id=2)).rows == [
            ["02/03/2026", "Cấp, đổi giấy phép lái xe", 3, 1, 1, 1, None, None]
        ]
        db.session.commit()
        auth.login("lanhdao")
        page = client.get("/dashboard/stats?from=2026-03-02&to=2026-03-02&agency=CA-TINH")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    assert (
        'data-table="bookings"' in html
        and "Cấp, đổi giấy phép lái xe"
        not in html.split('data-table="bookings"')[1].split("</table>")[0]
    )


def test_an_admin_sets_a_services_booking_hours_and_places(client, auth, demo):
    from conftest import csrf_token

    service = find_service("KCHT")
    auth.login("quantri")
    path = f"/admin/services/{service.id}/booking"
    page = client.get(path)
    assert page.status_code == 200 and 'value="15"' in page.get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(client, path),
        "enabled": "y",
        "slot_minutes": "30",
        "places": "3",
        "days_ahead": "7",
        "opens": "7h30",
        "closes": "11:00",
        "cutoff_minutes": "60",
        "working_days_only": "y",
    }
    wrong = client.post(path, data={**form, "places": "0", "closes": "07:45"})
    assert wrong.status_code == 422
    assert "Hãy nhập một số từ 1 đến 50." in wrong.get_data(as_text=True)
    assert client.post(path, data=form).status_code == 302
    settings = db.session.get(BookingSettings, service.id)
    db.session.refresh(settings)
    assert (settings.opens_minute, settings.closes_minute, settings.places) == (450, 660, 3)
    assert settings.working_days_only and settings.slot_minutes == 30
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="booking_settings.changed")
    ).scalar_one()
    assert event.details["service"] == "KCHT" and event.details["places"] == 3
    with at(MONDAY):
        slots = client.get(SLOTS, query_string={"service": "KCHT", "date": "2026-03-03"})
    assert [slot["start"][11:16] for slot in slots.get_json()] == [
        "07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
    ]  # fmt: skip


def test_bookings_are_erased_with_the_rest_of_the_personal_data(app, demo):
    from core.dossiers.privacy import anonymise_finished

    with at(MONDAY):
        contact = Contact("Võ Thị Hạnh", phone="0912000009", citizen_id="001089012345")
        kept = booking.book("GPLX", local_time(2026, 3, 16, 10, 0), contact)
        old = booking.book("GPLX", local_time(2026, 3, 2, 10, 0), contact, now=MONDAY)
        db.session.commit()
    with at(local_time(2026, 3, 12, 9, 0)):
        result = anonymise_finished(7)
        db.session.commit()
    assert result.bookings == 1
    assert (old.name, old.phone, old.citizen_id) == ("(đã ẩn danh)", None, None)
    assert kept.name == "Võ Thị Hạnh" and kept.phone == "0912000009"
    assert count(AuditEvent, action="appointment.anonymised") == 1


def test_a_taken_booking_code_is_drawn_again_not_called_already_booked(app, demo, monkeypatch):
    with at(MONDAY):
        an = Contact("An", phone="0912000001")
        first = booking.book("GPLX", local_time(2026, 3, 3, 10, 0), an)
        db.session.commit()
        codes = iter([first.code, first.code, "ZZZ234"])
        monkeypatch.setattr(booking, "new_code", lambda: next(codes))
        second = booking.book(
            "GPLX", local_time(2026, 3, 3, 10, 0), Contact("Bình", phone="0912000002")
        )
        db.session.commit()
    assert second.code == "ZZZ234" and second.token != first.token
    assert count(Appointment) == 2
    assert count(AuditEvent, action="appointment.booked") == 2
    slot = db.session.execute(db.select(AppointmentSlot)).scalar_one()
    assert slot.booked == 2


def test_the_booking_page_limits_posts_per_booking_and_caps_moves(app, client, demo):
    app.config.update(BOOKING_CHANGE_RATE_LIMIT="4 per minute", BOOKING_MAX_MOVES=2)
    with at(MONDAY):
        an = Contact("An", phone="0912000001")
        made = booking.book("GPLX", local_time(2026, 3, 3, 10, 0), an)
        db.session.commit()
        token = csrf_token(client, "/dat-lich")
        answers = []
        for hour in (8, 9, 10, 11, 12):
            db.session.rollback()
            answers.append(
                client.post(
                    f"/dat-lich/{made.token}?date=2026-03-04",
                    data={"start": f"2026-03-04T{hour:02}:00:00+07:00", "csrf_token": token},
                )
            )
        codes = [answer.status_code for answer in answers]
        assert codes == [302, 302, 200, 200, 429]  # refused on the page itself, then limited
        assert "đã được đổi giờ 2 lần" in answers[2].get_data(as_text=True)
        # Another address may not spend this booking's allowance either.
        other = client.post(
            f"/dat-lich/{made.token}",
            data={"cancel": "1", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert other.status_code == 429
    db.session.rollback()
    assert db.session.get(Appointment, made.id).moves == 2
    assert count(AuditEvent, action="appointment.moved") == 2
