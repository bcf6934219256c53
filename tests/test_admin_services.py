"""Services from the admin screens: create, edit, opening hours, numbering changes."""

import pytest
import time_machine

from admin_support import StaffClient, audit_actions, database_state, text_of
from conftest import local_time
from core.models import AuditEvent, Service, ServiceNumberingChange, Ticket
from core.queue.issuing import issue_ticket
from core.queue.opening_hours import week_of
from core.queue.service_lookup import find_service
from extensions import db

MONDAY_MORNING = local_time(2026, 3, 2, 9, 0)
OFFICE_WEEK = [[(450, 690), (810, 1020)]] * 5 + [[], []]


def hours_fields(rows) -> dict:
    """Form fields for seven rows of up to two (opens, closes) texts."""
    fields = {}
    for day, periods in enumerate(rows):
        for index, (opens, closes) in enumerate(periods, start=1):
            fields[f"hours-{day}-opens_{index}"] = opens
            fields[f"hours-{day}-closes_{index}"] = closes
    return fields


OFFICE_ROWS = [[("07:30", "11:30"), ("13:30", "17:00")]] * 5 + [[("", ""), ("", "")]] * 2


def service_form(**changes) -> dict:
    fields = {
        "code": "DKX",
        "name": "Đăng ký xe máy chuyên dùng",
        "name_en": "Special-purpose vehicle registration",
        "prefix": "H",
        "digits": "3",
        "sort_order": "7",
        "active": "y",
        **hours_fields(changes.pop("rows", OFFICE_ROWS)),
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def service(code: str) -> Service:
    db.session.rollback()
    return db.session.execute(db.select(Service).filter_by(code=code)).scalar_one()


def test_admin_creates_a_service_with_office_hours(admin):
    response = admin.submit("/admin/services/new", service_form())
    assert response.status_code == 302 and response.location == "/admin/services"
    created = service("DKX")
    assert (created.name, created.name_en, created.prefix, created.digits, created.sort_order) == (
        "Đăng ký xe máy chuyên dùng",
        "Special-purpose vehicle registration",
        "H",
        3,
        7,
    )
    assert week_of(created.hours) == OFFICE_WEEK
    assert created.is_open_at(local_time(2026, 3, 6, 16, 59))  # Friday afternoon
    assert not created.is_open_at(local_time(2026, 3, 2, 12, 0))  # lunch
    assert not created.is_open_at(local_time(2026, 3, 7, 9, 0))  # Saturday
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="service.created")
    ).scalar_one()
    assert event.user_id == admin.user_id and event.subject_id == created.id
    assert "T2–T6 07:30–11:30, 13:30–17:00" in event.details["hours"]
    listing = text_of(admin.get("/admin/services"))
    assert "Đã thêm dịch vụ “Đăng ký xe máy chuyên dùng”." in listing
    assert "H001" in listing and "T2–T6" in listing


def test_the_new_service_form_starts_with_office_hours(admin):
    page = text_of(admin.get("/admin/services/new"))
    assert 'name="hours-0-opens_1" type="text" value="07:30"' in page
    assert 'name="hours-4-closes_2" type="text" value="17:00"' in page
    assert 'name="hours-5-opens_1" type="text" value=""' in page
    assert page.count('<tr data-hours-row class="is-closed">') == 2, "Saturday and Sunday"
    assert "Giờ hành chính + sáng thứ Bảy" in page and "24/7" in page


def test_saturday_morning_and_relaxed_clock_formats(admin):
    rows = [[("7h30", "11h30"), ("13.30", "17:00")]] * 5 + [[("7:30", "11:30"), ("", "")]]
    rows += [[("00:00", "24:00"), ("", "")]]
    assert admin.submit("/admin/services/new", service_form(rows=rows)).status_code == 302
    week = week_of(service("DKX").hours)
    assert week[5] == [(450, 690)] and week[6] == [(0, 1440)] and week[0] == OFFICE_WEEK[0]


def test_a_service_without_hours_is_saved_with_a_warning(admin):
    closed_week = [[("", ""), ("", "")]] * 7
    response = admin.submit("/admin/services/new", service_form(rows=closed_week))
    assert response.status_code == 302 and service("DKX").hours == []
    listing = text_of(admin.get("/admin/services"))
    assert "chưa có giờ cấp số nên máy lấy số sẽ chưa cấp số" in listing
    assert "Chưa có giờ cấp số" in listing


def test_editing_a_service_changes_names_hours_and_status(admin):
    gplx = service("GPLX")
    form = service_form(code="GPLX", name="Giấy phép lái xe", prefix="A", active=None)
    response = admin.submit(f"/admin/services/{gplx.id}/edit", form)
    assert response.status_code == 302
    edited = service("GPLX")
    assert edited.name == "Giấy phép lái xe" and edited.active is False
    assert week_of(edited.hours) == OFFICE_WEEK
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="service.updated")
    ).scalar_one()
    assert event.user_id == admin.user_id
    assert event.details["changes"]["active"] == [True, False]
    assert event.details["changes"]["name"] == ["Cấp, đổi giấy phép lái xe", "Giấy phép lái xe"]
    assert event.details["changes"]["hours"][0] == "T2–CN 00:00–24:00"


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_deactivating_keeps_the_history(admin, client):
    issue_ticket(find_service("GPLX"))
    db.session.commit()
    gplx = service("GPLX")
    form = service_form(code="GPLX", name=gplx.name, prefix="A", active=None)
    assert admin.submit(f"/admin/services/{gplx.id}/edit", form).status_code == 302
    assert db.session.execute(db.select(Ticket.number)).scalars().all() == ["A001"]
    listing = text_of(admin.get("/admin/services"))
    assert "GPLX" in listing and "Ngừng cấp số" in listing
    codes = [entry["code"] for entry in client.get("/api/v1/services").get_json()["services"]]
    assert "GPLX" not in codes and "PTIEN" in codes


INVALID_SERVICES = [
    ({"prefix": "ABC"}, "Tiền tố là một hoặc hai chữ cái"),
    ({"prefix": "Đ"}, "Tiền tố là một hoặc hai chữ cái"),
    ({"prefix": "12"}, "Tiền tố là một hoặc hai chữ cái"),
    ({"prefix": "A1"}, "Tiền tố là một hoặc hai chữ cái"),
    ({"prefix": "B"}, "Tiền tố “B” đang được dịch vụ “Đăng ký, kiểm định phương tiện” dùng"),
    ({"code": "GPLX"}, "Mã dịch vụ “GPLX” đã được dùng cho “Cấp, đổi giấy phép lái xe”."),
    ({"code": "Đ K"}, "Mã dịch vụ gồm 2–32 chữ in hoa"),
    ({"name": "   "}, "Tên dịch vụ (tiếng Việt) cần có"),
    ({"digits": "9"}, "Số chữ số phải từ 2 đến 5."),
    ({"digits": "ba"}, "Hãy nhập một số nguyên."),
    ({"sort_order": ""}, "Vui lòng nhập trường này."),
    (
        {"rows": [[("07:30", "11:30"), ("11:00", "17:00")]] + OFFICE_ROWS[1:]},
        "Thứ Hai: buổi chiều (11:00) phải bắt đầu sau khi buổi sáng kết thúc (11:30).",
    ),
    (
        {"rows": OFFICE_ROWS[:2] + [[("17:00", "07:30"), ("", "")]] + OFFICE_ROWS[3:]},
        "Thứ Tư, buổi sáng: giờ mở (17:00) phải trước giờ đóng (07:30).",
    ),
    (
        {"rows": OFFICE_ROWS[:4] + [[("07:30", "11:30"), ("13:30", "")]] + OFFICE_ROWS[5:]},
        "Thứ Sáu, buổi chiều: cần nhập cả giờ mở và giờ đóng",
    ),
    (
        {"rows": OFFICE_ROWS[:6] + [[("25:00", "26:00"), ("", "")]]},
        "Chủ nhật, buổi sáng: “25:00” không phải giờ hợp lệ",
    ),
    (
        {"rows": [[("7:5", "11:30"), ("", "")]] + OFFICE_ROWS[1:]},
        "Thứ Hai, buổi sáng: “7:5” không phải giờ hợp lệ",
    ),
    (
        {"rows": [[("24:00", "24:00"), ("", "")]] + OFFICE_ROWS[1:]},
        "Thứ Hai, buổi sáng: “24:00” không phải giờ hợp lệ",
    ),
]


def test_invalid_services_are_refused_and_nothing_is_written(admin):
    before = database_state()
    for changes, message in INVALID_SERVICES:
        response = admin.submit("/admin/services/new", service_form(**changes))
        assert response.status_code == 422, changes
        assert message in text_of(response), changes
        assert database_state() == before, changes


def test_an_invalid_edit_changes_nothing_either(admin):
    gplx = service("GPLX")
    before = database_state()
    form = service_form(code="PTIEN", name="Đổi tên", prefix="A")
    response = admin.submit(f"/admin/services/{gplx.id}/edit", form)
    assert response.status_code == 422
    assert "Mã dịch vụ “PTIEN” đã được dùng" in text_of(response)
    assert 'value="Đổi tên"' in text_of(response), "the form keeps what was typed"
    assert database_state() == before


def test_the_refused_day_is_marked_in_the_hours_table(admin):
    rows = OFFICE_ROWS[:2] + [[("17:00", "07:30"), ("", "")]] + OFFICE_ROWS[3:]
    page = text_of(admin.submit("/admin/services/new", service_form(rows=rows)))
    marked = page.split('<tr data-hours-row class="has-error">')
    assert len(marked) == 2 and marked[1].lstrip().startswith('<th scope="row">Thứ Tư</th>')


def test_errors_in_english(admin):
    response = admin.submit("/admin/services/new?lang=en", service_form(prefix="ABC"))
    assert "The prefix is one or two letters without accents" in text_of(response)


def edit_numbering(admin, code: str, prefix: str, digits: str = "3"):
    current = service(code)
    form = service_form(code=code, name=current.name, prefix=prefix, digits=digits)
    return admin.submit(f"/admin/services/{current.id}/edit", form)


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_prefix_change_before_the_first_ticket_applies_at_once(admin):
    assert edit_numbering(admin, "GPLX", "G", "4").status_code == 302
    assert (service("GPLX").prefix, service("GPLX").digits) == ("G", 4)
    assert db.session.execute(db.select(ServiceNumberingChange)).first() is None
    assert issue_ticket(find_service("GPLX")).number == "G0001"


def test_a_prefix_change_after_the_first_ticket_waits_for_tomorrow(admin):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        first = issue_ticket(find_service("GPLX"))
        db.session.commit()
        response = edit_numbering(admin, "GPLX", "G")
        assert response.status_code == 302
        listing = text_of(admin.get("/admin/services"))
        assert "Hôm nay đã cấp 1 số nên cách đánh số mới chỉ áp dụng từ ngày 03/03/2026" in listing
        assert "→ G001 từ 03/03" in listing
        edit_page = text_of(admin.get(f"/admin/services/{service('GPLX').id}/edit"))
        assert "Hôm nay dịch vụ vẫn in số dạng A001; dạng G001 sẽ áp dụng từ ngày 03/03/2026." in (
            edit_page
        )
        assert 'name="prefix" required type="text" value="G"' in edit_page
        second = issue_ticket(find_service("GPLX"))
        db.session.commit()
    with time_machine.travel(local_time(2026, 3, 3, 8, 0), tick=False):
        third = issue_ticket(find_service("GPLX"))
        db.session.commit()
    assert [first.number, second.number, third.number] == ["A001", "A002", "G001"]
    assert service("GPLX").prefix == "G"
    assert db.session.execute(db.select(ServiceNumberingChange)).first() is None
    actions = [action for action, _ in audit_actions()]
    assert actions.index("service.numbering_scheduled") < actions.index("service.numbering_applied")
    scheduled = db.session.execute(
        db.select(AuditEvent).filter_by(action="service.numbering_scheduled")
    ).scalar_one()
    assert scheduled.user_id == admin.user_id
    assert scheduled.details == {
        "prefix": "G",
        "digits": 3,
        "effective_on": "2026-03-03",
        "issued_today": 1,
    }


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_going_back_to_todays_prefix_cancels_the_waiting_change(admin):
    issue_ticket(find_service("GPLX"))
    db.session.commit()
    edit_numbering(admin, "GPLX", "G")
    assert db.session.execute(db.select(ServiceNumberingChange)).scalar_one().prefix == "G"
    edit_numbering(admin, "GPLX", "A")
    assert db.session.execute(db.select(ServiceNumberingChange)).first() is None
    assert ("service.numbering_cancelled", admin.user_id) in audit_actions()


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_waiting_prefix_is_taken_for_other_services(admin):
    issue_ticket(find_service("GPLX"))
    db.session.commit()
    edit_numbering(admin, "GPLX", "G")
    before = database_state()
    response = edit_numbering(admin, "PTIEN", "G")
    assert response.status_code == 422
    assert "Tiền tố “G” đang được dịch vụ “Cấp, đổi giấy phép lái xe” dùng" in text_of(response)
    assert database_state() == before


def test_an_inactive_service_frees_its_prefix_until_reactivated(admin):
    ptien = service("PTIEN")
    form = service_form(code="PTIEN", name=ptien.name, prefix="B", active=None)
    admin.submit(f"/admin/services/{ptien.id}/edit", form)
    assert admin.submit("/admin/services/new", service_form(prefix="B")).status_code == 302
    before = database_state()
    response = admin.submit(f"/admin/services/{ptien.id}/edit", {**form, "active": "y"})
    assert response.status_code == 422 and "Tiền tố “B” đang được" in text_of(response)
    assert database_state() == before
