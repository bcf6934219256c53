"""Several app servers on one database: live updates across them, and a worker killed -9.

Real gunicorn processes on loopback ports, real client processes; bounded in time.
"""

import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import fault_clients
import pytest
import requests
from ledger import check_ledger

from conftest import LiveServer, stop_quickly
from extensions import db
from tests import factories

pytestmark = pytest.mark.slow


def start_servers(app, database_url, names: list[str], workers: int) -> list[LiveServer]:
    """Start the servers side by side (each takes seconds to import the app)."""
    db.session.remove()
    instances = [Path(app.instance_path) / name for name in names]
    for instance in instances:
        instance.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(len(names)) as pool:
        return list(
            pool.map(lambda instance: LiveServer(database_url, instance, workers), instances)
        )


class BoardPoller(threading.Thread):
    """A display board polling one server as the real board does (ETag, every 0.5 s)."""

    def __init__(self, url: str, key: str) -> None:
        super().__init__(daemon=True)
        self.url, self.key = url, key
        self.seen: dict[str, float] = {}
        self.statuses: dict[int, int] = {}
        self.stop = threading.Event()
        self.answered = threading.Condition()  # notified after each answer it gets

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.key}"
        etag = None
        while not self.stop.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            response = session.get(f"{self.url}/api/v1/display", headers=headers, timeout=5)
            with self.answered:
                self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
                if response.status_code == 200:
                    etag = response.headers["ETag"]
                    now = time.time()
                    for call in response.json()["calls"]:
                        self.seen.setdefault(call["number"], now)
                self.answered.notify_all()
            self.stop.wait(0.5)

    def wait_for(self, condition, timeout: float) -> bool:
        """Wait until `condition()` holds after one of the board's answers."""
        with self.answered:
            return self.answered.wait_for(condition, max(0.0, timeout))


@pytest.mark.timing
def test_a_call_through_one_server_reaches_a_board_on_another_within_a_second(
    app, demo, database_url
):
    board_key = factories.device("display", "Bảng sảnh chính").key
    keypad = factories.device("counter", counter=1).key
    for _ in range(4):
        factories.ticket("GPLX")
    first, second = start_servers(app, database_url, ["server-a", "server-b"], workers=1)
    board = BoardPoller(second.url, board_key)
    try:
        board.start()
        polling = board.wait_for(lambda: board.statuses.get(304, 0) > 0, 10)
        assert polling, f"the board never polled with its ETag: {board.statuses}"
        delays = {}
        for pause in (0.0, 0.3, 0.45):  # calls land at different moments of the poll cycle
            time.sleep(pause)  # the moment of the call in the board's cycle is the test
            started = time.time()
            called = requests.post(
                f"{first.url}/api/v1/counters/1/next",
                headers={"Authorization": f"Bearer {keypad}"},
                timeout=10,
            )
            assert called.status_code == 200, called.text
            number = called.json()["number"]
            board.wait_for(lambda number=number: number in board.seen, started + 2 - time.time())
            assert number in board.seen, f"{number} never reached the board on the other server"
            delays[number] = board.seen[number] - started
            arrived = requests.post(  # the citizen arrives, so the next call may finish them
                f"{first.url}/api/v1/counters/1/start",
                headers={"Authorization": f"Bearer {keypad}"},
                timeout=10,
            )
            assert arrived.status_code == 200, arrived.text
    finally:
        board.stop.set()
        board.join(timeout=5)
        stop_quickly(first, second)
    assert list(delays) == ["A001", "A002", "A003"]
    assert max(delays.values()) < 1.0, delays
    assert set(board.statuses) <= {200, 304} and board.statuses.get(304, 0) > 0


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if parent == master:
                pids.append(int(entry.name))
    return pids


KIOSKS, COUNTERS, LOAD_SECONDS = 4, 2, 3.0


@pytest.mark.timing  # expects a number of tickets within the load's seconds
def test_killing_a_worker_mid_morning_loses_and_duplicates_nothing(app, demo, database_url):
    keys = {
        number: factories.device("counter", counter=number).key for number in range(1, COUNTERS + 1)
    }
    for _ in range(6):
        factories.ticket("GPLX")  # counters have someone to call from the start
    (server,) = start_servers(app, database_url, ["server"], workers=3)
    master = server.process.pid
    killed = []
    try:
        until = time.time() + LOAD_SECONDS
        with ProcessPoolExecutor(max_workers=KIOSKS + COUNTERS) as pool:
            kiosks = [
                pool.submit(fault_clients.kiosk, server.url, demo, seed, until)
                for seed in range(KIOSKS)
            ]
            counters = [
                pool.submit(fault_clients.counter, server.url, key, number, until)
                for number, key in keys.items()
            ]
            for moment in (1.0, 2.0):
                # The kills are timed into the load: one and two seconds after it began.
                time.sleep(max(0.0, until - LOAD_SECONDS + moment - time.time()))
                victim = worker_pids(master)[0]
                os.kill(victim, signal.SIGKILL)
                killed.append((victim, time.time()))
            kiosk_results = [future.result() for future in kiosks]
            counter_results = [future.result() for future in counters]
        replaced = sorted(worker_pids(master))
        assert len(replaced) == 3 and not {pid for pid, _ in killed} & set(replaced)
    finally:
        stop_quickly(server)

    answers = [ticket for result in kiosk_results for ticket in result["tickets"]]
    acknowledged = [ticket for ticket in answers if "token" in ticket]
    refused = [ticket for ticket in answers if "token" not in ticket]
    assert not refused, refused[:3]
    assert all(set(result["statuses"]) <= {200, 204} for result in counter_results)
    last_kill = killed[-1][1]
    assert any(ticket["started"] > last_kill for ticket in acknowledged), "service went on"
    called = [number for result in counter_results for number in result["called"]]
    assert len(acknowledged) > 20 and called
    stored = check_ledger(acknowledged, called)
    assert len(stored) >= len(acknowledged) + 6
