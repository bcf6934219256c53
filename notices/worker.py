"""The notice worker: sends the outbox after the commits that queued them, one thread per
channel (a gateway that is down delays only its own channel), one notice at a time, with no
database transaction open while a server or a gateway is talked to.

A notice is claimed (one commit), sent, and its outcome kept (a second commit): sent, tried
again after a back-off, or failed for the admins' page. Housekeeping puts back in the queue
the notices of a sender that vanished mid-send, queues the bookings' reminders the working
day before (core.appointments.reminders), and erases the contacts given for tickets of past
days.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from flask import Flask

from core.appointments.reminders import queue_reminders
from core.clock import local_today
from core.db.faults import ROW_VALUES_HIDDEN
from core.db.transactions import begin_write_transaction
from core.models import Notice, NoticeChannel
from core.notices.consent import forget_ticket_contacts
from core.notices.outbox import claim_next, record_outcome, sweep
from extensions import db
from notices.senders import send

LOG = logging.getLogger("notice-worker")
LOG.addFilter(ROW_VALUES_HIDDEN)
HOUSEKEEPING_SECONDS = 60.0


def sender_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:notices"


def send_next(app: Flask, sender: str, channel: NoticeChannel | None = None) -> bool:
    """Claim, send and record the oldest due notice (of `channel`); False when none is due."""
    begin_write_transaction()
    notice = claim_next(sender, channel)
    if notice is None:
        db.session.commit()
        return False
    notice_id, channel, recipient = notice.id, notice.channel, notice.recipient
    subject, text = notice.subject, notice.text
    db.session.commit()
    started = time.perf_counter()
    outcome = send(app.config, channel, recipient, subject, text)
    begin_write_transaction()
    # Locked: a withdrawal meanwhile (a booking cancelled, contacts erased) is seen.
    notice = db.session.get(Notice, notice_id, with_for_update=True, populate_existing=True)
    record_outcome(notice, outcome.error_code, outcome.detail)
    db.session.commit()
    took = (time.perf_counter() - started) * 1000
    if outcome.error_code is None:
        LOG.info("notice %s sent by %s in %.0f ms", notice_id, channel.value, took)
    else:
        LOG.warning(
            "notice %s not sent by %s: %s %s", notice_id, channel.value, outcome.error_code,
            outcome.detail,
        )  # fmt: skip
    return True


def housekeeping() -> None:
    begin_write_transaction()
    requeued = sweep()
    erased = forget_ticket_contacts(local_today())
    reminded = queue_reminders()
    db.session.commit()
    if reminded:
        LOG.info("reminders queued for %d booking(s)", reminded)
    if requeued:
        LOG.warning("%d notice(s) of a vanished sender queued again", requeued)
    if erased:
        LOG.info("contacts given for %d ticket(s) of past days erased", erased)


class NoticeWorker:
    """Sends queued notices, a thread per channel, until `stop()`."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def run(self) -> None:
        LOG.info("notice worker started (pid %s)", os.getpid())
        threads = [
            threading.Thread(target=self.send_channel, args=(channel,), name=f"notices-{channel}")
            for channel in NoticeChannel
        ]
        for thread in threads:
            thread.start()
        last_housekeeping = 0.0
        while not self.stopping.is_set():
            if time.monotonic() - last_housekeeping > HOUSEKEEPING_SECONDS:
                last_housekeeping = time.monotonic()
                self.in_context(housekeeping, "housekeeping failed")
            self.stopping.wait(1.0)
        for thread in threads:
            thread.join(timeout=30)
        LOG.info("notice worker stopped")

    def send_channel(self, channel: NoticeChannel) -> None:
        sender = f"{sender_name()}-{channel.value}"[:64]
        while not self.stopping.is_set():
            worked = self.in_context(lambda: send_next(self.app, sender, channel), "send failed")
            if not worked:
                self.stopping.wait(self.app.config["NOTICE_POLL_SECONDS"])

    def in_context(self, work, trouble: str):
        with self.app.app_context():
            try:
                return work()
            except Exception:
                LOG.exception("notice worker: %s", trouble)
                db.session.rollback()
                return None
            finally:
                db.session.remove()
