"""Sending a job to a ticket printer: printer addresses, one connection per job (tcp, usb,
serial, a device file, a local CUPS queue), the printer's status asked first (DLE EOT), and
every failure named.

Shared by the server's print worker and the kiosk's print agent (print_agent.py, run with
this file beside it on the kiosk PC), so it imports only the standard library, and
python-escpos (with pyusb for usb://, pyserial for serial://) when a USB or serial printer
is used.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

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


class CupsRefused(OSError):
    """`lp` did not take the job."""


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
            # What lp printed may come from a remote print server: only its exit status is kept.
            raise CupsRefused(f"lp exited with status {result.returncode}")


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
        return Delivery(False, state, NOT_READY, "the printer reports an error (DLE EOT 1)")
    return Delivery(False, state)


def failure(error: Exception) -> str:
    """An error in our own words: its class and errno name (ECONNREFUSED…), or our own
    message for the errors this module raises; never text that came from the far end."""
    if isinstance(error, CupsRefused):
        return str(error)
    name = type(error).__name__
    number = getattr(error, "errno", None)
    if isinstance(number, int) and number in errno.errorcode:
        return f"{name} {errno.errorcode[number]}"
    return name


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
        return Delivery(False, OFFLINE, UNREACHABLE, f"{address}: {failure(error)}"[:480])
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
            return Delivery(False, OFFLINE, SEND_FAILED, f"{address}: {failure(error)}"[:480])
        return Delivery(True, status.state)
    finally:
        connection.close()
