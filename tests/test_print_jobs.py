"""Print jobs: queued after the ticket is saved, sent by the worker, never lost, never twice."""

import sqlite3
import threading
from datetime import timedelta

import pytest
import time_machine
import zxingcpp

from api import views as api_views
from conftest import csrf_token, local_time, wait_until
from core.clock import utcnow
from core.db.transactions import begin_write_transaction
from core.models import AuditEvent, Printer, PrintJob, PrintJobStatus, Ticket
from escpos_reader import read
from extensions import db
from fake_printer import FakePrinter, free_port, strip_status
from printing import jobs as job_rules
from printing.jobs import claim_next, sweep
from printing_helpers import FAST_PRINTING, jobs, post, running_worker
from tests import factories

MORNING = local_time(2026, 3, 2, 8, 15)


@pytest.fixture
def fast(app, demo):
    app.config.update(FAST_PRINTING)
    return app


def test_kiosk_without_a_printer_queues_nothing(client, kiosk_headers):
    body = factories.kiosk_ticket(client, kiosk_headers)
    assert body["print"] is None
    assert jobs() == []


@time_machine.travel(MORNING, tick=False)
def test_issuing_queues_a_job_that_says_what_the_screen_says(client, demo):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    factories.kiosk_ticket(client, headers)
    body = factories.kiosk_ticket(client, headers, priority=True)
    assert body["print"] == {"status": "queued", "printer_state": "unknown"}
    job = jobs()[-1]
    assert job.status == PrintJobStatus.QUEUED and job.payload is None
    assert job.ticket.number == body["number"] == "A002"
    assert job.content["number"] == "A002"
    assert job.content["qr"] == body["tracking_url"]
    assert job.content["service"] == "Cấp, đổi giấy phép lái xe"
    assert job.content["badges"] == ["ƯU TIÊN"]
    assert job.content["lines"] == ["Không có ai trước bạn", "Giờ lấy số: 08:15 · 02/03/2026"]
    queued = db.session.execute(
        db.select(AuditEvent).filter_by(action="print_job.queued", subject_id=job.id)
    ).scalar_one()
    assert queued.details["number"] == "A002"


@time_machine.travel(MORNING, tick=False)
def test_slip_speaks_the_language_the_kiosk_showed(client, demo):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    client.post("/api/v1/tickets?lang=en", json={"service": "PTIEN"}, headers=headers)
    content = jobs()[-1].content
    assert content["service"] == "Vehicle registration and inspection"
    assert content["heading"] == "TICKET NUMBER"
    assert content["lines"][0] == "No one ahead of you"


def test_a_failure_to_queue_never_fails_the_ticket(client, demo, monkeypatch):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("printing.ticket_hook.queue_ticket", broken)
    body = factories.kiosk_ticket(client, headers)
    assert body["print"] == {"status": "not_queued", "printer_state": "unknown"}
    db.session.rollback()
    assert db.session.execute(db.select(Ticket).filter_by(token=body["token"])).scalar_one()


def test_the_slip_is_queued_when_the_worker_wrote_while_the_answer_was_read(
    client, demo, monkeypatch
):
    """SQLite: a read transaction that starts writing fails at once if another process
    committed since it began. The answer may read (a cache miss) while the print worker
    commits; the slip's job must still be queued."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's snapshot upgrade; PostgreSQL waits on row locks instead")
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    answer_minutes = api_views.estimated_wait_minutes

    def read_while_the_worker_writes(ticket, ahead):
        minutes = answer_minutes(ticket, ahead)
        db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one()  # a cache miss
        worker = sqlite3.connect(db.engine.url.database, isolation_level=None)
        worker.execute("UPDATE service SET sort_order = sort_order + 1")  # another process
        worker.close()
        return minutes

    monkeypatch.setattr(api_views, "estimated_wait_minutes", read_while_the_worker_writes)
    body = factories.kiosk_ticket(client, headers)
    assert body["print"] == {"status": "queued", "printer_state": "unknown"}
    assert [job.ticket.token for job in jobs()] == [body["token"]]


def test_worker_prints_the_slip_and_keeps_the_outcome(client, fast):
    with FakePrinter() as printer:
        device_id, headers = factories.kiosk(printer.url)
        with running_worker(fast):
            body = factories.kiosk_ticket(client, headers)
            received = printer.wait_for_jobs(1, timeout=5)
            job = wait_until(lambda: jobs()[0].status == PrintJobStatus.SENT and jobs()[0], 5)
    assert len(received) == 1
    printout = read(strip_status(received[0]))
    page = printout.page(576)
    assert [code.text for code in zxingcpp.read_barcodes(page)] == [body["tracking_url"]]
    assert printout.cuts == 1
    assert job.attempts == 1 and job.sent_at is not None
    assert job.payload == strip_status(received[0])
    assert job.payload_size == len(job.payload) < 25_000
    assert job.render_ms > 0
    printer_row = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert printer_row.state.value == "online" and printer_row.last_printed_at is not None
    assert db.session.execute(
        db.select(AuditEvent).filter_by(action="print_job.sent", subject_id=job.id)
    ).scalar_one()


def test_printer_down_then_up_prints_each_slip_once_in_order(client, fast):
    printer = FakePrinter(port=free_port())
    _, headers = factories.kiosk(printer.url)
    with running_worker(fast):
        numbers = [factories.kiosk_ticket(client, headers)["number"] for _ in range(3)]
        assert wait_until(lambda: jobs()[0].attempts >= 1 and jobs()[0].error_code, 5)
        first = jobs()[0]
        assert first.status == PrintJobStatus.QUEUED and first.error_code == "unreachable"
        assert first.next_attempt_at > first.claimed_at, "it waits before trying again"
        printer.start()
        received = printer.wait_for_jobs(3, timeout=5)
        wait_until(lambda: all(job.status == PrintJobStatus.SENT for job in jobs()), 5)
        printed_more = printer.wait_for_jobs(4, timeout=1)
    printer.stop()
    assert len(received) == len(printed_more) == 3, "each slip exactly once"
    printed_numbers = [read(strip_status(data)).page(576) for data in received]
    urls = [zxingcpp.read_barcodes(page)[0].text for page in printed_numbers]
    assert urls == [job.content["qr"] for job in jobs()], "in the order issued"
    assert [job.content["number"] for job in jobs()] == numbers


def test_repeated_failure_raises_an_alert_with_a_one_tap_reprint(client, auth, fast):
    printer = FakePrinter(mode="paper_out")
    device_id, headers = factories.kiosk(printer.url)
    with printer, running_worker(fast):
        number = factories.kiosk_ticket(client, headers)["number"]
        failed = wait_until(lambda: jobs()[0].status == PrintJobStatus.FAILED and jobs()[0], 8)
        assert failed, "after PRINT_MAX_ATTEMPTS the job is failed"
        assert failed.attempts == 3 and failed.error_code == "paper_out"
        assert printer.jobs == [], "nothing was sent to a printer without paper"

        auth.login("canbo1")
        desk = client.get("/desk/").get_data(as_text=True)
        assert f"Phiếu {number} chưa in được" in desk
        assert "Máy in hết giấy." in desk
        assert "Hết giấy" in desk  # the printer's own state

        printer.mode = "online"
        token = csrf_token(client, "/desk/")
        refused = post(client, f"/admin/printers/jobs/{failed.id}/reprint", data={"next": "/"})
        assert refused.status_code == 400, "no CSRF token, no reprint"
        response = post(
            client,
            f"/admin/printers/jobs/{failed.id}/reprint",
            data={"next": "/desk/", "csrf_token": token},
        )
        assert response.status_code == 302 and response.location.endswith("/desk/")
        received = printer.wait_for_jobs(1, timeout=5)
        wait_until(lambda: jobs()[-1].status == PrintJobStatus.SENT, 5)
    assert len(received) == 1
    badges = [job.content["badges"] for job in jobs()]
    assert badges == [[], ["BẢN IN LẠI"]]
    assert jobs()[0].resolved_at is not None
    desk = client.get("/desk/").get_data(as_text=True)
    assert "chưa in được" not in desk
    actions = set(db.session.execute(db.select(AuditEvent.action)).scalars())
    assert {"print_job.failed", "print_job.reprinted", "printer.state_changed"} <= actions


def test_printer_that_accepts_and_never_reads_loses_nothing(client, fast):
    printer = FakePrinter(mode="never_read")
    _, headers = factories.kiosk(printer.url)
    with printer, running_worker(fast):
        factories.kiosk_ticket(client, headers)
        assert wait_until(lambda: jobs()[0].error_code == "silent", 6)
        assert jobs()[0].status in (PrintJobStatus.QUEUED, PrintJobStatus.SENDING)
        printer.mode = "online"
        received = printer.wait_for_jobs(1, timeout=6)
        assert wait_until(lambda: jobs()[0].status == PrintJobStatus.SENT, 5)
        assert len(printer.wait_for_jobs(2, timeout=1)) == 1
    assert len(received) == 1


def test_two_senders_racing_never_take_the_same_job(app, demo):
    device_id, _ = factories.kiosk("tcp://127.0.0.1:9")
    begin_write_transaction()
    for index in range(40):
        job_rules.queue_job(
            device_id,
            job_rules.PrintJobKind.TEST,
            job_rules.Slip(agency="", centre="", heading="", number=f"T{index}"),
        )
    db.session.commit()
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(len(claimed))

    def sender(name):
        with app.app_context():
            start.wait()
            while True:
                begin_write_transaction()
                job = claim_next(device_id, name)
                if job is None:
                    db.session.commit()
                    break
                claimed[name].append(job.id)
                job.status = PrintJobStatus.SENT
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=sender, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [job_id for ids in claimed.values() for job_id in ids]
    assert sorted(everything) == sorted(set(everything)), "no job taken twice"
    assert len(everything) == 40, "every job taken"
    assert all(job.attempts == 1 for job in jobs())


def test_old_and_interrupted_jobs_are_failed_for_a_person_to_decide(app, client, fast):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    factories.kiosk_ticket(client, headers)
    factories.kiosk_ticket(client, headers)
    begin_write_transaction()
    first, second = jobs()
    begin_write_transaction()
    first = db.session.get(PrintJob, first.id)
    first.status, first.claimed_at = PrintJobStatus.SENDING, utcnow() - timedelta(minutes=3)
    db.session.commit()
    begin_write_transaction()
    later = utcnow() + timedelta(seconds=app.config["PRINT_EXPIRE_SECONDS"] + 1)
    assert sweep(now=later) == 2
    db.session.commit()
    assert [(job.status, job.error_code) for job in jobs()] == [
        (PrintJobStatus.FAILED, "interrupted"),
        (PrintJobStatus.FAILED, "expired"),
    ]


def test_a_job_is_not_claimed_before_its_next_try(app, demo):
    device_id, _ = factories.kiosk("tcp://127.0.0.1:9")
    begin_write_transaction()
    device = db.session.get(job_rules.Device, device_id)
    job = job_rules.queue_job(
        device.id, job_rules.PrintJobKind.TEST, job_rules.Slip("", "", "", "T1")
    )
    job.next_attempt_at = utcnow() + timedelta(seconds=30)
    db.session.commit()
    begin_write_transaction()
    assert claim_next(device_id, "me") is None
    assert claim_next(device_id, "me", now=utcnow() + timedelta(seconds=31)) is not None
    db.session.commit()


def test_idle_printer_is_checked_so_paper_out_shows_before_a_slip_fails(client, auth, fast):
    fast.config["PRINT_STATUS_SECONDS"] = 0.2
    printer = FakePrinter(mode="paper_out")
    device_id, _ = factories.kiosk(printer.url)
    with printer, running_worker(fast):

        def state():
            db.session.rollback()
            row = db.session.execute(
                db.select(Printer).filter_by(device_id=device_id)
            ).scalar_one_or_none()
            return row is not None and row.state.value

        assert wait_until(lambda: state() == "paper_out", 5)
        printer.mode = "online"
        assert wait_until(lambda: state() == "online", 5)
        assert printer.jobs == [], "a status check prints nothing"
    auth.login("canbo1")
    assert "Hết giấy" not in client.get("/desk/").get_data(as_text=True)


@time_machine.travel(MORNING, tick=False)
def test_yesterdays_failed_slips_no_longer_alert(client, auth, demo):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    number = factories.kiosk_ticket(client, headers)["number"]
    begin_write_transaction()
    job = jobs()[0]
    begin_write_transaction()
    job.status, job.error_code = PrintJobStatus.SENDING, "unreachable"
    job_rules.fail(job)
    db.session.commit()
    auth.login("canbo1")
    assert f"Phiếu {number} chưa in được" in client.get("/desk/").get_data(as_text=True)
    with time_machine.travel(local_time(2026, 3, 3, 7, 30), tick=False):
        auth.login("canbo1")
        assert "chưa in được" not in client.get("/desk/").get_data(as_text=True)


def test_slips_waiting_with_no_worker_running_alert_the_staff(client, auth, demo):
    _, headers = factories.kiosk("tcp://127.0.0.1:9")
    factories.kiosk_ticket(client, headers)
    auth.login("canbo1")
    assert "print-worker" not in client.get("/desk/").get_data(as_text=True), "just issued"
    with time_machine.travel(timedelta(seconds=40)):
        auth.login("canbo1")
        desk = client.get("/desk/").get_data(as_text=True)
    assert "Phiếu chờ in quá lâu: kiểm tra chương trình in trên máy chủ (print-worker)." in desk
