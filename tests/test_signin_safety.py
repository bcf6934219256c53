"""Nothing known by default, and a sign-in that resists guessing: the `next` table, the
throttle shared by servers, sessions ended everywhere and after 12 hours, the secret key
checked at start, demo data refused in production, create-user's password and the
printer address of device-create."""

import os
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import time_machine
from sqlalchemy import event

from admin_support import StaffClient, text_of
from conftest import (
    CSRF_FIELD,
    PROJECT_DIR,
    LiveServer,
    count,
    csrf_token,
    demo_password,
    local_time,
)
from core.accounts.sign_in import FAILURES_BEFORE_REFUSAL
from core.accounts.users import reset_password, set_account_active, update_account
from core.db.transactions import begin_write_transaction
from core.models import AuditEvent, PrintJob, PrintJobStatus, User
from extensions import db, limiter
from printing.jobs import fail
from tests import factories

WRONG = "Sai tên đăng nhập hoặc mật khẩu."
STRONG_KEY = "9tQ2-vLx8_pR4mW7zK1cY6nB3hJ5dF0sA"

# `next` values a browser could be sent off-site by, as typed into the query string.
OFF_SITE = [
    "/%09/evil.example",  # a tab the browser drops: `//evil.example`
    "/%0a/evil.example",
    "/%0d/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%252F%252Fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "evil.example",
    "/%E3%80%80/evil.example",  # an ideographic space
    "/%00/evil.example",
    "",
]


def user_named(username: str) -> User:
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def audit_count(action: str, subject_id: int | None = None) -> int:
    statement = db.select(db.func.count()).select_from(AuditEvent).filter_by(action=action)
    if subject_id is not None:
        statement = statement.filter_by(subject_id=subject_id)
    return db.session.execute(statement).scalar_one()


def without_csrf(page: str) -> str:
    return CSRF_FIELD.sub("", page)


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_leads_off_the_site(client, demo, target):
    form = {"username": "canbo1", "password": "canbo1-demo", "csrf_token": csrf_token(client)}
    answer = client.post("/auth/login?next=" + quote(target, safe="%/\\:"), data=form)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/desk/"


@pytest.mark.parametrize("target", ["/dossiers/?status=received", "/admin/devices"])
def test_sign_in_follows_a_path_of_this_site(client, demo, target):
    form = {"username": "quantri", "password": "quantri-demo", "csrf_token": csrf_token(client)}
    answer = client.post("/auth/login?next=" + quote(target, safe=""), data=form)
    assert answer.headers["Location"] == target


def test_the_idle_sign_out_comes_back_to_the_same_page(client, auth, demo):
    """The sign-in page's `next`, built from the request by auth/idle.py, is still followed."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False) as traveller:
        auth.login("canbo1")
        traveller.shift(timedelta(minutes=31))
        sent_back = client.get("/dossiers/?status=received")
        assert sent_back.status_code == 302
        login_url = sent_back.headers["Location"]
        form = {"username": "canbo1", "password": "canbo1-demo", "csrf_token": ""}
        form["csrf_token"] = csrf_token(client, login_url)
        again = client.post(login_url, data=form)
    assert again.headers["Location"] == "/dossiers/?status=received"


def test_a_printer_alerts_back_link_stays_on_the_site(client, auth, demo):
    """The failed-slip buttons' `next` (built from the request) goes through the same check."""
    device_id, headers = factories.kiosk("tcp://127.0.0.1:9")
    factories.kiosk_ticket(client, headers)
    begin_write_transaction()
    job = db.session.execute(db.select(PrintJob)).scalar_one()
    job.status, job.error_code = PrintJobStatus.SENDING, "unreachable"
    fail(job)
    db.session.commit()
    auth.login("canbo2")
    panel = client.get("/admin/printers/alerts?next=" + quote("/%09/evil.example", safe=""))
    assert "Bỏ qua" in text_of(panel) and "evil.example" not in text_of(panel)
    for target, back_to in [("/desk/", "/desk/"), ("/\\evil.example", "/admin/printers/")]:
        form = {"csrf_token": csrf_token(client, "/desk/"), "next": target}
        dismissed = client.post(f"/admin/printers/jobs/{job.id}/dismiss", data=form)
        assert dismissed.headers["Location"] == back_to


# --- The throttle -----------------------------------------------------------------------


def attempt(client, username: str, password: str, address: str):
    """One sign-in from `address` (a fresh client address each time, if the caller wishes)."""
    form = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/auth/login", data=form, environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def no_address_limit(monkeypatch):
    """The per-address limit off, so that only the per-account throttle is at work."""
    monkeypatch.setattr(limiter, "enabled", False)


def test_ten_wrong_passwords_refuse_the_account_whatever_the_address(
    app, client, demo, no_address_limit
):
    canbo1 = user_named("canbo1")
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False) as traveller:
        for tried in range(FAILURES_BEFORE_REFUSAL):
            wrong = attempt(client, "canbo1", f"doan-sai-{tried}", f"10.0.{tried}.1")
            assert wrong.status_code == 200 and WRONG in text_of(wrong)
        refused = attempt(client, "canbo1", "canbo1-demo", "10.9.9.9")
        assert refused.status_code == 200
        assert without_csrf(text_of(refused)) == without_csrf(text_of(wrong))
        assert audit_count("auth.sign_in_refused", canbo1.id) == 1
        assert audit_count("auth.sign_in_failed", canbo1.id) == FAILURES_BEFORE_REFUSAL
        other = attempt(client, "canbo2", "canbo2-demo", "10.9.9.9")
        assert other.status_code == 302  # the throttle is the account's, not the address's
        fresh = app.test_client()
        traveller.shift(timedelta(seconds=61))  # the first refusal lasts a minute
        assert attempt(fresh, "canbo1", "doan-sai-11", "10.0.0.1").status_code == 200
        traveller.shift(timedelta(seconds=90))  # the next lasts two
        assert attempt(fresh, "canbo1", "canbo1-demo", "10.0.0.1").status_code == 200
        traveller.shift(timedelta(seconds=31))
        signed_in = attempt(fresh, "canbo1", "canbo1-demo", "10.0.0.1")
    assert signed_in.status_code == 302
    db.session.refresh(canbo1)
    assert (canbo1.failed_sign_ins, canbo1.sign_in_refused_until) == (0, None)
    assert audit_count("auth.signed_in", canbo1.id) == 1
    assert audit_count("auth.sign_in_refused", canbo1.id) == 2


def test_wrong_passwords_spread_over_more_than_fifteen_minutes_refuse_nothing(
    client, demo, no_address_limit
):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False) as traveller:
        for tried in range(2 * FAILURES_BEFORE_REFUSAL):
            attempt(client, "canbo1", f"doan-sai-{tried}", "10.0.0.1")
            traveller.shift(timedelta(minutes=2))
        assert attempt(client, "canbo1", "canbo1-demo", "10.0.0.1").status_code == 302


def test_an_unknown_a_refused_and_a_known_account_look_and_take_alike(app, demo, no_address_limit):
    """Same page, same status, same message; the same password hash spent on each."""
    refused_client, known_client, unknown_client = (app.test_client() for _ in range(3))
    for tried in range(FAILURES_BEFORE_REFUSAL):
        attempt(refused_client, "canbo2", f"doan-sai-{tried}", "10.0.0.2")
    timings = {"unknown": [], "refused": [], "known": []}
    pages = {}
    for _ in range(5):
        for kind, client, username in [
            ("unknown", unknown_client, "khong-co-ai"),
            ("refused", refused_client, "canbo2"),
            ("known", known_client, "lanhdao"),
        ]:
            with app.app_context():  # a fresh `g` for each browser, as on a server
                token = csrf_token(client)
            form = {"username": username, "password": "doan-sai", "csrf_token": token}
            with app.app_context():
                started = time.perf_counter()
                answer = client.post("/auth/login", data=form)
                timings[kind].append(time.perf_counter() - started)
            page = without_csrf(text_of(answer)).replace(f'value="{username}"', 'value="…"')
            pages[kind] = (answer.status_code, page)
    assert pages["unknown"] == pages["refused"] == pages["known"]
    assert pages["known"][0] == 200 and WRONG in pages["known"][1]
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    assert max(medians.values()) < 2 * min(medians.values()), medians
    assert audit_count("auth.sign_in_failed", None) >= 5
    unknown = db.session.execute(
        db.select(AuditEvent).filter_by(action="auth.sign_in_failed", subject_id=None)
    ).scalars()
    assert all("khong-co-ai" not in str(event.details) for event in unknown)


@pytest.mark.slow
def test_the_throttle_is_shared_by_two_servers(app, demo, database_url):
    """Two gunicorn servers on one database: wrong passwords alternate between them, and the
    eleventh attempt, on either, is refused although the password is right."""
    db.session.remove()
    servers = []
    for name in ("one", "two"):
        instance = Path(app.instance_path) / name
        instance.mkdir(parents=True)
        servers.append(LiveServer(database_url, instance, workers=2))
    try:
        browsers = [requests.Session() for _ in servers]

        def post(index: int, password: str):
            server, browser = servers[index % 2], browsers[index % 2]
            page = browser.get(server.url + "/auth/login", timeout=10).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
            form = {"username": "canbo1", "password": password, "csrf_token": token}
            return browser.post(
                server.url + "/auth/login", data=form, allow_redirects=False, timeout=10
            )

        for tried in range(FAILURES_BEFORE_REFUSAL):
            assert post(tried, f"doan-sai-{tried}").status_code == 200
        for index in (0, 1):
            refused = post(index, "canbo1-demo")
            assert refused.status_code == 200 and WRONG in refused.text
        assert post(0, "doan-sai").status_code == 200
    finally:
        for server in servers:
            server.stop()
    canbo1 = user_named("canbo1")
    assert audit_count("auth.sign_in_failed", canbo1.id) == FAILURES_BEFORE_REFUSAL
    assert audit_count("auth.sign_in_refused", canbo1.id) == 3
    assert audit_count("auth.signed_in", canbo1.id) == 0


# --- Sessions ---------------------------------------------------------------------------


def test_sign_in_and_sign_out_clear_the_session(client, auth, demo):
    with client.session_transaction() as session:
        session["left_behind"] = "by someone before"
    auth.login("canbo1")
    with client.session_transaction() as session:
        assert "left_behind" not in session
        assert session["signed_in_at"] > 0
        session["left_behind"] = "by canbo1"
    auth.logout()
    with client.session_transaction() as session:
        assert set(session) <= {"_flashes"}


def on_a_server(app, call, *args, **kwargs):
    """`call` in an app context of its own: a fresh `g` (no user or form token left from
    another browser's request), as each request on a server has."""
    with app.app_context():
        return call(*args, **kwargs)


def signed_out(answer) -> bool:
    return answer.status_code == 302 and answer.headers["Location"].startswith("/auth/login")


def test_signing_out_ends_every_session_of_the_account(app, auth, demo):
    first, second = app.test_client(), app.test_client()
    on_a_server(app, auth.login, "canbo1", client=first)
    on_a_server(app, auth.login, "canbo1", client=second)
    assert on_a_server(app, second.get, "/desk/").status_code == 200
    on_a_server(app, auth.logout, client=first)
    assert signed_out(on_a_server(app, second.get, "/desk/"))
    canbo1 = user_named("canbo1")
    assert audit_count("auth.signed_out", canbo1.id) == 1
    on_a_server(app, auth.login, "canbo1", client=second)
    assert on_a_server(app, second.get, "/desk/").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda user, admin: reset_password(user, "Mat-khau-moi-7", "Mat-khau-moi-7", admin),
        lambda user, admin: update_account(user, user.full_name, "manager", admin),
        lambda user, admin: set_account_active(user, False, admin),
    ],
    ids=["password reset", "role change", "deactivation"],
)
def test_an_admins_change_ends_the_accounts_sessions(app, auth, demo, change):
    officer = app.test_client()
    on_a_server(app, auth.login, "canbo1", client=officer)
    assert on_a_server(app, officer.get, "/desk/").status_code == 200
    change(user_named("canbo1"), user_named("quantri"))
    db.session.commit()
    assert signed_out(on_a_server(app, officer.get, "/desk/"))


def test_a_name_change_keeps_the_session(app, auth, demo):
    officer = app.test_client()
    on_a_server(app, auth.login, "canbo1", client=officer)
    update_account(user_named("canbo1"), "Nguyễn Thị Lan Anh", "officer", user_named("quantri"))
    db.session.commit()
    assert on_a_server(app, officer.get, "/desk/").status_code == 200


def test_a_reset_from_the_admin_screen_ends_the_session(app, auth, demo):
    officer = app.test_client()
    on_a_server(app, auth.login, "canbo1", client=officer)
    admin = StaffClient(app, "quantri")
    canbo1 = user_named("canbo1")
    answer = admin.submit(
        f"/admin/users/{canbo1.id}/password",
        {"password": "Mat-khau-moi-7", "confirmation": "Mat-khau-moi-7"},
    )
    assert answer.status_code == 302, text_of(answer)
    assert signed_out(on_a_server(app, officer.get, "/desk/"))


@pytest.mark.slow
def test_a_session_ended_on_one_server_is_refused_on_another(app, demo, database_url):
    db.session.remove()
    servers = []
    for name in ("one", "two"):
        instance = Path(app.instance_path) / name
        instance.mkdir(parents=True)
        servers.append(LiveServer(database_url, instance, workers=1))
    one, two = servers
    try:
        here, there = requests.Session(), requests.Session()
        for browser, server in ((here, one), (there, two)):
            page = browser.get(server.url + "/auth/login", timeout=10).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
            form = {"username": "canbo1", "password": "canbo1-demo", "csrf_token": token}
            signed_in = browser.post(
                server.url + "/auth/login", data=form, allow_redirects=False, timeout=10
            )
            assert signed_in.status_code == 302
        # The same session cookie is good on either server (they share the key) …
        assert there.get(one.url + "/desk/", allow_redirects=False).status_code == 200
        page = here.get(one.url + "/desk/", timeout=10).text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
        out = here.post(one.url + "/auth/logout", data={"csrf_token": token}, timeout=10)
        assert out.ok
        # … and once canbo1 signs out on server one, the session on server two is over.
        for server in servers:
            ended = there.get(server.url + "/desk/", allow_redirects=False, timeout=10)
            assert ended.status_code == 302
            assert "/auth/login" in ended.headers["Location"]
    finally:
        for server in servers:
            server.stop()


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(app, client, auth, demo):
    with time_machine.travel(local_time(2026, 3, 2, 7, 0), tick=False) as traveller:
        on_a_server(app, auth.login, "canbo1")
        for _ in range(24):  # a click every 29 minutes keeps it from idling out
            traveller.shift(timedelta(minutes=29))
            assert on_a_server(app, client.get, "/desk/").status_code == 200
        traveller.move_to(local_time(2026, 3, 2, 19, 0, 0))
        assert on_a_server(app, client.get, "/desk/").status_code == 200
        traveller.move_to(local_time(2026, 3, 2, 19, 0, 1))
        assert signed_out(on_a_server(app, client.get, "/desk/"))


def test_a_kiosk_tap_reads_no_account(client, kiosk_headers):
    """Sessions are checked by Flask-Login's loader, which a cookieless request never reaches:
    the kiosk's tap costs no read of an account."""
    statements = []

    def note(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        answer = client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=kiosk_headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert answer.status_code == 201
    assert statements and not any("user_account" in statement for statement in statements)


# --- Nothing known by default -----------------------------------------------------------


def flask_command(*args: str, **environment: str | None) -> subprocess.CompletedProcess:
    """`flask --app wsgi …` in a process of its own, with `environment` over this one's
    (None removes a variable)."""
    env = {**os.environ}
    for name in ("APP_ENV", "SECRET_KEY"):
        env.pop(name, None)
    for name, value in environment.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("app_env", "secret_key"),
    [
        (None, None),
        ("production", ""),
        ("production", "short-but-random-Qx7"),
        ("production", "replace-with-48-random-characters"),  # the guide's own example
        ("development", "dev-insecure-key"),
        ("development", "change-me-change-me-change-me-change-me"),
        ("development", "a" * 40),
    ],
)
def test_a_missing_short_or_placeholder_key_stops_the_start(tmp_path, app_env, secret_key):
    started = flask_command(
        "init-db", APP_ENV=app_env, SECRET_KEY=secret_key, INSTANCE_PATH=str(tmp_path)
    )
    assert started.returncode != 0
    assert "SECRET_KEY thiếu, quá ngắn (dưới 32 ký tự) hoặc là giá trị mẫu" in started.stderr
    assert "SECRET_KEY is missing, too short (under 32 characters) or a placeholder" in (
        started.stderr
    )
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "onestop.db").exists()


def test_the_app_is_production_unless_told_otherwise(tmp_path):
    show = (
        "import wsgi; print(wsgi.app.config['APP_ENV'], wsgi.app.config['SESSION_COOKIE_SECURE'])"
    )
    env = {key: value for key, value in os.environ.items() if key != "APP_ENV"}
    env.update(SECRET_KEY=STRONG_KEY, INSTANCE_PATH=str(tmp_path))
    shown = subprocess.run(
        [sys.executable, "-c", show], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert shown.stdout.split() == ["production", "True"], shown.stderr


def test_demo_seeding_is_refused_in_production(app, database_url, tmp_path):
    db.session.remove()
    elsewhere = tmp_path / "elsewhere"
    refused = flask_command(
        "seed-demo",
        APP_ENV="production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(elsewhere),
    )
    assert refused.returncode == 1
    assert "Không nạp dữ liệu mẫu khi chạy thật" in refused.stderr
    assert "Demo data is refused in production" in refused.stderr
    history = flask_command(
        "demo-history",
        "--days",
        "2",
        APP_ENV="production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(elsewhere),
    )
    assert history.returncode == 1
    assert count(User) == 0
    assert not elsewhere.exists()


def test_each_demo_account_gets_a_random_password_shown_on_this_machine_only(runner, app):
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    passwords = dict(re.findall(r"(canbo1|canbo2|lanhdao|quantri) / (\S+)", seeded.output))
    assert set(passwords) == {"canbo1", "canbo2", "lanhdao", "quantri"}
    assert len(set(passwords.values())) == 4
    for username, password in passwords.items():
        assert password != demo_password(username)
        assert user_named(username).check_password(password)
    kept = Path(app.instance_path) / "demo-passwords.json"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert (Path(app.instance_path) / "demo-kiosk.key").stat().st_mode & 0o777 == 0o600
    shown = runner.invoke(args=["demo-info"]).output
    assert dict(re.findall(r"(canbo1|canbo2|lanhdao|quantri) / (\S+)", shown)) == passwords
    again = runner.invoke(args=["seed-demo"])
    assert "không thêm gì" in again.output and " / " not in again.output


def test_the_readme_publishes_no_password():
    readme = (PROJECT_DIR / "README.md").read_text()
    for username in ("canbo1", "canbo2", "lanhdao", "quantri"):
        assert demo_password(username) not in readme


def test_device_create_checks_the_printer_like_the_admin_screen(app, runner, demo):
    admin = StaffClient(app, "quantri")
    for address in ("http://10.0.0.5:9100", "tcp://10.0.0.5", "tcp://10.0.0.5:99999", "lp0"):
        refused = runner.invoke(args=["device-create", "kiosk", "Kiosk thử", "--printer", address])
        assert refused.exit_code == 1, address
        message = refused.output.removeprefix("Error: ").strip()
        page = admin.submit(
            "/admin/devices/new",
            {"kind": "kiosk", "name": "Kiosk thử", "printer_url": address, "counter_id": ""},
        )
        assert page.status_code == 422
        assert message and message in text_of(page), (address, message)
    assert count(AuditEvent, action="device.created") == 1  # the demo kiosk alone
