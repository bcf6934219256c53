"""Working-day deadlines across Vietnamese holidays, weekends and swaps; where the 15:00
cut-off counts (same-day procedures, the transfer) and where it does not (periods in days)."""

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
        # the afternoon cut-off does not move a period in days (it once did, wrongly)
        ("2026-03-02 14:59", 1, "2026-03-03 17:00"),
        ("2026-03-02 15:00", 1, "2026-03-03 17:00"),
        ("2026-03-02 15:30", 5, "2026-03-09 17:00"),
        ("2026-03-02 23:30", 5, "2026-03-09 17:00"),  # online, late at night
        # received on a Saturday (desk open): Monday is day 1, due the Friday after
        ("2026-03-07 09:00", 5, "2026-03-13 17:00"),
        ("2026-03-07 09:00", 1, "2026-03-09 17:00"),
        ("2027-01-09 10:30", 5, "2027-01-15 17:00"),
        # received on a public holiday: the next working day is day 1
        ("2026-09-01 10:00", 2, "2026-09-04 17:00"),
        # Tết 2025: 27 January – 1 February
        ("2025-01-24 10:00", 2, "2025-02-04 17:00"),
        ("2025-01-24 16:00", 2, "2025-02-04 17:00"),
        # Tết 2026: 16–20 February
        ("2026-02-13 10:00", 5, "2026-02-27 17:00"),
        ("2026-02-13 16:00", 5, "2026-02-27 17:00"),
        ("2026-02-12 15:10", 1, "2026-02-13 17:00"),
        ("2026-02-12 15:10", 2, "2026-02-23 17:00"),
        # Tết 2027: 4–10 February
        ("2027-02-03 10:00", 1, "2027-02-11 17:00"),
        ("2027-02-03 16:45", 1, "2027-02-11 17:00"),
        # 30/4–1/5 2025 with 2 May off, worked back on Saturday 26 April
        ("2025-04-25 10:00", 2, "2025-04-28 17:00"),
        ("2025-04-25 16:00", 1, "2025-04-26 17:00"),
        ("2025-04-29 10:00", 1, "2025-05-05 17:00"),
        # 30/4–1/5 2026 (Thursday, Friday)
        ("2026-04-29 09:00", 1, "2026-05-04 17:00"),
        ("2026-04-29 15:45", 1, "2026-05-04 17:00"),
        # Hùng Kings' day 2026 fell on Sunday 26 April: Monday 27 off
        ("2026-04-24 09:00", 2, "2026-04-29 17:00"),
        # 1 May 2027 is a Saturday: Monday 3 May off
        ("2027-04-29 10:00", 1, "2027-05-04 17:00"),
        # 2/9 2025 with 1 September
        ("2025-08-29 16:00", 1, "2025-09-03 17:00"),
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
        ("2025-12-31 15:30", 3, "2026-01-07 17:00"),
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
    ("day", "days", "due"),
    [
        ("2026-03-02", 5, "2026-03-09 17:00"),
        ("2026-02-13", 5, "2026-02-27 17:00"),  # across Tết 2026
        ("2026-04-29", 3, "2026-05-06 17:00"),  # across 30/4–1/5
        ("2026-03-07", 5, "2026-03-13 17:00"),  # a Saturday
    ],
)
@pytest.mark.parametrize("hour", ["00:05", "07:00", "09:00", "14:59", "15:00", "16:30", "23:59"])
def test_the_hour_of_receipt_does_not_move_a_period_in_days(day, days, due, hour):
    assert CALENDAR.due_after_days(at(f"{day} {hour}"), days) == at(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # before the cut-off: the close of the day of receipt
        ("2026-03-02 07:00", "2026-03-02 17:00"),
        ("2026-03-02 09:00", "2026-03-02 17:00"),
        ("2026-03-02 14:59", "2026-03-02 17:00"),
        # at or after it: the close of the next working day
        ("2026-03-02 15:00", "2026-03-03 17:00"),
        ("2026-03-02 16:00", "2026-03-03 17:00"),
        ("2026-03-06 15:30", "2026-03-09 17:00"),  # Friday: Monday
        # received on a day off: the next working day, whatever the hour
        ("2026-03-07 09:00", "2026-03-09 17:00"),  # Saturday morning
        ("2026-04-30 09:00", "2026-05-04 17:00"),  # 30/4 2026
        # across a holiday and Tết
        ("2026-04-29 14:00", "2026-04-29 17:00"),
        ("2026-04-29 15:10", "2026-05-04 17:00"),  # 30/4–1/5 and the weekend
        ("2026-02-13 14:30", "2026-02-13 17:00"),
        ("2026-02-13 15:30", "2026-02-23 17:00"),  # Tết 2026
        ("2027-02-03 16:00", "2027-02-11 17:00"),  # Tết 2027
        ("2025-04-25 15:30", "2025-04-26 17:00"),  # into the make-up Saturday
        ("2025-04-26 10:00", "2025-04-26 17:00"),  # on the make-up Saturday
    ],
)
def test_same_day_procedures_and_the_cut_off(received, due):
    assert CALENDAR.due_after_days(at(received), 0) == at(due)
    assert CALENDAR.due(at(received), days=0) == at(due)


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        ("2026-03-02 08:00", 4, "2026-03-02 14:00"),  # across the lunch break
        ("2026-03-02 10:30", 4, "2026-03-02 16:30"),  # the "return at 16:30" appointment
        ("2026-03-02 07:00", 4, "2026-03-02 11:30"),  # before opening: from 07:30
        ("2026-03-02 12:00", 2, "2026-03-02 15:30"),  # at lunch: from 13:30
        ("2026-03-02 14:00", 8, "2026-03-03 14:30"),  # over the evening
        # from the moment of receipt, the cut-off or not: ½ h today, 3½ h from 07:30
        ("2026-03-02 16:30", 4, "2026-03-03 11:00"),
        ("2026-03-02 15:30", 4, "2026-03-03 10:00"),
        ("2026-03-02 16:30", 5, "2026-03-03 14:00"),  # evening and lunch
        ("2026-03-02 19:00", 1, "2026-03-03 08:30"),  # online in the evening
        ("2026-03-06 16:00", 4, "2026-03-09 10:30"),  # over the weekend
        ("2026-03-07 09:00", 2, "2026-03-09 09:30"),  # received on a Saturday
        ("2026-02-13 14:00", 4, "2026-02-23 08:30"),  # over Tết 2026
        ("2026-02-13 16:00", 4, "2026-02-23 10:30"),
        ("2027-02-03 16:30", 6, "2027-02-11 15:00"),  # over Tết 2027, across lunch
        ("2025-04-25 16:00", 2, "2025-04-26 08:30"),  # into the make-up Saturday
    ],
)
def test_due_after_working_hours(received, hours, due):
    assert CALENDAR.due_after_hours(at(received), hours) == at(due)
    assert CALENDAR.due(at(received), hours=hours) == at(due)


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
        # before the cut-off: the same working day, by its close
        ("2026-03-02 10:00", "2026-03-02 17:00"),
        ("2026-03-02 14:59", "2026-03-02 17:00"),
        # at or after it: the opening of the next working day
        ("2026-03-02 15:00", "2026-03-03 07:30"),
        ("2026-03-02 15:20", "2026-03-03 07:30"),
        ("2026-03-06 16:00", "2026-03-09 07:30"),  # Friday: Monday
        ("2026-02-13 15:20", "2026-02-23 07:30"),  # Tết 2026
        ("2026-02-13 14:00", "2026-02-13 17:00"),
        # received on a day off: the opening of the next working day
        ("2026-03-07 09:00", "2026-03-09 07:30"),
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
    assert calendar.due_after_days(at("2026-03-02 16:10"), 1) == at("2026-03-03 16:30")
    assert calendar.due_after_days(at("2026-03-02 15:30"), 0) == at("2026-03-02 16:30")
    assert calendar.due_after_days(at("2026-03-02 16:00"), 0) == at("2026-03-03 16:30")
    assert calendar.transfer_due(at("2026-03-02 15:30")) == at("2026-03-02 16:30")
    assert calendar.transfer_due(at("2026-03-02 16:00")) == at("2026-03-03 08:00")
    assert calendar.due_after_hours(at("2026-03-02 16:00"), 1) == at("2026-03-03 08:30")


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
