"""Devices from the admin screens: the key shown once, settings, revoke, new key."""

import re

import pytest
import time_machine

from admin_support import StaffClient, audit_actions, database_state, text_of
from conftest import local_time
from core.models import Counter, Device, DeviceKind
from extensions import db

KEY_FIELD = re.compile(r'id="device-key" type="text" readonly value="([^"]+)"')


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def newest_device() -> Device:
    db.session.rollback()
    return db.session.execute(db.select(Device).order_by(Device.id.desc())).scalars().first()


def create(admin, **fields):
    form = {"kind": "kiosk", "name": "Kiosk tầng 2", "printer_url": "", "counter_id": ""}
    response = admin.submit("/admin/devices/new", {**form, **fields})
    assert response.status_code == 302, text_of(response)
    return response


def issue(client, key: str, service: str = "GPLX"):
    return client.post(
        "/api/v1/tickets", json={"service": service}, headers={"Authorization": f"Bearer {key}"}
    )


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_a_new_kiosk_key_is_shown_once_and_issues_tickets(admin, client):
    response = create(admin, printer_url="TCP://192.168.1.50:9100")
    device = newest_device()
    assert response.location == f"/admin/devices/{device.id}/key"
    assert (device.kind, device.name, device.printer_url) == (
        DeviceKind.KIOSK,
        "Kiosk tầng 2",
        "tcp://192.168.1.50:9100",
    )
    shown = admin.get(response.location)
    page = text_of(shown)
    key = KEY_FIELD.search(page).group(1)
    assert shown.headers["Cache-Control"] == "no-store"
    assert f'value="http://testserver.local/kiosk/#key={key}"' in page
    assert "Mã khóa chỉ hiện một lần, ngay bây giờ." in page
    again = text_of(admin.get(response.location))
    assert key not in again and "không xem lại được nữa" in again
    assert key not in device.key_hash, "only the hash is stored"
    ticket = issue(client, key)
    assert ticket.status_code == 201 and ticket.get_json()["number"] == "A001"
    assert ("device.created", admin.user_id) in audit_actions()


def test_a_counter_device_is_bound_to_a_counter(admin):
    quay3 = db.session.execute(db.select(Counter).filter_by(number=3)).scalar_one()
    response = create(admin, kind="counter", name="Bàn phím quầy 3", counter_id=str(quay3.id))
    device = newest_device()
    assert device.kind == DeviceKind.COUNTER and device.counter.number == 3
    page = text_of(admin.get(response.location))
    assert "/kiosk/#key=" not in page, "only kiosks get a pairing address"
    assert KEY_FIELD.search(page)
    assert "Quầy 3" in text_of(admin.get("/admin/devices"))


def test_invalid_devices_are_refused_and_nothing_is_written(admin):
    quay1 = db.session.execute(db.select(Counter).filter_by(number=1)).scalar_one()
    form = {"kind": "kiosk", "name": "Kiosk", "printer_url": "", "counter_id": ""}
    cases = [
        (
            {"printer_url": "192.168.1.50:9100"},
            "Địa chỉ máy in “192.168.1.50:9100” không đúng dạng.",
        ),
        ({"printer_url": "tcp://192.168.1.50"}, "Máy in mạng phải có dạng tcp://ĐỊA_CHỈ:CỔNG"),
        ({"printer_url": "usb://xyz:0001"}, "Máy in USB phải có dạng usb://VID:PID"),
        ({"printer_url": "serial:///dev/ttyS0?baudrate=100"}, "Tốc độ 100 không hợp lệ"),
        ({"printer_url": "file:///etc/passwd"}, "file:///dev/…"),
        ({"name": "  "}, "Tên thiết bị cần có, tối đa 128 ký tự."),
        ({"kind": "printer"}, "Lựa chọn không hợp lệ."),
        (
            {"counter_id": str(quay1.id)},
            "Chỉ thiết bị tại quầy và máy đánh giá mới gắn với một quầy.",
        ),
        ({"kind": "counter", "counter_id": "999"}, "Lựa chọn không hợp lệ."),
    ]
    before = database_state()
    for changes, message in cases:
        response = admin.submit("/admin/devices/new", {**form, **changes})
        assert response.status_code == 422, changes
        assert message in text_of(response), changes
        assert database_state() == before, changes


def test_renaming_and_setting_the_printer(admin):
    demo_kiosk = newest_device()
    url = f"/admin/devices/{demo_kiosk.id}/edit"
    before = database_state()
    bad = admin.submit(url, {"name": "Kiosk sảnh", "printer_url": "cups://máy in"})
    assert bad.status_code == 422 and "Hàng in CUPS phải có dạng" in text_of(bad)
    assert database_state() == before
    form = {"name": "Kiosk sảnh chính", "printer_url": "serial:///dev/ttyUSB0"}
    assert admin.submit(url, form).status_code == 302
    edited = newest_device()
    assert edited.name == "Kiosk sảnh chính"
    assert edited.printer_url == "serial:///dev/ttyUSB0?baudrate=9600"
    assert ("device.updated", admin.user_id) in audit_actions()
    admin.submit(url, {"name": "Kiosk sảnh chính", "printer_url": "none"})
    assert newest_device().printer_url is None


def test_revoking_asks_first_and_is_final(admin, client, demo):
    kiosk = newest_device()
    url = f"/admin/devices/{kiosk.id}/revoke"
    before = database_state()
    confirm = text_of(admin.get(url))
    assert "Thu hồi không thể hoàn tác" in confirm and "Thu hồi vĩnh viễn" in confirm
    assert database_state() == before, "the confirmation page changes nothing"
    assert admin.submit(url, {}).status_code == 302
    assert newest_device().revoked_at is not None
    assert issue(client, demo).status_code == 401
    assert ("device.revoked", admin.user_id) in audit_actions()
    listing = text_of(admin.get("/admin/devices"))
    assert "Đã thu hồi" in listing and url not in listing
    before = database_state()
    refused = admin.submit(f"/admin/devices/{kiosk.id}/edit", {"name": "Lại", "printer_url": ""})
    assert refused.status_code == 422 and "đã bị thu hồi" in text_of(refused)
    assert admin.post(url, {"csrf_token": "x"}).status_code == 400
    assert database_state() == before


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_a_new_key_replaces_the_old_one(admin, client, demo):
    kiosk = newest_device()
    admin.submit(
        f"/admin/devices/{kiosk.id}/edit", {"name": kiosk.name, "printer_url": "usb://04b8:0e15"}
    )
    response = admin.submit(f"/admin/devices/{kiosk.id}/rotate", {})
    replacement = newest_device()
    assert response.location == f"/admin/devices/{replacement.id}/key"
    new_key = KEY_FIELD.search(text_of(admin.get(response.location))).group(1)
    assert replacement.id != kiosk.id
    assert (replacement.kind, replacement.name, replacement.printer_url) == (
        DeviceKind.KIOSK,
        kiosk.name,
        "usb://04b8:0e15",
    )
    assert issue(client, demo).status_code == 401
    assert issue(client, new_key).status_code == 201
    actions = audit_actions()
    assert ("device.revoked", admin.user_id) in actions
    assert ("device.key_rotated", admin.user_id) in actions


def test_a_rating_tablet_gets_a_rating_key_and_its_pairing_address(admin):
    quay2 = db.session.execute(db.select(Counter).filter_by(number=2)).scalar_one()
    form = {"kind": "rating", "name": "Máy đánh giá quầy 2", "printer_url": "", "counter_id": ""}
    refused = admin.submit("/admin/devices/new", form)
    assert refused.status_code == 422
    assert "Máy đánh giá phải gắn với một quầy" in text_of(refused)
    response = create(admin, kind="rating", name="Máy đánh giá quầy 2", counter_id=str(quay2.id))
    device = newest_device()
    assert device.kind == DeviceKind.RATING and device.counter.number == 2
    page = text_of(admin.get(response.location))
    assert "/rate/2#key=" in page
    assert "Máy đánh giá tại quầy" in text_of(admin.get("/admin/devices"))
