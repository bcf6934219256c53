"""Operations: the health check, proxies, the production secret and database faults."""

import pytest
from flask import request
from sqlalchemy import event

import config
from app import create_app
from conftest import POSTGRES_URL, count, csrf_token, free_port
from core.models import AuditEvent, CounterSession, Ticket
from desk_support import fresh_user_per_request  # noqa: F401  (fixture)
from extensions import db


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def unreachable_database_url(tmp_path) -> str:
    if POSTGRES_URL:
        return f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    return f"sqlite:///{tmp_path}/missing-folder/onestop.db"


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(config.TestingConfig(unreachable_database_url(tmp_path), str(tmp_path)))
    with app.app_context():
        response = app.test_client().get("/healthz")
        body = response.get_json()
        assert response.status_code == 503
        assert (body["status"], body["database"]) == ("error", "database_unavailable")
        assert "cơ sở dữ liệu" in body["message"]
        kiosk = app.test_client().post(
            "/api/v1/tickets", json={"service": "GPLX"}, headers={"Authorization": "Bearer x"}
        )
        assert kiosk.status_code == 503
        assert kiosk.get_json()["error"]["code"] == "database_unavailable"
        signed_in = app.test_client()
        with signed_in.session_transaction() as session:
            session["_user_id"] = "1"
        with app.app_context():  # a fresh `g`, as each request on a server has
            page = signed_in.get("/desk/")
        assert page.status_code == 503
        assert "không kết nối được cơ sở dữ liệu" in page.get_data(as_text=True)
        db.engine.dispose()


@pytest.mark.parametrize("hops", [0, 1])
def test_client_address_is_believed_only_behind_a_trusted_proxy(tmp_path, database_url, hops):
    settings = config.TestingConfig(database_url, str(tmp_path))
    settings.TRUSTED_PROXIES = hops
    app = create_app(settings)
    app.add_url_rule("/whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    forwarded = {"X-Forwarded-For": "10.20.0.31", "X-Forwarded-Proto": "https"}
    answer = app.test_client().get(
        "/whoami", headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert answer.get_data(as_text=True) == ("10.20.0.31 https" if hops else "127.0.0.1 http")


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short-secret-123"])
def test_production_refuses_to_start_without_a_strong_secret_key(monkeypatch, secret):
    monkeypatch.setenv("APP_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.config_from_environment()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_strong_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 12 + "9f3Qz-Lr8wXv2Pn-7Hs5Ty")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def break_database(kind: str) -> None:
    """Every new connection of the app is read-only, or may not grow the file (a full disk)."""
    postgres = db.engine.dialect.name == "postgresql"
    if kind == "full" and postgres:
        pytest.skip("a full disk is simulated with SQLite's max_page_count (the SQLite pass)")

    @event.listens_for(db.engine, "connect")
    def restrict(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if kind == "read-only":
            cursor.execute(
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
                if postgres
                else "PRAGMA query_only = ON"
            )
        else:
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()
        if postgres:
            dbapi_connection.commit()

    db.session.remove()
    db.engine.dispose()


FAULTS = {
    "read-only": ("database_read_only", "chế độ chỉ đọc", "read-only mode"),
    "full": ("database_full", "Ổ đĩa của máy chủ đã đầy", "disk is full"),
}


@pytest.mark.parametrize("kind", FAULTS)
def test_a_database_that_cannot_write_gives_a_clear_error_and_writes_nothing(
    client, auth, kiosk_headers, kind
):
    code, vietnamese, english = FAULTS[kind]
    tickets, events = count(Ticket), count(AuditEvent)
    # Enough tickets to need new pages in the file, with a full disk.
    for _ in range(40):
        client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=kiosk_headers)
    db.session.rollback()
    issued_before = count(Ticket) - tickets
    break_database(kind)

    refused = client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=kiosk_headers)
    for _ in range(200 if kind == "full" else 0):  # until the last free page is used up
        if refused.status_code != 201:
            break
        refused = client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=kiosk_headers)
    error = refused.get_json()["error"]
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert error["code"] == code
    assert vietnamese in error["message_vi"] and english in error["message_en"]

    auth.login("canbo1", form=False)  # the sign-in form would hit the broken database too
    form = {"counter": "1", "csrf_token": csrf_token(client)}
    path = "/desk/session"
    page = client.post(path, data=form)
    # Take and hand back the counter until full: whichever of the two writes finds the file
    # full first (it depends on how the tables' pages happen to fill) is the one refused.
    for _ in range(300 if kind == "full" else 0):
        if page.status_code == 503:
            break
        handed_back = client.post("/desk/session/end", data=form)
        if handed_back.status_code == 503:
            path, page = "/desk/session/end", handed_back
            break
        page = client.post(path, data=form)
    for lang, words in (("vi", vietnamese), ("en", english)):
        page = client.post(f"{path}?lang={lang}", data=form)
        html = page.get_data(as_text=True)
        assert page.status_code == 503 and words in html
        assert "Traceback" not in html and "sqlite3" not in html and "psycopg" not in html

    db.session.rollback()
    tickets_now, events_now = count(Ticket), count(AuditEvent)
    written = tickets_now - tickets - issued_before
    sessions = count(CounterSession)
    closed = sessions - count(CounterSession, ended_at=None)
    assert events_now - events == issued_before + written + sessions + closed, (
        "every ticket and counter session written whole, with its audit event"
    )
    assert client.get("/api/v1/services").status_code == 200, "reading still works"
