"""`flask --app wsgi calendar due …`, `flask --app wsgi dossiers import …`,
`flask --app wsgi dossiers due-check` and `flask --app wsgi dossiers register …`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from cli import commit_or_fail
from core.clock import local_text, local_zone
from core.dossiers.calendar import parse_period
from core.dossiers.due_review import EarlierDue, review_due_times
from core.dossiers.importing import ImportRejected, import_history
from core.dossiers.register import count_entries
from core.dossiers.register import parse_period as parse_register_period
from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput
from exports.register_files import write_register

calendar_group = AppGroup("calendar", help="Working-day calendar (lịch ngày làm việc).")
dossiers_group = AppGroup(
    "dossiers", help="Hồ sơ: nhập sổ theo dõi cũ, kiểm tra hạn trả (dossiers)."
)


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


def due_check_notes(item: EarlierDue) -> str:
    notes = []
    if item.clock_started_at != item.received_at:
        notes.append(f"tính lại từ {local_text(item.clock_started_at)} khi nhận bổ sung")
    if item.apologised:
        notes.append("đã hẹn lại bằng thư xin lỗi")
    if item.imported:
        notes.append("nhập từ sổ cũ")
    return "; ".join(notes)


@dossiers_group.command("due-check")
def due_check_command() -> None:
    """List the open dossiers whose promised due time the current rule would make earlier
    (read-only: due times on receipts are kept; the desk decides)."""

    def progress(rows, total):
        with click.progressbar(
            rows, length=total, label="Kiểm tra hạn trả hồ sơ đang mở", file=sys.stderr
        ) as bar:
            yield from bar

    review = review_due_times(progress)
    if not review.earlier:
        click.echo(
            f"Đã kiểm tra {review.checked} hồ sơ đang mở: không có hồ sơ nào mà hạn trả theo "
            "quy tắc hiện hành sớm hơn hạn đã hẹn."
        )
        return
    headers = ("Mã hồ sơ", "Tiếp nhận lúc", "Hạn đã hẹn", "Hạn theo quy tắc mới", "Ghi chú")
    rows = [
        (
            item.code,
            local_text(item.received_at),
            local_text(item.promised_due),
            local_text(item.rule_due),
            due_check_notes(item),
        )
        for item in review.earlier
    ]
    widths = [max(len(row[index]) for row in [headers, *rows]) for index in range(4)]
    click.echo(
        f"{len(review.earlier)} trong {review.checked} hồ sơ đang mở có hạn trả theo quy tắc "
        "hiện hành sớm hơn hạn đã hẹn trên giấy hẹn:"
    )
    for row in [headers, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[4]]).rstrip())
    click.echo(
        "Không có gì được sửa: hạn đã hẹn được giữ nguyên; bộ phận một cửa xem xét từng hồ sơ."
    )


@dossiers_group.command("register")
@click.option("--from", "start", required=True, help="Ngày đầu kỳ, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Ngày cuối kỳ, YYYY-MM-DD.")
@click.option(
    "--format", "file_format", type=click.Choice(["xlsx", "pdf"]), required=True, help="xlsx | pdf"
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Tệp kết quả.",
)
def register_command(start: str, end: str, file_format: str, output: Path) -> None:
    """Write the dossier register (sổ theo dõi hồ sơ, form 07) of dossiers received from
    --from to --to as XLSX or PDF, the rows streamed in batches, with a progress bar."""
    try:
        period = parse_register_period(start, end)
    except InvalidInput as error:
        raise click.BadParameter(error.messages()["vi"]) from None
    total = count_entries(period)
    with click.progressbar(
        length=total, label="Ghi sổ theo dõi hồ sơ", file=sys.stderr, show_pos=True
    ) as bar:
        last = 0

        def progress(done: int) -> None:
            nonlocal last
            bar.update(done - last)
            last = done

        written = write_register(period, file_format, output, progress)
    click.echo(f"Đã ghi {written} hồ sơ vào {output}.")


commands = [calendar_group, dossiers_group]
