"""`flask --app wsgi seed-demo`, `demo-info` and `demo-history`: the demo desk and its history."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cli import commit_or_fail
from core.models import Role
from demo.agencies import MAX_AGENCIES, seed_demo_agencies
from demo.desk import DEMO_USERS, demo_passwords, seed_demo
from demo.history import HistoryPlan, database_has_history, tidy_after_bulk, write_history
from demo.processes import seed_demo_centre, walk_demo_history

DEMO_SEEDED = [username for username, _, _ in DEMO_USERS]


def demo_kiosk_key_file() -> Path:
    return Path(current_app.instance_path) / "demo-kiosk.key"


def refuse_in_production() -> None:
    """Demo data (accounts, a kiosk, made-up dossiers) never goes into a real centre's
    database: only with APP_ENV=development (`make run`) or in the tests."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException(
            "Không nạp dữ liệu mẫu khi chạy thật (APP_ENV=production); dữ liệu mẫu chỉ dùng "
            "với APP_ENV=development (make run).\n"
            "Demo data is refused in production; it is for APP_ENV=development (make run) only."
        )


# Each role's place in the list, with its Vietnamese name.
ROLE_ORDER = {
    Role.ADMIN: "quản trị",
    Role.MANAGER: "quản lý",
    Role.OFFICER: "một cửa",
    Role.AGENCY_LEADER: "lãnh đạo cơ quan",
    Role.UNIT_HEAD: "trưởng phòng",
    Role.SPECIALIST: "chuyên viên",
}


def show_demo_accounts(passwords: dict[str, str], usernames=None) -> None:
    """The demo accounts (those named, or every one of this machine and the seed's) by
    agency, then unit, then role: the centre's own staff first (admin, manager, the desk
    that receives for every agency), then each agency's leader and its units' officers."""
    from core.models import User
    from extensions import db

    wanted = set(usernames) if usernames is not None else set(passwords) | set(DEMO_SEEDED)
    users = db.session.execute(db.select(User).where(User.username.in_(wanted))).scalars().all()
    groups: dict[tuple, list[User]] = {}
    for user in users:
        agency, unit = user.agency, user.unit
        key = (
            (agency.id, agency.code, agency.name) if agency else (0, "", ""),
            (unit.code, unit.name) if unit else ("", ""),
        )
        groups.setdefault(key, []).append(user)
    for (agency, unit), members in sorted(groups.items()):
        if not unit[0]:
            click.echo(f"    {agency[1]} {agency[2]}" if agency[1] else "    Trung tâm (centre)")
        else:
            click.echo(f"      {unit[0]} {unit[1]}")
        indent = "      " if not unit[0] else "        "
        members.sort(key=lambda user: (list(ROLE_ORDER).index(user.role), user.username))
        for user in members:
            password = passwords.get(user.username, "(không có trên máy này / not on this machine)")
            role = f"{user.role.value} ({ROLE_ORDER[user.role]})"
            click.echo(f"{indent}{role}".ljust(42) + f" {user.username} / {password}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo desk: services, counters, accounts with random passwords and a kiosk
    (safe to run again; refused in production)."""
    refuse_in_production()
    added = commit_or_fail(lambda: seed_demo(demo_kiosk_key_file()))
    if not added:
        click.echo("Dữ liệu mẫu đã có sẵn, không thêm gì (demo data already present).")
        return
    click.echo("Đã thêm dữ liệu mẫu: " + ", ".join(added))
    new_accounts = {item.removeprefix("user ") for item in added if item.startswith("user ")}
    if new_accounts:
        click.echo("Tài khoản mẫu, mật khẩu ngẫu nhiên (demo accounts, random passwords):")
        show_demo_accounts(demo_passwords(Path(current_app.instance_path)), new_accounts)
        click.echo("`flask --app wsgi demo-info` hiện lại trên máy này (shows them again here).")


@click.command("demo-info")
@with_appcontext
@click.option("--base-url", default=None, help="Address to print (PUBLIC_BASE_URL by default).")
def demo_info(base_url):
    """Print the kiosk address with its demo key and the demo log-ins of this machine."""
    refuse_in_production()
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
    show_demo_accounts(demo_passwords(Path(current_app.instance_path)))


@click.command("demo-history")
@with_appcontext
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=28,
    show_default=True,
    help="Calendar days before today; only their working days get a history.",
)
@click.option("--dossiers-per-day", type=click.IntRange(0, 100_000), default=800, show_default=True)
@click.option("--tickets-per-day", type=click.IntRange(0, 300_000), default=2400, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds dossiers."
)
@click.option(
    "--agencies",
    type=click.IntRange(1, MAX_AGENCIES),
    default=1,
    show_default=True,
    help="Agencies of the demo centre: the desk's own, then the others (added if missing).",
)
def demo_history_command(days, dossiers_per_day, tickets_per_day, seed, if_empty, agencies) -> None:
    """Fill the database with a realistic history of working days ending today (refused in
    production); with --agencies N the centre receives for N agencies."""
    refuse_in_production()
    if agencies > 1:
        added = commit_or_fail(lambda: seed_demo_agencies(agencies))
        if added:
            click.echo("Đã thêm cơ quan, đơn vị của trung tâm mẫu: " + ", ".join(added))
        added = commit_or_fail(lambda: seed_demo_centre(agencies, demo_kiosk_key_file().parent))
        if added:
            click.echo(f"Đã thêm {len(added)} quy trình nội bộ và cán bộ xử lý của trung tâm mẫu.")
    plan = HistoryPlan(
        days=days,
        dossiers_per_day=dossiers_per_day,
        tickets_per_day=tickets_per_day,
        seed=seed,
        agencies=agencies,
    )

    def fill():
        """The history, or None when the database already holds one (nothing written)."""
        if database_has_history():
            return None
        label = "Tạo dữ liệu lịch sử"
        with click.progressbar(length=plan.days, label=label, show_pos=True) as bar:
            return write_history(plan, progress=bar.update)

    result = commit_or_fail(fill)
    if result is None:
        if if_empty:
            click.echo("Đã có dữ liệu lịch sử, không tạo thêm (history already present).")
            return
        raise click.ClickException(
            "Cơ sở dữ liệu đã có số thứ tự hoặc hồ sơ của những ngày trước; lịch sử mẫu chỉ "
            "tạo trên cơ sở dữ liệu chưa có lịch sử (the database already holds history)."
        )
    if agencies > 1:
        walked = commit_or_fail(lambda: walk_demo_history(plan.seed))
        click.echo(f"Đã chuyển {walked:,} hồ sơ lịch sử qua các bước của quy trình nội bộ.")
    tidy_after_bulk()
    click.echo(
        f"Đã tạo {result.dossiers:,} hồ sơ, {result.tickets:,} số thứ tự và "
        f"{result.ratings:,} đánh giá trong {result.working_days} ngày làm việc."
    )


commands = [seed_demo_command, demo_info, demo_history_command]
