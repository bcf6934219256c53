"""One printer-address validator for the admin pages, the command line and the print worker."""

import socket

import pytest

from core.accounts.printer_addresses import normalise_printer_url
from core.errors import InvalidInput
from core.models import Device
from extensions import db
from printing.worker import deliver_checked


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
        ("TCP://Printer-1.Local:9100", "tcp://printer-1.local:9100"),
        ("usb://4b8:e15", "usb://04b8:0e15"),
        ("usb://0x0416:0x5011", "usb://0416:5011"),
        ("serial:///dev/ttyS0", "serial:///dev/ttyS0?baudrate=9600"),
        ("file:///dev/usb/lp0", "file:///dev/usb/lp0"),
        ("none", None),
        ("  ", None),
    ],
)
def test_accepted_addresses_are_written_one_canonical_way(app, typed, canonical):
    assert normalise_printer_url(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    ["tcp://10.0.0.5", "tcp://10.0.0.5:70000", "tcp://999.1.1.1:9100", "http://10.0.0.5:9100",
     "serial:///dev/ttyS0?baudrate=1234", "file:///etc/passwd", "file:///dev/../etc/passwd"],
)  # fmt: skip
def test_the_command_line_refuses_what_the_admin_pages_refuse(app, runner, typed):
    with pytest.raises(InvalidInput) as refusal:
        normalise_printer_url(typed)
    result = runner.invoke(args=["device-create", "kiosk", "Kiosk sảnh", "--printer", typed])
    assert result.exit_code == 1
    assert refusal.value.messages()["vi"] in result.output
    assert db.session.execute(db.select(Device)).first() is None


def test_the_command_line_stores_the_canonical_address(app, runner):
    result = runner.invoke(args=["device-create", "kiosk", "Kiosk", "--printer", "usb://4b8:e15"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(Device.printer_url)).scalar_one() == "usb://04b8:0e15"


def test_the_print_agent_command_refuses_a_bad_printer_address(runner):
    result = runner.invoke(
        args=["print-agent", "--server", "http://127.0.0.1:9", "--key", "k", "--printer", "lp0"]
    )
    assert result.exit_code == 2
    assert "--printer" in result.output


def test_the_worker_sends_nothing_to_an_address_the_validator_refuses(app):
    """A stored address that no longer passes (edited by hand in the database, say) is
    reported as no printer, and no connection is opened."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        delivery = deliver_checked(f"tcp://127.0.0.1:{port}/x", b"slip", check_status=False)
        with pytest.raises(TimeoutError):
            listener.accept()
    assert delivery.sent is False
    assert delivery.code == "no_printer"
    assert "máy in" in delivery.detail.lower()
