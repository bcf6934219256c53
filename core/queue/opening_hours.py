"""Opening hours of a service: up to two periods a weekday, parsed and checked.

Pure functions (no database): the admin form hands in the clock texts it received,
and gets back minutes since local midnight, or an `InvalidInput` naming the day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from core.errors import InvalidInput

MINUTES_PER_DAY = 24 * 60
PERIODS_PER_DAY = 2
WEEKDAYS = range(7)  # 0 = Monday, as datetime.weekday()

Period = tuple[int, int]  # (opens_minute, closes_minute), closes exclusive
Week = list[list[Period]]  # seven days, each with zero to two periods in order

WEEKDAY_NAMES = (
    _l("Thứ Hai"),
    _l("Thứ Ba"),
    _l("Thứ Tư"),
    _l("Thứ Năm"),
    _l("Thứ Sáu"),
    _l("Thứ Bảy"),
    _l("Chủ nhật"),
)
WEEKDAY_SHORT_NAMES = (_l("T2"), _l("T3"), _l("T4"), _l("T5"), _l("T6"), _l("T7"), _l("CN"))
PERIOD_NAMES = (_l("buổi sáng"), _l("buổi chiều"))

# Office hours of Vietnamese public bodies: 07:30–11:30 and 13:30–17:00, Monday to Friday.
MORNING: Period = (7 * 60 + 30, 11 * 60 + 30)
AFTERNOON: Period = (13 * 60 + 30, 17 * 60)
OFFICE_HOURS: Week = [[MORNING, AFTERNOON] for _ in range(5)] + [[], []]
OFFICE_HOURS_WITH_SATURDAY: Week = OFFICE_HOURS[:5] + [[MORNING], []]
ALWAYS_OPEN: Week = [[(0, MINUTES_PER_DAY)] for _ in WEEKDAYS]
PRESETS: dict[str, Week] = {
    "office": OFFICE_HOURS,
    "office_saturday": OFFICE_HOURS_WITH_SATURDAY,
    "always": ALWAYS_OPEN,
    "closed": [[] for _ in WEEKDAYS],
}

CLOCK_PATTERN = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})?$")


def format_clock(minute: int) -> str:
    """Minutes since midnight as HH:MM (24:00 is the end of the day)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_clock(text: str, *, closing: bool, where: dict) -> int:
    """A clock time such as 07:30, 7:30, 7h30 or 7h, in minutes since midnight.

    24:00 is accepted only as a closing time, meaning the end of the day.
    """
    match = CLOCK_PATTERN.match(text.strip())
    if match is None:
        raise InvalidInput(
            _l("{day}, {period}: “{text}” không phải giờ hợp lệ, hãy nhập dạng 07:30."),
            text=text.strip(),
            **where,
        )
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    minute = hours * 60 + minutes
    if minutes > 59 or minute > MINUTES_PER_DAY or (minute == MINUTES_PER_DAY and not closing):
        raise InvalidInput(
            _l("{day}, {period}: “{text}” không phải giờ hợp lệ, hãy nhập dạng 07:30."),
            text=text.strip(),
            **where,
        )
    return minute


def parse_week(rows: Sequence[Sequence[tuple[str, str]]]) -> Week:
    """Seven rows of up to two (opens, closes) texts into a checked `Week`.

    A period left blank at both ends is closed. Each period must open before it closes,
    and the afternoon must start no earlier than the morning ends.
    """
    if len(rows) != len(WEEKDAYS):
        raise InvalidInput(_l("Giờ làm việc phải có đủ bảy ngày trong tuần."))
    week: Week = []
    for weekday, periods in zip(WEEKDAYS, rows, strict=True):
        if len(periods) > PERIODS_PER_DAY:
            raise InvalidInput(_l("Mỗi ngày có tối đa hai buổi làm việc."))
        day: list[Period] = []
        for index, (opens_text, closes_text) in enumerate(periods):
            period = parse_period(opens_text, closes_text, weekday, index)
            if period is None:
                continue
            if day and period[0] < day[-1][1]:
                raise InvalidInput(
                    _l(
                        "{day}: buổi chiều ({opens}) phải bắt đầu sau khi buổi sáng kết thúc "
                        "({closes})."
                    ),
                    day=WEEKDAY_NAMES[weekday],
                    opens=format_clock(period[0]),
                    closes=format_clock(day[-1][1]),
                    weekday=weekday,
                )
            day.append(period)
        week.append(day)
    return week


def parse_period(opens_text: str, closes_text: str, weekday: int, index: int) -> Period | None:
    """One period of one day, or None when both ends are blank."""
    opens_text, closes_text = (opens_text or "").strip(), (closes_text or "").strip()
    where = {"day": WEEKDAY_NAMES[weekday], "period": PERIOD_NAMES[index], "weekday": weekday}
    if not opens_text and not closes_text:
        return None
    if not opens_text or not closes_text:
        raise InvalidInput(
            _l("{day}, {period}: cần nhập cả giờ mở và giờ đóng, hoặc để trống cả hai."),
            **where,
        )
    opens = parse_clock(opens_text, closing=False, where=where)
    closes = parse_clock(closes_text, closing=True, where=where)
    if opens >= closes:
        raise InvalidInput(
            _l("{day}, {period}: giờ mở ({opens}) phải trước giờ đóng ({closes})."),
            opens=format_clock(opens),
            closes=format_clock(closes),
            **where,
        )
    return (opens, closes)


def week_of(hours) -> Week:
    """The `Week` of a service's `ServiceHours` rows."""
    week: Week = [[] for _ in WEEKDAYS]
    for row in sorted(hours, key=lambda row: (row.weekday, row.opens_minute)):
        week[row.weekday].append((row.opens_minute, row.closes_minute))
    return week


def week_as_text(week: Week) -> list[list[tuple[str, str]]]:
    """The clock texts a form shows for a `Week`, always two periods a day."""
    rows = []
    for day in week:
        texts = [(format_clock(opens), format_clock(closes)) for opens, closes in day]
        rows.append(texts + [("", "")] * (PERIODS_PER_DAY - len(texts)))
    return rows


def summarise(week: Week) -> list[tuple[str, str]]:
    """Runs of consecutive days with the same hours: [("T2–T6", "07:30–11:30, 13:30–17:00")]."""
    runs: list[tuple[int, int, list[Period]]] = []
    for weekday, day in enumerate(week):
        if not day:
            continue
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == day:
            runs[-1] = (runs[-1][0], weekday, day)
        else:
            runs.append((weekday, weekday, day))
    summary = []
    for first, last, day in runs:
        days = str(WEEKDAY_SHORT_NAMES[first])
        if last != first:
            days += "–" + str(WEEKDAY_SHORT_NAMES[last])
        periods = ", ".join(
            f"{format_clock(opens)}–{format_clock(closes)}" for opens, closes in day
        )
        summary.append((days, periods))
    return summary
