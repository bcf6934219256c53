"""End to end: real gunicorn, the real `flask print-worker` process, a fake network printer."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import zxingcpp

from conftest import PROJECT_DIR, SERVER_SETTINGS, wait_until
from core.models import Device, Printer, PrintJob, PrintJobStatus
from escpos_reader import read
from extensions import db
from fake_printer import FakePrinter, free_port, strip_status
from printing_helpers import jobs
from tests import factories

pytestmark = pytest.mark.slow
RETRY_SECONDS = 1.0


class WorkerProcess:
    """`flask --app wsgi print-worker`, as `make run` starts it; stopped with Ctrl+C."""

    def __init__(self, database_url: str, instance: Path, public_url: str, name: str = "worker"):
        self.log_path = instance / f"{name}.log"
        env = {
            **os.environ,
            **SERVER_SETTINGS,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "PUBLIC_BASE_URL": public_url,
            "PRINT_RETRY_SECONDS": str(RETRY_SECONDS),
            "PRINT_RETRY_MAX_SECONDS": str(RETRY_SECONDS),
            "PRINT_POLL_SECONDS": "0.1",
            # The deadlines below measure the printing pipeline, not the scheduler of a busy
            # shared test machine: the worker runs at normal priority here.
            "PRINT_WORKER_NICE": "0",
            # The fake printers listen on loopback at whatever port is free.
            "PRINTER_NETWORKS": "127.0.0.1/32:1024-65535",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "print-worker"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_for(self, text: str, timeout: float = 60) -> None:
        def logged() -> bool:
            log = self.log_path.read_text()
            assert text in log or self.process.poll() is None, log
            return text in log

        if not wait_until(logged, timeout):
            raise AssertionError(f"worker never logged {text!r}:\n{self.log_path.read_text()}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def start_worker(app, database_url):
    started = []

    def start(public_url: str = "http://testserver.local", name: str = "worker"):
        worker = WorkerProcess(database_url, Path(app.instance_path), public_url, name)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop()


def post_ticket(server, key: str, service: str = "GPLX") -> tuple[dict, float]:
    started = time.perf_counter()
    response = requests.post(
        f"{server.url}/api/v1/tickets",
        json={"service": service},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    return response.json(), elapsed


def decoded_url(data: bytes) -> str:
    page = read(strip_status(data)).page(576)
    return zxingcpp.read_barcodes(page)[0].text


@pytest.mark.timing
def test_ticket_reaches_the_network_printer_within_two_seconds(live_server, start_worker):
    with FakePrinter() as printer:
        key = factories.device("kiosk", printer_url=printer.url).key
        worker = start_worker(live_server.url)
        worker.wait_for("worker thread started")
        body, _ = post_ticket(live_server, key)
        issued = time.monotonic()
        received = printer.wait_for_jobs(1, timeout=5)
        arrival = time.monotonic() - issued
        assert len(received) == 1
        assert arrival < 2.0, f"the slip took {arrival:.2f} s"
        assert decoded_url(received[0]) == body["tracking_url"]
        assert read(strip_status(received[0])).cuts == 1
        assert worker.stop() == 0, "Ctrl+C stops the worker cleanly"
    job = jobs()[0]
    assert job.status == PrintJobStatus.SENT and job.attempts == 1


@pytest.mark.timing
def test_closed_printer_port_neither_slows_nor_loses_the_ticket(live_server, start_worker):
    printer = FakePrinter(port=free_port())
    key = factories.device("kiosk", printer_url=printer.url).key
    worker = start_worker(live_server.url)
    worker.wait_for("worker thread started")
    # Every gunicorn worker connects and loads what it needs; the last taps, at a kiosk
    # without a printer, are what issuing costs on this machine now.
    usual = sorted(
        post_ticket(live_server, live_server.kiosk_key, service="TRAKQ")[1] for _ in range(8)
    )[2:5]
    issued = [post_ticket(live_server, key) for _ in range(3)]
    timings = sorted(elapsed for _, elapsed in issued)
    # Not slowed: no slower than usual issuing (with a margin for a loaded machine), far
    # from the seconds a connection attempt to the printer could take.
    bound = max(0.2, 3 * usual[-1])
    assert timings[1] < bound, f"issuing took {timings[1] * 1000:.0f} ms with the printer down"
    assert all(body["print"]["status"] == "queued" for body, _ in issued)
    first_try = wait_until(lambda: jobs()[0].error_code == "unreachable", 5)
    assert first_try and jobs()[0].status == PrintJobStatus.QUEUED
    printer.start()
    opened = time.monotonic()
    try:
        received = printer.wait_for_jobs(1, timeout=RETRY_SECONDS + 3)
        waited = time.monotonic() - opened
        received = printer.wait_for_jobs(3, timeout=5)
        time.sleep(RETRY_SECONDS * 2)  # long enough for a second copy, if there were one
        assert len(printer.jobs) == 3, "each slip printed exactly once"
    finally:
        printer.stop()
    assert waited < RETRY_SECONDS + 0.5, f"printed {waited:.2f} s after the port opened"
    assert [decoded_url(data) for data in received] == [body["tracking_url"] for body, _ in issued]
    assert wait_until(lambda: all(job.status == PrintJobStatus.SENT for job in jobs()), 5)
    assert jobs()[0].attempts >= 2
    assert worker.stop() == 0


def test_two_worker_processes_never_print_a_slip_twice(app, demo, client, start_worker):
    with FakePrinter() as printer:
        _, headers = factories.kiosk(printer.url)
        workers = [start_worker(name=f"worker-{index}") for index in range(2)]
        for worker in workers:
            worker.wait_for("worker thread started")
        bodies = [factories.kiosk_ticket(client, headers) for _ in range(12)]
        received = printer.wait_for_jobs(12, timeout=20)
        time.sleep(1)  # a quiet second: a copy printed twice would arrive within it
        received = printer.jobs
        for worker in workers:
            assert worker.stop() == 0
    assert len(received) == 12
    assert sorted(decoded_url(data) for data in received) == sorted(
        body["tracking_url"] for body in bodies
    )
    assert {job.status for job in jobs()} == {PrintJobStatus.SENT}
    assert {job.attempts for job in jobs()} == {1}


def test_print_agent_on_the_kiosk_pc_prints_to_its_local_printer(live_server, tmp_path):
    device_file = tmp_path / "lp0"
    device_file.write_bytes(b"")
    # The server knows the kiosk's printer by its device path; on this test PC the agent is
    # told to write to a file standing in for it.
    key = factories.device("kiosk", printer_url="file:///dev/usb/lp0").key
    body, _ = post_ticket(live_server, key)
    agent = [sys.executable, str(PROJECT_DIR / "agent" / "print_agent.py")]
    args = ["--server", live_server.url, "--insecure", "--once"]
    args += ["--printer", f"file://{device_file}"]
    environment = {**os.environ, "KIOSK_KEY": key}
    result = subprocess.run(
        agent + args, capture_output=True, text=True, timeout=60, env=environment
    )
    assert result.returncode == 0, result.stderr
    data = device_file.read_bytes()
    assert decoded_url(data) == body["tracking_url"]
    assert read(data).cuts == 1
    db.session.rollback()
    job = db.session.execute(db.select(PrintJob)).scalar_one()
    assert (job.status, job.attempts, job.claimed_by) == (
        PrintJobStatus.SENT,
        1,
        f"agent:kiosk-{job.device_id}",
    )
    printer = db.session.execute(db.select(Printer)).scalar_one()
    assert printer.agent_seen_at is not None and printer.via.value == "agent"

    # A kiosk PC whose printer is unplugged: the job waits for the next try, nothing lost.
    device_file.unlink()
    second, _ = post_ticket(live_server, key)
    failed = subprocess.run(
        agent + args, capture_output=True, text=True, timeout=60, env=environment
    )
    assert failed.returncode == 1
    assert "not ready: unreachable" in failed.stderr
    db.session.rollback()
    job = db.session.execute(db.select(PrintJob).order_by(PrintJob.id.desc())).scalars().first()
    assert (job.status, job.attempts) == (PrintJobStatus.QUEUED, 0)
    printer = db.session.execute(db.select(Printer)).scalar_one()
    assert (printer.state.value, printer.last_error_code) == ("offline", "unreachable")
    assert db.session.get(Device, job.device_id).printer_url == "file:///dev/usb/lp0"
