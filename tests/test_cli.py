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
    assert totals == (5, 5, 7, 1)  # officer×2, manager, admin, and three processing officers
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "không thêm gì" in second.output
    assert (count(Service), count(Counter), count(User), count(Device)) == totals
    assert (Path(app.instance_path) / "demo-kiosk.key").exists()
    roles = set(db.session.execute(db.select(User.role)).scalars())
    assert {role.value for role in roles} == {
        "officer", "manager", "admin", "specialist", "unit_head", "agency_leader",
    }  # fmt: skip


def test_demo_info_prints_the_kiosk_address_with_its_key(runner, app):
    runner.invoke(args=["seed-demo"])
    key = (Path(app.instance_path) / "demo-kiosk.key").read_text().strip()
    output = runner.invoke(args=["demo-info"]).output
    assert f"/kiosk/#key={key}" in output
    assert "canbo1 / " in output


def test_create_user_reads_the_password_from_standard_input(runner):
    created = runner.invoke(
        args=["create-user", "nguyenlan", "--role", "officer", "--password-stdin"],
        input="mat-khau-1\n",
    )
    assert created.exit_code == 0, created.output
    user = db.session.execute(db.select(User).filter_by(username="nguyenlan")).scalar_one()
    assert user.check_password("mat-khau-1") and user.password_hash.startswith("scrypt:")
    assert "mat-khau-1" not in created.output
    duplicate = runner.invoke(
        args=["create-user", "nguyenlan", "--role", "admin", "--password-stdin"],
        input="mat-khau-2\n",
    )
    assert duplicate.exit_code == 1
    assert "đã tồn tại" in duplicate.output
    bad_role = runner.invoke(
        args=["create-user", "le", "--role", "boss", "--password-stdin"], input="mat-khau-3\n"
    )
    assert bad_role.exit_code == 2
    assert count(User) == 1


def test_create_user_asks_for_the_password_twice_without_echo(runner):
    asked = runner.invoke(
        args=["create-user", "tranminh", "--role", "manager", "--full-name", "Trần Minh"],
        input="Dong-bo-2026\nDong-bo-2026\n",
    )
    assert asked.exit_code == 0, asked.output
    assert "Dong-bo-2026" not in asked.output
    user = db.session.execute(db.select(User).filter_by(username="tranminh")).scalar_one()
    assert user.check_password("Dong-bo-2026") and user.full_name == "Trần Minh"


def test_create_user_refuses_a_password_on_the_command_line(runner):
    result = runner.invoke(
        args=["create-user", "nguyenlan", "--role", "admin", "--password", "Rat-kho-doan-42"]
    )
    assert result.exit_code == 2
    assert "Không nhập mật khẩu trên dòng lệnh" in result.output
    assert "No password on the command line" in result.output
    assert count(User) == 0


def test_create_user_applies_the_admin_screens_password_policy(runner):
    """The policy of core.accounts.users.check_password: length, variety, common passwords
    and the username inside the password are all refused, nothing is written."""
    for weak, reason in [
        ("123", "từ 8 đến 128"),
        ("abcdefghij", "quá dễ đoán"),
        ("admin@123", "phổ biến"),
        ("nguyenlan-2026", "chứa tên đăng nhập"),
    ]:
        result = runner.invoke(
            args=["create-user", "nguyenlan", "--role", "admin", "--password-stdin"],
            input=weak + "\n",
        )
        assert result.exit_code == 1, weak
        assert reason in result.output, (weak, result.output)
    assert count(User) == 0


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
