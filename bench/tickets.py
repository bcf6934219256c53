"""`make bench`: ticket issuance against a trivial endpoint of the same app, in the same run.

Starts gunicorn as `make run` does (SQLite in a scratch instance folder, the same worker
count), then alternates rounds of `GET /api/v1/health` (no database) and
`POST /api/v1/tickets`, and prints throughput, p50 and p99 latency and their ratio.
The machine is shared and noisy, so only the ratio within one run means much.
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import run  # noqa: E402
from servers import (  # noqa: E402
    BENCH_SETTINGS,
    default_workers,
    free_port,
    gunicorn_cpu_seconds,
    run_flask,
    start_gunicorn,
)

PROJECT = Path(__file__).resolve().parent.parent
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 8))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 1500))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 7))
WORKERS = os.environ.get("WORKERS") or str(default_workers())


def flask(env, *args):
    run_flask(env, *args, capture_output=True)


def measured(server, *args, **kwargs):
    """Run a load and note the server's CPU milliseconds per request."""
    user_before, system_before = gunicorn_cpu_seconds(server.pid)
    result = run(*args, **kwargs)
    user_after, system_after = gunicorn_cpu_seconds(server.pid)
    result.user_ms = (user_after - user_before) * 1000 / result.requests
    result.system_ms = (system_after - system_before) * 1000 / result.requests
    return result


def describe(result) -> str:
    errors = {status: n for status, n in result.statuses.items() if status >= 300}
    note = f"  errors {errors}" if errors else ""
    return (
        f"{result.label:22} {result.rate:8.1f} req/s   p50 {result.p50:6.1f} ms"
        f"   p99 {result.p99:6.1f} ms   server CPU {result.user_ms:4.2f} user"
        f" + {result.system_ms:4.2f} sys ms/req{note}"
    )


def show_answer_headers(url: str, body: dict, headers: dict) -> None:
    """A kiosk's 201 is its own and no refusal: it carries neither Vary nor Retry-After."""
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {**headers, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        unexpected = [name for name in ("Vary", "Retry-After") if name in answer.headers]
        print(f"a ticket's answer: {answer.status}, {len(answer.headers)} headers", end="")
    print(f", UNEXPECTED {unexpected}" if unexpected else ", no Vary, no Retry-After")
    if unexpected:
        raise SystemExit(1)


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": "false",
        **BENCH_SETTINGS,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("DATABASE_URL", None) if "BENCH_DATABASE_URL" not in os.environ else env.update(
        DATABASE_URL=os.environ["BENCH_DATABASE_URL"]
    )
    flask(env, "init-db")
    flask(env, "seed-demo")
    key = (instance / "demo-kiosk.key").read_text().strip()
    server = start_gunicorn(env, port, "--workers", WORKERS)
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {key}"}
    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"gunicorn {WORKERS} sync workers, {CONCURRENCY} concurrent clients, "
        f"{REQUESTS} requests a round, {ROUNDS} rounds"
    )
    print(f"database: {env.get('DATABASE_URL', 'SQLite (make run default)')}")
    try:
        run("warm-up", "GET", f"{base}/health", 200, CONCURRENCY)
        # Taps spread over the services as at a real kiosk, one in ten a priority ticket.
        taps = [
            {"service": code, "priority": tap % 10 == 0}
            for tap, code in enumerate(["GPLX", "PTIEN", "VTAI", "KCHT", "TRAKQ"] * 2)
        ]
        run("warm-up", "POST", f"{base}/tickets", 100, CONCURRENCY, taps, headers)
        show_answer_headers(f"{base}/tickets", taps[0], headers)
        baselines, tickets = [], []
        for round_number in range(ROUNDS):
            baseline = measured(
                server, "trivial GET /health", "GET", f"{base}/health", REQUESTS, CONCURRENCY
            )
            issued = measured(
                server,
                "POST /tickets",
                "POST",
                f"{base}/tickets",
                REQUESTS,
                CONCURRENCY,
                taps,
                headers,
            )
            print(f"round {round_number + 1}:  " + describe(baseline))
            print("          " + describe(issued))
            baselines.append(baseline)
            tickets.append(issued)
    finally:
        server.terminate()
        server.wait()
    ratio = statistics.median(t.rate / b.rate for t, b in zip(tickets, baselines, strict=True))
    p99 = statistics.median(t.p99 for t in tickets)
    print()
    print(f"tickets/s (median)      {statistics.median(t.rate for t in tickets):8.1f}")
    print(f"trivial req/s (median)  {statistics.median(b.rate for b in baselines):8.1f}")
    print(f"ratio tickets/trivial   {ratio:8.2f}   (target >= 0.50)")
    print(f"tickets p50 (median)    {statistics.median(t.p50 for t in tickets):8.1f} ms")
    print(f"tickets p99 (median)    {p99:8.1f} ms   (target < 100 ms)")
    failed = [t for t in tickets if t.statuses.get(201, 0) != t.requests]
    if failed:
        print("NOT ALL TICKETS WERE ISSUED:", [t.statuses for t in failed])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
