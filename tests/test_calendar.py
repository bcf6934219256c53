"""Working-day deadlines across Vietnamese holidays, weekends, swaps and the cut-off."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from core.dossiers.calendar import Timeliness, WorkCalendar, parse_office_hours, parse_period

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
KNOWN = holidays.country_holidays("VN", years=range(2024, 2029))
# What admins would enter for a year the package does not know yet (hypothetical swap):
# Friday 2 January 2026 off, worked back on Saturday 10 January 2026.
ADMIN_DAYS_OFF = {date(2026, 1, 2)}
ADMIN_WORKING_DAYS = {date(2026, 1, 10)}

CALENDAR = WorkCalendar.build(
    VIETNAM,
    days_off=set(KNOWN) | ADMIN_DAYS_OFF,
    working_days=set(KNOWN.weekend_workdays) | ADMIN_WORKING_DAYS,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # plain week: counting starts the day after receipt, skips the weekend
        ("2026-03-02 09:00", 5, "2026-03-09 17:00"),
        # afternoon cut-off: from 15:00 the dossier counts as received the next working day
        ("2026-03-02 14:59", 1, "2026-03-03 17:00"),
        ("2026-03-02 15:00", 1, "2026-03-04 17:00"),
        ("2026-03-02 15:30", 5, "2026-03-10 17:00"),
        # received on a Saturday (desk open): counts from Monday
        ("2026-03-07 09:00", 1, "2026-03-10 17:00"),
        # same-day procedure: the close of the receipt day
        ("2026-03-02 09:00", 0, "2026-03-02 17:00"),
        ("2026-03-02 16:00", 0, "2026-03-03 17:00"),
        # Tết 2025: 27 January – 1 February
        ("2025-01-24 10:00", 2, "2025-02-04 17:00"),
        ("2025-01-24 16:00", 2, "2025-02-05 17:00"),
        # Tết 2026: 16–20 February
        ("2026-02-13 10:00", 5, "2026-02-27 17:00"),
        ("2026-02-12 15:10", 1, "2026-02-23 17:00"),
        # Tết 2027: 4–10 February
        ("2027-02-03 10:00", 1, "2027-02-11 17:00"),
        # 30/4–1/5 2025 with 2 May off, worked back on Saturday 26 April
        ("2025-04-25 10:00", 2, "2025-04-28 17:00"),
        ("2025-04-29 10:00", 1, "2025-05-05 17:00"),
        # 30/4–1/5 2026 (Thursday, Friday)
        ("2026-04-29 09:00", 1, "2026-05-04 17:00"),
        # Hùng Kings' day 2026 fell on Sunday 26 April: Monday 27 off
        ("2026-04-24 09:00", 2, "2026-04-29 17:00"),
        # 1 May 2027 is a Saturday: Monday 3 May off
        ("2027-04-29 10:00", 1, "2027-05-04 17:00"),
        # 2/9 2025 with 1 September
        ("2025-08-29 16:00", 1, "2025-09-04 17:00"),
        # 2/9 2026: 31 August off, worked back on Saturday 22 August
        ("2026-08-21 10:00", 3, "2026-08-25 17:00"),
        ("2026-08-28 10:00", 1, "2026-09-03 17:00"),
        # 2/9 2027 with 3 September
        ("2027-09-01 10:00", 1, "2027-09-06 17:00"),
        # Vietnam Culture Day, 24 November, from 2026
        ("2026-11-23 10:00", 1, "2026-11-25 17:00"),
        ("2025-11-21 10:00", 1, "2025-11-24 17:00"),
        # across the year end, with the admin-entered day off on 2 January 2026
        ("2025-12-31 10:00", 3, "2026-01-07 17:00"),
        ("2026-12-31 10:00", 2, "2027-01-05 17:00"),
        # the admin-entered make-up Saturday counts as a working day
        ("2026-01-09 10:00", 1, "2026-01-10 17:00"),
    ],
)
def test_due_after_working_days(received, days, due):
    result = CALENDAR.due_after_days(at(received), days)
    assert result == at(due)
    assert result.isoformat().endswith("+07:00")


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        ("2026-03-02 08:00", 4, "2026-03-02 14:00"),  # across the lunch break
        ("2026-03-02 10:30", 4, "2026-03-02 16:30"),  # the "return at 16:30" appointment
        ("2026-03-02 07:00", 4, "2026-03-02 11:30"),  # before opening: from 07:30
        ("2026-03-02 12:00", 2, "2026-03-02 15:30"),  # at lunch: from 13:30
        ("2026-03-02 14:00", 8, "2026-03-03 14:30"),  # over the evening
        ("2026-03-02 15:30", 4, "2026-03-03 11:30"),  # after the cut-off: next morning
        ("2026-02-13 14:00", 4, "2026-02-23 08:30"),  # over Tết 2026
        ("2025-04-25 16:00", 2, "2025-04-26 09:30"),  # into the make-up Saturday
    ],
)
def test_due_after_working_hours(received, hours, due):
    assert CALENDAR.due_after_hours(at(received), hours) == at(due)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-04-26", True),  # make-up Saturday
        ("2025-05-02", False),
        ("2026-02-16", False),
        ("2026-04-27", False),
        ("2026-08-22", True),
        ("2026-08-31", False),
        ("2026-11-24", False),
        ("2027-02-10", False),
        ("2027-09-03", False),
        ("2026-01-02", False),  # admin day off
        ("2026-01-10", True),  # admin make-up Saturday
        ("2026-01-17", False),  # an ordinary Saturday
        ("2026-03-04", True),
    ],
)
def test_working_days(day, working):
    assert CALENDAR.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("done", "verdict"),
    [
        ("2026-03-06 16:00", Timeliness.EARLY),
        ("2026-03-09 08:00", Timeliness.ON_TIME),
        ("2026-03-09 17:00", Timeliness.ON_TIME),
        ("2026-03-09 17:01", Timeliness.LATE),
        ("2026-03-12 09:00", Timeliness.LATE),
    ],
)
def test_timeliness_against_the_due_time(done, verdict):
    assert CALENDAR.timeliness(at(done), at("2026-03-09 17:00")) is verdict


@pytest.mark.parametrize(
    ("received", "transfer_due"),
    [
        ("2026-03-02 10:00", "2026-03-02 17:00"),
        ("2026-03-02 15:20", "2026-03-03 17:00"),
        ("2026-02-13 15:20", "2026-02-23 17:00"),
    ],
)
def test_transfer_to_the_processing_unit(received, transfer_due):
    assert CALENDAR.transfer_due(at(received)) == at(transfer_due)


def test_a_different_cut_off_and_office_hours_are_settings():
    calendar = WorkCalendar.build(
        VIETNAM,
        days_off=set(KNOWN),
        office_hours=parse_office_hours("08:00-12:00, 13:00-16:30"),
        cutoff=time(16, 0),
    )
    assert calendar.due_after_days(at("2026-03-02 15:30"), 1) == at("2026-03-03 16:30")


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("5", (5, None)), ("0", (0, None)), ("4h", (None, 4.0)), ("4 giờ", (None, 4.0))],
)
def test_period_text(text, parsed):
    assert parse_period(text) == parsed


@pytest.mark.parametrize("text", ["-1", "abc", "-2h", ""])
def test_bad_period_text(text):
    with pytest.raises(ValueError):
        parse_period(text)


@pytest.mark.parametrize("text", ["11:30-07:30", "07:30-11:30,11:00-17:00", "7h-11h"])
def test_bad_office_hours(text):
    with pytest.raises(ValueError):
        parse_office_hours(text)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.due_after_days(datetime(2026, 3, 2, 9), 1)
