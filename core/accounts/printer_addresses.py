"""Printer addresses a device may be given, checked and written one canonical way.

tcp://HOST:PORT                   a network printer (raw port, usually 9100)
usb://VID:PID                     a USB printer by vendor and product id, in hex
serial:///dev/ttyS0?baudrate=N    a serial printer at a standard speed
file:///dev/usb/lp0               a device file written directly
cups://QUEUE                      a queue of the local print server
none                              no printer: the number is shown on screen only
"""

from __future__ import annotations

import ipaddress
import re

from flask_babel import lazy_gettext as _l

from core.errors import InvalidInput

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
TCP = re.compile(r"^tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/?#\[\]]+):(?P<port>\d{1,5})$")
USB = re.compile(
    r"^usb://(?:0[xX])?(?P<vendor>[0-9A-Fa-f]{1,4}):(?:0[xX])?(?P<product>[0-9A-Fa-f]{1,4})$"
)
DEVICE_PATH = r"/dev/[A-Za-z0-9_][A-Za-z0-9_./-]*"
SERIAL = re.compile(rf"^serial://(?P<path>{DEVICE_PATH})(?:\?baudrate=(?P<baudrate>\d{{1,7}}))?$")
FILE = re.compile(rf"^file://(?P<path>{DEVICE_PATH})$")
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
    if match is None or ".." in match["path"]:
        raise invalid(
            _l(
                "Máy in cổng nối tiếp phải có dạng serial:///dev/…?baudrate=N, "
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
    if match is None or ".." in match["path"]:
        raise invalid(
            _l("Máy in qua tệp thiết bị phải có dạng file:///dev/…, ví dụ file:///dev/usb/lp0.")
        )
    return url


def cups_url(url: str) -> str:
    if CUPS.match(url) is None:
        raise invalid(_l("Hàng in CUPS phải có dạng cups://TÊN_HÀNG (chữ không dấu, số, . _ -)."))
    return url
