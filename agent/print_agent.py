#!/usr/bin/env python3
"""Ticket print agent for a kiosk PC.

A printer plugged into the kiosk PC (USB, serial, a device file or a local CUPS queue) cannot
be reached by the server, so this agent runs on that PC: it asks the server for the kiosk's
next print job with the kiosk's device key, prints it locally and reports the outcome.

It is this file and print_transport.py beside it (the printer connections, shared with the
server's print worker), and needs only the Python standard library and python-escpos (with
pyusb for usb://, pyserial for serial://):

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
import sys
import threading
import urllib.error
import urllib.request

if __package__:  # imported from the project, as agent.print_agent
    from agent import print_transport
else:  # run as a script: print_transport.py sits beside it, on sys.path
    import print_transport

LOG = logging.getLogger("print-agent")


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
            job = self.client.next_job(status)
            if job is None:
                if status.code:
                    LOG.warning("printer not ready: %s %s", status.code, status.detail)
                return not status.code
            url = self.printer or job["printer"]["url"]
            payload = base64.b64decode(job["payload_base64"])
            delivery = print_transport.deliver(
                url, payload, check_status=job["printer"]["check_status"]
            )
            self.client.report(job["id"], delivery)
            if delivery.sent:
                self.printed += 1
                LOG.info("printed job %s (%s, %d bytes)", job["id"], job["label"], len(payload))
            else:
                LOG.warning("job %s not printed: %s %s", job["id"], delivery.code, delivery.detail)
                return False
            status = print_transport.Delivery(False, delivery.state)
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
            print_transport.parse_printer_url(arguments.printer)
        except print_transport.PrinterAddressError as error:
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
