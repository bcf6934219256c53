"""Counters from the admin screens: number, name, status and the services each serves."""

import re

import pytest

from admin_support import StaffClient, database_state, text_of
from core.models import AuditEvent, Counter, Service
from extensions import db


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def service_ids(*codes) -> list[str]:
    rows = db.session.execute(
        db.select(Service.id).where(Service.code.in_(codes)).order_by(Service.id)
    ).scalars()
    return [str(service_id) for service_id in rows]


def counter(number: int) -> Counter:
    db.session.rollback()
    return db.session.execute(db.select(Counter).filter_by(number=number)).scalar_one()


def test_admin_adds_a_counter_serving_two_services(admin):
    form = {"number": "6", "name": "Quầy ưu tiên", "active": "y"}
    response = admin.submit(
        "/admin/counters/new", {**form, "services": service_ids("GPLX", "TRAKQ")}
    )
    assert response.status_code == 302
    added = counter(6)
    assert added.name == "Quầy ưu tiên" and added.active
    assert [service.code for service in added.services] == ["GPLX", "TRAKQ"]
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="counter.created")
    ).scalar_one()
    assert event.user_id == admin.user_id
    assert event.details == {
        "number": 6,
        "name": "Quầy ưu tiên",
        "active": True,
        "services": ["GPLX", "TRAKQ"],
        "agency": "000.17.22.H56",
        "area": "",
    }
    listing = text_of(admin.get("/admin/counters"))
    assert "Đã thêm quầy số 6." in listing and "Quầy ưu tiên" in listing


def test_a_blank_name_becomes_quay_so_n(admin):
    admin.submit("/admin/counters/new", {"number": "12", "name": " "})
    assert counter(12).name == "Quầy số 12" and counter(12).services == []


def test_editing_the_services_of_a_counter(admin):
    quay2 = counter(2)
    page = text_of(admin.get(f"/admin/counters/{quay2.id}/edit"))
    ticked = re.findall(
        r'<input checked id="services-\d+" name="services" type="checkbox" value="(\d+)"', page
    )
    assert ticked == service_ids("GPLX", "PTIEN")
    form = {"number": "2", "name": "Quầy 2 (đăng ký xe)", "services": service_ids("PTIEN", "VTAI")}
    assert admin.submit(f"/admin/counters/{quay2.id}/edit", form).status_code == 302
    edited = counter(2)
    assert [service.code for service in edited.services] == ["PTIEN", "VTAI"]
    assert edited.active is False, "an unticked box means out of service"
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="counter.updated")
    ).scalar_one()
    assert event.user_id == admin.user_id
    assert event.details["changes"]["services"] == [["GPLX", "PTIEN"], ["PTIEN", "VTAI"]]
    assert event.details["changes"]["active"] == [True, False]


def test_invalid_counters_are_refused_and_nothing_is_written(admin):
    quay1 = counter(1)
    cases = [
        ("/admin/counters/new", {"number": "3"}, "Đã có quầy số 3. Mỗi quầy một số riêng."),
        (f"/admin/counters/{quay1.id}/edit", {"number": "5"}, "Đã có quầy số 5."),
        ("/admin/counters/new", {"number": "0"}, "Số quầy phải từ 1 đến 999."),
        ("/admin/counters/new", {"number": "1000"}, "Số quầy phải từ 1 đến 999."),
        ("/admin/counters/new", {"number": "sáu"}, "Hãy nhập một số nguyên."),
        ("/admin/counters/new", {"number": ""}, "Vui lòng nhập trường này."),
        ("/admin/counters/new", {"number": "7", "name": "Q" * 129}, "Tối đa 128 ký tự."),
        ("/admin/counters/new", {"number": "7", "services": ["9999"]}, "Lựa chọn không hợp lệ."),
    ]
    before = database_state()
    for url, form, message in cases:
        response = admin.submit(url, form)
        assert response.status_code == 422, form
        assert message in text_of(response), form
        assert database_state() == before, form


def test_inactive_services_are_offered_only_where_already_served(admin):
    vtai = db.session.execute(db.select(Service).filter_by(code="VTAI")).scalar_one()
    vtai.active = False
    db.session.commit()
    assert "VTAI · " not in text_of(admin.get("/admin/counters/new"))
    assert "VTAI · " in text_of(admin.get(f"/admin/counters/{counter(3).id}/edit"))
