"""A small asyncio HTTP/1.1 load generator: cheap per request, so the server is what is measured."""

import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def build_request(method: str, url: str, body: dict | None, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def one_request(host: str, port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(raw)
    await writer.drain()
    response = await reader.read()
    writer.close()
    return int(response.split(b" ", 2)[1])


async def drive(label, method, url, count, concurrency, bodies=None, headers=None) -> Result:
    """`count` requests from `concurrency` clients; request i carries bodies[i % len(bodies)]."""
    parts = urlsplit(url)
    raws = [build_request(method, url, body, headers or {}) for body in (bodies or [None])]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = count

    async def client():
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            raw = raws[remaining % len(raws)]
            started = time.perf_counter()
            status = await one_request(parts.hostname, parts.port, raw)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return Result(label, count, time.perf_counter() - started, latencies, statuses)


def run(label, method, url, count, concurrency, bodies=None, headers=None) -> Result:
    return asyncio.run(drive(label, method, url, count, concurrency, bodies, headers))
