"""What a board's `304` spends on the database, against a Redis "version" key.

The question (docs/performance.md, "Several app servers"): should boards' conditional polls
read a version key that commits bump in Redis (or PostgreSQL NOTIFY keeps in memory), instead
of the one-round-trip version query? This times, in one process, the pieces of a 304:

- the whole 304 through Flask (test client, no network): device key + version + response;
- the version query alone (core.queue.board.board_version);
- a Redis GET of a small key on 127.0.0.1:6379 (raw RESP over TCP, no client library).

    .venv/bin/python bench/board_version.py
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/scratch \
        .venv/bin/python bench/board_version.py
"""

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peak  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 2000))


def timed(action, rounds: int = ROUNDS) -> tuple[float, float]:
    """Median and p99 in milliseconds."""
    action()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def redis_get(host: str = "127.0.0.1", port: int = 6379):
    connection = socket.create_connection((host, port))
    connection.sendall(
        b"*3\r\n$3\r\nSET\r\n$13\r\nboard:version\r\n$24\r\n2026-11-28.c12-40.t95.a7\r\n"
    )
    connection.recv(64)

    def get():
        connection.sendall(b"*2\r\n$3\r\nGET\r\n$13\r\nboard:version\r\n")
        connection.recv(64)

    return get


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="onestop-version-"))
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        peak.reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'onestop.db'}"
    desk = peak.prepare(url, instance)
    from app import create_app
    from core.clock import local_today
    from core.queue.board import board_version

    app = create_app()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {desk.boards[0]}"}
    etag = client.get("/api/v1/display", headers=headers).headers["ETag"]
    print(
        f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite (WAL)'}, "
        f"{ROUNDS} rounds, load average {os.getloadavg()[0]:.1f}"
    )
    with app.app_context():
        rows = {
            "304 through Flask": lambda: client.get(
                "/api/v1/display", headers={**headers, "If-None-Match": etag}
            ),
            "version query": lambda: board_version(local_today()),
        }
        try:
            rows["Redis GET"] = redis_get()
        except OSError as error:
            print(f"Redis not reachable ({error}): skipped")
        for label, action in rows.items():
            median, p99 = timed(action)
            print(f"{label:20} median {median:6.3f} ms   p99 {p99:6.3f} ms")


if __name__ == "__main__":
    main()
