"""Pure checks: opening hours parsing and printer addresses (no database)."""

import pytest

from core.accounts.printer_addresses import normalise_printer_url
from core.errors import InvalidInput
from core.queue.opening_hours import (
    ALWAYS_OPEN,
    OFFICE_HOURS_WITH_SATURDAY,
    format_clock,
    parse_week,
    summarise,
    week_as_text,
)

CLOSED = [("", ""), ("", "")]


def week(monday, rest=CLOSED):
    return [monday] + [rest] * 6


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        ([("07:30", "11:30"), ("13:30", "17:00")], [(450, 690), (810, 1020)]),
        ([("7h30", "11h"), ("", "")], [(450, 660)]),
        ([("", ""), ("13.30", "17.00")], [(810, 1020)]),
        ([(" 00:00 ", "24:00"), ("", "")], [(0, 1440)]),
        ([("07:30", "11:30"), ("11:30", "17:00")], [(450, 690), (690, 1020)]),
        (CLOSED, []),
    ],
)
def test_valid_days(monday, expected):
    assert parse_week(week(monday))[0] == expected


@pytest.mark.parametrize(
    "monday",
    [
        [("07:30", "11:30"), ("11:00", "17:00")],  # overlapping
        [("13:30", "17:00"), ("07:30", "11:30")],  # afternoon before morning
        [("11:30", "07:30"), ("", "")],  # closes before it opens
        [("07:30", "07:30"), ("", "")],  # empty period
        [("07:30", ""), ("", "")],  # one end only
        [("24:00", "24:00"), ("", "")],  # 24:00 only closes
        [("7:60", "11:30"), ("", "")],
        [("25:00", "26:00"), ("", "")],
        [("sáng", "chiều"), ("", "")],
        [("0730", "1130"), ("", "")],
    ],
)
def test_ill_formed_days_are_refused_naming_the_day(monday):
    with pytest.raises(InvalidInput) as refused:
        parse_week(week(monday))
    assert refused.value.details["weekday"] == 0


def test_a_week_has_seven_days():
    with pytest.raises(InvalidInput):
        parse_week([CLOSED] * 6)


def test_texts_round_trip_and_summaries(app):
    assert parse_week(week_as_text(OFFICE_HOURS_WITH_SATURDAY)) == OFFICE_HOURS_WITH_SATURDAY
    assert summarise(OFFICE_HOURS_WITH_SATURDAY) == [
        ("T2–T6", "07:30–11:30, 13:30–17:00"),
        ("T7", "07:30–11:30"),
    ]
    assert summarise(ALWAYS_OPEN) == [("T2–CN", "00:00–24:00")]
    assert format_clock(1440) == "24:00"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
        ("TCP://Printer-1.local:9100", "tcp://printer-1.local:9100"),
        ("tcp://[fe80::1]:9100", "tcp://[fe80::1]:9100"),
        ("usb://04B8:0E15", "usb://04b8:0e15"),
        ("usb://416:5011", "usb://0416:5011"),
        ("serial:///dev/ttyS0?baudrate=9600", "serial:///dev/ttyS0?baudrate=9600"),
        ("serial:///dev/ttyUSB0", "serial:///dev/ttyUSB0?baudrate=9600"),
        ("file:///dev/usb/lp0", "file:///dev/usb/lp0"),
        ("cups://may-in-ve_1", "cups://may-in-ve_1"),
        ("none", None),
        ("  NONE ", None),
        ("", None),
        (None, None),
    ],
)
def test_printer_addresses_are_stored_one_way(typed, stored):
    assert normalise_printer_url(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "192.168.1.50:9100",
        "tcp://192.168.1.50",
        "tcp://192.168.1.300:9100",
        "tcp://192.168.1.50:0",
        "tcp://192.168.1.50:70000",
        "tcp://bad_host!:9100",
        "tcp://[zz::1]:9100",
        "usb://04b8",
        "usb://04b8:0e15x",
        "usb://12345:0001",
        "serial://ttyS0?baudrate=9600",
        "serial:///dev/ttyS0?baudrate=12345",
        "serial:///dev/../etc/passwd",
        "file:///tmp/printer",
        "file:///dev/usb/../../etc/shadow",
        "cups://",
        "cups://máy in",
        "http://192.168.1.50",
        "lp0",
    ],
)
def test_bad_printer_addresses_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        normalise_printer_url(typed)
    assert refused.value.details["field"] == "printer_url"


def test_printer_messages_in_both_languages(app):
    with pytest.raises(InvalidInput) as refused:
        normalise_printer_url("serial:///dev/ttyS0?baudrate=12345")
    messages = refused.value.messages()
    assert messages["vi"].startswith("Tốc độ 12345 không hợp lệ; chọn một trong: 1200, 2400")
    assert messages["en"].startswith("Speed 12345 is not valid; choose one of: 1200, 2400")
