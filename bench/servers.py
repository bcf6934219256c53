"""Starting the app under real gunicorn for the benchmarks, on a free loopback port."""

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
