"""The administrative reform report: periods, the official table, its CLI and exports."""

import json
from datetime import date, timedelta

import pytest

from conftest import local_time
from core.errors import InvalidInput
from core.reports.periods import (
    PeriodKind,
    current_period,
    custom_period,
    half_year_period,
    month_period,
    nine_months_period,
    parse_period_key,
    presets,
    quarter_period,
    second_half_year_period,
    year_period,
)
from core.reports.reform import ReportFilter, reform_report
from tests.reform_history import DRIVERS, EXPECTED, PERIOD, build_history


@pytest.fixture
def history(demo):
    build_history()


def test_report_periods_run_from_the_15th_to_the_14th():
    assert month_period(2026, 1) == month_period(2026, 1)
    assert (month_period(2026, 1).start, month_period(2026, 1).end) == (
        date(2025, 12, 15),
        date(2026, 1, 14),
    )
    assert (quarter_period(2026, 2).start, quarter_period(2026, 2).end) == (
        date(2026, 3, 15),
        date(2026, 6, 14),
    )
    assert (half_year_period(2026).start, half_year_period(2026).end) == (
        date(2025, 12, 15),
        date(2026, 6, 14),
    )
    assert nine_months_period(2026).end == date(2026, 9, 14)
    second_half = second_half_year_period(2026)
    assert (second_half.start, second_half.end) == (date(2026, 6, 15), date(2026, 12, 14))
    assert second_half.title_vi() == "6 tháng cuối năm 2026"
    assert half_year_period(2026).end + timedelta(days=1) == second_half.start
    assert second_half.end == year_period(2026).end
    assert parse_period_key("half2-2026") == second_half
    assert current_period(PeriodKind.SECOND_HALF_YEAR, date(2026, 6, 15)) == second_half
    assert (year_period(2026).start, year_period(2026).end) == (
        date(2025, 12, 15),
        date(2026, 12, 14),
    )
    # The 15th opens the next report month (and 15 December the next report year).
    assert current_period(PeriodKind.MONTH, date(2026, 3, 15)) == month_period(2026, 4)
    assert current_period(PeriodKind.YEAR, date(2026, 12, 15)) == year_period(2027)
    assert current_period(PeriodKind.QUARTER, date(2026, 3, 14)) == quarter_period(2026, 1)
    assert parse_period_key("quarter-2026-2") == quarter_period(2026, 2)
    assert parse_period_key("custom-2026-03-02-2026-03-13").days == 12
    for bad in ("quarter-2026-5", "month-x", "custom-2026-03-13-2026-03-02", ""):
        with pytest.raises(InvalidInput):
            parse_period_key(bad)
    with pytest.raises(InvalidInput):
        custom_period(date(2020, 1, 1), date(2026, 1, 1))


def test_the_presets_offer_both_half_years():
    """Before 15 June the second half offered is last year's (the one to report on); from
    15 June, this year's."""
    in_march = {key: period for key, _, period in presets(date(2026, 3, 20))}
    assert in_march["half-2026"] == half_year_period(2026)
    assert (in_march["half2-2025"].start, in_march["half2-2025"].end) == (
        date(2025, 6, 15),
        date(2025, 12, 14),
    )
    in_july = {key: label for key, label, _ in presets(date(2026, 7, 1))}
    assert in_july["half2-2026"] == "6 tháng cuối năm 2026"
    assert in_july["half-2026"] == "6 tháng đầu năm 2026" and "nine-2026" in in_july
    on_the_cut_off = {key for key, _, _ in presets(date(2026, 6, 15))}
    assert "half2-2026" in on_the_cut_off and "half2-2025" not in on_the_cut_off


def test_the_cli_json_matches_the_hand_built_history_cell_by_cell(history, runner):
    result = runner.invoke(
        args=["report", "tthc", "--from", PERIOD[0], "--to", PERIOD[1], "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == {**EXPECTED, "closed_at": None, "closed_by": None, "live": True}
    total = report["total"]
    assert total["received_total"] == total["resolved_total"] + total["pending_total"]
    assert total["on_time_rate"] == 75.0


def test_the_evaluation_rate_divides_the_timely_by_the_received(history, runner):
    """(early + on time) ÷ received, the yearly assessment's rate, beside the on-time rate
    (÷ resolved): drivers 5 of 10, roads 1 of 3, transport none of 2; 6 of 15 in total."""
    result = runner.invoke(args=["report", "tthc", "--from", PERIOD[0], "--to", PERIOD[1]])
    report = json.loads(result.stdout)
    assert [row["evaluation_rate"] for row in report["rows"]] == [50.0, 33.3, 0.0]
    assert [row["on_time_rate"] for row in report["rows"]] == [71.4, 100.0, None]
    assert report["total"]["evaluation_rate"] == 40.0 and report["total"]["on_time_rate"] == 75.0
    nothing = reform_report(custom_period(date(2026, 1, 5), date(2026, 1, 9)))
    assert nothing.total.evaluation_rate is None and "evaluation_rate" in nothing.as_json()["total"]


def test_filters_and_a_later_period_carry_the_open_dossiers_over(history):
    only_drivers = reform_report(
        custom_period(date(2026, 3, 2), date(2026, 3, 13)), ReportFilter(field=DRIVERS)
    ).as_json()
    assert only_drivers["rows"] == EXPECTED["rows"][:1]
    # The next week: everything open at the cut-off is carried over, nothing new but 16/3.
    next_week = reform_report(custom_period(date(2026, 3, 14), date(2026, 3, 20))).as_json()
    # (less the PH-KD dossier withdrawn on 16/3: counted apart, not carried)
    assert next_week["total"]["carried_over"] == EXPECTED["total"]["pending_total"] - 1
    assert next_week["total"]["received_direct"] == 1
    # 16/3: XQK resolved late, PH-KD withdrawn (out of the table).
    assert next_week["total"]["resolved_late"] == 1
    assert next_week["total"]["withdrawn"] == 1
    # A period not yet over judges its pending dossiers now: on 11/3 at noon only the
    # dossier due on 4/3 is overdue (those due on 12/3 are not yet).
    running = reform_report(
        custom_period(date(2026, 3, 2), date(2026, 3, 13)), now=local_time(2026, 3, 11, 12, 0)
    ).as_json()
    assert running["total"]["pending_overdue"] == 1
    assert running["total"]["pending_total"] == EXPECTED["total"]["pending_total"]


def test_bad_dates_are_refused_clearly(runner, app):
    result = runner.invoke(args=["report", "tthc", "--from", "2026-13-01", "--to", "2026-03-13"])
    assert result.exit_code != 0
    assert "không hợp lệ" in result.output
    result = runner.invoke(args=["report", "tthc", "--from", "2026-03-13", "--to", "2026-03-01"])
    assert "Ngày kết thúc phải sau" in result.output


def test_xlsx_and_docx_open_and_hold_the_table(history, runner, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    xlsx, docx = tmp_path / "report.xlsx", tmp_path / "report.docx"
    for path, kind in ((xlsx, "xlsx"), (docx, "docx")):
        result = runner.invoke(
            args=["report", "tthc", "--from", PERIOD[0], "--to", PERIOD[1]]
            + ["--format", kind, "--output", str(path)]
        )
        assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx)["Kết quả giải quyết thủ tục hành"]
    assert "02/03/2026" in sheet["A2"].value and "13/03/2026" in sheet["A2"].value
    assert sheet["C4"].value == "Số hồ sơ nhận giải quyết" and sheet["M6"].value == "(13)"
    # The columns beside the form are grouped apart and not numbered as if on the form.
    assert sheet["N4"].value == "Ngoài biểu mẫu"
    assert [sheet.cell(row=5, column=column).value for column in (14, 15, 16, 17)] == [
        "Tỷ lệ đúng hạn trên số đã giải quyết (%)",
        "Tỷ lệ đúng hạn trên số tiếp nhận (%)",
        "Rút hồ sơ",
        "Dừng giải quyết",
    ]
    assert all(sheet.cell(row=6, column=column).value in (None, "") for column in (14, 15, 16, 17))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=7, max_row=10)]
    assert rows[0][:13] == [1, DRIVERS, 10, 1, 5, 4, 7, 2, 3, 2, 3, 1, 2]
    assert rows[3][1] == "Tổng cộng" and rows[3][2:13] == [15, 2, 9, 4, 8, 3, 3, 2, 7, 4, 3]
    assert rows[3][13] == 0.75 and sheet.cell(row=10, column=14).number_format == "0.0%"
    # the evaluation rate, the withdrawn, the stopped
    assert rows[3][14] == 0.4 and rows[3][15] == 2 and rows[3][16] == 0
    document = Document(docx)
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "tiếp nhận 15 hồ sơ thủ tục hành chính" in text
    assert "tỷ lệ giải quyết đúng hạn (trước hạn và đúng hạn) đạt 75,0%" in text
    assert "1 phiếu xin lỗi" in text
    official = document.tables[1]  # after the official heading (tests/test_official_heading.py)
    assert official.cell(0, 2).text == "Số hồ sơ nhận giải quyết"
    assert official.cell(0, 13).text == "Ngoài biểu mẫu"
    numbers = [cell.text for cell in official.rows[2].cells]
    assert numbers[12] == "(13)" and numbers[13:] == ["", "", "", ""]
    assert [cell.text for cell in official.rows[-1].cells][1:13] == [
        "Tổng cộng",
        "15",
        "2",
        "9",
        "4",
        "8",
        "3",
        "3",
        "2",
        "7",
        "4",
        "3",
    ]
