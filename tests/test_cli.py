"""Command-line tools: idempotent set-up, accounts and devices, clear errors."""

from pathlib import Path

from conftest import count
from core.models import Counter, Device, DeviceKind, Service, User
from extensions import db


def test_init_db_is_idempotent(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == second.exit_code == 0
    assert "sẵn sàng" in second.output


def test_seed_demo_loads_once_and_only_once(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    totals = (count(Service), count(Counter), count(User), count(Device))
    assert totals == (5, 5, 4, 1)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "không thêm gì" in second.output
    assert (count(Service), count(Counter), count(User), count(Device)) == totals
    assert (Path(app.instance_path) / "demo-kiosk.key").exists()
    roles = set(db.session.execute(db.select(User.role)).scalars())
    assert {role.value for role in roles} == {"officer", "manager", "admin"}


def test_demo_info_prints_the_kiosk_address_with_its_key(runner, app):
    runner.invoke(args=["seed-demo"])
    key = (Path(app.instance_path) / "demo-kiosk.key").read_text().strip()
    output = runner.invoke(args=["demo-info"]).output
    assert f"/kiosk/#key={key}" in output
    assert "canbo1 / canbo1-demo" in output


def test_create_user_and_its_errors(runner):
    created = runner.invoke(
        args=["create-user", "nguyenlan", "--role", "officer", "--password", "mat-khau-1"]
    )
    assert created.exit_code == 0, created.output
    user = db.session.execute(db.select(User).filter_by(username="nguyenlan")).scalar_one()
    assert user.check_password("mat-khau-1") and user.password_hash.startswith("scrypt:")
    duplicate = runner.invoke(
        args=["create-user", "nguyenlan", "--role", "admin", "--password", "mat-khau-2"]
    )
    assert duplicate.exit_code == 1
    assert "đã tồn tại" in duplicate.output
    short = runner.invoke(args=["create-user", "tran", "--role", "officer", "--password", "123"])
    assert short.exit_code == 1 and "ít nhất 8" in short.output
    bad_role = runner.invoke(args=["create-user", "le", "--role", "boss", "--password", "12345678"])
    assert bad_role.exit_code == 2
    assert count(User) == 1


def test_device_create_prints_the_key_alone_on_the_last_line(runner, client):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["device-create", "kiosk", "Kiosk tầng 2", "--printer", "tcp://127.0.0.1:9100"]
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert len(key) >= 40 and " " not in key
    device = db.session.execute(db.select(Device).filter_by(name="Kiosk tầng 2")).scalar_one()
    assert device.kind == DeviceKind.KIOSK and device.printer_url == "tcp://127.0.0.1:9100"
    assert key not in device.key_hash
    response = client.post(
        "/api/v1/tickets", json={"service": "TRAKQ"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201


def test_counter_device_is_bound_to_its_counter(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["device-create", "counter", "Bàn phím quầy 3", "--counter", "3"])
    assert result.exit_code == 0, result.output
    device = db.session.execute(db.select(Device).filter_by(kind=DeviceKind.COUNTER)).scalar_one()
    assert device.counter.number == 3
    missing = runner.invoke(args=["device-create", "counter", "Quầy ma", "--counter", "99"])
    assert missing.exit_code == 1 and "Không có quầy số 99" in missing.output
    assert count(Device) == 2
