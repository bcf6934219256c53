"""The centre's calendar: the package's holidays, admin-entered swaps, the CLI."""

from datetime import date

import pytest

from core.dossiers.workdays import (
    add_calendar_day,
    remove_calendar_day,
    work_calendar,
    year_overview,
)
from core.errors import InvalidInput
from core.models import AuditEvent, CalendarDay
from extensions import db


def test_admin_entered_swap_changes_deadlines_and_is_audited(app, runner):
    before = runner.invoke(args=["calendar", "due", "2027-12-30T10:00+07:00", "2"])
    assert before.output.strip() == "2028-01-04T17:00:00+07:00"  # Fri 31, Tue 4
    # a hypothetical announcement: Friday 31 Dec 2027 off, worked back on Saturday 8 Jan 2028
    add_calendar_day(date(2027, 12, 31), "day_off", "Nghỉ bù Tết Dương lịch 2028")
    add_calendar_day(date(2028, 1, 8), "working_day", "Làm bù cho ngày 31/12/2027")
    db.session.commit()
    calendar = work_calendar(date(2027, 12, 30))
    assert not calendar.is_working_day(date(2027, 12, 31))
    assert calendar.is_working_day(date(2028, 1, 8))
    after = runner.invoke(args=["calendar", "due", "2027-12-30T10:00+07:00", "2"])
    assert after.exit_code == 0
    # 31 Dec off and Mon 3 Jan (1 Jan 2028 is a Saturday) off: Tue 4, Wed 5
    assert after.output.strip() == "2028-01-05T17:00:00+07:00"
    late = runner.invoke(args=["calendar", "due", "2028-01-06T10:00", "2"])
    assert late.output.strip() == "2028-01-08T17:00:00+07:00"  # Fri 7, Sat 8 (worked)
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("calendar.day_added") == 2


def test_an_admin_can_turn_a_holiday_into_a_working_day(app):
    add_calendar_day(date(2026, 8, 31), "working_day", "ví dụ")
    db.session.commit()
    assert work_calendar(date(2026, 8, 1)).is_working_day(date(2026, 8, 31))
    entry = db.session.execute(db.select(CalendarDay)).scalar_one()
    remove_calendar_day(entry.id)
    db.session.commit()
    assert not work_calendar(date(2026, 8, 1)).is_working_day(date(2026, 8, 31))


def test_the_same_day_twice_is_refused(app):
    add_calendar_day(date(2027, 1, 2), "day_off")
    db.session.commit()
    with pytest.raises(InvalidInput):
        add_calendar_day(date(2027, 1, 2), "working_day")
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(CalendarDay.id))).scalar_one() == 1


def test_year_overview_lists_tet_and_make_up_saturdays(app):
    rows = {day: kind for day, kind, _ in year_overview(2025)}
    assert rows[date(2025, 1, 29)] == "day_off"
    assert rows[date(2025, 4, 26)] == "working_day"
    assert rows[date(2025, 5, 2)] == "day_off"
    assert date(2025, 2, 1) not in rows  # a Saturday holiday is no extra day off


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-03-02T14:00+07:00", "0", "2026-03-02T17:00:00+07:00"),  # same day
        ("2026-03-02T15:30+07:00", "0", "2026-03-03T17:00:00+07:00"),  # after the cut-off
        ("2026-02-13T15:30", "0", "2026-02-23T17:00:00+07:00"),  # after it, before Tết
        ("2026-03-07T09:00", "0", "2026-03-09T17:00:00+07:00"),  # a Saturday: Monday
        ("2026-03-03T15:30", "5", "2026-03-10T17:00:00+07:00"),  # the hour does not count
        ("2026-03-07T09:00", "5", "2026-03-13T17:00:00+07:00"),  # Saturday: the Friday after
        ("2026-03-02T16:30", "4h", "2026-03-03T11:00:00+07:00"),  # hours from receipt
    ],
)
def test_calendar_due_on_the_command_line(app, runner, start, days, due):
    result = runner.invoke(args=["calendar", "due", start, days])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == due


def test_calendar_due_refuses_a_bad_period(runner):
    result = runner.invoke(args=["calendar", "due", "2026-03-02T09:00", "five"])
    assert result.exit_code != 0
    assert "số ngày" in result.output
