"""The print worker: one thread per server-side printer sends that printer's queued jobs.

Each job goes out on a connection of its own after a status check; no database transaction is
open while a printer is talked to. The main thread fails jobs that waited too long, and starts
or retires printer threads as kiosks are configured.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from flask import Flask

from agent.print_transport import NO_PRINTER, OFFLINE, UNKNOWN, UNREACHABLE, Delivery, deliver
from core.accounts.printer_addresses import PrinterNotAllowed, PrinterNotFound, server_printer_url
from core.db.faults import ROW_VALUES_HIDDEN, fault_summary, holds_row_values
from core.db.transactions import begin_write_transaction
from core.errors import InvalidInput
from core.models import Device, PrintJob, PrintVia
from extensions import db
from printing.jobs import claim_next, fail, next_due, record_outcome, render_timed, sweep
from printing.printers import kiosk_printers, paper_of, printer_for, record_state

LOG = logging.getLogger("print-worker")
NOT_ALLOWED = "not_allowed"  # the server may not reach this address: printing.jobs.FINAL_ERRORS
LOG.addFilter(ROW_VALUES_HIDDEN)  # a database error is logged without a row's values
DISCOVERY_SECONDS = 2.0


def sender_name(device_id: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:printer-{device_id}"


def send_one(device_id: int, sender: str) -> bool:
    """Draw, claim, send and record the printer's next due job; False when none is due.

    The slip is drawn before the claim, outside any transaction, and stored by the claim:
    the job holds its bytes durably before a byte goes to the printer, in two commits a job.
    """
    due = next_due(device_id)
    if due is None:
        db.session.commit()
        return False
    job_id, content, drawn = due.id, due.content, due.payload_size is not None
    paper = paper_of(printer_for(due.device))
    db.session.commit()
    rendered, render_error = None, None
    if not drawn:
        try:
            rendered = render_timed(content, paper)
        except Exception as error:
            LOG.exception("could not draw print job %s", job_id)
            render_error = error
    begin_write_transaction()
    job = claim_next(device_id, sender, expected_id=job_id, rendered=rendered)
    if job is None:
        db.session.commit()
        return True  # taken by another sender, or no longer due
    if render_error is not None:
        job.error_code, job.last_error = "render_failed", str(render_error)[:500]
        fail(job)
        db.session.commit()
        return True
    payload = job.payload
    url, check_status = job.device.printer_url, printer_for(job.device).check_status
    db.session.commit()
    delivery = deliver_checked(url, payload, check_status=check_status)
    begin_write_transaction()
    record_outcome(db.session.get(PrintJob, job_id), delivery)
    db.session.commit()
    if delivery.sent:
        LOG.info("job %s sent to %s (%d bytes)", job_id, url, len(payload))
    else:
        LOG.warning("job %s not printed on %s: %s %s", job_id, url, delivery.code, delivery.detail)
    return True


def deliver_checked(url: str | None, payload: bytes | None, *, check_status: bool) -> Delivery:
    """Deliver only to a network printer inside `PRINTER_NETWORKS`, at the very address that
    was checked (core.accounts.printer_addresses.server_printer_url); anything else is
    refused before a connection is opened."""
    try:
        url = server_printer_url(url)
    except PrinterNotAllowed as error:
        return Delivery(False, UNKNOWN, NOT_ALLOWED, error.messages()["vi"])
    except PrinterNotFound as error:
        return Delivery(False, OFFLINE, UNREACHABLE, error.messages()["vi"])
    except InvalidInput as error:
        return Delivery(False, UNKNOWN, NO_PRINTER, error.messages()["vi"])
    return deliver(url, payload, check_status=check_status)


def probe(device_id: int) -> Delivery | None:
    """Ask an idle printer how it is, so a paper-out shows before a citizen's slip fails."""
    device = db.session.get(Device, device_id)
    printer = printer_for(device)
    url, check_status = device.printer_url, printer.check_status
    db.session.commit()
    if not check_status:
        return None
    delivery = deliver_checked(url, None, check_status=True)
    begin_write_transaction()
    record_state(db.session.get(Device, device_id), delivery.state, delivery.code, delivery.detail)
    db.session.commit()
    return delivery


class PrinterThread(threading.Thread):
    """Sends one printer's jobs in order, one connection per job."""

    def __init__(self, app: Flask, device_id: int, stopping: threading.Event):
        super().__init__(name=f"printer-{device_id}", daemon=True)
        self.app = app
        self.device_id = device_id
        self.stopping = stopping
        self.retired = threading.Event()
        self.sender = sender_name(device_id)

    def run(self) -> None:
        config = self.app.config
        last_probe = time.monotonic()
        with self.app.app_context():
            while not (self.stopping.is_set() or self.retired.is_set()):
                busy = False
                try:
                    busy = send_one(self.device_id, self.sender)
                    if not busy and time.monotonic() - last_probe >= config["PRINT_STATUS_SECONDS"]:
                        last_probe = time.monotonic()
                        probe(self.device_id)
                except Exception:
                    LOG.exception("printer %s: unexpected error", self.device_id)
                    db.session.rollback()
                if not busy:
                    self.stopping.wait(config["PRINT_POLL_SECONDS"])
            db.session.remove()


class PrintWorker:
    """The whole worker process: printer threads plus housekeeping, until `stop()`."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()
        self.threads: dict[int, PrinterThread] = {}
        self.last_trouble: str | None = None

    def server_printers(self) -> set[int]:
        return {device.id for device, _ in kiosk_printers(via=PrintVia.SERVER)}

    def tick(self) -> None:
        """Fail stale jobs, then match the threads to the configured printers."""
        with self.app.app_context():
            try:
                begin_write_transaction()
                expired = sweep()
                db.session.commit()
                if expired:
                    LOG.warning("%d print job(s) given up (too old or interrupted)", expired)
                wanted = self.server_printers()
                db.session.commit()
                self.last_trouble = None
            except Exception as error:
                self.report_trouble(error)
                db.session.rollback()
                return
            finally:
                db.session.remove()
        for device_id in wanted - self.threads.keys():
            thread = PrinterThread(self.app, device_id, self.stopping)
            self.threads[device_id] = thread
            thread.start()
            LOG.info("printer %s: worker thread started", device_id)
        for device_id in self.threads.keys() - wanted:
            self.threads.pop(device_id).retired.set()
            LOG.info("printer %s: no longer served by this worker", device_id)
        for device_id, thread in list(self.threads.items()):
            if not thread.is_alive() and not self.stopping.is_set():
                self.threads.pop(device_id)  # restarted on the next tick

    def report_trouble(self, error: Exception) -> None:
        """The whole story once, then one line while the same trouble lasts (database down)."""
        summary = (
            fault_summary(error)
            if holds_row_values(error)
            else f"{type(error).__name__}: {error}".splitlines()[0]
        )
        if summary != self.last_trouble:
            LOG.exception("print worker housekeeping failed")
        else:
            LOG.error("print worker housekeeping still failing: %s", summary)
        self.last_trouble = summary

    def run(self) -> None:
        LOG.info("print worker started (pid %s)", os.getpid())
        while not self.stopping.is_set():
            self.tick()
            self.stopping.wait(DISCOVERY_SECONDS)
        for thread in self.threads.values():
            thread.join(timeout=30)
        LOG.info("print worker stopped")

    def stop(self, *_args) -> None:
        self.stopping.set()
