"""`flask --app wsgi report tthc …`: the reform report for a period, as JSON, XLSX or DOCX."""

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


commands = [report_group]
