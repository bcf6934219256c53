"""`flask --app wsgi print-worker` and `flask --app wsgi print-agent`."""

import logging
import os
import signal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from agent.print_agent import (
    Agent,
    AgentClient,
    ServerError,
    SetupError,
    check_server,
    device_key,
)
from core.accounts.printer_addresses import normalise_printer_url
from core.errors import InvalidInput
from printing.worker import PrintWorker


@click.command("print-worker")
@with_appcontext
def print_worker():
    """Send queued slips to the server-side printers until stopped (Ctrl+C)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    # Drawing a slip takes ~8 ms of processor: at the lowest priority it never slows a kiosk's
    # request (measured in docs/performance.md); a slip a few milliseconds later goes unnoticed.
    os.nice(current_app.config["PRINT_WORKER_NICE"])
    worker = PrintWorker(current_app._get_current_object())
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    click.echo("Chương trình in phiếu đang chạy (print worker; Ctrl+C để dừng).")
    worker.run()


@click.command("print-agent")
@with_appcontext
@click.option("--server", required=True, help="The desk's address, e.g. https://desk.example.")
@click.option("--insecure", is_flag=True, help="Allow a plain http:// server (a test network).")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A file holding the kiosk's device key (or set KIOSK_KEY).",
)
@click.option("--key", default=None, help="Deprecated: visible in the process list.")
@click.option(
    "--printer", default=None, help="Printer address (default: the one set on the server)."
)
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Print what is waiting now, then exit.")
def print_agent(server, insecure, key_file, key, printer, poll, once):
    """Print this kiosk's slips on a printer plugged into this PC (agent/print_agent.py)."""
    if printer:
        try:
            printer = normalise_printer_url(printer) or printer  # "none": no printer
        except InvalidInput as error:
            raise click.BadParameter(error.messages()["vi"], param_hint="--printer") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    try:
        check_server(server, insecure=insecure)
        key = device_key(key_file, key)
    except SetupError as error:
        raise click.UsageError(str(error)) from None
    agent = Agent(AgentClient(server, key), printer, poll)
    if once:
        try:
            ok = agent.run_once()
        except ServerError as error:
            raise click.ClickException(f"Không gọi được máy chủ: {error}") from None
        click.echo(f"Đã in {agent.printed} phiếu.")
        if not ok:
            raise click.ClickException("Máy in chưa in được, xem thông báo ở trên.")
        return
    signal.signal(signal.SIGTERM, agent.stop)
    signal.signal(signal.SIGINT, agent.stop)
    agent.run()


commands = [print_worker, print_agent]
