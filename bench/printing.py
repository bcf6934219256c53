"""Ticket printing figures: slip render time and job size, and ticket issuance with printing on.

    .venv/bin/python bench/printing.py [--seconds 10] [--clients 8] [--workers 4]

Part 1 renders slips in this process (raster at 576, 512 and 384 dots, with and without a
logo, and TCVN-3 text mode) and reports bytes and milliseconds. Part 2 starts gunicorn, the
real print worker and a fake network printer on 127.0.0.1, then drives 8 clients against
GET /api/v1/health, POST /api/v1/tickets for a kiosk without a printer, and for a kiosk whose
printer is that fake one; it checks afterwards that every slip was printed exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

from PIL import Image, ImageDraw  # noqa: E402

from printing.slip import Paper, Slip, header_bytes, render_slip  # noqa: E402
from printing_helpers import SAMPLE_SLIP  # noqa: E402

PAPERS = [
    ("80 mm, 576 dots, raster", Paper(576, "NT-80-V-UL")),
    ("80 mm, 512 dots, raster", Paper(512, "TM-T88V")),
    ("58 mm, 384 dots, raster", Paper(384, "POS-5890")),
    ("80 mm, 512 dots, TCVN-3 text", Paper(512, "TM-T88V", "text")),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def demo_logo(path: Path) -> str:
    """A round emblem with a star, like a provincial department's seal, in colour."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 236, 236), fill=(200, 16, 46, 255), outline=(242, 183, 5, 255), width=10)
    star = [(120, 40), (140, 100), (200, 100), (150, 135), (170, 195), (120, 160), (70, 195),
            (90, 135), (40, 100), (100, 100)]  # fmt: skip
    draw.polygon(star, fill=(242, 183, 5, 255))
    image.save(path)
    return str(path)


def render_figures(rounds: int, logo: str) -> None:
    print("## Slip rendering (this process, one core)\n")
    print("| paper | job bytes | with logo | render ms median | p95 | first (cold) |")
    print("|---|---|---|---|---|---|")
    for label, paper in PAPERS:
        header_bytes.cache_clear()
        started = time.perf_counter()
        size = len(render_slip(SAMPLE_SLIP, paper))
        cold = (time.perf_counter() - started) * 1000
        timings = []
        for index in range(rounds):
            slip = Slip(**{**SAMPLE_SLIP.as_dict(), "number": f"A{index % 1000:03d}"})
            started = time.perf_counter()
            render_slip(slip, paper)
            timings.append((time.perf_counter() - started) * 1000)
        with_logo = len(render_slip(Slip(**{**SAMPLE_SLIP.as_dict(), "logo": logo}), paper))
        print(
            f"| {label} | {size:,} | {with_logo:,} | {statistics.median(timings):.1f} "
            f"| {percentile(timings, 0.95):.1f} | {cold:.1f} |"
        )
    print()


# --- issuance under load ----------------------------------------------------------------


def run(cmd: list[str], env: dict) -> str:
    result = subprocess.run(cmd, cwd=PROJECT, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def load(port: int, method: str, path: str, headers: dict, body: bytes | None,
         clients: int, seconds: float) -> dict:  # fmt: skip
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                with lock:
                    errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "errors": errors[0],
    }


def issuance_figures(seconds: float, clients: int, workers: int, with_worker: bool = True) -> None:
    from fake_printer import FakePrinter, free_port

    work = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(work),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work / 'bench.db'}"),
        "APP_ENV": "development",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefgh",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATELIMIT_ENABLED": "false",
        "PRINTER_NETWORKS": "127.0.0.1/32:1024-65535",  # the fake printer's free port
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run(flask + ["init-db"], env)
    run(flask + ["seed-demo"], env)
    plain_key = (work / "demo-kiosk.key").read_text().strip()
    printer = FakePrinter().start()
    created = run(flask + ["device-create", "kiosk", "Bench kiosk", "--printer", printer.url], env)
    printing_key = created.strip().splitlines()[-1]
    logs = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "wsgi:app"],
        cwd=PROJECT, env=env, stdout=logs, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        flask + (["print-worker"] if with_worker else ["--help"]),
        cwd=PROJECT, env=env, stdout=logs, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2)
        ticket = json.dumps({"service": "GPLX"}).encode()

        def headers(key):
            return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

        load(port, "GET", "/api/v1/health", {}, None, clients, 2)  # warm-up
        results = {
            "GET /api/v1/health (trivial)": load(
                port, "GET", "/api/v1/health", {}, None, clients, seconds
            ),
            "POST /api/v1/tickets, kiosk without printer": load(
                port, "POST", "/api/v1/tickets", headers(plain_key), ticket, clients, seconds
            ),
            "POST /api/v1/tickets, kiosk with network printer": load(
                port, "POST", "/api/v1/tickets", headers(printing_key), ticket, clients, seconds
            ),
        }
        issued = results["POST /api/v1/tickets, kiosk with network printer"]["requests"]
        started = time.monotonic()
        printed = printer.wait_for_jobs(issued if with_worker else 0, timeout=600)
        drained = time.monotonic() - started
        time.sleep(2)
        printed = printer.jobs
    finally:
        worker.terminate()
        server.terminate()
        worker.wait()
        server.wait()
        printer.stop()
    baseline = results["GET /api/v1/health (trivial)"]["per_second"]
    print(f"## Issuance with printing on ({clients} clients, {seconds:.0f} s each, "
          f"gunicorn {workers} workers + print worker, same machine)\n")  # fmt: skip
    print("| endpoint | requests | req/s | share of trivial | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for label, figures in results.items():
        print(
            f"| {label} | {figures['requests']:,} | {figures['per_second']:.0f} "
            f"| {figures['per_second'] / baseline:.0%} | {figures['p50']:.1f} "
            f"| {figures['p99']:.1f} | {figures['errors']} |"
        )
    unique = {bytes(job) for job in printed}
    print(
        f"\nSlips: {issued} issued at the printing kiosk, {len(printed)} printed "
        f"({len(unique)} distinct); the worker finished {drained:.1f} s after the load ended."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="Queue the slips but print none (isolates the request).",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        render_figures(arguments.rounds, demo_logo(Path(folder) / "logo.png"))
    if not arguments.render_only:
        issuance_figures(
            arguments.seconds, arguments.clients, arguments.workers, not arguments.no_worker
        )


if __name__ == "__main__":
    main()
