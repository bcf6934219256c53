#!/usr/bin/env python3
"""Ticket print agent for a kiosk PC.

A printer plugged into the kiosk PC (USB, serial, a device file or a local CUPS queue) cannot
be reached by the server, so this agent runs on that PC: it asks the server for the kiosk's
next print job with the kiosk's device key, prints it locally and reports the outcome.

It is this file and print_transport.py beside it (the printer connections, shared with the
server's print worker), and needs only the Python standard library and python-escpos (with
pyusb for usb://, pyserial for serial://):

    KIOSK_KEY=... python3 print_agent.py --server https://desk.example.gov.vn
    python3 print_agent.py --server https://desk.example.gov.vn --key-file /etc/onestop/kiosk.key \
        --printer usb://0416:5011

The kiosk's key comes from KIOSK_KEY or a file readable by the agent's user only, never
from the command line, where every user of the PC can read it (`--key` still works, with
a warning). The server must be https://; plain http:// only with `--insecure` (a test
desk on a closed network). Redirects are not followed: the key goes to the address given
and nowhere else. A job the agent cannot read is logged and skipped.

Printer addresses: tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600,
file:///dev/usb/lp0, cups://QUEUE, none.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import os
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

if __package__:  # imported from the project, as agent.print_agent
    from agent import print_transport
else:  # run as a script: print_transport.py sits beside it, on sys.path
    import print_transport

LOG = logging.getLogger("print-agent")


class ServerError(Exception):
    pass


class MalformedJob(Exception):
    """A job the server sent that the agent cannot read."""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the key is sent to the address given, never to another."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ServerError(
            f"HTTP {code}: the server redirects to {newurl}; not followed with the kiosk's key "
            "(give the final address with --server)"
        )


class AgentClient:
    """The server's print-job API, with the kiosk's device key."""

    def __init__(self, server: str, key: str, timeout: float = 10.0):
        self.base = server.rstrip("/") + "/api/v1"
        self.key = key
        self.timeout = timeout
        self.opener = urllib.request.build_opener(NoRedirects)

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
            with self.opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
                if response.status == 204 or not raw:
                    return None
                try:
                    return json.loads(raw)
                except ValueError:
                    raise MalformedJob("the server's answer is not JSON") from None
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read())["error"]["message"]
            except Exception:
                message = error.reason
            raise ServerError(f"HTTP {error.code}: {message}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise ServerError(f"server unreachable: {error}") from None

    def next_job(self, status: print_transport.Delivery) -> dict | None:
        body = {"printer_state": status.state}
        if status.code:
            body.update(error_code=status.code, detail=status.detail[:480])
        return self.post("/print-jobs/claim", body)

    def report(self, job_id: int, delivery: print_transport.Delivery) -> dict | None:
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
        status = (
            print_transport.deliver(status_url, None)
            if status_url
            else print_transport.Delivery(False, print_transport.UNKNOWN)
        )
        while not self.stopping.is_set():
            try:
                job = self.client.next_job(status)
            except MalformedJob as problem:
                self.skip(None, problem)
                return False
            if job is None:
                if status.code:
                    LOG.warning("printer not ready: %s %s", status.code, status.detail)
                return not status.code
            try:
                url, payload, check_status = self.read_job(job)
            except MalformedJob as problem:
                self.skip(job, problem)
                return False
            delivery = print_transport.deliver(url, payload, check_status=check_status)
            self.client.report(job["id"], delivery)
            if delivery.sent:
                self.printed += 1
                LOG.info("printed job %s (%s, %d bytes)", job["id"], job.get("label"), len(payload))
            else:
                LOG.warning("job %s not printed: %s %s", job["id"], delivery.code, delivery.detail)
                return False
            status = print_transport.Delivery(False, delivery.state)
        return True

    def read_job(self, job) -> tuple[str, bytes, bool]:
        """The printer address, bytes and status check of a job; MalformedJob otherwise."""
        try:
            printer = job["printer"]
            url = self.printer or printer["url"]
            payload = base64.b64decode(job["payload_base64"], validate=True)
            if not isinstance(job["id"], int) or not isinstance(url, str):
                raise TypeError("id or printer address of the wrong type")
            return url, payload, bool(printer.get("check_status", True))
        except (KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise MalformedJob(f"{type(error).__name__}: {error}") from None

    def skip(self, job, problem: MalformedJob) -> None:
        """Log a job that cannot be read and tell the server it was not printed."""
        job_id = job.get("id") if isinstance(job, dict) else None
        LOG.error("malformed print job %s skipped: %s", job_id, problem)
        if isinstance(job_id, int) and not isinstance(job_id, bool):
            failed = print_transport.Delivery(
                False, print_transport.UNKNOWN, print_transport.SEND_FAILED, "malformed job"
            )
            self.client.report(job_id, failed)

    def run(self) -> None:
        LOG.info("print agent started for %s", self.client.base)
        while not self.stopping.is_set():
            try:
                self.run_once()
            except ServerError as error:
                LOG.warning("%s", error)
            except Exception:  # whatever happens, the kiosk keeps printing afterwards
                LOG.exception("print agent: unexpected error; carrying on")
            self.stopping.wait(self.poll)
        LOG.info("print agent stopped")

    def stop(self, *_args) -> None:
        self.stopping.set()


class SetupError(Exception):
    """A server address or key the agent will not start with; the message says why."""


def check_server(server: str, *, insecure: bool) -> None:
    """https:// only; plain http:// when `insecure` (a closed test network), with a warning."""
    scheme = urllib.parse.urlsplit(server).scheme.lower()
    if scheme not in ("https", "http") or (scheme == "http" and not insecure):
        raise SetupError(
            f"the server must be an https:// address, not {server!r} "
            "(plain http:// only with --insecure, on a closed test network)"
        )
    if scheme == "http":
        LOG.warning("--insecure: the kiosk's key crosses the network unencrypted")


def device_key(key_file: Path | None, key_flag: str | None) -> str:
    """The kiosk's key: from `key_file`, else KIOSK_KEY, else the deprecated --key."""
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SetupError(f"cannot read the key file: {error}") from None
        if key_file.stat().st_mode & 0o077:
            LOG.warning("%s is readable by other users: chmod 600 it", key_file)
    elif os.environ.get("KIOSK_KEY"):
        key = os.environ["KIOSK_KEY"].strip()
    else:
        key = (key_flag or "").strip()
        if key:
            LOG.warning(
                "--key shows the kiosk's key to every user of this PC (the process list): "
                "use KIOSK_KEY or --key-file instead; --key will go"
            )
    if not key:
        raise SetupError("the kiosk's device key is needed: KIOSK_KEY=KEY or --key-file FILE")
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a kiosk's ticket slips on its printer.")
    parser.add_argument(
        "--server", required=True, help="The desk's address, e.g. https://desk.example.gov.vn"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="Allow a plain http:// server (the key then crosses the network readable).",
    )
    parser.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help="A file holding the kiosk's device key (readable by the agent's user only).",
    )
    parser.add_argument(
        "--key",
        default=None,
        help="Deprecated: anyone on the PC can read it in the process list; use KIOSK_KEY "
        "or --key-file.",
    )
    parser.add_argument("--printer", default=None, help="Printer address (default: the server's).")
    parser.add_argument("--poll", type=float, default=1.0, help="Seconds between polls.")
    parser.add_argument("--once", action="store_true", help="Print what is waiting, then exit.")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    try:
        check_server(arguments.server, insecure=arguments.insecure)
        key = device_key(arguments.key_file, arguments.key)
    except SetupError as error:
        parser.error(str(error))
    if arguments.printer:
        try:
            print_transport.parse_printer_url(arguments.printer)
        except print_transport.PrinterAddressError as error:
            parser.error(str(error))
    agent = Agent(AgentClient(arguments.server, key), arguments.printer, arguments.poll)
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
