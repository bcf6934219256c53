"""What display boards cost the server: conditional polling versus Server-Sent Events.

Starts real gunicorn over a fresh database with the demo desk, opens N board clients, makes a
call every few seconds from another process-like thread, and measures the server's CPU time
(gunicorn master and workers, from /proc) and each board's latency from the commit of a call
to the moment the board has it. Figures go in docs/performance.md ("Display board").

    .venv/bin/python bench/display_board.py                 # 20 boards, 30 s per mode, SQLite
    .venv/bin/python bench/display_board.py --call-every 0  # an idle hall: the cost of waiting
    .venv/bin/python bench/display_board.py --boards 40 --modes poll
    .venv/bin/python bench/display_board.py --database-url postgresql://…/scratch --wipe
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The project's packages come before the benchmarks' own modules (bench/printing.py would
# hide the app's `printing` package).
sys.path[:0] = [str(PROJECT_DIR), str(PROJECT_DIR / "bench")]
from servers import BENCH_SETTINGS, gunicorn_cpu_seconds, reset_postgres  # noqa: E402

POLL_SECONDS = 0.5
WARM_UP_SECONDS = 3

SERVERS = {
    "poll": ["--workers", "3", "wsgi:app"],  # sync workers, the kind `make run` starts
    "sse": ["--worker-class", "gthread", "--workers", "2", "--threads", "32"]
    + ["bench.display_sse:app"],
}


class Desk:
    """The app in this process: set up the database, then make calls like a counter does."""

    def __init__(self, database_url: str, instance: Path) -> None:
        os.environ.update(DATABASE_URL=database_url, INSTANCE_PATH=str(instance), **BENCH_SETTINGS)
        from app import create_app

        self.app = create_app()
        self.commits: dict[int, float] = {}

    def prepare(self, tickets: int) -> str:
        from flask_migrate import upgrade

        from core.accounts.devices import create_device
        from core.db.transactions import begin_write_transaction
        from core.queue.issuing import issue_ticket
        from core.queue.service_lookup import find_service
        from demo.desk import seed_demo
        from extensions import db

        with self.app.app_context():
            upgrade(directory=str(PROJECT_DIR / "migrations"))
            begin_write_transaction()
            seed_demo(Path(self.app.instance_path) / "demo-kiosk.key")
            _, key = create_device("display", "Bench board")
            for index in range(tickets):
                issue_ticket(find_service(("GPLX", "PTIEN", "VTAI", "TRAKQ")[index % 4]))
            db.session.commit()
            db.session.remove()
        return key

    def call_next(self, counter_number: int) -> None:
        from core.clock import utcnow
        from core.db.transactions import begin_write_transaction
        from core.models import Counter, Ticket, TicketStatus
        from core.queue.calling import call_ticket
        from core.queue.counters import current_ticket
        from core.queue.ticket_flow import Actor, TicketAction, move
        from extensions import db

        with self.app.app_context():
            begin_write_transaction()
            ticket = (
                db.session.execute(
                    db.select(Ticket).filter_by(status=TicketStatus.WAITING).order_by(Ticket.id)
                )
                .scalars()
                .first()
            )
            counter = db.session.execute(
                db.select(Counter).filter_by(number=counter_number)
            ).scalar_one()
            here = current_ticket(counter)
            if here is not None and here.status == TicketStatus.CALLED:  # the citizen came
                move(here, TicketAction.START, counter=counter, actor=Actor(), now=utcnow())
            event = call_ticket(ticket, counter)
            db.session.commit()
            self.commits[event.id] = time.time()
            db.session.remove()


class Board(threading.Thread):
    """One board: records when it first has each call."""

    def __init__(self, mode: str, url: str, key: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.mode, self.url, self.stop = mode, url, stop
        self.headers = {"Authorization": f"Bearer {key}"}
        self.seen: dict[int, float] = {}
        self.requests = 0
        self.not_modified = 0
        self.errors = 0

    def receive(self, state: dict) -> None:
        now = time.time()
        for call in state["calls"]:
            self.seen.setdefault(call["id"], now)

    def run(self) -> None:
        if self.mode == "poll":
            self.poll()
        else:
            self.listen()

    def poll(self) -> None:
        session = requests.Session()
        etag = None
        while not self.stop.is_set():
            headers = {**self.headers, **({"If-None-Match": etag} if etag else {})}
            try:
                response = session.get(f"{self.url}/api/v1/display", headers=headers, timeout=5)
                self.requests += 1
                if response.status_code == 304:
                    self.not_modified += 1
                elif response.ok:
                    etag = response.headers["ETag"]
                    self.receive(response.json())
                else:
                    self.errors += 1
            except requests.RequestException:
                self.errors += 1
            self.stop.wait(POLL_SECONDS)

    def listen(self) -> None:
        try:
            with requests.get(
                f"{self.url}/bench/display/stream", headers=self.headers, stream=True, timeout=30
            ) as response:
                self.requests += 1
                for line in response.iter_lines(decode_unicode=True):
                    if self.stop.is_set():
                        return
                    if line and line.startswith("data: "):
                        self.receive(json.loads(line[6:]))
        except requests.RequestException:
            if not self.stop.is_set():
                self.errors += 1


def start_server(mode: str, database_url: str, instance: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        **BENCH_SETTINGS,
        "RATELIMIT_ENABLED": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "1",
            *SERVERS[mode],
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn ({mode}) did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(mode: str, desk: Desk, args, key: str, database_url: str, instance: Path) -> dict:
    port = 5600 + (0 if mode == "poll" else 1)
    server = start_server(mode, database_url, instance, port)
    stop = threading.Event()
    boards = [Board(mode, f"http://127.0.0.1:{port}", key, stop) for _ in range(args.boards)]
    try:
        for board in boards:
            board.start()
            time.sleep(POLL_SECONDS / args.boards)  # boards are switched on at different times
        time.sleep(WARM_UP_SECONDS)
        first_call = max(desk.commits, default=0)
        requests_before = sum(board.requests for board in boards)
        cpu_before, client_before = sum(gunicorn_cpu_seconds(server.pid)), time.process_time()
        started = time.monotonic()
        calls = 0
        while time.monotonic() - started < args.seconds:
            if args.call_every <= 0:  # an idle hall: nobody is called
                time.sleep(args.seconds)
                break
            desk.call_next(counter_number=1 + calls % 5)
            calls += 1
            time.sleep(min(args.call_every, args.seconds))
        elapsed = time.monotonic() - started
        cpu = sum(gunicorn_cpu_seconds(server.pid)) - cpu_before
        client_cpu = time.process_time() - client_before
        served = sum(board.requests for board in boards) - requests_before
        time.sleep(1.5)  # let the last call reach every board
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    latencies = [
        board.seen[call] - committed
        for call, committed in desk.commits.items()
        if call > first_call
        for board in boards
        if call in board.seen
    ]
    expected = args.boards * len([call for call in desk.commits if call > first_call])
    return {
        "mode": mode,
        "boards": args.boards,
        "seconds": round(elapsed, 1),
        "calls": calls,
        "server_cpu_percent_of_one_core": round(100 * cpu / elapsed, 1),
        "bench_process_cpu_percent": round(100 * client_cpu / elapsed, 1),
        "requests_per_second": round(served / elapsed, 1) if mode == "poll" else None,
        "not_modified_share": round(
            sum(board.not_modified for board in boards)
            / max(sum(board.requests for board in boards), 1),
            3,
        )
        if mode == "poll"
        else None,
        "deliveries": f"{len(latencies)}/{expected}",
        "machine_load_average": round(os.getloadavg()[0], 1),
        "errors": sum(board.errors for board in boards),
        "latency_ms": {
            "median": round(1000 * statistics.median(latencies)),
            "p95": round(1000 * percentile(latencies, 0.95)),
            "max": round(1000 * max(latencies)),
        }
        if latencies
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="measured time per mode")
    parser.add_argument(
        "--call-every", type=float, default=4.0, help="seconds between calls (0: none)"
    )
    parser.add_argument("--modes", default="poll,sse")
    parser.add_argument("--database-url", default=None, help="SQLite in a temp folder by default")
    parser.add_argument("--wipe", action="store_true", help="empty the PostgreSQL database first")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="board-bench-") as folder:
        instance = Path(folder)
        database_url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
        if database_url.startswith("postgres"):
            if not args.wipe:
                parser.error("--wipe is required: the PostgreSQL database is emptied first")
            reset_postgres(database_url)
        desk = Desk(database_url, instance)
        per_mode = args.seconds / args.call_every + 2 if args.call_every > 0 else 0
        calls_needed = int(len(args.modes.split(",")) * per_mode)
        key = desk.prepare(tickets=calls_needed + 60)
        results = []
        for mode in args.modes.split(","):
            print(f"measuring {mode}: {args.boards} boards, {args.seconds:.0f} s …", flush=True)
            results.append(measure(mode, desk, args, key, database_url, instance))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
