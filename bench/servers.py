"""Starting the app under real gunicorn for the benchmarks, on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

PROJECT = Path(__file__).resolve().parent.parent
# The app runs as production unless told otherwise, and refuses a weak key in every
# environment but the test suite's: benchmarks run it as the local demo does.
BENCH_SETTINGS = {"APP_ENV": "development", "SECRET_KEY": "bench-secret-key-0123456789abcdef"}


def run_flask(env: dict, *args: str, **output) -> None:
    """`flask --app wsgi ARGS…` in the project folder with `env`, failing on a non-zero exit;
    `output` goes to subprocess.run (capture_output=True, stdout=subprocess.DEVNULL…)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT,
        env=env,
        check=True,
        **output,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def default_workers() -> int:
    """`make run`'s worker count: (2 × cores) + 1, at most 9."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 9)


def start_gunicorn(env: dict, port: int, *options: str, attempts: int = 300) -> subprocess.Popen:
    """gunicorn serving wsgi:app with `options`, once its health endpoint answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *options, "wsgi:app"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(attempts):
        try:
            urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def gunicorn_cpu_seconds(master: int) -> tuple[float, float]:
    """User and system CPU seconds of a gunicorn master and its workers so far (/proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    user = system = 0
    for pid in [master, *map(int, children)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just exited
            continue
        user += int(fields[11])
        system += int(fields[12])
    hertz = os.sysconf("SC_CLK_TCK")
    return user / hertz, system / hertz


def reset_postgres(url: str) -> None:
    """Create a benchmark's PostgreSQL database if it is missing, then empty it."""
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    from sqlalchemy import create_engine, make_url, text

    from config import normalise_database_url

    url = make_url(normalise_database_url(url))
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
