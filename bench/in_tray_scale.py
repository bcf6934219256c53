"""`make bench-centre`: a centre of ten agencies at 1,000,000 dossiers, 50,000 of them open.

Fills a database once with `flask demo-history` (five busy years of the desk's dossiers, the
fast bulk path of core/db/bulk_insert.py, no tickets), then, in this process, makes it a
centre of BENCH_AGENCIES agencies: the demo centre's four, then bench agencies of one unit
each, every procedure's dossiers one agency's (a competent agency handles whole
procedures), every agency a process per procedure and its officers (demo/processes.py).
The most recently received closed dossiers are opened again until BENCH_OPEN are open (at
the desk or at a step), and the dossiers of the report year (and the weeks before it) are
walked through their processes as demo-history --agencies does: a control slip row for each
stay, the open ones held at their step by an officer.

Then it times, in this process, the median of several readings after a warm-up:

- the first page of the in-tray of the specialist holding the most dossiers, and of the
  busiest unit head (bound: 100 ms);
- the year's 13-column table for the busiest agency and for the whole centre (bound: 1 s);
- the year's evaluation of units and officers for that agency and for the centre (1 s);

each with its ratio to a baseline read in the same rounds (one dossier by its id), so runs
on a loaded machine compare.

    .venv/bin/python bench/in_tray_scale.py sqlite          # a fresh SQLite file
    .venv/bin/python bench/in_tray_scale.py postgresql      # BENCH_DATABASE_URL, wiped first
    BENCH_DAYS=90 .venv/bin/python bench/in_tray_scale.py sqlite   # a quick run
    BENCH_REUSE=1 BENCH_INSTANCE=/tmp/centre .venv/bin/python bench/in_tray_scale.py sqlite

With BENCH_INSTANCE the SQLite file (and the demo passwords) stay in that folder; with
BENCH_REUSE=1 a database already filled and walked is measured again.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# The project's packages come before the benchmarks' own modules.
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
from servers import BENCH_SETTINGS, reset_postgres  # noqa: E402
from servers import run_flask as flask  # noqa: E402

DAYS = int(os.environ.get("BENCH_DAYS", "1825"))
PER_DAY = int(os.environ.get("BENCH_DOSSIERS_PER_DAY", "800"))
AGENCIES = int(os.environ.get("BENCH_AGENCIES", "10"))
OPEN = int(os.environ.get("BENCH_OPEN", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
# Closed dossiers received this many days before the report year are walked too, so that
# the steps left early in the year have their dossiers.
WALK_BEFORE_DAYS = 90
REUSE = os.environ.get("BENCH_REUSE") == "1"
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/onestop_in_tray_bench"
)
IN_TRAY_BOUND_MS, REPORT_BOUND_MS = 100, 1000
# The bench agencies after the demo centre's four: code, name, the one processing unit.
BENCH_AGENCY_NAMES = [
    "Sở Tư pháp",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Văn hóa, Thể thao và Du lịch",
]


def prepare(kind: str, instance: Path) -> str:
    if kind == "postgresql":
        url = POSTGRES_URL
        if not REUSE:
            reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'bench.db'}"
    env = {**os.environ, **BENCH_SETTINGS, "DATABASE_URL": url, "INSTANCE_PATH": str(instance)}
    flask(env, "init-db")  # on a database measured again, its migrations
    if REUSE:
        return url
    flask(env, "seed-demo")
    started = time.perf_counter()
    flask(
        env, "demo-history", "--days", str(DAYS), "--dossiers-per-day", str(PER_DAY),
        "--tickets-per-day", "0",
    )  # fmt: skip
    print(f"demo-history --days {DAYS}: {time.perf_counter() - started:.0f} s", flush=True)
    return url


def build_centre(instance: Path) -> None:
    """The agencies, the split, the processes and officers, the open dossiers, the walk."""
    from datetime import timedelta

    import click

    from core.agencies.registry import AgencyFields, create_agency, procedures_by_codes
    from core.agencies.units import UnitFields, add_unit
    from core.clock import day_start, local_today, utcnow
    from core.dossiers.workdays import work_calendar
    from core.models import Agency, Dossier, Procedure
    from core.reports.periods import report_month, year_period
    from demo.agencies import MAX_AGENCIES, OTHER_AGENCIES, seed_demo_agencies
    from demo.history import tidy_after_bulk
    from demo.processes import WALKED, HistoryWalk, seed_demo_centre
    from extensions import db

    started = time.perf_counter()
    seed_demo_agencies(min(AGENCIES, MAX_AGENCIES))
    codes = sorted(db.session.execute(db.select(Procedure.code)).scalars())
    # The demo's other agencies keep the first of their own procedures; the rest go round
    # the desk's agency and the bench agencies.
    owner: dict[str, str] = {}
    for code, _, _, procedures in OTHER_AGENCIES[: max(min(AGENCIES, MAX_AGENCIES) - 1, 0)]:
        owner[next(p for p in procedures if p in codes and p not in owner)] = code
    home = db.session.execute(db.select(Agency).order_by(Agency.id)).scalars().first()
    extra = [f"000.{41 + index}.22.H56" for index in range(max(AGENCIES - MAX_AGENCIES, 0))]
    rest = [code for code in codes if code not in owner]
    for index, code in enumerate(rest):
        ring = [home.code, *extra]
        owner[code] = ring[index % len(ring)]
    for index, agency_code in enumerate(extra):
        if db.session.execute(db.select(Agency).filter_by(code=agency_code)).scalar():
            continue
        mine = [code for code, holder in owner.items() if holder == agency_code]
        name = BENCH_AGENCY_NAMES[index % len(BENCH_AGENCY_NAMES)]
        agency = create_agency(AgencyFields(agency_code, name), None, procedures_by_codes(mine))
        add_unit(agency, UnitFields("NV", "Phòng Nghiệp vụ"), None)
    db.session.commit()
    agency_ids = dict(db.session.execute(db.select(Agency.code, Agency.id)).all())
    for procedure_code, agency_code in owner.items():
        db.session.execute(
            db.update(Dossier)
            .where(
                Dossier.procedure_code == procedure_code,
                Dossier.agency_id != agency_ids[agency_code],
            )
            .values(agency_id=agency_ids[agency_code])
        )
    seed_demo_centre(AGENCIES, instance)
    db.session.commit()
    print(
        f"{AGENCIES} agencies, dossiers split by procedure: {time.perf_counter() - started:.0f} s"
    )

    started = time.perf_counter()
    open_statuses = ("received", "transferred", "processing")
    status = Dossier.__table__.c.status  # the stored text, as the history wrote it
    already = db.session.execute(
        db.select(db.func.count(Dossier.id)).where(status.in_(open_statuses))
    ).scalar_one()
    reopen = db.session.execute(
        db.select(Dossier.id)
        .where(status.in_(("resolved", "refused", "returned")))
        .order_by(Dossier.received_at.desc())
        .limit(max(OPEN - already, 0))
    ).scalars()
    ids = list(reopen)
    for batch in range(0, len(ids), 10_000):
        db.session.execute(
            db.update(Dossier.__table__)
            .where(Dossier.__table__.c.id.in_(ids[batch : batch + 10_000]))
            .values(
                status="processing", resolved_at=None, returned_at=None, refused=False,
                result_note="", apologised_at=None, apology_reason="", original_due_at=None,
                judged_due_at=Dossier.__table__.c.due_at,
            )
        )  # fmt: skip
    db.session.commit()
    print(f"{already:,} open, {len(ids):,} opened again: {time.perf_counter() - started:.0f} s")

    now = utcnow()
    since = year_period(report_month(local_today())[0]).start
    walk_from = day_start(since - timedelta(days=WALK_BEFORE_DAYS))
    walk = HistoryWalk(work_calendar(now), now)
    rows = db.session.execute(
        db.select(
            Dossier.id, Dossier.agency_id, Dossier.procedure_id, status,
            Dossier.received_at, Dossier.transferred_at, Dossier.resolved_at, Dossier.refused,
            Dossier.received_by_id, Dossier.clock_started_at,
        )
        .where(Dossier.process_id.is_(None), Dossier.received_at >= walk_from)
        .where(Dossier.received_at < now, status.in_(WALKED))
        .order_by(Dossier.id)
    ).all()  # fmt: skip
    started = time.perf_counter()
    with click.progressbar(rows, label="Walking the dossiers through their processes") as bar:
        for row in bar:
            walk.walk(tuple(row))
    walk.finish()
    db.session.commit()
    print(f"{len(walk.updates):,} dossiers walked: {time.perf_counter() - started:.0f} s")
    tidy_after_bulk()  # the planner's statistics and PostgreSQL's visibility map, as after a load


def timed(action, baseline) -> tuple[float, float]:
    """Median milliseconds of `action` and its median ratio to `baseline` read beside it."""
    action()
    baseline()
    readings, ratios = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        baseline()
        base = time.perf_counter() - started
        started = time.perf_counter()
        action()
        spent = time.perf_counter() - started
        readings.append(spent * 1000)
        ratios.append(spent / base)
    return statistics.median(readings), statistics.median(ratios)


def measure(url: str, instance: Path) -> list[tuple[str, float, float, int]]:
    from app import create_app
    from config import TestingConfig
    from core.clock import local_today, utcnow
    from core.dossiers.workdays import work_calendar
    from core.models import Agency, Dossier, DossierStatus, DossierStep, Role, User
    from core.processes.in_tray import in_tray
    from core.reports.evaluation import evaluate
    from core.reports.periods import report_month, year_period
    from core.reports.reform import ReportFilter, reform_report
    from core.reports.summaries import ensure_summaries
    from extensions import db

    app = create_app(TestingConfig(url, str(instance)))
    results = []
    with app.app_context():
        if not REUSE:
            build_centre(instance)
        count = db.func.count(Dossier.id)
        total = db.session.execute(db.select(count)).scalar_one()
        open_ = db.session.execute(
            db.select(count).where(
                Dossier.status.in_(
                    (DossierStatus.RECEIVED, DossierStatus.TRANSFERRED, DossierStatus.PROCESSING)
                )
            )
        ).scalar_one()
        stays = db.session.execute(db.select(db.func.count(DossierStep.id))).scalar_one()
        agencies = db.session.execute(db.select(db.func.count(Agency.id))).scalar_one()
        print(f"{total:,} dossiers, {open_:,} open, {stays:,} stays, {agencies} agencies")
        started = time.perf_counter()
        ensure_summaries()
        db.session.commit()
        print(f"closed days summarised: {time.perf_counter() - started:.1f} s", flush=True)

        def busiest(role: Role) -> User:
            return db.session.execute(
                db.select(User)
                .join(Dossier, Dossier.holder_id == User.id)
                .where(User.role == role)
                .group_by(User.id)
                .order_by(db.func.count(Dossier.id).desc())
                .limit(1)
            ).scalar_one()

        specialist, head = busiest(Role.SPECIALIST), busiest(Role.UNIT_HEAD)
        agency = specialist.agency
        now = utcnow()
        calendar = work_calendar(now)
        year = report_month(local_today())[0]
        period = year_period(year)
        first, last = period.start, period.end
        one = ReportFilter(agency_id=agency.id)
        probe = db.session.execute(db.select(db.func.max(Dossier.id))).scalar_one() // 2

        def baseline():
            db.session.get(Dossier, probe)
            db.session.rollback()

        def tray(user):
            return lambda: (in_tray(user, now, calendar), db.session.rollback())

        def held(user):
            return len(in_tray(user, now, calendar))

        checks = [
            (f"in-tray, specialist {specialist.username} ({held(specialist)} rows)",
             tray(specialist), IN_TRAY_BOUND_MS),
            (f"in-tray, unit head {head.username} ({held(head)} rows)",
             tray(head), IN_TRAY_BOUND_MS),
            (f"13-column table {year}, agency {agency.code}",
             lambda: reform_report(period, one), REPORT_BOUND_MS),
            (f"13-column table {year}, centre", lambda: reform_report(period), REPORT_BOUND_MS),
            (f"evaluation {year}, agency {agency.code}",
             lambda: evaluate(first, last, now, agency.code), REPORT_BOUND_MS),
            (f"evaluation {year}, centre", lambda: evaluate(first, last, now), REPORT_BOUND_MS),
        ]  # fmt: skip
        for name, action, bound in checks:
            median, ratio = timed(action, baseline)
            results.append((name, median, ratio, bound))
            print(f"  {name:48} {median:8.1f} ms  ×{ratio:7.0f}  {verdict(median, bound)}")
        db.session.remove()
        db.engine.dispose()
    return results


def verdict(median: float, bound: int) -> str:
    return f"ok (< {bound} ms)" if median < bound else f"OVER {bound} ms"


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if kind not in ("sqlite", "postgresql"):
        raise SystemExit("usage: in_tray_scale.py sqlite|postgresql")
    keep = os.environ.get("BENCH_INSTANCE")
    instance = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="onestop-centre-"))
    instance.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {kind}, "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    url = prepare(kind, instance)
    results = measure(url, instance)
    load = os.getloadavg()
    print(f"load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("(ratio: the median reading over a read of one dossier by its id, in the same rounds)")
    if any(median >= bound for _, median, _, bound in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
