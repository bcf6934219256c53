"""`make bench-register`: the dossier register of a busy year (50,000 dossiers) as XLSX and
PDF, and whether the memory of the process stays flat, against a tenth of it.

For each size, fills a fresh database with `flask demo-history` (the same ten weeks, more
or fewer dossiers a day), then runs `flask --app wsgi dossiers register --from … --to …
--format xlsx|pdf --output …` in a child process, as the export worker would build the
file, and reports its wall time and peak resident memory (getrusage of the child alone:
each command runs under a small measuring process of its own). Flat memory means the peak
at 50,000 dossiers is close to the peak at 5,000.

    .venv/bin/python bench/register_scale.py sqlite          # a fresh SQLite file per size
    .venv/bin/python bench/register_scale.py postgresql      # BENCH_DATABASE_URL
    BENCH_SIZES=5000 .venv/bin/python bench/register_scale.py sqlite   # a quicker run
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
from servers import BENCH_SETTINGS, reset_postgres, run_flask  # noqa: E402

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "5000,50000").split(",")]
CALENDAR_DAYS = 70  # ten weeks: 50 working days
WORKING_DAYS = 50
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/onestop_search_bench"
)


def flask(env, *args) -> None:
    run_flask(env, *args, stdout=subprocess.DEVNULL)


def measured(env, *args) -> tuple[float, float, float]:
    """Run a flask command under a measuring process: (wall seconds, processor seconds,
    peak RSS in MiB). On a busy machine the processor time is the figure to compare."""
    probe = subprocess.run(
        [sys.executable, __file__, "--measure", *args],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    return result["seconds"], result["cpu"], result["peak_mib"]


def measure_child(args: list[str]) -> None:
    """(In the measuring process.) Run the command, print its time and peak RSS."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mib": usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
            }
        )
    )


def fill(kind: str, instance: Path, size: int) -> dict:
    if kind == "postgresql":
        url = POSTGRES_URL
        reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'bench.db'}"
    env = {**os.environ, **BENCH_SETTINGS, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)}
    flask(env, "init-db")
    flask(env, "seed-demo")
    started = time.perf_counter()
    flask(
        env,
        "demo-history",
        "--days",
        str(CALENDAR_DAYS),
        "--dossiers-per-day",
        str(size // WORKING_DAYS),
        "--tickets-per-day",
        "50",
    )
    print(f"  demo-history ({size} dossiers): {time.perf_counter() - started:.0f} s", flush=True)
    return env


def entries(env: dict, start: date, end: date) -> int:
    from app import create_app
    from config import TestingConfig
    from core.dossiers.register import RegisterPeriod, count_entries

    app = create_app(TestingConfig(env["DATABASE_URL"], env["INSTANCE_PATH"]))
    with app.app_context():
        found = count_entries(RegisterPeriod(start, end))
        from extensions import db

        db.session.remove()
        db.engine.dispose()
    return found


def main(kind: str) -> None:
    end = date.today()
    start = end - timedelta(days=CALENDAR_DAYS + 1)
    load = os.getloadavg()
    print(
        f"register benchmark on {kind}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    rows = []
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix="bench-register-") as folder:
            instance = Path(folder)
            env = fill(kind, instance, size)
            count = entries(env, start, end)
            for file_format in ("xlsx", "pdf"):
                output = instance / f"register.{file_format}"
                seconds, cpu, peak = measured(
                    env,
                    "dossiers", "register", "--from", start.isoformat(), "--to",
                    end.isoformat(), "--format", file_format, "--output", str(output),
                )  # fmt: skip
                megabytes = output.stat().st_size / 1024 / 1024
                rows.append((count, file_format, seconds, cpu, peak, megabytes))
                print(
                    f"  {count:>6} dossiers {file_format:<4} {seconds:7.1f} s "
                    f"(processor {cpu:6.1f} s)  peak RSS {peak:6.1f} MiB  "
                    f"file {megabytes:5.1f} MiB",
                    flush=True,
                )
    load = os.getloadavg()
    print(f"load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        "\n| dossiers | format | wall time | processor time | peak RSS | file |"
        "\n|---:|---|---:|---:|---:|---:|"
    )
    for count, file_format, seconds, cpu, peak, megabytes in rows:
        print(
            f"| {count:,} | {file_format.upper()} | {seconds:.1f} s | {cpu:.1f} s "
            f"| {peak:.0f} MiB | {megabytes:.1f} MiB |".replace(",", ".")
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure_child(sys.argv[2:])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
