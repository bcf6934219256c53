"""Command-line tools, `flask --app wsgi <command>`: the set-up commands, and the one way
every command commits.

Each package with commands has a `cli` module listing them in `commands` (this one, demo,
dossiers, dashboard, privacy, printing, exports, ops); the app factory adds them all. This
one adds `worker`, which runs every background job.
"""

import logging
import os
import signal
import sys
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from core.accounts.devices import create_device
from core.accounts.users import create_user
from core.db.transactions import begin_write_transaction
from core.errors import DomainError
from exports.worker import ExportWorker
from extensions import db
from notices.worker import NoticeWorker
from printing.worker import PrintWorker


def commit_or_fail(action):
    """Run `action` as a writer and commit; a broken rule rolls back and becomes a clear
    message (in Vietnamese) and exit code 1."""
    try:
        begin_write_transaction()
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.messages()["vi"]) from None


# What the first run asks for, printed on every receipt, form and report: (setting, option, prompt).
SET_UP_QUESTIONS = (
    ("province", "--province", "Tỉnh, thành phố (ví dụ: Tỉnh Bắc Ninh)"),
    ("agency_name", "--agency-name", "Tên cơ quan (ví dụ: Sở Giao thông vận tải)"),
    ("parent_agency", "--parent-agency", "Cơ quan chủ quản (Enter: UBND tỉnh, thành phố)"),
    ("desk_name", "--desk-name", "Tên bộ phận một cửa"),
)


def stdin_is_a_terminal() -> bool:
    """Whether someone is there to answer (not a script, a pipe or a service)."""
    return sys.stdin.isatty()


def ask_set_up(given: dict[str, str | None], interactive: bool) -> dict[str, str]:
    """The set-up answers: those given as options, the others asked for (interactively,
    only while nothing is stored yet), each checked as the admin page checks it."""
    from core.dossiers.settings import dossier_settings, stored_setting, validate_setting
    from core.errors import DomainError

    current = dossier_settings()
    answers = {}
    for key, _option, question in SET_UP_QUESTIONS:
        value = given.get(key)
        if value is None and interactive and stored_setting(key) is None:
            default = "" if key == "parent_agency" else current[key]
            while True:
                value = click.prompt(question, default=default, show_default=bool(default))
                try:
                    validate_setting(key, value)
                    break
                except DomainError as error:
                    click.echo(error.messages()["vi"], err=True)
        if value is not None and value != current[key]:
            answers[key] = value
    return answers


@click.command("init-db")
@with_appcontext
@click.option("--province", default=None, help="Tỉnh, thành phố: “Tỉnh Bắc Ninh”.")
@click.option("--agency-name", default=None, help="Tên cơ quan trên giấy tờ.")
@click.option("--parent-agency", default=None, help="Cơ quan chủ quản (mặc định UBND tỉnh).")
@click.option("--desk-name", default=None, help="Tên bộ phận tiếp nhận và trả kết quả.")
@click.option(
    "--no-input", is_flag=True, help="Không hỏi: chỉ dùng các giá trị đã cho (non-interactive)."
)
def init_db(province, agency_name, parent_agency, desk_name, no_input):
    """Create the database or bring it to the latest schema (safe to run again); on the
    first run, ask for the province and agency printed on receipts, forms and reports."""
    from core.dossiers.settings import save_settings

    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    upgrade()
    click.echo("Cơ sở dữ liệu đã sẵn sàng (database is up to date).")
    given = {
        "province": province,
        "agency_name": agency_name,
        "parent_agency": parent_agency,
        "desk_name": desk_name,
    }
    interactive = not no_input and stdin_is_a_terminal()
    answers = ask_set_up(given, interactive)
    if answers:
        commit_or_fail(lambda: save_settings(answers))
        click.echo("Đã lưu: " + ", ".join(f"{key} = {value}" for key, value in answers.items()))


def refuse_password_on_command_line(context, parameter, value):
    """A password typed on the command line stays in the shell's history and in `ps`."""
    if value is not None:
        raise click.UsageError(
            "Không nhập mật khẩu trên dòng lệnh: lệnh sẽ hỏi mật khẩu, hoặc dùng "
            "--password-stdin để đọc từ đầu vào chuẩn.\n"
            "No password on the command line: the command asks for it, or use "
            "--password-stdin to read it from standard input."
        )


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(["officer", "manager", "admin"]), required=True)
@click.option("--full-name", default="", help="Name shown on screens.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
@click.option(
    "--password", hidden=True, expose_value=False, callback=refuse_password_on_command_line
)
def create_user_command(username, role, full_name, password_stdin):
    """Add a staff account; the password is asked for (twice), or read from standard input,
    and must meet the admin screen's policy."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Mật khẩu (password)", hide_input=True, confirmation_prompt="Nhập lại (again)"
        )
    user = commit_or_fail(lambda: create_user(username, role, password, full_name))
    click.echo(f"Đã tạo tài khoản {user.username} ({user.role.value}).")


@click.command("device-create")
@with_appcontext
@click.argument("kind", type=click.Choice(["kiosk", "display", "counter", "rating"]))
@click.argument("name")
@click.option("--printer", default=None, help="Printer URL, e.g. tcp://10.0.0.5:9100 or none.")
@click.option(
    "--counter",
    "counter_number",
    type=int,
    default=None,
    help="Counter number a counter device or rating tablet (required) is bound to.",
)
def device_create(kind, name, printer, counter_number):
    """Register a device; its secret key is printed alone on the last line."""
    device, key = commit_or_fail(
        lambda: create_device(kind, name, printer_url=printer, counter_number=counter_number)
    )
    click.echo(f"Đã tạo thiết bị #{device.id} {device.kind.value} “{device.name}”.")
    click.echo("Mã khóa bí mật (chỉ hiện một lần, hãy lưu lại):")
    click.echo(key)


@click.command("worker")
@with_appcontext
@click.option("--no-exports", is_flag=True, help="Leave the export files to another worker.")
def worker(no_exports):
    """Run every background job until stopped (Ctrl+C): ticket printing and notices in this
    process, the export files in a child process of their own at a lower priority."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    app = current_app._get_current_object()
    db.engine.dispose()  # no connection crosses the fork
    exports_pid = None if no_exports else fork_export_worker(app)
    os.nice(app.config["PRINT_WORKER_NICE"])  # a slip or a message never slows a request
    workers = [PrintWorker(app), NoticeWorker(app)]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    threads = [threading.Thread(target=each.run, name=type(each).__name__) for each in workers]
    for thread in threads:
        thread.start()
    click.echo("Các việc chạy nền đang chạy: in phiếu, gửi thông báo, xuất tệp (Ctrl+C để dừng).")
    while not stopping.wait(1.0):
        pass
    for each in workers:
        each.stop()
    if exports_pid is not None:
        os.kill(exports_pid, signal.SIGTERM)
        os.waitpid(exports_pid, 0)
    for thread in threads:
        thread.join(timeout=30)


def fork_export_worker(app) -> int:
    """The export worker in a child process: a long file takes the processor, not the GIL
    that the printing and notice threads need."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.nice(app.config["EXPORT_WORKER_NICE"])
        export_worker = ExportWorker(app)
        signal.signal(signal.SIGTERM, export_worker.stop)
        signal.signal(signal.SIGINT, export_worker.stop)
        export_worker.run()
    finally:
        os._exit(0)


commands = [init_db, create_user_command, device_create, worker]
