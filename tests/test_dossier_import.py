"""Importing an earlier register: all rows or none, never twice."""

from pathlib import Path

from openpyxl import Workbook

from conftest import count
from core.models import Dossier, DossierStatus
from extensions import db
from tests import factories

HEADER = (
    "code,procedure_code,applicant_name,channel,received_at,due_at,resolved_at,returned_at,status"
)
GOOD_ROWS = [
    "000.17.22.H56-250303-0001,GPLX-DOI,Phạm Thị Hoa,direct,2025-03-03T09:10:00+07:00,"
    "2025-03-10T17:00:00+07:00,2025-03-07T10:00:00+07:00,2025-03-07T15:00:00+07:00,returned",
    "000.17.22.H56-250303-0002,XQK,Công ty TNHH Vận tải Minh Phát,online,2025-03-03T10:00:00+07:00,"
    "2025-03-05T17:00:00+07:00,2025-03-06T09:00:00+07:00,,refused",
    "000.17.22.H56-250304-0001,PH-KD,Lê Văn Tám,post,2025-03-04T08:00:00+07:00,"
    "2025-03-06T17:00:00+07:00,,,processing",
]


def write_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "so-cu.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_then_import_again_adds_nothing(demo, runner, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    first = runner.invoke(args=["dossiers", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "Đã nhập 3 hồ sơ" in first.output
    second = runner.invoke(args=["dossiers", "import", str(path)])
    assert second.exit_code == 0
    assert "Đã nhập 0 hồ sơ; 3 hồ sơ đã có" in second.output
    assert count(Dossier) == 3
    refused = db.session.execute(
        db.select(Dossier).filter_by(code="000.17.22.H56-250303-0002")
    ).scalar_one()
    assert refused.status == DossierStatus.REFUSED and refused.refused and refused.imported
    assert refused.field_name == "Kết cấu hạ tầng giao thông"
    numbers = (
        db.session.execute(db.select(Dossier.register_number).order_by(Dossier.received_at))
        .scalars()
        .all()
    )
    assert numbers == [1, 2, 3]


def test_a_new_dossier_continues_after_the_imported_day_numbers(demo, runner, tmp_path):
    import time_machine

    from conftest import local_time

    runner.invoke(args=["dossiers", "import", str(write_csv(tmp_path, GOOD_ROWS))])
    with time_machine.travel(local_time(2025, 3, 3, 14, 0), tick=False):
        dossier = factories.dossier()
    assert dossier.code == "000.17.22.H56-250303-0003"
    assert dossier.register_number == 4


def test_malformed_rows_are_reported_by_line_and_nothing_is_imported(demo, runner, tmp_path):
    rows = [
        GOOD_ROWS[0],
        "BAD CODE,GPLX-DOI,A B,direct,2025-03-03T09:00:00+07:00,"
        "2025-03-10T17:00:00+07:00,,,received",
        "000.17.22.H56-250303-0005,NOPE,Trần Văn B,fax,2025-03-03T09:00:00,"
        "2025-03-01T17:00:00+07:00,,,received",
        "000.17.22.H56-250303-0006,GPLX-DOI,Trần Văn C,direct,2025-03-03T09:00:00+07:00,"
        "2025-03-10T17:00:00+07:00,,,returned",
        GOOD_ROWS[0],
    ]
    result = runner.invoke(args=["dossiers", "import", str(write_csv(tmp_path, rows))])
    assert result.exit_code == 1
    output = result.output
    assert "Dòng 3: mã hồ sơ “BAD CODE” không đúng dạng" in output
    assert "Dòng 4:" in output and "NOPE" in output and "channel “fax”" in output
    assert "received_at “2025-03-03T09:00:00” không phải ngày giờ ISO 8601 có múi giờ" in output
    assert "Dòng 5:" in output and "returned cần resolved_at" in output
    assert "Dòng 6: mã hồ sơ trùng với dòng 2" in output
    assert "Dòng 2:" not in output
    assert "4 dòng lỗi, chưa nhập hồ sơ nào" in output
    assert count(Dossier) == 0


def test_missing_columns_are_named(demo, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code,status\nA-250303-0001,received\n", encoding="utf-8")
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 1
    assert "Thiếu cột: procedure_code" in result.output


def test_xlsx_with_spreadsheet_dates_in_local_time(demo, runner, tmp_path):
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "000.17.22.H56-250303-0001",
            "GPLX-DOI",
            "Phạm Thị Hoa",
            "direct",
            datetime(2025, 3, 3, 9, 10),
            "2025-03-10T17:00:00+07:00",
            None,
            None,
            "received",
        ]
    )
    path = tmp_path / "so-cu.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 0, result.output
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    assert dossier.received_at.isoformat() == "2025-03-03T02:10:00+00:00"


NUMBERED_HEADER = HEADER + ",register_number,transferred_at,withdrawn_at"
NUMBERED_ROWS = [
    GOOD_ROWS[0] + ",41,2025-03-03T14:00:00+07:00,",
    GOOD_ROWS[1] + ",42,,",
    GOOD_ROWS[2] + ",45,2025-03-04T09:00:00+07:00,",
    # Withdrawn: at its own time, and one whose old register did not say when.
    "000.17.22.H56-250304-0002,PH-KD,Ngô Văn Rút,direct,2025-03-04T09:00:00+07:00,"
    "2025-03-06T17:00:00+07:00,,,withdrawn,46,,2025-03-05T10:00:00+07:00",
    "000.17.22.H56-250304-0003,PH-KD,Đỗ Thị Thôi,direct,2025-03-04T10:00:00+07:00,"
    "2025-03-06T17:00:00+07:00,,,withdrawn,47,,",
]


def write_numbered(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "so-cu-co-so-thu-tu.csv"
    path.write_text("\n".join([NUMBERED_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def by_code(code: str) -> Dossier:
    return db.session.execute(db.select(Dossier).filter_by(code=code)).scalar_one()


def test_the_old_registers_numbers_and_times_are_kept(demo, runner, tmp_path):
    import time_machine

    from conftest import local_time

    result = runner.invoke(
        args=["dossiers", "import", str(write_numbered(tmp_path, NUMBERED_ROWS))]
    )
    assert result.exit_code == 0, result.output
    numbers = db.session.execute(
        db.select(Dossier.code, Dossier.register_number).order_by(Dossier.register_number)
    ).all()
    assert [number for _, number in numbers] == [41, 42, 45, 46, 47]
    assert by_code("000.17.22.H56-250303-0001").transferred_at.isoformat() == (
        "2025-03-03T07:00:00+00:00"
    )
    stated = by_code("000.17.22.H56-250304-0002")
    assert stated.withdrawn_at.isoformat() == "2025-03-05T03:00:00+00:00"
    unstated = by_code("000.17.22.H56-250304-0003")
    assert unstated.withdrawn_at == unstated.received_at
    # The desk's next entry of that year comes after the old register's last one.
    with time_machine.travel(local_time(2025, 3, 6, 9, 0), tick=False):
        assert factories.dossier().register_number == 48


def test_imported_withdrawn_dossiers_stay_out_of_the_table(demo, runner, tmp_path):
    import json

    runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, NUMBERED_ROWS))])
    result = runner.invoke(args=["report", "tthc", "--from", "2025-02-15", "--to", "2025-03-14"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert total["received_total"] == 3 and total["withdrawn"] == 2
    assert total["pending_total"] == 1  # the dossier in processing, not the withdrawn two
    assert total["received_total"] == total["resolved_total"] + total["pending_total"]


def test_register_numbers_are_all_or_none_unique_and_free(demo, runner, tmp_path):
    mixed = [NUMBERED_ROWS[0], GOOD_ROWS[1] + ",,,"]
    refused = runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, mixed))])
    assert refused.exit_code == 1
    assert "Dòng 3: thiếu register_number" in refused.output
    twice = [NUMBERED_ROWS[0], NUMBERED_ROWS[1].replace(",42,", ",41,")]
    refused = runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, twice))])
    assert "Dòng 3: số thứ tự trong sổ trùng với dòng 2" in refused.output
    bad = [NUMBERED_ROWS[0].replace(",41,", ",bốn mốt,")]
    refused = runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, bad))])
    assert "register_number “bốn mốt” phải là số thứ tự dương" in refused.output
    wrong_time = [NUMBERED_ROWS[0].replace("2025-03-03T14:00", "2025-03-02T14:00")]
    refused = runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, wrong_time))])
    assert "transferred_at trước received_at" in refused.output
    assert count(Dossier) == 0
    # An entry the database already holds for that year is refused too.
    runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, NUMBERED_ROWS[:1]))])
    clash = [NUMBERED_ROWS[1].replace(",42,", ",41,")]
    refused = runner.invoke(args=["dossiers", "import", str(write_numbered(tmp_path, clash))])
    assert refused.exit_code == 1 and "số thứ tự 41 năm 2025 đã có trong sổ" in refused.output
    assert count(Dossier) == 1
