"""`make bench-report`: the reform report and the dashboard at the scale of five busy years.

Fills a database with `flask demo-history --days 1825` (about 1,000,000 dossiers and
3,000,000 tickets at the default load), then times, several rounds each (median and worst):
the year's reform report (the official table), the statistics of that year (queues,
satisfaction, trends), the live view's state, and the two pages over HTTP-less requests
through the app (template rendering included). Closed days are read from their per-day
summaries (core/reports/summaries.py), which demo-history fills.

    .venv/bin/python bench/report_scale.py sqlite            # a fresh SQLite file
    .venv/bin/python bench/report_scale.py postgresql        # BENCH_DATABASE_URL
    BENCH_DAYS=200 .venv/bin/python bench/report_scale.py sqlite   # a quicker run

With BENCH_REUSE=1 an already filled database is measured again without refilling. With
BENCH_AGENCIES=N (default 2) the centre has N agencies and the dossiers are split over them
by procedure before measuring: the year's table of one agency (`--agency`) and the
centre's table by agency (`--by agency`) are timed beside the centre's.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# The project's packages come before the benchmarks' own modules (bench/printing.py would
# hide the app's `printing` package).
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
from servers import BENCH_SETTINGS, reset_postgres  # noqa: E402
from servers import run_flask as flask  # noqa: E402

DAYS = int(os.environ.get("BENCH_DAYS", 1825))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/onestop_dashboard"
)
REUSE = os.environ.get("BENCH_REUSE") == "1"
AGENCIES = int(os.environ.get("BENCH_AGENCIES", 2))


def prepare(kind: str, instance: Path) -> str:
    if kind == "postgresql":
        url = POSTGRES_URL
        if not REUSE:
            reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'bench.db'}"
    env = {**os.environ, **BENCH_SETTINGS, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)}
    flask(env, "init-db")
    flask(env, "seed-demo")
    started = time.perf_counter()
    flask(env, "demo-history", "--days", str(DAYS), "--if-empty")
    print(f"demo-history --days {DAYS}: {time.perf_counter() - started:.0f} s", flush=True)
    return url


def timed(action, rounds: int = ROUNDS) -> tuple[float, float]:
    action()  # warm the caches once, as a server that has been up a while has them
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples)


def measure(url: str, instance: Path) -> list[tuple[str, float, float]]:
    from app import create_app
    from config import TestingConfig
    from core.clock import local_today
    from core.models import Dossier, ReportDay, Ticket, User
    from core.reports.live import live_state
    from core.reports.periods import report_month, year_period
    from core.reports.queue_stats import period_statistics
    from core.reports.reform import ReportFilter, reform_report
    from core.reports.summaries import ensure_summaries
    from extensions import db
    from web.sessions import GENERATION, SIGNED_IN_AT

    app = create_app(TestingConfig(url, str(instance)))
    results = []
    with app.app_context():
        dossiers = db.session.execute(db.select(db.func.count(Dossier.id))).scalar_one()
        tickets = db.session.execute(db.select(db.func.count(Ticket.id))).scalar_one()
        print(f"{dossiers:,} dossiers, {tickets:,} tickets", flush=True)
        # demo-history summarises the days it writes; a database filled before the
        # summaries existed gets them here, once (what the first statistics call would do).
        agency_id = split_over_agencies(db) if AGENCIES > 1 else None
        started = time.perf_counter()
        ensure_summaries()
        print(f"closed days summarised: {time.perf_counter() - started:.1f} s", flush=True)
        year = report_month(local_today())[0]  # the report year running now
        period, last = year_period(year), year_period(year - 1)
        results.append((f"reform report, year {year}", *timed(lambda: reform_report(period))))
        results.append((f"reform report, year {year - 1}", *timed(lambda: reform_report(last))))
        if agency_id is not None:
            one = ReportFilter(agency_id=agency_id)
            results.append(
                (
                    f"reform report, year {year}, one agency",
                    *timed(lambda: reform_report(period, one)),
                )
            )
            results.append(
                (
                    f"reform report, year {year}, by agency",
                    *timed(lambda: reform_report(period, by="agency")),
                )
            )
        results.append(
            (f"period statistics, year {year}", *timed(lambda: period_statistics(period)))
        )
        old_day = period.start + timedelta(days=60)

        def after_a_late_change():
            # A withdrawal or a late result forgets an old day: the next call rebuilds it.
            db.session.execute(db.delete(ReportDay).where(ReportDay.day == old_day))
            db.session.commit()
            period_statistics(period)

        results.append(
            (f"period statistics, year {year}, one old day rebuilt", *timed(after_a_late_change))
        )
        results.append(("live view state", *timed(live_state)))
        manager = db.session.execute(db.select(User).filter_by(username="lanhdao")).scalar_one()
        client = app.test_client()
        with client.session_transaction() as session:  # signed in, as web.sessions does
            session["_user_id"] = str(manager.id)
            session["_fresh"] = True
            session[GENERATION] = manager.session_generation
            session[SIGNED_IN_AT] = int(time.time())

        def page(path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        results.append(("GET /dashboard/", *timed(lambda: page("/dashboard/"))))
        results.append(("GET /dashboard/state.json", *timed(lambda: page("/dashboard/state.json"))))
        results.append(
            (
                "GET /dashboard/report.json (year)",
                *timed(lambda: page(f"/dashboard/report.json?period=year-{year}")),
            )
        )
        results.append(
            (
                "GET /dashboard/stats (year, whole page)",
                *timed(lambda: page(f"/dashboard/stats?period=year-{year}")),
            )
        )
        db.session.remove()
        db.engine.dispose()
    return results


def split_over_agencies(db) -> int:
    """The demo centre's first AGENCIES agencies, the dossiers split over them by procedure
    (each procedure's dossiers one agency's, as a competent agency handles a procedure),
    the triggers forgetting the summaries of every day touched; the last agency's id."""
    from core.models import Agency, Dossier
    from demo.agencies import seed_demo_agencies

    seed_demo_agencies(AGENCIES)
    db.session.commit()
    ids = db.session.execute(db.select(Agency.id).order_by(Agency.id)).scalars().all()[:AGENCIES]
    codes = db.session.execute(
        db.select(Dossier.procedure_code).distinct().order_by(Dossier.procedure_code)
    ).scalars()
    started = time.perf_counter()
    for index, code in enumerate(codes):
        db.session.execute(
            db.update(Dossier)
            .where(Dossier.procedure_code == code)
            .values(agency_id=ids[index % len(ids)])
        )
    db.session.commit()
    print(f"dossiers split over {AGENCIES} agencies: {time.perf_counter() - started:.0f} s")
    return ids[-1]


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if kind not in ("sqlite", "postgresql"):
        raise SystemExit("usage: report_scale.py sqlite|postgresql")
    keep = os.environ.get("BENCH_INSTANCE")
    instance = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    instance.mkdir(parents=True, exist_ok=True)
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {kind}")
    url = prepare(kind, instance)
    for name, median, worst in measure(url, instance):
        verdict = "ok" if median < 1 else "OVER 1 s"
        print(
            f"  {name:42} median {median * 1000:7.0f} ms   worst {worst * 1000:7.0f} ms  {verdict}"
        )


if __name__ == "__main__":
    main()
