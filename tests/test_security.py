"""Security headers, rate limits (and their switch) and the staff idle timeout."""

import hashlib
import logging

import pytest
import time_machine

import config as settings
from app import create_app
from conftest import local_time
from desk_support import fresh_user_per_request  # noqa: F401  (fixture)
from extensions import db
from tests import factories


def test_every_response_carries_the_security_headers(client, demo):
    for path in ("/", "/kiosk/", "/auth/login", "/api/v1/services", "/static/css/app.css", "/nope"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers, "HSTS only over HTTPS"


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://onestop.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def app_with(database_url, tmp_path, **overrides):
    config = settings.TestingConfig(database_url, str(tmp_path / "instance"))
    for name, value in overrides.items():
        setattr(config, name, value)
    return create_app(config)


@pytest.fixture
def limited(app, demo, database_url, tmp_path):
    """An app whose limits are tiny, over the demo desk."""
    limited_app = app_with(
        database_url,
        tmp_path,
        LOGIN_RATE_LIMIT="3 per minute",
        TICKET_RATE_LIMIT="3 per minute",
        LOOKUP_RATE_LIMIT="3 per minute",
    )
    with limited_app.app_context():
        yield limited_app


def test_login_is_limited_per_address_with_the_friendly_page(limited):
    client = limited.test_client()
    limited.config["WTF_CSRF_ENABLED"] = False
    wrong = {"username": "x", "password": "y"}
    for _ in range(3):
        assert client.post("/auth/login", data=wrong).status_code == 200
    refused = client.post("/auth/login", data=wrong)
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]
    english = client.post("/auth/login?lang=en", data=wrong)
    assert "Too many requests" in english.get_data(as_text=True)


def test_ticket_issuance_is_limited_per_kiosk_with_the_json_error(limited, demo):
    factories.device("kiosk", "Ki-ốt 2")
    other_key = factories.device("kiosk", "Ki-ốt 3").key
    client = limited.test_client()
    body = {"service": "GPLX"}
    for _ in range(3):
        ok = client.post("/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {demo}"})
        assert ok.status_code == 201
        # A kiosk's ticket is nobody else's answer and not a refusal: no Vary, no Retry-After.
        assert "Vary" not in ok.headers and "Retry-After" not in ok.headers
    refused = client.post("/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {demo}"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    error = refused.get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message_vi"].startswith("Quá nhiều yêu cầu") and error["message_en"]
    # Another kiosk, from the same address, is not held back by the first one.
    other_headers = {"Authorization": f"Bearer {other_key}"}
    other = client.post("/api/v1/tickets", json=body, headers=other_headers)
    assert other.status_code == 201


def test_a_signed_in_page_still_varies_by_cookie(client, auth, demo):
    auth.login("canbo1")
    assert client.get("/desk/").headers["Vary"] == "Cookie"


def test_public_lookup_is_limited(limited):
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/tra-cuu?ma=X-000000-0001&kt=1234").status_code == 404
    assert client.get("/tra-cuu?ma=X-000000-0001&kt=1234").status_code == 429


def test_ratelimit_enabled_false_turns_every_limit_off(app, demo, database_url, tmp_path):
    free = app_with(
        database_url,
        tmp_path,
        RATELIMIT_ENABLED=False,
        LOGIN_RATE_LIMIT="1 per minute",
        TICKET_RATE_LIMIT="1 per minute",
        LOOKUP_RATE_LIMIT="1 per minute",
    )
    free.config["WTF_CSRF_ENABLED"] = False
    with free.app_context():
        client = free.test_client()
        headers = {"Authorization": f"Bearer {demo}"}
        for _ in range(3):
            assert client.post("/auth/login", data={"username": "x"}).status_code == 200
            issued = client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=headers)
            assert issued.status_code == 201
            assert client.get("/tra-cuu?ma=X-000000-0001&kt=1234").status_code == 404


def test_limit_storage_follows_redis_url(monkeypatch):
    from config import Config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert Config().RATELIMIT_STORAGE_URI == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    assert Config().RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/2"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert Config().RATELIMIT_STORAGE_URI == "memory://"


def test_an_idle_officer_is_signed_out_and_told_why(client, auth, demo):
    with time_machine.travel(local_time(2027, 3, 1, 8, 0), tick=False) as traveller:
        auth.login("canbo1")
        assert client.get("/desk/").status_code == 200
        traveller.shift(25 * 60)
        assert client.get("/desk/").status_code == 200  # a click renews the session
        # The console's polling alone does not keep the session alive ...
        for _ in range(7):
            traveller.shift(5 * 60)
            polled = client.get("/desk/state", headers={"X-Background": "1"})
        assert polled.status_code == 401
        # ... and the next page leads to the sign-in page, which says why.
        page = client.get("/desk/")
        assert page.status_code == 302 and page.headers["Location"].startswith("/auth/login")
        login_page = client.get(page.headers["Location"]).get_data(as_text=True)
        assert "không thao tác trong 30 phút" in login_page
        assert client.get("/dossiers/").status_code == 302, "still signed out"


def everything_stored() -> str:
    """Every row of every table, as text."""
    db.session.expire_all()
    rows = []
    for table in db.metadata.sorted_tables:
        rows.extend(str(tuple(row)) for row in db.session.execute(table.select()))
    return "\n".join(rows)


def test_device_keys_are_never_stored_or_logged_in_clear(app, demo, runner, caplog):
    caplog.set_level(logging.DEBUG)
    created = runner.invoke(args=["device-create", "kiosk", "Ki-ốt sảnh B"])
    assert created.exit_code == 0, created.output
    new_key = created.output.split()[-1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {new_key}"}
    issued = client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=headers)
    assert issued.status_code == 201
    bad = {"Authorization": f"Bearer {new_key}x"}
    assert client.post("/api/v1/tickets", json={"service": "GPLX"}, headers=bad).status_code == 401
    stored = everything_stored()
    for key in (demo, new_key):
        assert key not in stored
        assert hashlib.sha256(key.encode()).hexdigest() in stored, "the digest identifies it"
        assert key not in caplog.text
