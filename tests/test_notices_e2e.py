"""Notices end to end: the real `flask --app wsgi worker` process sending to a real SMTP
server, and a citizen asking for an SMS at the kiosk in Chromium, served by gunicorn."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import (
    PROJECT_DIR,
    SCREENSHOTS,
    SERVER_SETTINGS,
    LiveServer,
    sign_in_browser,
    wait_until,
)
from core.models import Notice, NoticeChannel, NoticeConsent, NoticeKind, NoticeStatus
from core.notices.outbox import queue_notice
from extensions import db
from notices.worker import send_next
from tests import factories

pytestmark = pytest.mark.slow


def test_the_worker_command_runs_every_background_job_and_sends_an_email(
    app, demo, database_url, smtp, tmp_path
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    queue_notice(
        NoticeChannel.EMAIL, "an.nguyen@example.vn", NoticeKind.CALLED, number="A001", counter=3
    )
    db.session.commit()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        **SERVER_SETTINGS,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(app.instance_path),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_DEFAULT_SENDER": "mot-cua@example.vn",
        "PRINT_WORKER_NICE": "0",
        "EXPORT_WORKER_NICE": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(lambda: smtp.messages, 60), log_path.read_text()
        [mail] = smtp.messages
        assert mail["Subject"] == "Mời số A001 đến quầy 3"
        assert "Mời số A001 đến quầy 3." in mail.get_content()
        log = log_path.read_text()
        assert "print worker started" in log and "notice worker started" in log
    finally:
        worker.send_signal(signal.SIGINT)
        code = worker.wait(timeout=40)
    assert code == 0, log_path.read_text()
    notice = db.session.execute(db.select(Notice)).scalar_one()
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 1)


@pytest.mark.browser
def test_a_citizen_asks_for_an_sms_at_the_kiosk_and_gets_it_when_called(
    app, demo, database_url, gateway, page_factory, monkeypatch
):
    monkeypatch.setenv("SMS_GATEWAY_URL", gateway.url)
    app.config["SMS_GATEWAY_URL"] = gateway.url
    db.session.remove()
    server = LiveServer(database_url, Path(app.instance_path), workers=2)
    try:
        kiosk = page_factory(viewport=(1080, 1920))
        kiosk.goto(f"{server.url}/kiosk/#key={demo}")
        kiosk.get_by_role("button", name="Cấp, đổi giấy phép lái xe").click()
        kiosk.locator("#ask-no").click()
        kiosk.locator("#result-number").wait_for(state="visible")
        kiosk.get_by_role("button", name="Nhắn tin cho tôi khi sắp đến lượt").click()
        kiosk.locator("#kiosk-notify").wait_for(state="visible")
        assert kiosk.locator("#notify-agree").is_disabled()
        for digit in "0912345678":
            kiosk.locator(f'[data-digit="{digit}"]').first.click()
        assert kiosk.locator("#notify-phone").inner_text() == "0912 345 678"
        kiosk.screenshot(path=SCREENSHOTS / "kiosk-notify.png")
        kiosk.locator("#notify-agree").click()
        kiosk.locator("#notify-done").wait_for(state="visible")
        assert "091****678" in kiosk.locator("#notify-done").inner_text()
        kiosk.screenshot(path=SCREENSHOTS / "kiosk-notify-done.png")
        consent = db.session.execute(db.select(NoticeConsent)).scalar_one()
        assert (consent.channel, consent.recipient, consent.agreed_where) == (
            NoticeChannel.SMS,
            "0912345678",
            "kiosk",
        )
        db.session.rollback()
        keypad = factories.device("counter", counter=1).headers
        called = requests.post(f"{server.url}/api/v1/counters/1/next", headers=keypad, timeout=10)
        assert called.json()["number"] == "A001"
        assert send_next(app, "test-sender") and gateway.texts() == ["Mời số A001 đến quầy 1."]

        # A notice the gateway refuses shows to the admins, who may send it again.
        gateway.status = 400
        queue_notice(NoticeChannel.SMS, "0987654321", NoticeKind.CALLED, number="A002", counter=2)
        db.session.commit()
        assert send_next(app, "test-sender")
        admin = page_factory(viewport=(1280, 900))
        sign_in_browser(admin, "quantri", f"{server.url}/auth/login?next=/admin/notices")
        admin.get_by_role("link", name="Thông báo").first.click()
        admin.wait_for_load_state()
        assert "098****321" in admin.locator("body").inner_text()
        admin.screenshot(path=SCREENSHOTS / "admin-notices.png", full_page=True)
        admin.get_by_role("button", name="Gửi lại").click()
        admin.wait_for_load_state()
        assert "Thông báo sẽ được gửi lại." in admin.locator("body").inner_text()
        gateway.status = 200
        db.session.rollback()
        assert send_next(app, "test-sender") and gateway.texts()[-1] == "Mời số A002 đến quầy 2."
    finally:
        server.stop()
