"""Report periods with the statistical cut-offs of Decree 09/2019: a period runs from the
15th of one month to the 14th of another (both days included)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from core.clock import day_start
from core.errors import InvalidInput

CUT_OFF_DAY = 15  # a period starts on the 15th and ends on the 14th
MAX_PERIOD_DAYS = 3 * 366 + 1


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half"  # 6 tháng đầu năm
    SECOND_HALF_YEAR = "half2"  # 6 tháng cuối năm
    NINE_MONTHS = "nine"  # 9 tháng
    YEAR = "year"
    CUSTOM = "custom"


KIND_LABELS = {
    PeriodKind.MONTH: _l("Tháng"),
    PeriodKind.QUARTER: _l("Quý"),
    PeriodKind.HALF_YEAR: _l("6 tháng đầu năm"),
    PeriodKind.SECOND_HALF_YEAR: _l("6 tháng cuối năm"),
    PeriodKind.NINE_MONTHS: _l("9 tháng"),
    PeriodKind.YEAR: _l("Năm"),
    PeriodKind.CUSTOM: _l("Tùy chọn"),
}


@dataclass(frozen=True)
class Period:
    """Local days `start` to `end`, both included, with the words that name them."""

    start: date
    end: date
    kind: PeriodKind = PeriodKind.CUSTOM
    number: int = 0  # the month or quarter; 0 otherwise

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The first instant of `start` and the first instant after `end`, aware."""
        return day_start(self.start, zone), day_start(self.end + timedelta(days=1), zone)

    def title_vi(self) -> str:
        """How the report names the period, in Vietnamese (documents are Vietnamese)."""
        year = self.end.year
        names = {
            PeriodKind.MONTH: f"tháng {self.number}/{year}",
            PeriodKind.QUARTER: f"quý {_roman(self.number)} năm {year}",
            PeriodKind.HALF_YEAR: f"6 tháng đầu năm {year}",
            PeriodKind.SECOND_HALF_YEAR: f"6 tháng cuối năm {year}",
            PeriodKind.NINE_MONTHS: f"9 tháng năm {year}",
            PeriodKind.YEAR: f"năm {year}",
        }
        return names.get(self.kind, "kỳ báo cáo")

    def range_vi(self) -> str:
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def dates(self) -> str:
        """'15/12/2025 – 14/03/2026': the first and the last day, as messages name them."""
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    def key(self) -> str:
        if self.kind == PeriodKind.CUSTOM:
            return f"custom-{self.start.isoformat()}-{self.end.isoformat()}"
        if self.kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
            return f"{self.kind.value}-{self.end.year}-{self.number}"
        return f"{self.kind.value}-{self.end.year}"


def _roman(number: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(number, str(number))


def _cut_off_start(year: int, month: int) -> date:
    """The 15th of the month before `month` (December of the year before for January)."""
    if month == 1:
        return date(year - 1, 12, CUT_OFF_DAY)
    return date(year, month - 1, CUT_OFF_DAY)


def _cut_off_end(year: int, month: int) -> date:
    return date(year, month, CUT_OFF_DAY - 1)


def month_period(year: int, month: int) -> Period:
    return Period(_cut_off_start(year, month), _cut_off_end(year, month), PeriodKind.MONTH, month)


def quarter_period(year: int, quarter: int) -> Period:
    first, last = 3 * quarter - 2, 3 * quarter
    return Period(
        _cut_off_start(year, first), _cut_off_end(year, last), PeriodKind.QUARTER, quarter
    )


def half_year_period(year: int) -> Period:
    return Period(_cut_off_start(year, 1), _cut_off_end(year, 6), PeriodKind.HALF_YEAR)


def second_half_year_period(year: int) -> Period:
    """15 June to 14 December: the report year's second half."""
    return Period(date(year, 6, CUT_OFF_DAY), _cut_off_end(year, 12), PeriodKind.SECOND_HALF_YEAR)


def nine_months_period(year: int) -> Period:
    return Period(_cut_off_start(year, 1), _cut_off_end(year, 9), PeriodKind.NINE_MONTHS)


def year_period(year: int) -> Period:
    return Period(_cut_off_start(year, 1), _cut_off_end(year, 12), PeriodKind.YEAR)


def custom_period(start: date, end: date) -> Period:
    if end < start:
        raise InvalidInput(_l("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(_l("Kỳ tùy chọn dài tối đa 3 năm."))
    return Period(start, end)


def report_month(day: date) -> tuple[int, int]:
    """The (year, month) of the report month a day belongs to (the 15th opens the next)."""
    if day.day < CUT_OFF_DAY:
        return day.year, day.month
    if day.month == 12:
        return day.year + 1, 1
    return day.year, day.month + 1


def current_period(kind: PeriodKind, today: date) -> Period:
    """The period of `kind` in the report year of `today` (the one containing it for a
    month, a quarter or the year)."""
    year, month = report_month(today)
    if kind == PeriodKind.MONTH:
        return month_period(year, month)
    if kind == PeriodKind.QUARTER:
        return quarter_period(year, (month - 1) // 3 + 1)
    if kind == PeriodKind.HALF_YEAR:
        return half_year_period(year)
    if kind == PeriodKind.SECOND_HALF_YEAR:
        return second_half_year_period(year)
    if kind == PeriodKind.NINE_MONTHS:
        return nine_months_period(year)
    return year_period(year)


def presets(today: date) -> list[tuple[str, str, Period]]:
    """The periods offered on the statistics page: (key, label, period), newest first."""
    year, month = report_month(today)
    quarter = (month - 1) // 3 + 1
    found: list[tuple[str, str, Period]] = []

    def add(period: Period, label: str) -> None:
        found.append((period.key(), label, period))

    add(month_period(year, month), f"Tháng {month}/{year} (đang diễn ra)")
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    add(month_period(*previous), f"Tháng {previous[1]}/{previous[0]}")
    add(quarter_period(year, quarter), f"Quý {_roman(quarter)}/{year}")
    previous_quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    add(
        quarter_period(*previous_quarter),
        f"Quý {_roman(previous_quarter[1])}/{previous_quarter[0]}",
    )
    add(half_year_period(year), f"6 tháng đầu năm {year}")
    # The second half of this report year once it has begun, else the last one.
    second_half = year if month > 6 else year - 1
    add(second_half_year_period(second_half), f"6 tháng cuối năm {second_half}")
    add(nine_months_period(year), f"9 tháng năm {year}")
    add(year_period(year), f"Năm {year}")
    add(year_period(year - 1), f"Năm {year - 1}")
    return found


def parse_period_key(key: str) -> Period:
    """'quarter-2026-1', 'month-2026-3', 'half-2026', 'half2-2026', 'nine-2026', 'year-2026' or
    'custom-2026-01-01-2026-03-31' → the period; InvalidInput otherwise."""
    parts = (key or "").split("-")
    try:
        kind = PeriodKind(parts[0])
        if kind == PeriodKind.CUSTOM:
            return custom_period(
                date.fromisoformat("-".join(parts[1:4])), date.fromisoformat("-".join(parts[4:7]))
            )
        year = int(parts[1])
        if not 2000 <= year <= 2100:
            raise ValueError
        if kind == PeriodKind.MONTH:
            return month_period(year, int(parts[2]))
        if kind == PeriodKind.QUARTER:
            quarter = int(parts[2])
            if not 1 <= quarter <= 4:
                raise ValueError
            return quarter_period(year, quarter)
        builders = {
            PeriodKind.HALF_YEAR: half_year_period,
            PeriodKind.SECOND_HALF_YEAR: second_half_year_period,
            PeriodKind.NINE_MONTHS: nine_months_period,
            PeriodKind.YEAR: year_period,
        }
        return builders[kind](year)
    except (ValueError, IndexError, KeyError):
        raise InvalidInput(_l("Kỳ báo cáo “{key}” không hợp lệ."), key=key[:40]) from None


def parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput(
            _l("Ngày “{text}” không hợp lệ; dùng dạng YYYY-MM-DD."), text=(text or "")[:20]
        ) from None
