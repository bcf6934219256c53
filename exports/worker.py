"""The export worker: takes queued export jobs one at a time and builds their files.

`flask --app wsgi jobs worker` runs `ExportWorker` until stopped; `run_once` builds the
next queued job, if any (tests and `--once`). The rows are read in the worker's session, in
one read transaction (a consistent register); the job's progress is written on a
connection of its own every few hundred rows, so the page's progress bar moves while the
read goes on. A job that fails is marked failed with the reason, and the worker carries on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from core.clock import utcnow
from core.db.faults import ROW_VALUES_HIDDEN
from core.db.transactions import IMMEDIATE, begin_write_transaction, end_transaction
from core.dossiers.register import RegisterPeriod, count_entries
from core.exports.jobs import claim_next, expire_old_files, export_folder
from core.models import ExportJob, ExportJobStatus
from exports.register_files import write_register
from extensions import db

LOG = logging.getLogger("export-worker")
LOG.addFilter(ROW_VALUES_HIDDEN)
PROGRESS_EVERY = 250  # rows between two progress writes
SWEEP_SECONDS = 600.0
# A job building this long lost its worker: a year's register takes seconds to a minute.
EXPORT_LEASE = timedelta(minutes=30)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:exports"


def set_progress(job_id: int, **values) -> None:
    """Write the job's progress on a connection of its own, in a short writer's turn."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def file_path_for(job: ExportJob, period: RegisterPeriod) -> Path:
    return export_folder() / f"{job.id}-so-theo-doi-ho-so-{period.slug}.{job.file_format}"


def build(job: ExportJob) -> None:
    """Build the job's file (the register), reporting progress; raises on failure."""
    job_id = job.id
    period = RegisterPeriod.from_params(job.params)
    path = file_path_for(job, period)
    file_format = job.file_format
    end_transaction()  # the claim is committed; the read transaction starts afresh
    total = count_entries(period)
    set_progress(job_id, total=total, done=0)

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            set_progress(job_id, done=done)

    written = write_register(period, file_format, path, progress)
    end_transaction()
    begin_write_transaction()
    finished = db.session.get(ExportJob, job_id)
    finished.done = written
    finished.total = max(total, written)
    finished.file_path = str(path)
    finished.file_size = path.stat().st_size
    finished.status = ExportJobStatus.DONE
    finished.finished_at = utcnow()
    db.session.commit()


def run_once(name: str | None = None) -> bool:
    """Claim and build the oldest queued job; False when there was none."""
    begin_write_transaction()
    job = claim_next(name or worker_name())
    if job is None:
        db.session.commit()
        return False
    job_id = job.id
    db.session.commit()
    started = time.perf_counter()
    try:
        build(db.session.get(ExportJob, job_id))
    except Exception as error:
        db.session.rollback()
        LOG.error("export job %s failed: %s", job_id, traceback.format_exc(limit=3))
        begin_write_transaction()
        failed = db.session.get(ExportJob, job_id)
        failed.status = ExportJobStatus.FAILED
        failed.error = f"{type(error).__name__}: {error}"[:1000]
        failed.finished_at = utcnow()
        db.session.commit()
        return True
    LOG.info("export job %s done in %.1f s", job_id, time.perf_counter() - started)
    return True


def requeue_abandoned(now: datetime | None = None) -> int:
    """Put back in the queue the jobs whose worker died while building them: those of this
    machine whose process is gone, and any building for longer than `EXPORT_LEASE` (their
    worker's machine may be gone for good, a container replaced under a new name). The next
    claim builds them from the start; a worker still building one only wasted its time (each
    build writes a file of its own, then renames it into place)."""
    now = now or utcnow()
    host = socket.gethostname()
    begin_write_transaction()
    running = db.session.execute(
        select(ExportJob).where(ExportJob.status == ExportJobStatus.RUNNING)
    ).scalars()
    requeued = 0
    for job in running:
        claimed = job.claimed_by or ""
        pid = int(claimed.split(":")[1]) if claimed.count(":") >= 2 else 0
        dead_here = claimed.startswith(f"{host}:") and pid and not process_alive(pid)
        if dead_here or (job.started_at is not None and job.started_at < now - EXPORT_LEASE):
            job.status, job.done, job.claimed_by, job.started_at = (
                ExportJobStatus.QUEUED,
                0,
                None,
                None,
            )
            requeued += 1
    db.session.commit()
    return requeued


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> int:
    """Expire old files and queue again the jobs of workers that died; the files removed."""
    if requeue_abandoned():
        LOG.info("export jobs of a stopped worker are queued again")
    begin_write_transaction()
    removed = expire_old_files()
    db.session.commit()
    return removed


class ExportWorker:
    """Builds queued files one at a time until stopped."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def run(self) -> None:
        poll = self.app.config["EXPORT_POLL_SECONDS"]
        name = worker_name()
        last_sweep = float("-inf")  # the first round sweeps: a stopped worker's jobs come back
        while not self.stopping.is_set():
            with self.app.app_context():
                try:
                    if time.monotonic() - last_sweep > SWEEP_SECONDS:
                        sweep()
                        last_sweep = time.monotonic()
                    worked = run_once(name)
                except Exception:
                    LOG.exception("export worker: could not take a job")
                    db.session.rollback()
                    worked = False
                finally:
                    db.session.remove()
            if not worked:
                self.stopping.wait(poll)
