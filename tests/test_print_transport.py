"""Sending a job to a printer: status first, one connection per job, every failure named."""

import os
import pty
import stat
import sys
import threading
import time

import pytest

from agent import print_transport
from agent.print_transport import PrinterAddressError, deliver, parse_printer_url
from fake_printer import FakePrinter, free_port, strip_status

JOB = b"\x1b@hello printer\n\x1dV\x00"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://127.0.0.1:9100", "tcp://127.0.0.1:9100"),
        ("tcp://printer.local", "tcp://printer.local:9100"),
        ("usb://0416:5011", "usb://0416:5011"),
        ("usb://0x04b8:0x0e15", "usb://04b8:0e15"),
        ("serial:///dev/ttyUSB0?baudrate=19200", "serial:///dev/ttyUSB0?baudrate=19200"),
        ("serial:///dev/ttyS0", "serial:///dev/ttyS0?baudrate=9600"),
        ("file:///dev/usb/lp0", "file:///dev/usb/lp0"),
        ("cups://may-in-ve", "cups://may-in-ve"),
    ],
)
def test_printer_addresses_are_read_in_every_accepted_form(url, expected):
    assert str(parse_printer_url(url)) == expected


@pytest.mark.parametrize("url", ["", "none", "NONE", None])
def test_no_printer(url):
    assert parse_printer_url(url) is None


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5", "tcp://", "usb://xyz:1", "file://relative/path", "cups://", "lp0"]
)
def test_bad_printer_addresses_are_refused(url):
    with pytest.raises(PrinterAddressError):
        parse_printer_url(url)


def test_online_printer_gets_the_job_after_answering_status():
    with FakePrinter(mode="online") as printer:
        delivery = deliver(printer.url, JOB)
        jobs = printer.wait_for_jobs(1, timeout=2)
    assert delivery.sent and delivery.state == "online" and not delivery.code
    assert [strip_status(job) for job in jobs] == [JOB]
    assert jobs[0].startswith(b"\x10\x04\x01\x10\x04\x04"), "status is asked before the job"
    assert printer.connections == 1


def test_paper_low_still_prints_and_says_so():
    with FakePrinter(mode="paper_low") as printer:
        delivery = deliver(printer.url, JOB)
        assert printer.wait_for_jobs(1, timeout=2)
    assert delivery.sent and delivery.state == "paper_low"


@pytest.mark.parametrize(
    ("mode", "state", "code"),
    [
        ("paper_out", "paper_out", "paper_out"),
        ("offline", "offline", "offline"),
        ("silent", "offline", "silent"),
        ("never_read", "offline", "silent"),
    ],
)
def test_printer_that_cannot_print_gets_nothing(mode, state, code):
    with FakePrinter(mode=mode) as printer:
        started = time.monotonic()
        delivery = deliver(printer.url, JOB)
        elapsed = time.monotonic() - started
    assert printer.jobs == []  # the printer stopped once every connection was recorded
    assert (delivery.sent, delivery.state, delivery.code) == (False, state, code)
    assert elapsed < 5, "silence is treated as offline after about a second"


def test_closed_port_is_unreachable_at_once():
    started = time.monotonic()
    delivery = deliver(f"tcp://127.0.0.1:{free_port()}", JOB)
    assert (delivery.sent, delivery.state, delivery.code) == (False, "offline", "unreachable")
    assert time.monotonic() - started < 1


def test_status_check_can_be_turned_off_for_printers_that_never_answer():
    with FakePrinter(mode="silent") as printer:
        delivery = deliver(printer.url, JOB, check_status=False)
        jobs = printer.wait_for_jobs(1, timeout=2)
    assert delivery.sent
    assert jobs == [JOB]


def test_status_only_probe_sends_no_job():
    with FakePrinter(mode="paper_out") as printer:
        delivery = deliver(printer.url, None)
    assert printer.jobs == []  # the printer stopped once every connection was recorded
    assert (delivery.state, delivery.code) == ("paper_out", "paper_out")


def test_device_file_printer_gets_the_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    delivery = deliver(f"file://{device}", JOB)
    assert delivery.sent and delivery.state == "unknown"
    assert device.read_bytes() == JOB


def test_missing_device_file_is_not_created(tmp_path):
    device = tmp_path / "usb" / "lp0"
    delivery = deliver(f"file://{device}", JOB)
    assert (delivery.sent, delivery.code) == (False, "unreachable")
    assert not device.exists()


def test_serial_printer_on_a_pseudo_terminal():
    """A real serial line: the printer end answers DLE EOT and receives the job."""
    pytest.importorskip("serial")
    master, slave = pty.openpty()
    os.set_blocking(master, True)
    received = bytearray()

    def printer_end():
        while len(received) < 6 + len(JOB):
            chunk = os.read(master, 1024)
            received.extend(chunk)
            for _ in range(chunk.count(b"\x10\x04")):
                os.write(master, b"\x12")

    thread = threading.Thread(target=printer_end, daemon=True)
    thread.start()
    delivery = deliver(f"serial://{os.ttyname(slave)}?baudrate=9600", JOB)
    thread.join(timeout=3)
    os.close(master)
    os.close(slave)
    assert delivery.sent and delivery.state == "online"
    assert bytes(received) == b"\x10\x04\x01\x10\x04\x04" + JOB


class FakeUsb:
    """Stands in for escpos.printer.Usb: no USB hardware here."""

    instances: list = []

    def __init__(self, vendor, product, timeout=0, **kwargs):
        self.args = (vendor, product, timeout)
        self.written = b""
        self.closed = False
        FakeUsb.instances.append(self)

    def open(self):
        pass

    def query_status(self, query):
        return b"\x12"

    def _raw(self, data):
        self.written += data

    def close(self):
        self.closed = True


def test_usb_printer_goes_through_python_escpos(monkeypatch):
    import escpos.printer

    monkeypatch.setattr(escpos.printer, "Usb", FakeUsb)
    FakeUsb.instances.clear()
    delivery = deliver("usb://0416:5011", JOB)
    (usb,) = FakeUsb.instances
    assert usb.args == (0x0416, 0x5011, 1000)
    assert usb.written == JOB and usb.closed
    assert delivery.sent and delivery.state == "online"


def test_cups_queue_checks_the_exit_code_of_lp(tmp_path, monkeypatch):
    """`lp` is the print server's own command; a stand-in records the job or fails."""
    spool = tmp_path / "spool.bin"
    lp = tmp_path / "lp"
    lp.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "if sys.argv[1:] == ['-d', 'broken', '-o', 'raw']:\n"
        "    sys.stderr.write('lp: The printer or class does not exist.')\n"
        "    sys.exit(1)\n"
        f"open({str(spool)!r}, 'wb').write(sys.stdin.buffer.read())\n"
    )
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    assert deliver("cups://may-in-ve", JOB).sent
    assert spool.read_bytes() == JOB
    failed = deliver("cups://broken", JOB)
    assert (failed.sent, failed.code) == (False, "send_failed")
    # lp's words may come from a remote print server: only its exit status is kept.
    assert failed.detail == "cups://broken: lp exited with status 1"


def test_status_bytes_are_read_as_epson_documents_them():
    state = print_transport.printer_state
    assert state(0x12, 0x12) == "online"
    assert state(0x12, 0x1E) == "paper_low"
    assert state(0x1A, 0x72) == "paper_out"
    assert state(0x1A, 0x12) == "offline"
    assert state(None, None) == "offline"


def test_print_agent_command_refuses_a_bad_printer_and_an_unreachable_server(runner):
    bad = runner.invoke(
        args=["print-agent", "--server", "http://127.0.0.1:9", "--key", "k", "--printer", "lp0"]
    )
    assert bad.exit_code == 2 and "--printer" in bad.output
    port = free_port()
    down = runner.invoke(
        args=["print-agent", "--server", f"http://127.0.0.1:{port}", "--insecure", "--once"],
        env={"KIOSK_KEY": "some-key"},
    )
    assert down.exit_code == 1
    assert "Không gọi được máy chủ" in down.output
    plain = runner.invoke(
        args=["print-agent", "--server", f"http://127.0.0.1:{port}", "--once"],
        env={"KIOSK_KEY": "some-key"},
    )
    assert plain.exit_code == 2 and "https://" in plain.output
