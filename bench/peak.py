"""`make bench-peak`: a Monday-morning peak, then the headroom above it.

The peak of a large centre: 30 counters calling the next citizen, 10 kiosks issuing tickets,
20 display boards polling (ETag, every 0.5 s) and 200 phones following their ticket (every
10 s). Real gunicorn over a fresh database; an asyncio client plays every device, each on its
own clock. After a baseline (`GET /api/v1/health`, no database, at the same concurrency as
the boards) the whole mix runs at 1×, then 1.5×, 2×, 3×, 4×… the peak's rates, until a
step no longer keeps up (below 95 % of the rate asked) or its p99 passes 300 ms, twice in a
row (the machine may be shared). The headroom is the highest step that held; the server's CPU
time per request gives a second, noise-resistant estimate of the capacity.

    .venv/bin/python bench/peak.py                          # SQLite, 60 s a step
    PEAK_SECONDS=10 .venv/bin/python bench/peak.py          # a quick run
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/scratch .venv/bin/python bench/peak.py

Settings (environment): PEAK_SECONDS (60), PEAK_WARM_UP_SECONDS (10: the mix at 1×, not
counted), PEAK_FACTORS ("1,1.5,2,3,4,6,8"), WORKERS (4),
PEAK_P99_MS (300). The PostgreSQL database given is emptied first.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# The project's packages come before the benchmarks' own modules (bench/printing.py would
# hide the app's `printing` package).
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from servers import (  # noqa: E402
    BENCH_SETTINGS,
    free_port,
    gunicorn_cpu_seconds,
    reset_postgres,
    start_gunicorn,
)

SECONDS = float(os.environ.get("PEAK_SECONDS", 60))
WARM_UP_SECONDS = float(os.environ.get("PEAK_WARM_UP_SECONDS", 10))
FACTORS = [float(x) for x in os.environ.get("PEAK_FACTORS", "1,1.5,2,3,4,6,8").split(",")]
WORKERS = os.environ.get("WORKERS", "4")
P99_LIMIT_MS = float(os.environ.get("PEAK_P99_MS", 300))
SERVICES = ("GPLX", "PTIEN", "VTAI", "TRAKQ")

# The peak at 1×: how many of each device, and seconds between two requests of one device.
COUNTERS, KIOSKS, BOARDS, PHONES = 30, 10, 20, 200
PERIODS = {"counter": 30.0, "kiosk": 10.0, "board": 0.5, "phone": 10.0}


@dataclass
class Desk:
    """Keys and tokens the simulated devices use."""

    kiosks: list[str] = field(default_factory=list)
    counters: dict[int, str] = field(default_factory=dict)
    boards: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


def prepare(database_url: str, instance: Path) -> Desk:
    """Migrate, load the demo desk, grow it to 30 counters and add every device's key."""
    os.environ.update(DATABASE_URL=database_url, INSTANCE_PATH=str(instance), **BENCH_SETTINGS)
    from flask_migrate import upgrade

    from app import create_app
    from core.accounts.devices import create_device
    from core.db.transactions import begin_write_transaction
    from core.models import Counter, Service
    from core.queue.issuing import issue_ticket
    from core.queue.service_lookup import find_service
    from demo.desk import seed_demo
    from extensions import db

    app = create_app()
    desk = Desk()
    with app.app_context():
        upgrade(directory=str(PROJECT / "migrations"))
        begin_write_transaction()
        seed_demo(instance / "demo-kiosk.key")
        services = {
            service.code: service for service in db.session.execute(db.select(Service)).scalars()
        }
        for number in range(6, COUNTERS + 1):
            code = SERVICES[number % len(SERVICES)]
            db.session.add(Counter(number=number, name=f"Quầy {number}", services=[services[code]]))
        db.session.flush()
        desk.kiosks = [create_device("kiosk", f"Kiosk {n}")[1] for n in range(KIOSKS)]
        desk.boards = [create_device("display", f"Bảng {n}")[1] for n in range(BOARDS)]
        desk.counters = {
            n: create_device("counter", f"Bàn phím {n}", None, n)[1] for n in range(1, COUNTERS + 1)
        }
        for index in range(PHONES * 2):
            issued = issue_ticket(find_service(SERVICES[index % len(SERVICES)]))
            if index < PHONES:
                desk.tokens.append(issued.token)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return desk


def start_server(database_url: str, instance: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        **BENCH_SETTINGS,
        "RATELIMIT_ENABLED": "false",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    return start_gunicorn(env, port, "--workers", WORKERS, "--backlog", "2048")


# The client ----------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0

    def add(self, kind: str, seconds: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def p(self, share: float, kind: str | None = None) -> float:
        values = sorted(
            self.latencies.get(kind, [])
            if kind
            else [v for values in self.latencies.values() for v in values]
        )
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(len(values) * share))] * 1000


async def request(port: int, method: str, path: str, headers: dict, payload: bytes = b"") -> tuple:
    """One HTTP/1.1 request on its own connection; returns (status, headers, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method == "POST":
        lines.append(f"Content-Length: {len(payload)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split(" ", 2)[1])
    fields = {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return status, fields, body


async def device(kind: str, period: float, port: int, make, until: float, tally: Tally, seed):
    """One device: a request every `period` seconds (closed loop: never two at once)."""
    chooser = random.Random(seed)
    await asyncio.sleep(min(chooser.uniform(0, period), until - time.perf_counter()))
    state: dict = {}
    while time.perf_counter() < until:
        started = time.perf_counter()
        method, path, headers, *payload = make(state, chooser)
        try:
            status, fields, _ = await request(port, method, path, headers, *payload)
        except OSError:
            tally.failures += 1
            status, fields = 0, {}
        tally.add(kind, time.perf_counter() - started, status)
        if kind == "board" and status == 200:
            state["etag"] = fields.get("etag")
        if kind == "counter":
            # A citizen called by "next" (200) arrives: the counter starts serving them.
            state["called"] = path.endswith("/next") and status == 200
        pause = min(period - (time.perf_counter() - started), until - time.perf_counter())
        await asyncio.sleep(max(0.0, pause))


def devices(desk: Desk, factor: float):
    """(kind, period, request maker) for every simulated device at `factor` × the peak."""
    bearer = lambda key: {"Authorization": f"Bearer {key}"}  # noqa: E731

    def kiosk(key):
        def make(_state, chooser):
            headers = {**bearer(key), "Content-Type": "application/json"}
            payload = json.dumps({"service": chooser.choice(SERVICES)}).encode()
            return "POST", "/api/v1/tickets", headers, payload

        return make

    def counter(number, key):
        """Calls the next citizen, starts serving them when they arrive, then calls again
        (which finishes the one being served): the console's rhythm."""

        def make(state, _chooser):
            action = "start" if state.get("called") else "next"
            return "POST", f"/api/v1/counters/{number}/{action}", bearer(key)

        return make

    def board(key):
        def make(state, _chooser):
            headers = bearer(key)
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            return "GET", "/api/v1/display", headers

        return make

    def phone(token):
        return lambda _s, _c: ("GET", f"/api/v1/tickets/{token}", {})

    for key in desk.kiosks:
        yield "kiosk", PERIODS["kiosk"] / factor, kiosk(key)
    for number, key in desk.counters.items():
        yield "counter", PERIODS["counter"] / factor, counter(number, key)
    for key in desk.boards:
        yield "board", PERIODS["board"] / factor, board(key)
    for token in desk.tokens:
        yield "phone", PERIODS["phone"] / factor, phone(token)


async def run_mix(port: int, desk: Desk, factor: float, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(
            device(kind, period, port, make, until, tally, seed)
            for seed, (kind, period, make) in enumerate(devices(desk, factor))
        )
    )
    return tally, time.perf_counter() - started


async def run_baseline(port: int, concurrency: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    until = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < until:
            started = time.perf_counter()
            status, _, _ = await request(port, "GET", "/api/v1/health", {})
            tally.add("health", time.perf_counter() - started, status)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return tally, time.perf_counter() - started


def asked_rate(factor: float) -> float:
    counts = {"counter": COUNTERS, "kiosk": KIOSKS, "board": BOARDS, "phone": PHONES}
    return sum(counts[kind] * factor / PERIODS[kind] for kind in counts)


def main() -> None:
    instance = Path(tempfile.mkdtemp(prefix="onestop-peak-"))
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if database_url:
        reset_postgres(database_url)
    else:
        database_url = f"sqlite:///{instance / 'onestop.db'}"
    desk = prepare(database_url, instance)
    port = free_port()
    server = start_server(database_url, instance, port)
    load = os.getloadavg()[0]
    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"gunicorn {WORKERS} sync workers, {SECONDS:g} s a step, load average {load:.1f}"
    )
    print(f"database: {'PostgreSQL' if database_url.startswith('postgres') else 'SQLite (WAL)'}")
    try:
        baseline, elapsed = asyncio.run(run_baseline(port, BOARDS, min(SECONDS, 15)))
        base_rate, base_p99 = baseline.requests / elapsed, baseline.p(0.99)
        print(f"baseline GET /health ×{BOARDS}: {base_rate:7.1f} req/s, p99 {base_p99:6.1f} ms")
        # Each worker's first requests configure the ORM's mappers and compile the
        # statements it caches: a start-up cost, paid once, not the peak's.
        asyncio.run(run_mix(port, desk, 1, WARM_UP_SECONDS))
        print(f"warm-up: {WARM_UP_SECONDS:g} s of the mix at 1×, not counted")
        held, misses, costs = None, 0, []
        for factor in FACTORS:
            cpu_before = sum(gunicorn_cpu_seconds(server.pid))
            tally, elapsed = asyncio.run(run_mix(port, desk, factor, SECONDS))
            cpu = (sum(gunicorn_cpu_seconds(server.pid)) - cpu_before) / elapsed
            costs.append(cpu / max(tally.requests / elapsed, 1))
            rate, asked = tally.requests / elapsed, asked_rate(factor)
            errors = {s: n for s, n in tally.statuses.items() if s >= 500 or s == 0}
            p99 = tally.p(0.99)
            kinds = "  ".join(
                f"{kind} p99 {tally.p(0.99, kind):5.0f}" for kind in sorted(tally.latencies)
            )
            ok = rate >= 0.95 * asked and p99 < P99_LIMIT_MS and not errors
            print(
                f"{factor:4g}× asked {asked:6.1f} req/s, served {rate:6.1f} req/s, "
                f"p50 {tally.p(0.5):5.1f} p99 {p99:6.1f} ms  [{kinds}]  "
                f"p99/baseline {p99 / base_p99:4.1f}  server CPU {cpu * 100:3.0f} % of a core "
                f"({cpu * 1000 / max(rate, 1):.2f} ms/req)  errors {errors or 0}  "
                f"{'held' if ok else 'NOT held'}  load {os.getloadavg()[0]:.1f}"
            )
            if ok:
                held, misses = (factor, rate, p99), 0
            else:
                misses += 1  # on a shared machine one step may catch a neighbour's burst
                if misses == 2:
                    break
        if held:
            factor, rate, p99 = held
            print(
                f"headroom: {factor:g}× the peak, {rate:.0f} req/s with p99 {p99:.0f} ms "
                f"({rate / base_rate:.2f} of the baseline's rate)"
            )
        else:
            print("headroom: the peak itself was not held")
        cost = sorted(costs)[len(costs) // 2]
        cores = os.cpu_count() or 1
        print(
            f"server CPU per request (median of the steps): {cost * 1000:.2f} ms, so "
            f"{cores} dedicated cores would serve about {cores / cost:.0f} req/s of this mix, "
            f"{cores / cost / asked_rate(1):.1f}× the peak"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
