"""Command-line tools: `flask --app wsgi <command>`."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from core.accounts.devices import create_device
from core.accounts.users import create_user
from core.db.transactions import begin_write_transaction
from core.errors import DomainError
from demo.desk import DEMO_USERS, seed_demo
from extensions import db


def demo_kiosk_key_file() -> Path:
    return Path(current_app.instance_path) / "demo-kiosk.key"


def commit_or_fail(action):
    """Run `action`, commit, and turn a domain error into a clear message and exit code 1."""
    try:
        begin_write_transaction()
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.messages()["vi"]) from None


def register(app: Flask) -> None:
    from ops.cli import register as register_backup_commands

    register_backup_commands(app)

    @app.cli.command("init-db")
    def init_db():
        """Create the database or bring it to the latest schema (safe to run again)."""
        Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
        upgrade()
        click.echo("Cơ sở dữ liệu đã sẵn sàng (database is up to date).")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo desk: services, counters, accounts and a kiosk (safe to run again)."""
        added = commit_or_fail(lambda: seed_demo(demo_kiosk_key_file()))
        if added:
            click.echo("Đã thêm dữ liệu mẫu: " + ", ".join(added))
        else:
            click.echo("Dữ liệu mẫu đã có sẵn, không thêm gì (demo data already present).")

    @app.cli.command("demo-info")
    @click.option("--base-url", default=None, help="Address to print (PUBLIC_BASE_URL by default).")
    def demo_info(base_url):
        """Print the kiosk address with its demo key and the demo log-ins."""
        base = (base_url or current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
        key_file = demo_kiosk_key_file()
        key = key_file.read_text().strip() if key_file.exists() else ""
        click.echo(f"  Máy lấy số (kiosk):   {base}/kiosk/#key={key}")
        click.echo(f"  Theo dõi số:          {base}/t/<mã trên phiếu>  (quét mã QR trên phiếu)")
        click.echo(f"  Quầy (đăng nhập):     {base}/auth/login")
        click.echo(
            f"  Máy đánh giá quầy N:  {base}/rate/N#key=<khóa>  "
            "(khóa: device-create counter TÊN --counter N)"
        )
        for username, role, password, _ in DEMO_USERS:
            click.echo(f"    {role.value:8} {username} / {password}")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["officer", "manager", "admin"]), required=True)
    @click.option("--password", required=True, help="At least 8 characters.")
    @click.option("--full-name", default="", help="Name shown on screens.")
    def create_user_command(username, role, password, full_name):
        """Add a staff account."""
        user = commit_or_fail(lambda: create_user(username, role, password, full_name))
        click.echo(f"Đã tạo tài khoản {user.username} ({user.role.value}).")

    @app.cli.command("device-create")
    @click.argument("kind", type=click.Choice(["kiosk", "display", "counter"]))
    @click.argument("name")
    @click.option("--printer", default=None, help="Printer URL, e.g. tcp://10.0.0.5:9100 or none.")
    @click.option(
        "--counter",
        "counter_number",
        type=int,
        default=None,
        help="Counter number a counter device is bound to.",
    )
    def device_create(kind, name, printer, counter_number):
        """Register a device; its secret key is printed alone on the last line."""
        device, key = commit_or_fail(
            lambda: create_device(kind, name, printer_url=printer, counter_number=counter_number)
        )
        click.echo(f"Đã tạo thiết bị #{device.id} {device.kind.value} “{device.name}”.")
        click.echo("Mã khóa bí mật (chỉ hiện một lần, hãy lưu lại):")
        click.echo(key)
