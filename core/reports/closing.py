"""Closing a report period (chốt số liệu): the reform report's figures are stored as they
were reported, so every later reading of exactly that period shows them, marked closed with
when and by whom. A live reading recomputes from the data and says how far it has moved
from the closed figures. Managers and admins close; only an admin reopens. Both are audited.

The stored figures are the whole period's table (no filter): a filtered reading of a closed
period is always computed from the data. The caller commits (`web.commit.commit_or_explain`,
`cli.commit_or_fail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit import record_event
from core.clock import local_text, local_today, utcnow
from core.db.transactions import begin_write_transaction, begin_write_transaction_afresh
from core.errors import DomainError, InvalidInput
from core.models import ClosedReportPeriod, Role, User
from core.reports.periods import Period
from core.reports.reform import (
    COUNT_KEYS,
    ReformReport,
    ReportFilter,
    field_order_key,
    reform_report,
)
from extensions import db

CLOSING_ROLES = (Role.MANAGER, Role.ADMIN)
# What a difference compares: whole numbers, and rates in percentage points.
DIFFERENCE_COUNTS = (*COUNT_KEYS, "withdrawn", "stopped", "apologies")
DIFFERENCE_RATES = ("on_time_rate", "evaluation_rate")


class PeriodAlreadyClosed(DomainError):
    code = "period_closed"
    status = 409
    message = _l(
        "Kỳ báo cáo {first_day} – {last_day} đã được chốt số liệu lúc {closed_at} bởi "
        "{closed_by}. Muốn chốt lại, quản trị viên phải mở lại kỳ này trước."
    )


class PeriodNotClosed(DomainError):
    code = "period_not_closed"
    status = 409
    message = _l(
        "Kỳ báo cáo {first_day} – {last_day} chưa được chốt số liệu: không có gì để mở lại."
    )


class PeriodNotOver(InvalidInput):
    code = "period_not_over"
    message = _l(
        "Kỳ báo cáo {first_day} – {last_day} chưa kết thúc: chỉ chốt được số liệu từ ngày "
        "{first_closable_day}."
    )


class NotAllowedToClose(DomainError):
    code = "not_allowed_to_close"
    status = 403
    message = _l("Chỉ lãnh đạo hoặc quản trị viên được chốt số liệu; “{username}” không có quyền.")


class NotAllowedToReopen(DomainError):
    code = "not_allowed_to_reopen"
    status = 403
    message = _l("Chỉ quản trị viên được mở lại kỳ báo cáo đã chốt; “{username}” không có quyền.")


def closing_of(period: Period) -> ClosedReportPeriod | None:
    """The closing of exactly this period (same first and last day), if it was closed."""
    return db.session.execute(
        select(ClosedReportPeriod).where(
            ClosedReportPeriod.period_start == period.start,
            ClosedReportPeriod.period_end == period.end,
        )
    ).scalar_one_or_none()


def closed_by_name(closing: ClosedReportPeriod):
    """Who closed it, as the banner says: 'Full Name (username)', or the command line."""
    user = closing.closed_by
    if user is None:
        return _l("dòng lệnh (không ghi người chốt)")
    if user.full_name and user.full_name != user.username:
        return f"{user.full_name} ({user.username})"
    return user.username


def closed_at_text(closing: ClosedReportPeriod) -> str:
    """'10:15 16/03/2026': when it was closed, in the centre's local time."""
    return local_text(closing.closed_at)


def is_over(period: Period, now: datetime | None = None) -> bool:
    """Whether the period's last day has ended (only then can it be closed)."""
    return local_today(now) > period.end


def _days(period: Period) -> dict:
    return {"first_day": f"{period.start:%d/%m/%Y}", "last_day": f"{period.end:%d/%m/%Y}"}


def _refuse_if_closed(period: Period) -> None:
    closing = closing_of(period)
    if closing is not None:
        raise PeriodAlreadyClosed(
            closed_at=closed_at_text(closing), closed_by=closed_by_name(closing), **_days(period)
        )


def close_period(
    period: Period, user: User | None, now: datetime | None = None
) -> ClosedReportPeriod:
    """Store the period's figures as the data gives them now, with when and by whom
    (`user` None: the command line without `--by`); the caller commits.

    Refused for a period not yet over, a period already closed, and anyone but a manager
    or an admin.
    """
    if user is not None and user.role not in CLOSING_ROLES:
        raise NotAllowedToClose(username=user.username)
    now = now or utcnow()
    if not is_over(period, now):
        first_closable = period.end + timedelta(days=1)
        raise PeriodNotOver(first_closable_day=f"{first_closable:%d/%m/%Y}", **_days(period))
    _refuse_if_closed(period)
    figures = reform_report(period, now=now).as_json()
    # The figures are counted; write as the writer, after a last look (another manager
    # may have closed the period meanwhile: the unique period settles any race).
    begin_write_transaction_afresh()
    _refuse_if_closed(period)
    closing = ClosedReportPeriod(
        period_start=period.start,
        period_end=period.end,
        figures=figures,
        closed_at=now,
        closed_by=user,
    )
    try:
        with db.session.begin_nested():
            db.session.add(closing)
    except IntegrityError:
        _refuse_if_closed(period)
        raise
    total = figures["total"]
    record_event(
        "report_period.closed",
        ("report_period", closing.id),
        user=user,
        **{"from": figures["from"], "to": figures["to"]},
        received_total=total["received_total"],
        resolved_total=total["resolved_total"],
        pending_total=total["pending_total"],
    )
    return closing


def reopen_period(period: Period, user: User) -> None:
    """Delete the period's closed figures so that readings are live again (an admin only;
    the audit event keeps when and by whom it had been closed, and the closed total); the
    caller commits."""
    if user.role != Role.ADMIN:
        raise NotAllowedToReopen(username=user.username)
    begin_write_transaction()
    closing = closing_of(period)
    if closing is None:
        raise PeriodNotClosed(**_days(period))
    record_event(
        "report_period.reopened",
        ("report_period", closing.id),
        user=user,
        **{"from": period.start.isoformat(), "to": period.end.isoformat()},
        closed_at=closing.closed_at.isoformat(),
        closed_by=closing.closed_by.username if closing.closed_by else None,
        closed_total=closing.figures["total"],
    )
    db.session.delete(closing)
    db.session.flush()


@dataclass
class ReportReading:
    """The reform report as one reading shows it.

    `live` False: the stored figures of a closed period; True: counted from the data now.
    `closing` is the period's closing whatever the reading; `difference` (live − closed)
    is there for an unfiltered live reading of a closed period.
    """

    report: ReformReport
    closing: ClosedReportPeriod | None = None
    live: bool = True
    difference: dict | None = None

    def as_json(self) -> dict:
        """`report tthc`'s JSON: the figures, then `closed_at` (UTC, null while the period is
        open), `closed_by` (username), `live`, and `difference` when there is one."""
        figures = self.report.as_json() if self.live else dict(self.closing.figures)
        closing = self.closing
        figures["closed_at"] = closing.closed_at.isoformat() if closing else None
        figures["closed_by"] = closing.closed_by.username if closing and closing.closed_by else None
        figures["live"] = self.live
        if self.difference is not None:
            figures["difference"] = self.difference
        return figures


def document_note(reading: ReportReading) -> str | None:
    """What an exported document says of a closed period's figures (in Vietnamese)."""
    closing = reading.closing
    if closing is None:
        return None
    with force_locale("vi"):
        closed = f"lúc {closed_at_text(closing)} bởi {closed_by_name(closing)}"
    if reading.live:
        return f"Số liệu tính lại từ dữ liệu hiện tại; kỳ đã chốt số liệu {closed}"
    return f"Số liệu đã chốt {closed}"


def read_report(
    period: Period, filters: ReportFilter | None = None, live: bool = False, by: str = "field"
) -> ReportReading:
    """The stored figures of exactly a closed period; counted from the data for an open one,
    with `live`, with a filter or by agency (the closed figures are the centre's by field;
    the difference from them is there for an unfiltered reading by field)."""
    filters = filters or ReportFilter()
    filtered = filters != ReportFilter() or by != "field"
    closing = closing_of(period)
    if closing is not None and not live and not filtered:
        return ReportReading(ReformReport.from_json(period, closing.figures), closing, live=False)
    report = reform_report(period, filters, by=by)
    found = None
    if closing is not None and not filtered:
        found = difference(closing.figures, report.as_json())
    return ReportReading(report, closing, live=True, difference=found)


def difference(closed: dict, live: dict) -> dict:
    """The live figures less the closed ones, by field (every field in either) and in total:
    counts as whole numbers, rates in percentage points (None where either has no rate);
    `changed` says whether any count moved."""

    def less(now: dict, then: dict) -> dict:
        values = {key: now.get(key, 0) - then.get(key, 0) for key in DIFFERENCE_COUNTS}
        for key in DIFFERENCE_RATES:
            after, before = now.get(key), then.get(key)
            both = after is not None and before is not None
            values[key] = round(after - before, 1) if both else None
        return values

    closed_rows = {row["field"]: row for row in closed["rows"]}
    live_rows = {row["field"]: row for row in live["rows"]}
    names = sorted(set(closed_rows) | set(live_rows), key=field_order_key)
    rows = [
        {"field": name, **less(live_rows.get(name, {}), closed_rows.get(name, {}))}
        for name in names
    ]
    total = less(live["total"], closed["total"])
    changed = any(row[key] for row in rows for key in DIFFERENCE_COUNTS)
    return {"rows": rows, "total": total, "changed": changed}
