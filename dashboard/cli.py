"""`flask --app wsgi report tthc …` and `flask --app wsgi demo-history …`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from core.errors import DomainError
from core.reports.periods import custom_period, parse_day

report_group = AppGroup("report", help="Báo cáo công tác cải cách hành chính (reform report).")
FORMATS = ("json", "xlsx", "docx")


@report_group.command("tthc")
@click.option("--from", "start", required=True, help="Ngày đầu kỳ YYYY-MM-DD (tính cả ngày này).")
@click.option("--to", "end", required=True, help="Ngày cuối kỳ YYYY-MM-DD (tính cả ngày này).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="json")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (JSON: standard output by default).",
)
def report_tthc(start: str, end: str, output_format: str, output: Path | None) -> None:
    """The table of results of handling administrative procedures for a period."""
    from core.reports.reform import reform_report

    try:
        period = custom_period(parse_day(start), parse_day(end))
        report = reform_report(period)
    except DomainError as error:
        raise click.ClickException(error.messages()["vi"]) from None
    if output_format == "json":
        text = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
    else:
        from core.reports.documents import report_docx, report_filename, report_xlsx
        from core.reports.queue_stats import period_statistics

        statistics = period_statistics(period, apologies=report.total.apologies)
        build = report_xlsx if output_format == "xlsx" else report_docx
        output = output or Path(report_filename(period, output_format))
        output.write_bytes(build(report, statistics))
    click.echo(f"Đã ghi báo cáo vào {output}", err=True)


@click.command("demo-history")
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=28,
    show_default=True,
    help="Calendar days before today; only their working days get a history.",
)
@click.option("--dossiers-per-day", type=click.IntRange(0, 100_000), default=800, show_default=True)
@click.option("--tickets-per-day", type=click.IntRange(0, 300_000), default=2400, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds dossiers."
)
def demo_history_command(days, dossiers_per_day, tickets_per_day, seed, if_empty) -> None:
    """Fill the database with a realistic history of working days ending today."""
    from core.db.transactions import begin_write_transaction
    from demo.history import (
        HistoryPlan,
        database_has_history,
        tidy_after_bulk,
        write_history,
    )
    from extensions import db

    begin_write_transaction()
    if database_has_history():
        db.session.rollback()
        if if_empty:
            click.echo("Đã có dữ liệu lịch sử, không tạo thêm (history already present).")
            return
        raise click.ClickException(
            "Cơ sở dữ liệu đã có số thứ tự hoặc hồ sơ của những ngày trước; lịch sử mẫu chỉ "
            "tạo trên cơ sở dữ liệu chưa có lịch sử (the database already holds history)."
        )
    plan = HistoryPlan(
        days=days, dossiers_per_day=dossiers_per_day, tickets_per_day=tickets_per_day, seed=seed
    )
    with click.progressbar(length=plan.days, label="Tạo dữ liệu lịch sử", show_pos=True) as bar:
        result = write_history(plan, progress=bar.update)
    db.session.commit()
    tidy_after_bulk()
    click.echo(
        f"Đã tạo {result.dossiers:,} hồ sơ, {result.tickets:,} số thứ tự và "
        f"{result.ratings:,} đánh giá trong {result.working_days} ngày làm việc."
    )
