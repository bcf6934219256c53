"""Sending one notice: e-mail over SMTP, SMS and Zalo through an HTTP gateway.

A gateway is described by settings, which fits the Vietnamese brand-name SMS providers and
Zalo's notification templates alike: `<CHANNEL>_GATEWAY_URL`, `_METHOD`, `_HEADERS` (a JSON
object) and `_BODY`, a template whose `$phone` (0912345678), `$phone84` (84912345678),
`$text` and `$sender` (`SMS_SENDER`, the brand name) are replaced, escaped for a JSON body
or a form body as the Content-Type header says. Any 2xx answer is success; a 4xx one is
final (the gateway refuses this message: trying again cannot help); anything else (no
answer, 5xx, 408, 429) is tried again later. Settings that cannot make a request (an address
without http:// or https://, headers that are not a JSON object of texts, an unknown method)
stop the app's start (`check_gateway_settings`); changed while it runs, they fail the notice
at once as `bad_settings`, naming the setting (never its value, which may hold a key).
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from string import Template

from core.models import NoticeChannel

RETRIED_STATUSES = {408, 425, 429}
METHODS = {"GET", "POST", "PUT"}
GATEWAY_CHANNELS = ("SMS", "ZALO")


@dataclass(frozen=True)
class Outcome:
    """None as the error code: sent."""

    error_code: str | None = None
    detail: str = ""


SENT = Outcome()


def send(config, channel: NoticeChannel, recipient: str, subject: str, text: str) -> Outcome:
    if channel == NoticeChannel.EMAIL:
        if not config["MAIL_SERVER"]:
            return Outcome("channel_off", "MAIL_SERVER is not set")
        return send_email(config, recipient, subject, text)
    prefix = channel.value.upper()
    if not config[f"{prefix}_GATEWAY_URL"]:
        return Outcome("channel_off", f"{prefix}_GATEWAY_URL is not set")
    return send_http(config, prefix, recipient, text)


def send_email(config, recipient: str, subject: str, text: str) -> Outcome:
    message = EmailMessage()
    sender = config["MAIL_DEFAULT_SENDER"] or f"no-reply@{socket.getfqdn()}"
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["NOTICE_SEND_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome("bad_recipient", str(error)[:300])
    except (smtplib.SMTPException, OSError) as error:
        return Outcome("smtp_error", f"{type(error).__name__}: {error}"[:300])
    return SENT


def body_values(recipient: str, text: str, sender: str) -> dict[str, str]:
    return {
        "phone": recipient,
        "phone84": "84" + recipient[1:] if recipient.startswith("0") else recipient,
        "text": text,
        "sender": sender,
    }


def fill(template: str, values: dict[str, str], escape) -> str:
    return Template(template).safe_substitute({key: escape(value) for key, value in values.items()})


def json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def gateway_headers(config, prefix: str) -> dict[str, str]:
    """The gateway's headers setting as a dict, or ValueError."""
    try:
        headers = json.loads(config[f"{prefix}_GATEWAY_HEADERS"] or "{}")
    except ValueError:
        headers = None
    if not isinstance(headers, dict) or not all(
        isinstance(value, str) for value in headers.values()
    ):
        raise ValueError(f"{prefix}_GATEWAY_HEADERS is not a JSON object of texts")
    return headers


def gateway_problem(config, prefix: str) -> str | None:
    """What is wrong with a channel's gateway settings (naming the setting, never its
    value), or None: right, or the channel off (no address)."""
    url = config[f"{prefix}_GATEWAY_URL"] or ""
    if not url:
        return None
    if urllib.parse.urlsplit(url).scheme not in ("http", "https") or "://" not in url:
        return f"{prefix}_GATEWAY_URL must start with http:// or https://"
    if str(config[f"{prefix}_GATEWAY_METHOD"] or "").upper() not in METHODS:
        return f"{prefix}_GATEWAY_METHOD must be one of {', '.join(sorted(METHODS))}"
    try:
        gateway_headers(config, prefix)
    except ValueError as error:
        return str(error)
    if not isinstance(config[f"{prefix}_GATEWAY_BODY"], str):
        return f"{prefix}_GATEWAY_BODY is not a text"
    return None


def check_gateway_settings(config) -> None:
    """At the app's start: the SMS and Zalo gateway settings can make a request, or a
    RuntimeError saying which setting is wrong (in Vietnamese and English)."""
    for prefix in GATEWAY_CHANNELS:
        problem = gateway_problem(config, prefix)
        if problem:
            raise RuntimeError(
                f"Cài đặt cổng gửi tin {prefix} không hợp lệ / invalid gateway setting: {problem}"
            )


def send_http(config, prefix: str, recipient: str, text: str) -> Outcome:
    problem = gateway_problem(config, prefix)
    if problem:
        return Outcome("bad_settings", problem)
    try:
        return _send_http(config, prefix, recipient, text)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        # A request the settings cannot make: the name of the error, not its text (which may
        # quote the address or a header's value).
        return Outcome("bad_settings", f"{prefix}_GATEWAY_* settings: {type(error).__name__}")


def _send_http(config, prefix: str, recipient: str, text: str) -> Outcome:
    headers = gateway_headers(config, prefix)
    values = body_values(recipient, text, config["SMS_SENDER"])
    content_type = next(
        (value for name, value in headers.items() if name.lower() == "content-type"), ""
    )
    escape = json_escape if "json" in content_type else urllib.parse.quote_plus
    body = fill(config[f"{prefix}_GATEWAY_BODY"], values, escape).encode()
    url = fill(config[f"{prefix}_GATEWAY_URL"], values, urllib.parse.quote_plus)
    method = config[f"{prefix}_GATEWAY_METHOD"].upper()
    request = urllib.request.Request(
        url, data=body if method != "GET" else None, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=config["NOTICE_SEND_TIMEOUT"]) as answer:
            answer.read(4096)
    except urllib.error.HTTPError as error:
        detail = f"HTTP {error.code}: {error.read(300).decode(errors='replace')}"
        if 400 <= error.code < 500 and error.code not in RETRIED_STATUSES:
            return Outcome("gateway_refused", detail)
        return Outcome("gateway_error", detail)
    except (urllib.error.URLError, OSError) as error:
        return Outcome("gateway_down", f"{type(error).__name__}: {error}"[:300])
    return SENT
