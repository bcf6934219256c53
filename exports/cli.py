"""`flask --app wsgi jobs worker`: build the files asked for on the pages (the register as
XLSX or PDF), beside the print worker."""

from __future__ import annotations

import logging
import os
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from exports.worker import ExportWorker, run_once, sweep

jobs_group = AppGroup("jobs", help="Việc chạy nền: xuất tệp sổ theo dõi (background jobs).")


@jobs_group.command("worker")
@click.option("--once", is_flag=True, help="Build the next queued file, if any, and stop.")
def worker_command(once: bool) -> None:
    """Build queued export files until stopped (Ctrl+C)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    # A long file must not slow the desk's requests: the worker yields the processor.
    os.nice(current_app.config["EXPORT_WORKER_NICE"])
    if once:
        sweep()
        click.echo("Đã xuất một tệp." if run_once() else "Không có tệp nào chờ xuất.")
        return
    worker = ExportWorker(current_app._get_current_object())
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    click.echo("Chương trình xuất tệp đang chạy (export worker; Ctrl+C để dừng).")
    worker.run()


commands = [jobs_group]
