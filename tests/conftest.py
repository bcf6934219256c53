"""Fixtures: a real database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from flask import current_app
from sqlalchemy import create_engine, make_url, text

from app import create_app
from config import TestingConfig, normalise_database_url
from core.models import User
from demo.desk import seed_demo
from extensions import db

PROJECT_DIR = Path(__file__).resolve().parent.parent
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def own_database(url: str | None) -> str | None:
    """The PostgreSQL database this test process uses: the one named, or, when the suite runs
    in several processes (pytest-xdist), one of its own beside it (`<name>_gw0`, …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    named = make_url(normalise_database_url(url))
    return named.set(database=f"{named.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = own_database(os.environ.get("TEST_DATABASE_URL"))

requires_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL (CI does)"
)


def local_time(*args) -> datetime:
    """A fixed moment in the centre's time zone, for time-travel."""
    return datetime(*args, tzinfo=VIETNAM)


def wait_until(condition, timeout: float, step: float = 0.05):
    """Poll `condition` until it returns something true or `timeout` seconds pass; returns
    its last value. For events nothing signals (a row another process writes, a log line)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(step)


def pdf_text(data: bytes) -> str:
    """A printed PDF's text as a reader sees it, every run of white space one space (a table
    cell may wrap anywhere)."""
    from pypdf import PdfReader

    assert data.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def count(model, **filters) -> int:
    """Rows of `model` in this test's session, those with these column values if given."""
    statement = db.select(db.func.count()).select_from(model)
    for field, value in filters.items():
        statement = statement.where(getattr(model, field) == value)
    return db.session.execute(statement).scalar_one()


CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, path: str = "/auth/login") -> str:
    """The session's CSRF token, read from a form on the page at `path` as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no form with a CSRF token on {path}"
    return match.group(1) or match.group(2)


def migrate(url: str, instance_path: Path) -> None:
    app = create_app(TestingConfig(url, str(instance_path)))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(PROJECT_DIR / "migrations"))
        db.engine.dispose()  # closing the last connection folds SQLite's WAL into the file


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """The schema, migrated once per session; tests get a copy (SQLite) or a clean slate."""
    instance = tmp_path_factory.mktemp("instance")
    if not POSTGRES_URL:
        path = instance / "template.db"
        migrate(f"sqlite:///{path}", instance)
        yield path
        return
    own = "PYTEST_XDIST_WORKER" in os.environ  # a database of its own, see own_database
    if own:
        recreate_postgres_database(POSTGRES_URL)
    engine = create_engine(normalise_database_url(POSTGRES_URL))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate(POSTGRES_URL, instance)
    yield POSTGRES_URL
    if own:
        recreate_postgres_database(POSTGRES_URL, create=False)


def recreate_postgres_database(url: str, *, create: bool = True) -> None:
    """Drop (and create again) a worker's own database, through the named one's server."""
    target = make_url(normalise_database_url(url))
    server = create_engine(
        make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"])),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def clean_postgres(url: str) -> None:
    """Empty every table and restart every sequence. As a superuser (the CI's `postgres`):
    DELETE with the foreign keys' and the summaries' triggers off for the transaction
    (replica role), ~40 times quicker than TRUNCATE on tables this small (TRUNCATE gives each
    table a new file: ~0.8 s a test). Another role may not switch the triggers off: TRUNCATE."""
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = [f'"{name}"' for name in tables]
        superuser = connection.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar()
        if not superuser:
            connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            statements = ["SET LOCAL session_replication_role = replica"]
            statements += [f"DELETE FROM {name}" for name in names]
            statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
            connection.exec_driver_sql(";".join(statements))
    engine.dispose()


@pytest.fixture
def database_url(template_database, tmp_path):
    """A migrated, empty database of this test's own."""
    if POSTGRES_URL:
        clean_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "onestop.db"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    from core.accounts import devices
    from core.queue import positions, service_lookup

    service_lookup.forget_cached_services()
    positions.forget_service_times()
    devices.forget_known_devices()
    application = create_app(TestingConfig(database_url, str(tmp_path / "instance")))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def demo_password(username: str) -> str:
    """The tests' demo passwords (`make run` gives each demo account a random one)."""
    return f"{username}-demo"


def put_signed_in(session, user_id: int) -> None:
    """Write a signed-in session for `user_id` straight into a test client's cookie, as
    web.sessions.begin_session does at sign-in (no password check, no rate limit)."""
    generation = db.session.execute(
        db.select(User.session_generation).filter_by(id=user_id)
    ).scalar_one()
    session["_user_id"] = str(user_id)
    session["_fresh"] = True
    session["session_generation"] = generation
    session["signed_in_at"] = int(time.time())


class AuthActions:
    """Signs a test client in and out, like the Flask tutorial's `AuthActions`.

    `auth.login("canbo1")` goes through the real sign-in form (its CSRF token when CSRF is
    on, the demo password `<username>-demo` unless `password` is given) and checks that it
    signed in. `client=` signs in another client than the `client` fixture (a second
    browser). `auth.attempt` posts the form and returns whatever comes back, for tests of
    the sign-in itself. `form=False` puts the user straight into the session: no password
    check and no rate limit, for walks that sign in hundreds of clients.
    """

    def __init__(self, client):
        self.client = client

    def attempt(self, username: str, password: str, *, client=None):
        client = self.client if client is None else client
        form = {"username": username, "password": password}
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            form["csrf_token"] = csrf_token(client)
        return client.post("/auth/login", data=form)

    def login(
        self, username: str = "canbo1", password: str | None = None, *, client=None, form=True
    ):
        client = self.client if client is None else client
        if not form:
            user_id = db.session.execute(
                db.select(User.id).filter_by(username=username)
            ).scalar_one()
            with client.session_transaction() as session:
                put_signed_in(session, user_id)
            return None
        response = self.attempt(username, password or demo_password(username), client=client)
        assert response.status_code == 302, f"{username} signed in"
        return response

    def logout(self, *, client=None):
        client = self.client if client is None else client
        form = {}
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            form["csrf_token"] = csrf_token(client)
        return client.post("/auth/logout", data=form)


@pytest.fixture
def auth(client):
    """Sign the test client in (`auth.login("canbo1")`) and out (`auth.logout()`)."""
    return AuthActions(client)


@pytest.fixture
def demo(app):
    """The demo desk; returns the demo kiosk's key."""
    key_file = Path(app.instance_path) / "demo-kiosk.key"
    seed_demo(key_file, password_for=demo_password)
    db.session.commit()
    return key_file.read_text().strip()


@pytest.fixture
def kiosk_headers(demo):
    return {"Authorization": f"Bearer {demo}"}


# A server or command the tests start in a process of its own: the app is production unless
# told otherwise, and wants a real key.
SERVER_SETTINGS = {"APP_ENV": "development", "SECRET_KEY": "live-server-test-secret-key-0123456789"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A real gunicorn serving the app on a loopback port. `--preload`: the app is imported
    once and the workers forked from it (the factory opens nothing), not imported four
    times, which was most of a live test's setup."""

    def __init__(self, database_url: str, instance_path: Path, workers: int = 4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_path / "gunicorn.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance_path),
            **SERVER_SETTINGS,
            "PUBLIC_BASE_URL": self.url,
            "RATELIMIT_ENABLED": "false",
            "PRINTER_NETWORKS": "127.0.0.1/32:1024-65535",  # the fake printers' free ports
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "2",
                "--preload",
                "wsgi:app",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_ready()
        except RuntimeError:
            self.stop()  # a server that never answered must not outlive the test
            raise

    def wait_until_ready(self, timeout: float = 30) -> None:
        def answering() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_path.read_text())
            try:
                return requests.get(self.url + "/api/v1/health", timeout=5).ok
            except requests.RequestException:
                return False

        if not wait_until(answering, timeout, step=0.1):
            raise RuntimeError("gunicorn did not start:\n" + self.log_path.read_text())

    def stop(self) -> None:
        """Quick shutdown (SIGINT): the test is over, nothing is in flight."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def stop_quickly(*servers: LiveServer) -> None:
    """SIGQUIT: gunicorn's quick shutdown; the tests have nothing left in flight."""
    for server in servers:
        server.process.send_signal(signal.SIGQUIT)
    for server in servers:
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def live_server(app, demo, database_url):
    """gunicorn with four workers over this test's database, demo data loaded."""
    db.session.remove()
    server = LiveServer(database_url, Path(app.instance_path))
    server.kiosk_key = demo
    yield server
    server.stop()


class PatientLiveServer(LiveServer):
    def wait_until_ready(self, timeout: float = 120) -> None:
        super().wait_until_ready(timeout)


@pytest.fixture
def patient_live_server(app, demo, database_url):
    """The live server, given two minutes to start: on a machine busy with the whole suite
    (or other work) four workers may take longer than the usual 30 seconds."""
    db.session.remove()
    server = PatientLiveServer(database_url, Path(app.instance_path))
    server.kiosk_key = demo
    yield server
    server.stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Browser tests keep their pictures out of the tree unless asked (make screenshots).
SCREENSHOTS = PROJECT_DIR / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "test-artifacts/screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; skipped, saying why, where absent."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()


def sign_in_browser(page, username: str, url: str | None = None) -> None:
    """Sign a browser page in through the sign-in form, as `username` with the demo password:
    the form at `url` (a sign-in address, with `?next=` if wanted), else the one on screen."""
    if url is not None:
        page.goto(url)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', demo_password(username))
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def confirm_action(page, action: str, **fields) -> None:
    """A move on a dossier's page: open its panel, fill its fields, press its button."""
    details = page.locator(f"details.action--{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in fields.items():
        details.locator(f'[name="{name}"]').fill(value)
    details.locator(f'button[data-action="{action}"]').click()
    page.wait_for_load_state()


@pytest.fixture
def page_factory(browser):
    """New pages with their own context (cookies, storage); closed after the test."""
    contexts = []

    def make(viewport=(1280, 900), **options):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale="vi-VN", **options
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def smtp(tmp_path):
    """A real SMTP server on 127.0.0.1 keeping what it receives."""
    from notice_servers import SmtpServer

    server = SmtpServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def gateway():
    """A fake SMS/Zalo HTTP gateway on 127.0.0.1."""
    from notice_servers import FakeGateway

    server = FakeGateway()
    yield server
    server.down()
