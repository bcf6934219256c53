"""Reading the dashboard's query strings: the statistics page's period and filters, the
live view's agency."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l

from core.agencies.registry import AgencyNotFound, find_agency
from core.clock import local_today
from core.errors import InvalidInput
from core.reports.live import LiveScope
from core.reports.periods import (
    Period,
    PeriodKind,
    current_period,
    custom_period,
    parse_day,
    parse_period_key,
)
from core.reports.reform import ReportFilter
from core.reports.reform_queries import ROW_KINDS


@dataclass
class Selection:
    period: Period
    filters: ReportFilter
    error: object | None = None
    live: bool = False  # a closed period's figures counted afresh (`?live=1`)
    by: str = "field"  # the official table's rows: fields, or agencies (`?by=agency`)
    agency_code: str | None = None  # the agency filter's code (`?agency=CODE`)

    @property
    def filtered(self) -> bool:
        """Whether the page differs from the centre's table by field (what a closing
        stores)."""
        return self.filters != ReportFilter() or self.by != "field"

    def query(self, live: bool | None = None) -> dict:
        """The query string that reproduces this selection (for export links); `live` to
        ask for the live or the closed figures instead of the selected ones."""
        values = {"period": self.period.key()}
        if self.live if live is None else live:
            values["live"] = 1
        for name in ("field", "procedure"):
            if getattr(self.filters, name):
                values[name] = getattr(self.filters, name)
        if self.filters.counter_id:
            values["counter"] = self.filters.counter_id
        if self.filters.officer_id:
            values["officer"] = self.filters.officer_id
        if self.agency_code:
            values["agency"] = self.agency_code
        if self.by != "field":
            values["by"] = self.by
        return values


def _optional_id(name: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(_l("Bộ lọc “{name}” không hợp lệ."), name=name)
    return int(text)


def _agency() -> tuple[str | None, int | None]:
    """The agency asked for by its code, and its id; none: the whole centre."""
    text = (request.args.get("agency") or "").strip()[:40]
    if not text:
        return None, None
    try:
        agency = find_agency(text)
    except AgencyNotFound:
        raise InvalidInput(_l("Không có cơ quan mã “{code}”."), code=text) from None
    return agency.code, agency.id


def live_scope_from_request() -> tuple[str | None, LiveScope, object | None]:
    """The live view's agency (`?agency=CODE`): its code, the scope, and the messages of an
    unknown code (the whole centre is shown then)."""
    try:
        code, agency_id = _agency()
    except InvalidInput as error:
        return None, LiveScope(), error.messages()
    return code, LiveScope(agency_id), None


def selection_from_request() -> Selection:
    """The period and filters asked for; the current quarter (and a message) when invalid."""
    try:
        args = request.args
        if args.get("from") or args.get("to"):
            period = custom_period(parse_day(args.get("from")), parse_day(args.get("to")))
        elif args.get("period"):
            period = parse_period_key(args["period"])
        else:
            period = current_period(PeriodKind.QUARTER, local_today())
        agency_code, agency_id = _agency()
        filters = ReportFilter(
            field=(args.get("field") or "").strip()[:200] or None,
            procedure=(args.get("procedure") or "").strip()[:40] or None,
            counter_id=_optional_id("counter"),
            officer_id=_optional_id("officer"),
            agency_id=agency_id,
        )
        by = args.get("by") or "field"
        if by not in ROW_KINDS:
            raise InvalidInput(_l("Bộ lọc “{name}” không hợp lệ."), name="by")
        return Selection(
            period,
            filters,
            live=args.get("live") in ("1", "true"),
            by=by,
            agency_code=agency_code,
        )
    except InvalidInput as error:
        fallback = current_period(PeriodKind.QUARTER, local_today())
        return Selection(fallback, ReportFilter(), error.messages())
