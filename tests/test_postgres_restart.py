"""PostgreSQL restarts under load: the app recovers by itself, loses nothing, never a 500.

A private PostgreSQL server (tests/private_postgres.py): the shared one is never restarted.
"""

import threading
import time

import pytest
import requests
from ledger import check_ledger
from private_postgres import PrivatePostgres, unavailable_reason

import config
from app import create_app
from conftest import POSTGRES_URL, LiveServer, migrate, wait_until
from demo.desk import seed_demo
from extensions import db

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="runs in the PostgreSQL pass (TEST_DATABASE_URL)"),
    pytest.mark.skipif(bool(unavailable_reason()), reason=str(unavailable_reason())),
]


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    yield server
    server.remove()


class Kiosk(threading.Thread):
    """Takes tickets as fast as it is answered, noting each answer and when it was asked."""

    def __init__(self, url: str, key: str, service: str) -> None:
        super().__init__(daemon=True)
        self.url, self.key, self.service = url, key, service
        self.answers: list[tuple[float, int, dict]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.key}"
        while not self.stop.is_set():
            started = time.time()
            response = session.post(
                f"{self.url}/api/v1/tickets", json={"service": self.service}, timeout=30
            )
            self.answers.append((started, response.status_code, response.json()))
            if response.status_code != 201:
                self.stop.wait(0.05)  # a kiosk pauses a moment before trying again

    def answered_since(self, moment: float, status: int | None = None) -> int:
        """Answers to requests sent after `moment` (with this status, if given)."""
        return sum(
            1
            for started, code, _ in list(self.answers)
            if started > moment and (status is None or code == status)
        )


def test_the_app_rides_out_a_database_restart(private_postgres, tmp_path):
    instance = tmp_path / "private"
    instance.mkdir()
    migrate(private_postgres.url, instance)
    app = create_app(config.TestingConfig(private_postgres.url, str(instance)))
    with app.app_context():
        seed_demo(instance / "demo-kiosk.key")
        db.session.commit()
        db.session.remove()
        key = (instance / "demo-kiosk.key").read_text().strip()
        server = LiveServer(private_postgres.url, instance, workers=2)
        kiosks = [Kiosk(server.url, key, service) for service in ("GPLX", "PTIEN", "VTAI")]
        try:
            for kiosk in kiosks:
                kiosk.start()
            # Under load: every kiosk has been given tickets before the restart ...
            wait_until(lambda: all(kiosk.answered_since(0, 201) >= 3 for kiosk in kiosks), 30)
            down = time.time()
            private_postgres.restart()
            back = time.time()
            # ... and has been answered a few times since it.
            wait_until(lambda: all(kiosk.answered_since(back) >= 3 for kiosk in kiosks), 30)
            for kiosk in kiosks:
                kiosk.stop.set()
                kiosk.join(timeout=30)
            health = requests.get(f"{server.url}/healthz", timeout=10)
        finally:
            server.stop()

        answers = [answer for kiosk in kiosks for answer in kiosk.answers]
        statuses = {status for _, status, _ in answers}
        assert statuses <= {201, 503}, f"only tickets or a clear 503, never a 500: {statuses}"
        for _, status, body in answers:
            if status == 503:
                assert body["error"]["code"] == "database_unavailable"
                assert body["error"]["message_vi"] and body["error"]["message_en"]
        before = [body for started, status, body in answers if status == 201 and started < down]
        after = [(status, body) for started, status, body in answers if started > back]
        assert len(before) > 5 and len(after) > 5
        assert all(status == 201 for status, _ in after), "recovered by itself at once"
        assert health.status_code == 200 and health.json()["database"] == "ok"
        check_ledger([body for _, status, body in answers if status == 201], [])
        db.session.remove()
        db.engine.dispose()
