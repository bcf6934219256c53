"""`flask --app wsgi report …`: the reform report for a period, as JSON, XLSX or DOCX
(`tthc`), and closing (`close`) or reopening (`reopen`) a period's figures."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from cli import commit_or_fail
from core.errors import DomainError
from core.reports.periods import Period, custom_period, parse_day

report_group = AppGroup("report", help="Báo cáo công tác cải cách hành chính (reform report).")
FORMATS = ("json", "xlsx", "docx")


def period_option(command):
    """--from and --to: the period's first and last day, both included."""
    command = click.option(
        "--to", "end", required=True, help="Ngày cuối kỳ YYYY-MM-DD (tính cả ngày này)."
    )(command)
    return click.option(
        "--from", "start", required=True, help="Ngày đầu kỳ YYYY-MM-DD (tính cả ngày này)."
    )(command)


def period_of(start: str, end: str) -> Period:
    return custom_period(parse_day(start), parse_day(end))


@report_group.command("tthc")
@period_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="json")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (JSON: standard output by default).",
)
@click.option(
    "--live",
    is_flag=True,
    help="Tính lại từ dữ liệu hiện tại dù kỳ đã chốt (JSON: kèm chênh lệch so với số đã chốt).",
)
@click.option(
    "--agency",
    "agency_code",
    default=None,
    help="Mã cơ quan: bảng của riêng cơ quan này (mặc định: toàn trung tâm).",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(("field", "agency")),
    default="field",
    help="Mỗi dòng một lĩnh vực (field) hoặc một cơ quan (agency).",
)
def report_tthc(
    start: str,
    end: str,
    output_format: str,
    output: Path | None,
    live: bool,
    agency_code: str | None,
    by: str,
) -> None:
    """The table of results of handling administrative procedures for a period, for the
    whole centre or one agency (--agency), by field or by agency (--by): the stored figures
    of a closed period (the centre's, by field), unless --live."""
    from core.agencies.registry import find_agency
    from core.reports.closing import closed_at_text, document_note, read_report
    from core.reports.reform import ReportFilter

    try:
        period = period_of(start, end)
        filters = ReportFilter(agency_id=find_agency(agency_code).id if agency_code else None)
        reading = read_report(period, filters, live=live, by=by)
    except DomainError as error:
        raise click.ClickException(error.messages()["vi"]) from None
    if reading.closing is not None and not reading.live:
        click.echo(f"Kỳ đã chốt số liệu lúc {closed_at_text(reading.closing)}.", err=True)
    if output_format == "json":
        text = json.dumps(reading.as_json(), ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
    else:
        from core.reports.documents import report_docx, report_filename, report_xlsx
        from core.reports.queue_stats import period_statistics

        statistics = period_statistics(period, filters, apologies=reading.report.total.apologies)
        build = report_xlsx if output_format == "xlsx" else report_docx
        output = output or Path(report_filename(period, output_format))
        output.write_bytes(build(reading.report, statistics, document_note(reading)))
    click.echo(f"Đã ghi báo cáo vào {output}", err=True)


@report_group.command("close")
@period_option
@click.option("--by", "username", default=None, help="Tài khoản lãnh đạo hoặc quản trị chốt số.")
def report_close(start: str, end: str, username: str | None) -> None:
    """Close a period that is over: store its figures as they are now, so every later
    reading of exactly this period shows them (refused if it is already closed)."""
    from core.accounts.users import active_user_named
    from core.reports.closing import close_period, closed_at_text, closed_by_name

    def close():
        period = period_of(start, end)
        user = active_user_named(username) if username else None
        return period, close_period(period, user)

    period, closing = commit_or_fail(close)
    total = closing.figures["total"]
    click.echo(
        f"Đã chốt số liệu kỳ {period.dates()} "
        f"lúc {closed_at_text(closing)} bởi {closed_by_name(closing)}: "
        f"{total['received_total']} hồ sơ tiếp nhận, {total['resolved_total']} đã giải quyết, "
        f"{total['pending_total']} đang giải quyết."
    )


@report_group.command("reopen")
@period_option
@click.option("--by", "username", required=True, help="Tài khoản quản trị mở lại kỳ.")
def report_reopen(start: str, end: str, username: str) -> None:
    """Reopen a closed period (an admin only, audited): its readings are live again."""
    from core.accounts.users import active_user_named
    from core.reports.closing import reopen_period

    def reopen():
        period = period_of(start, end)
        reopen_period(period, active_user_named(username))
        return period

    period = commit_or_fail(reopen)
    click.echo(f"Đã mở lại kỳ {period.dates()}: số liệu được tính lại từ dữ liệu hiện tại.")


@report_group.command("evaluation")
@period_option
@click.option("--agency", "agency_code", default=None, help="Mã cơ quan (mặc định: cả trung tâm).")
@click.option("--format", "output_format", type=click.Choice(("json", "xlsx")), default="json")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (JSON: standard output by default).",
)
def report_evaluation(
    start: str, end: str, agency_code: str | None, output_format: str, output: Path | None
) -> None:
    """The evaluation of agencies, units and officers on their steps for a period: steps
    handled, on time and late against each step's allowance, average and 90th-percentile
    working hours, dossiers held and overdue now, each unit's share in late dossiers."""
    from core.agencies.registry import find_agency
    from core.clock import utcnow
    from core.reports.evaluation import evaluate

    try:
        period = period_of(start, end)
        code = find_agency(agency_code).code if agency_code else None
    except DomainError as error:
        raise click.ClickException(error.messages()["vi"]) from None
    evaluation = evaluate(period.start, period.end, utcnow(), code)
    if output_format == "json":
        text = json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
    else:
        from core.reports.documents import report_filename, tables_xlsx
        from core.reports.evaluation_tables import evaluation_tables

        name = "danh-gia" + (f"-{code}" if code else "")
        output = output or Path(report_filename(period, "xlsx", name))
        output.write_bytes(tables_xlsx(evaluation_tables(evaluation), period))
    click.echo(f"Đã ghi đánh giá vào {output}", err=True)


commands = [report_group]
