"""Printer addresses a device may be given, checked and written one canonical way.

tcp://HOST:PORT                   a network printer (raw port, usually 9100)
usb://VID:PID                     a USB printer by vendor and product id, in hex
serial:///dev/ttyS0?baudrate=N    a serial printer at a standard speed
file:///dev/usb/lp0               a printer's device file written directly
cups://QUEUE                      a queue of the local print server
none                              no printer: the number is shown on screen only

Serial and file addresses name printer devices only (/dev/ttyS0, /dev/ttyUSB0, /dev/usb/lp0…).
The server's print worker reaches `tcp://` addresses only, and only inside the networks and
ports of the `PRINTER_NETWORKS` setting; every other kind is printed by the kiosk's agent.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.errors import InvalidInput

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
TCP = re.compile(r"^tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/?#\[\]]+):(?P<port>\d{1,5})$")
USB = re.compile(
    r"^usb://(?:0[xX])?(?P<vendor>[0-9A-Fa-f]{1,4}):(?:0[xX])?(?P<product>[0-9A-Fa-f]{1,4})$"
)
# Printer devices only: serial ports (on the board, USB adapters, Bluetooth) and line printers.
SERIAL_DEVICE = r"/dev/(?:tty(?:S|USB|ACM)\d{1,3}|rfcomm\d{1,3}|serial/by-id/[A-Za-z0-9_:.+-]+)"
PRINTER_DEVICE = r"/dev/(?:usb/lp\d{1,3}|lp\d{1,3}|usblp\d{1,3})"
SERIAL = re.compile(rf"^serial://(?P<path>{SERIAL_DEVICE})(?:\?baudrate=(?P<baudrate>\d{{1,7}}))?$")
FILE = re.compile(rf"^file://(?P<path>{PRINTER_DEVICE})$")
CUPS = re.compile(r"^cups://(?P<queue>[A-Za-z0-9_][A-Za-z0-9_.-]{0,126})$")
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
NO_PRINTER = "none"

EXAMPLES = (
    "tcp://192.168.1.50:9100, usb://04b8:0e15, serial:///dev/ttyS0?baudrate=9600, "
    "file:///dev/usb/lp0, cups://may-in-ve, none"
)


def invalid(message, **details) -> InvalidInput:
    return InvalidInput(message, field="printer_url", **details)


def normalise_printer_url(text: str | None) -> str | None:
    """The canonical form of a printer address, or None for no printer ("none" or blank).

    Raises `InvalidInput` saying what is wrong and showing the accepted forms.
    """
    url = (text or "").strip()
    if not url or url.lower() == NO_PRINTER:
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    url = scheme + url[len(scheme) :] if scheme else url
    checks = {
        "tcp": tcp_url,
        "usb": usb_url,
        "serial": serial_url,
        "file": file_url,
        "cups": cups_url,
    }
    if scheme not in checks:
        raise invalid(
            _l("Địa chỉ máy in “{url}” không đúng dạng. Các dạng hợp lệ: {examples}."),
            url=url,
            examples=EXAMPLES,
        )
    return checks[scheme](url)


def tcp_url(url: str) -> str:
    match = TCP.match(url)
    if match is None:
        raise invalid(
            _l("Máy in mạng phải có dạng tcp://ĐỊA_CHỈ:CỔNG, ví dụ tcp://192.168.1.50:9100.")
        )
    host, port = match["host"], int(match["port"])
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise invalid(_l("Địa chỉ IPv6 “{host}” không hợp lệ."), host=host) from None
    elif re.fullmatch(r"[\d.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise invalid(_l("Địa chỉ IP “{host}” không hợp lệ."), host=host) from None
    elif not HOSTNAME.match(host):
        raise invalid(_l("Tên máy “{host}” không hợp lệ."), host=host)
    if not 1 <= port <= 65535:
        raise invalid(_l("Cổng {port} không hợp lệ (1–65535)."), port=port)
    return f"tcp://{host.lower()}:{port}"


def usb_url(url: str) -> str:
    match = USB.match(url)
    if match is None:
        raise invalid(
            _l(
                "Máy in USB phải có dạng usb://VID:PID (mã hãng và mã sản phẩm, hệ 16), "
                "ví dụ usb://04b8:0e15."
            )
        )
    return f"usb://{int(match['vendor'], 16):04x}:{int(match['product'], 16):04x}"


def serial_url(url: str) -> str:
    match = SERIAL.match(url)
    if match is None:
        raise invalid(
            _l(
                "Máy in cổng nối tiếp phải có dạng serial:///dev/…?baudrate=N với một cổng "
                "nối tiếp (ttyS…, ttyUSB…, ttyACM…, rfcomm…, serial/by-id/…), "
                "ví dụ serial:///dev/ttyS0?baudrate=9600."
            )
        )
    baudrate = int(match["baudrate"] or 9600)
    if baudrate not in BAUD_RATES:
        raise invalid(
            _l("Tốc độ {baudrate} không hợp lệ; chọn một trong: {rates}."),
            baudrate=baudrate,
            rates=", ".join(str(rate) for rate in BAUD_RATES),
        )
    return f"serial://{match['path']}?baudrate={baudrate}"


def file_url(url: str) -> str:
    match = FILE.match(url)
    if match is None:
        raise invalid(
            _l(
                "Máy in qua tệp thiết bị phải có dạng file:///dev/… với một thiết bị máy in "
                "(usb/lp…, lp…, usblp…), ví dụ file:///dev/usb/lp0."
            )
        )
    return url


def cups_url(url: str) -> str:
    if CUPS.match(url) is None:
        raise invalid(_l("Hàng in CUPS phải có dạng cups://TÊN_HÀNG (chữ không dấu, số, . _ -)."))
    return url


# --- Which network printers the server may reach -------------------------------------------


@dataclass(frozen=True)
class PrinterNetwork:
    """One entry of `PRINTER_NETWORKS`: a network and a range of ports."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    first_port: int
    last_port: int

    def allows(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
        return (
            address.version == self.network.version
            and address in self.network
            and self.first_port <= port <= self.last_port
        )


# NETWORK:PORT or NETWORK:FIRST-LAST; an IPv6 network in brackets, [fd00::/64]:9100.
NETWORK_ENTRY = re.compile(
    r"(?:\[(?P<net6>[^\]\s]+)\]|(?P<net>[^\[\]\s:]+)):(?P<first>\d{1,5})(?:-(?P<last>\d{1,5}))?"
)


class PrinterNetworksInvalid(ValueError):
    """The `PRINTER_NETWORKS` setting cannot be read."""


@functools.lru_cache(maxsize=8)
def parse_printer_networks(setting: str) -> tuple[PrinterNetwork, ...]:
    """Read `10.20.1.0/24:9100-9102,192.168.1.0/24:9100` (IPv6: `[fd00::/64]:9100`); a
    single address is a network of one. A blank setting allows nothing.
    """
    networks = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        match = NETWORK_ENTRY.fullmatch(entry)
        if match is None:
            raise PrinterNetworksInvalid(
                f"PRINTER_NETWORKS: {entry!r} is not NETWORK:PORT or NETWORK:PORT-PORT"
            )
        try:
            network = ipaddress.ip_network(match["net6"] or match["net"], strict=True)
        except ValueError as error:
            raise PrinterNetworksInvalid(f"PRINTER_NETWORKS: {entry!r}: {error}") from None
        first = int(match["first"])
        last = int(match["last"] or first)
        if not 1 <= first <= last <= 65535:
            raise PrinterNetworksInvalid(f"PRINTER_NETWORKS: {entry!r}: ports must be 1-65535")
        networks.append(PrinterNetwork(network, first, last))
    return tuple(networks)


class PrinterNotAllowed(InvalidInput):
    """The address is valid but the server may not deliver to it."""

    code = "printer_not_allowed"


class PrinterNotFound(InvalidInput):
    """The printer's host name does not resolve (now)."""

    code = "printer_not_found"


def allowed_networks() -> tuple[PrinterNetwork, ...]:
    return parse_printer_networks(current_app.config["PRINTER_NETWORKS"])


def comparable(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IP address; an IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def resolve(host: str, port: int) -> list[str]:
    """Every address the host is (an IP address is itself); `PrinterNotFound` if none."""
    literal = host[1:-1] if host.startswith("[") else host
    try:
        ipaddress.ip_address(literal)
        return [literal]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        found = []
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise PrinterNotFound(
            _l("Không tìm thấy địa chỉ của máy in “{host}” (tên máy không phân giải được)."),
            field="printer_url",
            host=literal,
        )
    return addresses


def tcp_address(url: str) -> tuple[str, int]:
    match = TCP.match(url)
    return match["host"], int(match["port"])


def reachable_addresses(url: str) -> list[str]:
    """The addresses a canonical `tcp://` printer address resolves to, each one inside
    `PRINTER_NETWORKS` on its port; raises `PrinterNotAllowed` otherwise."""
    host, port = tcp_address(url)
    addresses = resolve(host, port)
    networks = allowed_networks()
    outside = [
        address
        for address in addresses
        if not any(network.allows(comparable(address), port) for network in networks)
    ]
    if outside:
        raise PrinterNotAllowed(
            _l(
                "Máy chủ không được phép gửi đến máy in {url} ({addresses}): địa chỉ và cổng "
                "phải nằm trong danh sách mạng máy in PRINTER_NETWORKS ({allowed})."
            ),
            field="printer_url",
            url=url,
            addresses=", ".join(outside),
            allowed=current_app.config["PRINTER_NETWORKS"] or "—",
        )
    return addresses


def allowed_printer_url(text: str | None) -> str | None:
    """`normalise_printer_url`, and a network printer must be inside `PRINTER_NETWORKS`.

    What the admin pages and `device-create --printer` store.
    """
    url = normalise_printer_url(text)
    if url is not None and url.startswith("tcp://"):
        reachable_addresses(url)
    return url


def server_printer_url(text: str | None) -> str:
    """The address the server's print worker connects to: a network printer inside
    `PRINTER_NETWORKS`, pinned to the IP address that was checked (so a name cannot
    resolve elsewhere between the check and the connection).

    Raises `PrinterNotAllowed` for any other kind of printer (the kiosk's agent prints
    those), `PrinterNotFound` when the name does not resolve, `InvalidInput` otherwise.
    """
    url = normalise_printer_url(text)
    if url is None:
        raise invalid(_l("Thiết bị chưa có địa chỉ máy in."))
    if not url.startswith("tcp://"):
        raise PrinterNotAllowed(
            _l(
                "Máy chủ chỉ gửi phiếu đến máy in mạng (tcp://…); máy in {url} cắm vào máy "
                "kiosk phải in qua chương trình in trên máy kiosk (print agent)."
            ),
            field="printer_url",
            url=url,
        )
    address = ipaddress.ip_address(reachable_addresses(url)[0].split("%", 1)[0])
    _, port = tcp_address(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"tcp://{host}:{port}"
