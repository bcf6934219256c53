#!/usr/bin/env python3
"""Ticket print agent for a kiosk PC, and the printer connections the server's worker shares.

A printer plugged into the kiosk PC (USB, serial, a device file or a local CUPS queue) cannot
be reached by the server, so this agent runs on that PC: it asks the server for the kiosk's
next print job with the kiosk's device key, prints it locally and reports the outcome.

It needs only the Python standard library and python-escpos (with pyusb for usb://, pyserial
for serial://):

    KIOSK_KEY=... python3 print_agent.py --server http://10.0.0.2:5000
    KIOSK_KEY=... python3 print_agent.py --server http://10.0.0.2:5000 --printer usb://0416:5011

Printer addresses: tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600,
file:///dev/usb/lp0, cups://QUEUE, none.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

LOG = logging.getLogger("print-agent")

CONNECT_TIMEOUT = 3.0
STATUS_TIMEOUT = 1.0  # a printer that has not answered DLE EOT within a second is offline
SEND_TIMEOUT = 15.0
DRAIN_TIMEOUT = 1.5

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"

# Printer states, as the server records them.
ONLINE, PAPER_LOW, PAPER_OUT, OFFLINE, UNKNOWN = (
    "online",
    "paper_low",
    "paper_out",
    "offline",
    "unknown",
)
# Why a job was not printed.
UNREACHABLE = "unreachable"  # no connection to the printer
SILENT = "silent"  # connected, but no answer to the status query
NOT_READY = "offline"  # the printer says it is offline (cover open, error)
NO_PAPER = "paper_out"
SEND_FAILED = "send_failed"  # the connection broke while sending
NO_PRINTER = "no_printer"
STATES = (ONLINE, PAPER_LOW, PAPER_OUT, OFFLINE, UNKNOWN)
ERROR_CODES = (UNREACHABLE, SILENT, NOT_READY, NO_PAPER, SEND_FAILED, NO_PRINTER)


class PrinterAddressError(ValueError):
    """The printer address is not one of the accepted forms."""


@dataclass(frozen=True)
class PrinterAddress:
    scheme: str
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0
    path: str = ""
    baudrate: int = 9600
    queue: str = ""

    @property
    def answers_status(self) -> bool:
        """Whether the printer can be asked for its status over this connection."""
        return self.scheme in ("tcp", "usb", "serial")

    def __str__(self) -> str:
        return {
            "tcp": f"tcp://{self.host}:{self.port}",
            "usb": f"usb://{self.vendor:04x}:{self.product:04x}",
            "serial": f"serial://{self.path}?baudrate={self.baudrate}",
            "file": f"file://{self.path}",
            "cups": f"cups://{self.queue}",
        }[self.scheme]


def parse_printer_url(url: str | None) -> PrinterAddress | None:
    """The printer address in `url`, or None for no printer ('none' or blank)."""
    text = (url or "").strip()
    if not text or text.lower() == "none":
        return None
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        if scheme == "tcp":
            if not parts.hostname:
                raise PrinterAddressError("tcp://HOST:PORT needs a host")
            return PrinterAddress("tcp", host=parts.hostname, port=parts.port or 9100)
        if scheme == "usb":
            vendor, _, product = parts.netloc.partition(":")
            return PrinterAddress("usb", vendor=int(vendor, 16), product=int(product, 16))
        if scheme == "serial":
            baudrate = int(parse_qs(parts.query).get("baudrate", ["9600"])[0])
            if not parts.path.startswith("/") or baudrate <= 0:
                raise PrinterAddressError("serial:///dev/ttyUSB0?baudrate=9600")
            return PrinterAddress("serial", path=parts.path, baudrate=baudrate)
        if scheme == "file":
            if parts.netloc or not parts.path.startswith("/"):
                raise PrinterAddressError("file:///dev/usb/lp0 (an absolute path)")
            return PrinterAddress("file", path=parts.path)
        if scheme == "cups":
            if not parts.netloc or parts.path not in ("", "/"):
                raise PrinterAddressError("cups://QUEUE")
            return PrinterAddress("cups", queue=parts.netloc)
    except ValueError as error:
        if isinstance(error, PrinterAddressError):
            raise
        raise PrinterAddressError(f"{text}: {error}") from None
    raise PrinterAddressError(f"unknown printer address {text!r}")


@dataclass
class Delivery:
    """What happened when a job was sent, or a printer asked for its status."""

    sent: bool
    state: str
    code: str = ""
    detail: str = ""


def printer_state(online_byte: int | None, paper_byte: int | None) -> str:
    """Read DLE EOT 1 (printer) and DLE EOT 4 (roll paper) answers."""
    if online_byte is None:
        return OFFLINE
    if paper_byte is not None and paper_byte & 0x60:
        return PAPER_OUT
    if online_byte & 0x08:
        return OFFLINE
    if paper_byte is not None and paper_byte & 0x0C:
        return PAPER_LOW
    return ONLINE


class Connection:
    """One connection to a printer for one job; always closed."""

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def ask(self, query: bytes) -> int | None:
        """Send a status query; the answer byte, or None after STATUS_TIMEOUT of silence."""
        return None

    def close(self) -> None:
        pass


class TcpConnection(Connection):
    def __init__(self, address: PrinterAddress):
        self.socket = socket.create_connection(
            (address.host, address.port), timeout=CONNECT_TIMEOUT
        )

    def ask(self, query: bytes) -> int | None:
        self.socket.settimeout(STATUS_TIMEOUT)
        try:
            self.socket.sendall(query)
            answer = self.socket.recv(1)
        except TimeoutError:
            return None
        return answer[0] if answer else None

    def write(self, data: bytes) -> None:
        self.socket.settimeout(SEND_TIMEOUT)
        self.socket.sendall(data)

    def close(self) -> None:
        """Half-close, read whatever the printer still says, then close.

        Closing with unread bytes in the receive buffer would reset the connection and could
        drop the end of the job still in the send buffer.
        """
        try:
            self.socket.shutdown(socket.SHUT_WR)
            self.socket.settimeout(DRAIN_TIMEOUT)
            while self.socket.recv(256):
                pass
        except OSError:
            pass
        finally:
            self.socket.close()


class EscposConnection(Connection):
    """USB and serial printers, through python-escpos (pyusb, pyserial)."""

    def __init__(self, address: PrinterAddress):
        self.serial = address.scheme == "serial"
        if not self.serial:
            from escpos.printer import Usb

            self.printer = Usb(address.vendor, address.product, timeout=int(STATUS_TIMEOUT * 1000))
        else:
            from escpos.printer import Serial

            self.printer = Serial(address.path, baudrate=address.baudrate, timeout=STATUS_TIMEOUT)
        self.printer.open()

    def ask(self, query: bytes) -> int | None:
        try:
            if self.serial:
                self.printer._raw(query)
                answer = self.printer.device.read(1)  # read(16) would wait for the timeout
            else:
                answer = self.printer.query_status(query)
        except Exception:  # pyusb raises its own timeout errors
            return None
        return answer[0] if answer else None

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def close(self) -> None:
        self.printer.close()


class FileConnection(Connection):
    def __init__(self, address: PrinterAddress):
        # No O_CREAT: a missing device must fail, not become a regular file.
        descriptor = os.open(address.path, os.O_WRONLY | os.O_APPEND)
        self.file = os.fdopen(descriptor, "wb")

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class CupsConnection(Connection):
    """A raw job handed to the local CUPS queue with `lp`; its exit code is checked."""

    def __init__(self, address: PrinterAddress):
        self.queue = address.queue

    def write(self, data: bytes) -> None:
        result = subprocess.run(
            ["lp", "-d", self.queue, "-o", "raw"],
            input=data,
            capture_output=True,
            timeout=SEND_TIMEOUT,
        )
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip() or f"exit {result.returncode}"
            raise OSError(f"lp: {message}")


CONNECTIONS = {
    "tcp": TcpConnection,
    "usb": EscposConnection,
    "serial": EscposConnection,
    "file": FileConnection,
    "cups": CupsConnection,
}


def open_connection(address: PrinterAddress) -> Connection:
    return CONNECTIONS[address.scheme](address)


def check(connection: Connection) -> Delivery:
    """Ask the printer whether it can print now."""
    online = connection.ask(DLE_EOT_PRINTER)
    if online is None:
        return Delivery(False, OFFLINE, SILENT, "no answer to DLE EOT within 1 s")
    paper = connection.ask(DLE_EOT_PAPER)
    state = printer_state(online, paper)
    if state == PAPER_OUT:
        return Delivery(False, state, NO_PAPER, "roll paper end sensor")
    if state == OFFLINE:
        return Delivery(False, state, NOT_READY, f"printer status byte {online:#04x}")
    return Delivery(False, state)


def deliver(url: str, payload: bytes | None, *, check_status: bool = True) -> Delivery:
    """Send `payload` on a connection of its own (always closed), checking status first.

    With `payload` None only the status is checked. `sent` is True only when every byte was
    handed over without error.
    """
    try:
        address = parse_printer_url(url)
    except PrinterAddressError as error:
        return Delivery(False, UNKNOWN, NO_PRINTER, str(error))
    if address is None:
        return Delivery(False, UNKNOWN, NO_PRINTER, "no printer configured")
    try:
        connection = open_connection(address)
    except Exception as error:  # DeviceNotFoundError, OSError, missing pyusb/pyserial
        return Delivery(False, OFFLINE, UNREACHABLE, f"{address}: {error}".strip()[:480])
    try:
        status = Delivery(False, UNKNOWN)
        if check_status and address.answers_status:
            status = check(connection)
            if status.code:
                return status
        if payload is None:
            return status
        try:
            connection.write(payload)
        except Exception as error:
            return Delivery(False, OFFLINE, SEND_FAILED, f"{address}: {error}"[:480])
        return Delivery(True, status.state)
    finally:
        connection.close()


# --- the agent -------------------------------------------------------------------------


class ServerError(Exception):
    pass


class AgentClient:
    """The server's print-job API, with the kiosk's device key."""

    def __init__(self, server: str, key: str, timeout: float = 10.0):
        self.base = server.rstrip("/") + "/api/v1"
        self.key = key
        self.timeout = timeout

    def post(self, path: str, body: dict) -> dict | None:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return json.loads(raw) if response.status != 204 and raw else None
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read())["error"]["message"]
            except Exception:
                message = error.reason
            raise ServerError(f"HTTP {error.code}: {message}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise ServerError(f"server unreachable: {error}") from None

    def next_job(self, status: Delivery) -> dict | None:
        body = {"printer_state": status.state}
        if status.code:
            body.update(error_code=status.code, detail=status.detail[:480])
        return self.post("/print-jobs/claim", body)

    def report(self, job_id: int, delivery: Delivery) -> dict | None:
        body = {"sent": delivery.sent, "printer_state": delivery.state}
        if delivery.code:
            body.update(error_code=delivery.code, detail=delivery.detail[:480])
        return self.post(f"/print-jobs/{job_id}/result", body)


class Agent:
    """Pull, print, report; until stopped."""

    def __init__(self, client: AgentClient, printer: str | None = None, poll: float = 1.0):
        self.client = client
        self.printer = printer
        self.poll = poll
        self.stopping = threading.Event()
        self.printed = 0

    def run_once(self) -> bool:
        """Print every job waiting now; False when the server or printer could not be used."""
        status_url = self.printer
        status = deliver(status_url, None) if status_url else Delivery(False, UNKNOWN)
        while not self.stopping.is_set():
            job = self.client.next_job(status)
            if job is None:
                return not status.code
            url = self.printer or job["printer"]["url"]
            payload = base64.b64decode(job["payload_base64"])
            delivery = deliver(url, payload, check_status=job["printer"]["check_status"])
            self.client.report(job["id"], delivery)
            if delivery.sent:
                self.printed += 1
                LOG.info("printed job %s (%s, %d bytes)", job["id"], job["label"], len(payload))
            else:
                LOG.warning("job %s not printed: %s %s", job["id"], delivery.code, delivery.detail)
                return False
            status = Delivery(False, delivery.state)
        return True

    def run(self) -> None:
        LOG.info("print agent started for %s", self.client.base)
        while not self.stopping.is_set():
            try:
                self.run_once()
            except ServerError as error:
                LOG.warning("%s", error)
            self.stopping.wait(self.poll)
        LOG.info("print agent stopped")

    def stop(self, *_args) -> None:
        self.stopping.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a kiosk's ticket slips on its printer.")
    parser.add_argument("--server", required=True, help="The desk's address, e.g. http://10.0.0.2")
    parser.add_argument(
        "--key",
        default=os.environ.get("KIOSK_KEY"),
        help="The kiosk's device key (or set KIOSK_KEY, which keeps it out of the process list).",
    )
    parser.add_argument("--printer", default=None, help="Printer address (default: the server's).")
    parser.add_argument("--poll", type=float, default=1.0, help="Seconds between polls.")
    parser.add_argument("--once", action="store_true", help="Print what is waiting, then exit.")
    arguments = parser.parse_args(argv)
    if not arguments.key:
        parser.error("the kiosk's device key is needed: --key KEY or KIOSK_KEY=KEY")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    if arguments.printer:
        try:
            parse_printer_url(arguments.printer)
        except PrinterAddressError as error:
            parser.error(str(error))
    agent = Agent(AgentClient(arguments.server, arguments.key), arguments.printer, arguments.poll)
    if arguments.once:
        try:
            return 0 if agent.run_once() else 1
        except ServerError as error:
            LOG.error("%s", error)
            return 2
    signal.signal(signal.SIGTERM, agent.stop)
    signal.signal(signal.SIGINT, agent.stop)
    agent.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
