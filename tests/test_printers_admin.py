"""The printers page: state of each printer, settings, test print, reprint; admins only."""

import pytest
import time_machine
from flask_babel import refresh

from conftest import SCREENSHOTS, csrf_token, local_time, sign_in_browser
from core.db.transactions import begin_write_transaction
from core.models import AuditEvent, Device, Printer, PrintJobKind, PrintJobStatus
from extensions import db
from printing.jobs import fail
from printing_helpers import jobs
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 15)


@pytest.fixture
def admin(client, auth, demo):
    auth.login("quantri")
    return client


def audit(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.execute(db.select(AuditEvent).filter_by(action=action)).scalars())


def settings(device_id: int, **values) -> dict:
    fields = {
        "url": "tcp://10.0.0.5:9100",
        "paper_dots": "576",
        "profile": "NT-80-V-UL",
        "mode": "raster",
        "via": "server",
        "check_status": "y",
        **values,
    }
    return {f"p{device_id}-{name}": value for name, value in fields.items() if value is not None}


def test_only_admins_open_the_printers_page(client, auth, demo):
    assert client.get("/admin/printers/").status_code == 302  # to the sign-in page
    auth.login("canbo1")
    assert client.get("/admin/printers/").status_code == 403
    assert client.post("/admin/printers/1/test").status_code in (400, 403)


def test_printers_page_shows_each_printer_state_and_jobs(admin):
    device_id, headers = factories.kiosk("tcp://127.0.0.1:9", name="Kiosk sảnh A")
    factories.kiosk(None, name="Kiosk sảnh B")
    factories.kiosk_ticket(admin, headers)
    begin_write_transaction()
    db.session.add(
        Printer(
            device_id=device_id, state="paper_out", last_error_code="paper_out",
            last_error="roll paper end sensor",
        )
    )  # fmt: skip
    db.session.commit()
    page = admin.get("/admin/printers/").get_data(as_text=True)
    assert "Kiosk sảnh A" in page and "Kiosk sảnh B" in page
    assert "tcp://127.0.0.1:9" in page
    assert "Hết giấy" in page and "Máy in hết giấy." in page
    assert "roll paper end sensor" in page
    assert "Không có máy in" in page  # Kiosk sảnh B
    assert 'data-state="paper_out"' in page
    refresh()  # the test's app context keeps the language between requests; a server's does not
    english = admin.get("/admin/printers/?lang=en").get_data(as_text=True)
    assert "Ticket printers" in english and "Out of paper" in english


def test_test_print_queues_a_job_with_an_audit_event(admin):
    device_id, _ = factories.kiosk("tcp://127.0.0.1:9")
    token = csrf_token(admin, "/admin/printers/")
    assert admin.post(f"/admin/printers/{device_id}/test").status_code == 400, "CSRF required"
    response = admin.post(f"/admin/printers/{device_id}/test", data={"csrf_token": token})
    assert response.status_code == 302
    (job,) = jobs()
    assert job.kind == PrintJobKind.TEST and job.content["heading"] == "IN THỬ"
    assert "ỨỪỬỮỰ" in job.content["lines"][2]
    (event,) = audit("print_job.queued")
    assert event.user_id is not None and event.details["kind"] == "test"


def test_a_test_print_without_a_printer_is_refused_on_the_printers_page(admin):
    """The page offers no test print for such a kiosk; a stale page or a crafted post gets
    the reason on the printers page, and nothing is queued."""
    factories.kiosk("tcp://127.0.0.1:9", name="Kiosk có máy in")
    device_id, _ = factories.kiosk("none", name="Kiosk không máy in")
    token = csrf_token(admin, "/admin/printers/")
    response = admin.post(f"/admin/printers/{device_id}/test", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/admin/printers/")
    page = admin.get(response.location).get_data(as_text=True)
    assert "Thiết bị “Kiosk không máy in” chưa có máy in." in page
    assert jobs() == [] and audit("print_job.queued") == []


def test_settings_are_saved_checked_and_audited(admin):
    device_id, _ = factories.kiosk("tcp://127.0.0.1:9")
    token = csrf_token(admin, "/admin/printers/")
    response = admin.post(
        f"/admin/printers/{device_id}",
        data={**settings(device_id, url="usb://0x0416:0x5011", paper_dots="384",
                         profile="POS-5890", via="agent"), "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.rollback()
    device = db.session.get(Device, device_id)
    printer = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert device.printer_url == "usb://0416:5011"
    assert (printer.paper_dots, printer.profile, printer.via.value) == (384, "POS-5890", "agent")
    (event,) = audit("printer.configured")
    assert event.details["printer_url"] == ["tcp://127.0.0.1:9", "usb://0416:5011"]
    assert event.details["paper_dots"] == ["576", "384"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"url": "http://printer"}, "không đúng dạng"),
        ({"mode": "text"}, "bảng mã TCVN-3"),
        ({"profile": "POS-5890", "paper_dots": "576"}, "chỉ in được 384 điểm"),
        ({"paper_dots": "600"}, "Lựa chọn không hợp lệ"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(admin, values, message):
    device_id, _ = factories.kiosk("tcp://127.0.0.1:9")
    token = csrf_token(admin, "/admin/printers/")
    response = admin.post(
        f"/admin/printers/{device_id}", data={**settings(device_id, **values), "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    db.session.rollback()
    assert db.session.get(Device, device_id).printer_url == "tcp://127.0.0.1:9"
    assert db.session.execute(db.select(Printer)).first() is None
    assert audit("printer.configured") == []


@time_machine.travel(MORNING, tick=False)
def test_any_ticket_of_the_day_can_be_reprinted_by_number(client, auth, demo):
    admin = client
    auth.login("quantri")  # signed in the same (travelled) morning
    device_id, headers = factories.kiosk("tcp://127.0.0.1:9")
    for _ in range(12):
        body = factories.kiosk_ticket(admin, headers)
    token = csrf_token(admin, "/admin/printers/")
    response = admin.post(
        "/admin/printers/reprint", data={"number": "a12", "device": device_id, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    reprint = jobs()[-1]
    assert reprint.kind == PrintJobKind.REPRINT and reprint.content["number"] == body["number"]
    assert reprint.content["badges"] == ["BẢN IN LẠI"]
    assert reprint.content["qr"] == body["tracking_url"]
    missing = admin.post(
        "/admin/printers/reprint", data={"number": "Z999", "device": device_id, "csrf_token": token}
    )
    assert missing.status_code == 404
    assert "Hôm nay chưa có phiếu số “Z999”." in missing.get_data(as_text=True)
    assert len(jobs()) == 13


def test_officer_can_dismiss_a_failed_slip(client, auth, demo):
    device_id, headers = factories.kiosk("tcp://127.0.0.1:9")
    number = factories.kiosk_ticket(client, headers)["number"]
    begin_write_transaction()
    job = jobs()[0]
    begin_write_transaction()
    job.status, job.error_code = PrintJobStatus.SENDING, "unreachable"
    fail(job)
    db.session.commit()
    auth.login("canbo2")
    assert f"Phiếu {number} chưa in được" in client.get("/desk/").get_data(as_text=True)
    panel = client.get("/admin/printers/alerts?next=/desk/").get_data(as_text=True)
    assert 'id="printer-alerts"' in panel and "<script" not in panel
    token = csrf_token(client, "/desk/")
    response = client.post(
        f"/admin/printers/jobs/{job.id}/dismiss", data={"csrf_token": token, "next": "/desk/"}
    )
    assert response.status_code == 302
    assert "chưa in được" not in client.get("/desk/").get_data(as_text=True)
    assert len(audit("print_job.dismissed")) == 1
    assert len(jobs()) == 1, "dismissing prints nothing"


def test_alerts_stay_off_public_pages(client, demo):
    device_id, headers = factories.kiosk("tcp://127.0.0.1:9")
    begin_write_transaction()
    db.session.add(Printer(device_id=device_id, state="offline", last_error_code="unreachable"))
    db.session.commit()
    assert "printer-alerts" not in client.get("/kiosk/").get_data(as_text=True)
    assert client.get("/admin/printers/alerts").status_code == 302


@pytest.mark.browser
@pytest.mark.slow
def test_printers_page_and_desk_alert_look_right(live_server, page_factory):
    device_id, headers = factories.kiosk("tcp://192.168.1.50:9100", name="Kiosk sảnh chính")
    factories.kiosk("usb://0416:5011", name="Kiosk tầng 2")
    import requests

    for _ in range(3):
        requests.post(
            f"{live_server.url}/api/v1/tickets", json={"service": "GPLX"}, headers=headers
        ).raise_for_status()
    begin_write_transaction()
    first, second, third = jobs()[:3]
    begin_write_transaction()
    for job in (first, second):
        job.status, job.attempts, job.payload_size = PrintJobStatus.SENT, 1, 17_800
    third.status, third.attempts, third.error_code = PrintJobStatus.SENDING, 5, "paper_out"
    fail(third)
    db.session.add(
        Printer(device_id=device_id, state="paper_out", last_error_code="paper_out",
                last_error="roll paper end sensor")
    )  # fmt: skip
    db.session.commit()

    # The citizen at that kiosk: the number and QR code on screen, and a word about the printer.
    kiosk = page_factory(viewport=(1920, 1080))
    kiosk.goto(f"{live_server.url}/kiosk/#key={headers['Authorization'].split()[1]}")
    kiosk.get_by_role("button", name="Trả kết quả hồ sơ").click()
    kiosk.locator("#ask-no").click()  # the priority question
    kiosk.locator("#result-number").wait_for(state="visible")
    assert kiosk.locator("#result-print-warning").is_visible()
    assert not kiosk.locator("#result-note").is_visible()
    kiosk.screenshot(path=SCREENSHOTS / "kiosk-printer-trouble.png")

    page = page_factory(viewport=(1280, 1100))
    sign_in_browser(page, "quantri", f"{live_server.url}/auth/login?next=/admin/printers/")
    page.wait_for_url("**/admin/printers/")
    assert page.locator(".printer-alert").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-printers.png", full_page=True)
    page.get_by_role("button", name="In lại").first.click()
    page.wait_for_url("**/admin/printers/")
    assert page.locator(".printer-alert--job").count() == 0
    assert jobs()[-1].kind == PrintJobKind.REPRINT
