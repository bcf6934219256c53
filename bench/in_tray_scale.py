"""The processing officers' in-tray and the evaluation of units and officers at scale.

Fills a fresh database with `flask demo-history --agencies 4` (the demo centre: every
dossier of the history walked through its agency's process), then times, in this process,
the in-tray of the officer holding the most dossiers (median of 20 readings) and the
evaluation of the period for the desk's agency and for the whole centre (median of 3).

    .venv/bin/python bench/in_tray_scale.py sqlite          # a fresh SQLite file
    .venv/bin/python bench/in_tray_scale.py postgresql      # BENCH_DATABASE_URL
    BENCH_DOSSIERS=20000 .venv/bin/python bench/in_tray_scale.py sqlite
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
from servers import BENCH_SETTINGS, reset_postgres  # noqa: E402

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "50000"))
CALENDAR_DAYS = 70  # ten weeks: 50 working days
WORKING_DAYS = 50
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/onestop_in_tray_bench"
)


def flask(env, *args) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def median_ms(action, times: int) -> float:
    readings = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        readings.append((time.perf_counter() - started) * 1000)
    return statistics.median(readings)


def measure(env: dict) -> dict:
    from app import create_app
    from config import TestingConfig
    from core.clock import utcnow
    from core.dossiers.workdays import work_calendar
    from core.models import Dossier, DossierStatus, User
    from core.processes.in_tray import in_tray
    from core.reports.evaluation import evaluate
    from extensions import db

    app = create_app(TestingConfig(env["DATABASE_URL"], env["INSTANCE_PATH"]))
    with app.app_context():
        now = utcnow()
        calendar = work_calendar(now)
        busiest = db.session.execute(
            db.select(User)
            .join(Dossier, Dossier.holder_id == User.id)
            .group_by(User.id)
            .order_by(db.func.count(Dossier.id).desc())
            .limit(1)
        ).scalar_one()
        total = db.session.execute(db.select(db.func.count(Dossier.id))).scalar()
        open_ = db.session.execute(
            db.select(db.func.count(Dossier.id)).where(
                Dossier.status.in_((DossierStatus.TRANSFERRED, DossierStatus.PROCESSING))
            )
        ).scalar()
        rows = len(in_tray(busiest, now, calendar))
        tray = median_ms(lambda: (in_tray(busiest, now, calendar), db.session.rollback()), 20)
        last = date.today()
        first = last - timedelta(days=CALENDAR_DAYS + 1)
        home = busiest.agency.code
        one = median_ms(lambda: evaluate(first, last, now, home), 3)
        centre = median_ms(lambda: evaluate(first, last, now), 3)
        db.session.remove()
        db.engine.dispose()
    return {"dossiers": total, "open": open_, "in_tray_rows": rows, "in_tray_ms": tray,
            "evaluation_agency_ms": one, "evaluation_centre_ms": centre}  # fmt: skip


def main(kind: str) -> None:
    load = os.getloadavg()
    print(
        f"in-tray benchmark on {kind}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-in-tray-") as folder:
        instance = Path(folder)
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
            env, "demo-history", "--agencies", "4", "--days", str(CALENDAR_DAYS),
            "--dossiers-per-day", str(DOSSIERS // WORKING_DAYS), "--tickets-per-day", "50",
        )  # fmt: skip
        print(f"  demo-history: {time.perf_counter() - started:.0f} s", flush=True)
        figures = measure({"DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    print(
        f"  {figures['dossiers']:,} dossiers, {figures['open']:,} open; the busiest officer's "
        f"in-tray ({figures['in_tray_rows']} rows): {figures['in_tray_ms']:.1f} ms; "
        f"evaluation of ten weeks: one agency {figures['evaluation_agency_ms']:.0f} ms, the "
        f"centre {figures['evaluation_centre_ms']:.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
