"""The server reaches network printers inside PRINTER_NETWORKS only, and says so everywhere:
the admin pages, the command line and the print worker (which opens no connection)."""

import pytest

import config as settings
from admin_support import StaffClient, database_state, text_of
from app import create_app
from core.accounts.printer_addresses import (
    PrinterNetworksInvalid,
    allowed_printer_url,
    parse_printer_networks,
    server_printer_url,
)
from core.errors import InvalidInput
from core.models import Device, Printer, PrintJobStatus, PrintVia
from extensions import db
from fake_printer import FakePrinter, free_port
from printing.worker import send_one
from printing_helpers import FAST_PRINTING, jobs
from tests import factories

CENTRE_LAN = "10.20.1.0/24:9100-9102"
REFUSED = "Máy chủ không được phép gửi đến máy in"


@pytest.fixture
def fast(app, demo):
    app.config.update(FAST_PRINTING)
    return app


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def allowed(setting: str, url: str) -> bool:
    from flask import current_app

    current_app.config["PRINTER_NETWORKS"] = setting
    try:
        allowed_printer_url(url)
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("tcp://10.20.1.7:9100", True),
        ("tcp://10.20.1.7:9102", True),
        ("tcp://10.20.1.7:9103", False),  # the port counts too
        ("tcp://10.20.2.7:9100", False),
        ("tcp://127.0.0.1:9100", False),
        ("tcp://[fd00::7]:9100", True),
        ("tcp://[fd00:1::7]:9100", False),
        ("tcp://[::ffff:10.20.1.7]:9100", True),  # IPv4 written as IPv6 is still that address
        ("tcp://[::ffff:127.0.0.1]:9100", False),
    ],
)
def test_an_address_is_allowed_by_network_and_port(app, url, inside):
    assert allowed(f"{CENTRE_LAN},[fd00::/64]:9100", url) is inside


def test_the_default_is_the_private_ranges_on_the_printing_port(app):
    setting = settings.Config.DEFAULT_PRINTER_NETWORKS
    assert allowed(setting, "tcp://192.168.1.50:9100")
    assert allowed(setting, "tcp://10.0.0.5:9100")
    assert allowed(setting, "tcp://172.16.8.9:9100")
    for outside in (
        "tcp://192.168.1.50:22",  # the printing port only
        "tcp://127.0.0.1:9100",  # never the server itself
        "tcp://169.254.169.254:9100",  # nor a cloud's metadata service
        "tcp://8.8.8.8:9100",  # nor the internet
        "tcp://[::1]:9100",
    ):
        assert not allowed(setting, outside), outside
    assert not allowed("", "tcp://192.168.1.50:9100"), "a blank setting allows nothing"


@pytest.mark.parametrize(
    "setting", ["10.20.1.0/24", "10.20.1.0/24:0", "10.20.1.0/24:9102-9100", "10.20.1.5/24:9100",
                "printers.local:9100", "10.20.1.0/24:70000"],
)  # fmt: skip
def test_a_setting_that_cannot_be_read_stops_the_start(tmp_path, setting):
    with pytest.raises(PrinterNetworksInvalid):
        parse_printer_networks(setting)
    config = settings.TestingConfig("sqlite://", str(tmp_path))
    config.PRINTER_NETWORKS = setting
    with pytest.raises(RuntimeError, match="PRINTER_NETWORKS"):
        create_app(config)


def test_the_admin_pages_refuse_an_address_outside_and_change_nothing(app, admin):
    app.config["PRINTER_NETWORKS"] = CENTRE_LAN
    form = {"kind": "kiosk", "name": "Kiosk tầng 2", "printer_url": "", "counter_id": ""}
    before = database_state()
    for url in ("tcp://10.99.0.5:9100", "tcp://10.20.1.7:22", "tcp://localhost:9100"):
        response = admin.submit("/admin/devices/new", {**form, "printer_url": url})
        assert response.status_code == 422, url
        assert REFUSED in text_of(response), url
        assert database_state() == before, url
    inside = admin.submit("/admin/devices/new", {**form, "printer_url": "tcp://10.20.1.7:9101"})
    assert inside.status_code == 302
    kiosk = db.session.execute(db.select(Device).order_by(Device.id.desc())).scalars().first()
    assert kiosk.printer_url == "tcp://10.20.1.7:9101"

    edit = f"/admin/devices/{kiosk.id}/edit"
    before = database_state()
    response = admin.submit(edit, {"name": "Kiosk tầng 2", "printer_url": "tcp://10.99.0.5:9100"})
    assert response.status_code == 422 and REFUSED in text_of(response)
    assert database_state() == before


def test_the_printers_page_refuses_an_address_outside_and_a_plugged_in_printer_for_the_server(
    app, admin
):
    app.config["PRINTER_NETWORKS"] = CENTRE_LAN
    device_id, _ = factories.kiosk("tcp://10.20.1.7:9100")
    fields = {"url": "tcp://10.20.1.7:9100", "paper_dots": "576", "profile": "NT-80-V-UL",
              "mode": "raster", "via": "server", "check_status": "y"}  # fmt: skip
    cases = [
        ({"url": "tcp://192.168.1.50:9100"}, REFUSED),
        ({"url": "usb://0416:5011", "via": "server"}, "Máy chủ chỉ gửi phiếu đến máy in mạng"),
    ]
    before = database_state()
    for changes, message in cases:
        data = {f"p{device_id}-{name}": value for name, value in {**fields, **changes}.items()}
        response = admin.submit("/admin/printers/", data, action=f"/admin/printers/{device_id}")
        assert response.status_code == 422, changes
        assert message in text_of(response), changes
        assert database_state() == before, changes


def test_the_command_line_refuses_an_address_outside_and_accepts_one_inside(app, runner):
    app.config["PRINTER_NETWORKS"] = CENTRE_LAN
    for url in ("tcp://192.168.1.50:9100", "tcp://localhost:9100"):
        result = runner.invoke(args=["device-create", "kiosk", "Kiosk sảnh", "--printer", url])
        assert result.exit_code == 1, url
        assert REFUSED in result.output, url
        assert db.session.execute(db.select(Device)).first() is None
    result = runner.invoke(
        args=["device-create", "kiosk", "Kiosk", "--printer", "tcp://10.20.1.7:9100"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(Device.printer_url)).scalar_one() == "tcp://10.20.1.7:9100"


def test_a_host_name_counts_by_every_address_it_resolves_to(app):
    app.config["PRINTER_NETWORKS"] = CENTRE_LAN
    with pytest.raises(InvalidInput) as refusal:
        server_printer_url("tcp://localhost:9100")
    assert "127.0.0.1" in refusal.value.messages()["vi"]
    app.config["PRINTER_NETWORKS"] = "127.0.0.0/8:9100,[::1/128]:9100"
    # The worker connects to the address it checked, not to the name resolved again later.
    assert server_printer_url("tcp://localhost:9100") in (
        "tcp://127.0.0.1:9100",
        "tcp://[::1]:9100",
    )
    with pytest.raises(InvalidInput, match="Không tìm thấy địa chỉ"):
        allowed_printer_url("tcp://no-such-printer.invalid:9100")


def test_the_worker_fails_a_job_for_a_printer_outside_and_sends_it_nothing(app, client, fast):
    with FakePrinter() as printer:
        device_id, headers = factories.kiosk(printer.url)  # allowed when it was set
        app.config["PRINTER_NETWORKS"] = CENTRE_LAN  # then the allow-list was narrowed
        factories.kiosk_ticket(client, headers)
        assert send_one(device_id, "test-worker") is True
    assert (printer.connections, printer.received) == (0, [])
    (job,) = jobs()
    assert (job.status, job.error_code) == (PrintJobStatus.FAILED, "not_allowed")
    assert job.sent_at is None and job.attempts == 1
    assert REFUSED in job.last_error and printer.url in job.last_error

    # Inside the allow-list the same printer gets the next slip.
    app.config["PRINTER_NETWORKS"] = f"127.0.0.1/32:{printer.port}"
    with printer:
        factories.kiosk_ticket(client, headers)
        assert send_one(device_id, "test-worker") is True
        printer.wait_for_jobs(1, timeout=5)
    assert jobs()[-1].status == PrintJobStatus.SENT


@pytest.mark.parametrize(
    "url", ["file:///dev/usb/lp0", "serial:///dev/ttyUSB0?baudrate=9600", "usb://0416:5011"]
)
def test_the_worker_leaves_plugged_in_printers_to_the_kiosk_agent(app, client, fast, url):
    device_id, headers = factories.kiosk(url)
    db.session.add(Printer(device_id=device_id, via=PrintVia.SERVER))  # set by hand, say
    db.session.commit()
    factories.kiosk_ticket(client, headers)
    assert send_one(device_id, "test-worker") is True
    (job,) = jobs()
    assert (job.status, job.error_code) == (PrintJobStatus.FAILED, "not_allowed")
    assert "chương trình in trên máy kiosk" in job.last_error


@pytest.mark.parametrize(
    "url",
    ["file:///dev/sda", "file:///dev/mem", "file:///dev/usb/lp0/../../sda", "file:///dev/tty",
     "serial:///dev/sda", "serial:///dev/ttyS0/../mem", "file:///tmp/lp0"],
)  # fmt: skip
def test_plugged_in_printers_are_printer_devices_only(app, url):
    with pytest.raises(InvalidInput):
        allowed_printer_url(url)


def test_printer_errors_keep_our_own_words_only(app, client, fast):
    """A printer's answer (here an offline status byte) never reaches the page as such."""
    with FakePrinter(mode="offline") as printer:
        device_id, headers = factories.kiosk(printer.url)
        factories.kiosk_ticket(client, headers)
        send_one(device_id, "test-worker")
    db.session.rollback()
    row = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert row.last_error == "the printer reports an error (DLE EOT 1)"

    closed_port = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    device_id, headers = factories.kiosk(closed_port, name="Kiosk tầng 2")
    factories.kiosk_ticket(client, headers)
    send_one(device_id, "test-worker")
    db.session.rollback()
    row = db.session.execute(db.select(Printer).filter_by(device_id=device_id)).scalar_one()
    assert row.last_error == f"{closed_port}: ConnectionRefusedError ECONNREFUSED"
