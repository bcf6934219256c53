"""Reports per agency and for the centre: the same imported history split over two agencies
gives each agency's table and the centre's total exactly, from the command line and from the
statistics page; `dossiers import` asks for `agency_code` once the centre has two agencies."""

import io
import json
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import local_time
from core.clock import local_zone
from core.reports.periods import custom_period
from core.reports.reform import ReportFilter, reform_report
from extensions import db
from tests.test_dossier_import import HEADER

DESK = "000.17.22.H56"  # the demo desk's agency, the first
POLICE = "000.00.07.H56"
POLICE_NAME = "Công an tỉnh"
PERIOD = (date(2026, 3, 2), date(2026, 3, 13))
PROCEDURES = {"GPLX-DOI": "Đường bộ - Người lái", "XQK": "Kết cấu hạ tầng giao thông"}
CHANNELS = ("direct", "online", "post")
KEYS = (
    "received_online",
    "received_direct",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_on_time",
    "pending_overdue",
    "withdrawn",
    "stopped",
)


def history_rows(seed: int = 15) -> list[dict]:
    """Dossiers received from mid-February to the period's end, some resolved (early, on
    the due day, late), some open, some withdrawn or stopped, split over the two agencies."""
    chance = random.Random(seed)
    rows, numbers = [], defaultdict(int)
    for index in range(160):
        agency = DESK if index % 3 else POLICE
        received = local_time(2026, 2, 16, 8) + timedelta(
            days=chance.randrange(0, 26), minutes=chance.randrange(0, 8 * 60)
        )
        due = received + timedelta(days=chance.choice((2, 4, 7)), hours=chance.randrange(0, 8))
        fate = chance.choice(("early", "on_time", "late", "open", "open", "withdrawn", "stopped"))
        resolved = left = None
        if fate == "early":
            resolved = due - timedelta(days=1, hours=chance.randrange(0, 5))
        elif fate == "on_time":
            resolved = due - timedelta(minutes=chance.randrange(1, 60))
        elif fate == "late":
            resolved = due + timedelta(hours=chance.randrange(1, 90))
        elif fate in ("withdrawn", "stopped"):
            left = received + timedelta(hours=chance.randrange(1, 200))
        if resolved is not None and resolved < received:
            resolved = received + timedelta(minutes=30)
        status = {"withdrawn": "withdrawn", "stopped": "stopped", "open": "processing"}.get(
            fate, "resolved"
        )
        day = received.astimezone(local_zone())
        numbers[(agency, day.date())] += 1
        rows.append(
            {
                "code": f"{agency}-{day:%y%m%d}-{numbers[(agency, day.date())]:04d}",
                "procedure_code": chance.choice(sorted(PROCEDURES)),
                "applicant_name": f"Nguyễn Văn {index}",
                "channel": chance.choice(CHANNELS),
                "received_at": received,
                "due_at": due,
                "resolved_at": resolved,
                "status": status,
                "withdrawn_at": left if fate == "withdrawn" else None,
                "stopped_at": left if fate == "stopped" else None,
                "agency_code": agency,
            }
        )
    return rows


def expected(rows: list[dict]) -> dict:
    """Each cell by the rules (core.reports.reform), counted in Python: per field, total."""
    zone = local_zone()
    start = datetime.combine(PERIOD[0], datetime.min.time(), zone)
    end = datetime.combine(PERIOD[1] + timedelta(days=1), datetime.min.time(), zone)
    by_field: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    for row in rows:
        if row["received_at"] >= end:
            continue
        counts = by_field[PROCEDURES[row["procedure_code"]]]
        left = row["withdrawn_at"] or row["stopped_at"]
        resolved = row["resolved_at"]
        if left is not None and left < end:
            if row["received_at"] >= start or left >= start:
                counts["withdrawn" if row["withdrawn_at"] else "stopped"] += 1
            continue
        if resolved is not None and resolved < start:
            continue
        if row["received_at"] < start:
            counts["carried_over"] += 1
        elif row["channel"] == "online":
            counts["received_online"] += 1
        else:
            counts["received_direct"] += 1
        due = row["due_at"]
        if resolved is not None and resolved < end:
            if resolved > due:
                counts["resolved_late"] += 1
            elif resolved.astimezone(zone).date() < due.astimezone(zone).date():
                counts["resolved_early"] += 1
            else:
                counts["resolved_on_time"] += 1
        elif due < end:
            counts["pending_overdue"] += 1
        else:
            counts["pending_on_time"] += 1
    by_field = {name: counts for name, counts in by_field.items() if any(counts.values())}
    total = {key: sum(counts[key] for counts in by_field.values()) for key in KEYS}
    return {"rows": by_field, "total": total}


def write_history(tmp_path, rows: list[dict], with_agency: bool = True):
    columns = HEADER.split(",") + ["withdrawn_at", "stopped_at"]
    columns += ["agency_code"] if with_agency else []

    def cell(value) -> str:
        return value.isoformat() if isinstance(value, datetime) else (value or "")

    lines = [",".join(columns)]
    lines += [",".join(cell(row.get(column)) for column in columns) for row in rows]
    path = tmp_path / "so-cu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cells(figures: dict) -> dict:
    return {key: figures[key] for key in KEYS}


def table_of(figures: dict) -> dict:
    return {
        "rows": {row["field"]: cells(row) for row in figures["rows"]},
        "total": cells(figures["total"]),
    }


@pytest.fixture
def centre(demo, runner, tmp_path):
    """The demo desk and the provincial police, with the history imported across both."""
    added = runner.invoke(args=["agencies", "add", POLICE, POLICE_NAME])
    assert added.exit_code == 0, added.output
    rows = history_rows()
    imported = runner.invoke(args=["dossiers", "import", str(write_history(tmp_path, rows))])
    assert imported.exit_code == 0, imported.output
    assert f"Đã nhập {len(rows)} hồ sơ" in imported.output
    with time_machine.travel(local_time(2026, 4, 1, 9), tick=False):
        yield rows


def tthc(runner, *options: str) -> dict:
    first, last = (day.isoformat() for day in PERIOD)
    result = runner.invoke(args=["report", "tthc", "--from", first, "--to", last, *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_agency_and_the_centre_from_the_command_line(centre, runner, tmp_path):
    rows = centre
    desk_rows = [row for row in rows if row["agency_code"] == DESK]
    police_rows = [row for row in rows if row["agency_code"] == POLICE]
    assert len(desk_rows) > 80 and len(police_rows) > 40

    whole = tthc(runner)
    assert "agency" not in whole and table_of(whole) == expected(rows)
    assert all(whole["total"][key] for key in KEYS)  # every kind of cell is exercised
    desk = tthc(runner, "--agency", DESK)
    assert desk["agency"]["code"] == DESK
    assert table_of(desk) == expected(desk_rows)
    police = tthc(runner, "--agency", POLICE.lower())  # codes are forgiven their case
    assert police["agency"] == {"code": POLICE, "name": POLICE_NAME}
    assert table_of(police) == expected(police_rows)
    # Every cell of the centre is the sum of the agencies'.
    for key in KEYS:
        assert whole["total"][key] == desk["total"][key] + police["total"][key]

    by_agency = tthc(runner, "--by", "agency")
    assert [(row["agency"], row["name"]) for row in by_agency["rows"]] == [
        (POLICE, POLICE_NAME),
        (DESK, desk["agency"]["name"]),
    ]
    assert "field" not in by_agency["rows"][0]
    assert cells(by_agency["rows"][0]) == expected(police_rows)["total"]
    assert cells(by_agency["rows"][1]) == expected(desk_rows)["total"]
    assert by_agency["total"] == whole["total"]  # the same JSON keys for the counts
    police_by_agency = tthc(runner, "--agency", POLICE, "--by", "agency")
    assert [row["agency"] for row in police_by_agency["rows"]] == [POLICE]
    workbook_path = tmp_path / "police.xlsx"
    written = runner.invoke(
        args=[
            "report",
            "tthc",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-13",
            "--agency",
            POLICE,
            "--format",
            "xlsx",
            "--output",
            str(workbook_path),
        ]
    )
    assert written.exit_code == 0, written.output
    sheet = load_workbook(workbook_path).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert any(f"Cơ quan: {POLICE_NAME} ({POLICE})" in str(value) for value in values)
    assert police["total"]["received_total"] in values
    unknown = runner.invoke(
        args=["report", "tthc", "--from", "2026-03-02", "--to", "2026-03-13", "--agency", "X.1"]
    )
    assert unknown.exit_code == 1 and "Không có cơ quan mã “X.1”." in unknown.output


def test_the_summaries_and_the_raw_rows_agree_per_agency(centre):
    period = custom_period(*PERIOD)
    police = db.session.execute(
        db.text("SELECT id FROM agency WHERE code = :code"), {"code": POLICE}
    ).scalar_one()
    for filters, by in (
        (ReportFilter(agency_id=police), "field"),
        (ReportFilter(), "agency"),
        (ReportFilter(agency_id=police, field=PROCEDURES["XQK"]), "agency"),
    ):
        summed = reform_report(period, filters, by=by).as_json()
        raw = reform_report(period, filters, by=by, summaries=False).as_json()
        assert summed == raw


def test_the_statistics_page_offers_the_same_choices(centre, client, auth, runner):
    auth.login("lanhdao")
    first, last = (day.isoformat() for day in PERIOD)
    period = {"from": first, "to": last}
    police = client.get("/dashboard/report.json", query_string={**period, "agency": POLICE})
    assert police.status_code == 200
    assert police.json == tthc(runner, "--agency", POLICE)
    by_agency = client.get("/dashboard/report.json", query_string={**period, "by": "agency"})
    assert by_agency.json == tthc(runner, "--by", "agency")

    page = client.get("/dashboard/stats", query_string={**period, "by": "agency"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{POLICE_NAME} ({POLICE})" in text and 'name="agency"' in text
    assert '<option value="agency" selected' in text

    query = {**period, "agency": POLICE}
    exported = client.get("/dashboard/stats.xlsx", query_string=query)
    workbook = load_workbook(io.BytesIO(exported.data))
    sheet = workbook.worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert any(f"Cơ quan: {POLICE_NAME} ({POLICE})" in str(value) for value in values)
    total = police.json["total"]["received_total"]
    assert total in values

    from docx import Document

    document = Document(
        io.BytesIO(
            client.get("/dashboard/report.docx", query_string={**period, "by": "agency"}).data
        )
    )
    paragraphs = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Toàn trung tâm, theo cơ quan" in paragraphs
    table = next(table for table in document.tables if "Cơ quan" in table.rows[0].cells[1].text)
    names = [row.cells[1].text for row in table.rows]
    assert f"{POLICE_NAME} ({POLICE})" in names

    unknown = client.get("/dashboard/stats", query_string={**period, "agency": "000.00.99.H99"})
    assert unknown.status_code == 200
    assert "Không có cơ quan mã" in unknown.get_data(as_text=True)


def test_import_needs_the_agency_once_the_centre_has_two(demo, runner, tmp_path):
    rows = history_rows()[:6]
    assert runner.invoke(args=["agencies", "add", POLICE, POLICE_NAME]).exit_code == 0
    result = runner.invoke(
        args=["dossiers", "import", str(write_history(tmp_path, rows, with_agency=False))]
    )
    assert result.exit_code == 1
    assert "Dòng 2: thiếu agency_code" in result.output
    assert "6 dòng lỗi, chưa nhập hồ sơ nào" in result.output

    rows[0]["agency_code"] = "000.00.99.H99"
    narrowed = runner.invoke(
        args=["agencies", "add", "000.00.08.H56", "Sở Xây dựng", "--procedures", "XQK"]
    )
    assert narrowed.exit_code == 0, narrowed.output
    rows[1] |= {"agency_code": "000.00.08.H56", "procedure_code": "GPLX-DOI"}
    result = runner.invoke(args=["dossiers", "import", str(write_history(tmp_path, rows))])
    assert result.exit_code == 1
    assert "Dòng 2: không có cơ quan mã “000.00.99.H99”" in result.output
    assert "Dòng 3: cơ quan “000.00.08.H56” không giải quyết thủ tục “GPLX-DOI”" in result.output
    assert "Dòng 4:" not in result.output
    assert db.session.execute(db.text("SELECT COUNT(*) FROM dossier")).scalar() == 0


def test_a_single_agency_desk_imports_without_the_column(demo, runner, tmp_path):
    rows = history_rows()[:5]
    path = write_history(tmp_path, rows, with_agency=False)
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 0, result.output
    agencies = db.session.execute(db.text("SELECT DISTINCT agency_id FROM dossier")).all()
    assert len(agencies) == 1
