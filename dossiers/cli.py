"""`flask --app wsgi calendar due …` and `flask --app wsgi dossiers import …`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from cli import commit_or_fail
from core.clock import local_zone
from core.dossiers.calendar import parse_period
from core.dossiers.importing import ImportRejected, import_history
from core.dossiers.workdays import work_calendar

calendar_group = AppGroup("calendar", help="Working-day calendar (lịch ngày làm việc).")
dossiers_group = AppGroup("dossiers", help="Hồ sơ: nhập sổ theo dõi cũ (dossiers).")


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is the centre's local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"“{text}” không phải ngày giờ ISO 8601, ví dụ 2027-02-03T15:30+07:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


@calendar_group.command("due")
@click.argument("start")
@click.argument("days")
def calendar_due(start: str, days: str) -> None:
    """Print the due date-time of a dossier received at START with DAYS working days
    (0 for a same-day procedure) or hours (4h)."""
    received = parse_moment(start)
    try:
        period_days, period_hours = parse_period(days)
    except ValueError:
        raise click.BadParameter(
            f"“{days}” phải là số ngày (5; 0 là trong ngày) hoặc số giờ (4h)"
        ) from None
    calendar = work_calendar(received)
    click.echo(calendar.due(received, period_days, period_hours).isoformat())


@dossiers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_history_command(file: Path) -> None:
    """Import a register export (CSV or XLSX) of dossiers received before (all or nothing)."""

    def progress(rows):
        with click.progressbar(rows, label="Kiểm tra và nhập hồ sơ", show_pos=True) as bar:
            yield from bar

    def run():
        try:
            return import_history(file, progress=progress)
        except ImportRejected as rejected:
            for line, problem in rejected.problems:
                click.echo(f"Dòng {line}: {problem}", err=True)
            raise

    result = commit_or_fail(run)
    click.echo(
        f"Đã nhập {result.imported} hồ sơ; {result.already_present} hồ sơ đã có từ trước, bỏ qua."
    )


commands = [calendar_group, dossiers_group]
