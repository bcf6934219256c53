"""Stopping a dossier (form 05), the refusal after review (form 03), the apology letter
(form 04: its 2025 title, its own number, its one-working-day limit) and the form sets of
each legal basis; stopped dossiers in the report and in the import."""

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import count, local_time, pdf_text
from core.agencies.registry import AgencyFields, create_agency, find_agency
from core.audit import ACTIONS
from core.dossiers.calendar import WorkCalendar
from core.dossiers.errors import DossierRuleBroken, IllegalTransition
from core.dossiers.settings import dossier_settings
from core.dossiers.states import Action, Move, move
from core.errors import InvalidInput
from core.models import (
    AuditEvent,
    ClosedReportPeriod,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierStatus,
    ReportDay,
)
from core.reports.closing import close_period, read_report
from core.reports.periods import custom_period
from core.reports.reform import reform_report
from core.reports.tables import OFFICIAL_KEYS, official_table
from extensions import db
from tests import factories
from tests.reform_history import (
    DRIVERS,
    EXPECTED,
    PERIOD,
    ROADS,
    TRANSPORT,
    asked_to_supplement,
    at,
    build_history,
    counts,
    received,
    taken_up,
)

REPORT_PERIOD = custom_period(date(2026, 3, 2), date(2026, 3, 13))
TITLE_2025 = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"


@pytest.fixture
def auth(auth, app, demo):
    """Staff of the demo desk; the forms here are posted without their CSRF token (the
    token is proven in test_route_walk)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


def printed(client, url: str) -> str:
    """The text of the printed form at `url`."""
    response = client.get(url)
    assert response.status_code == 200
    return pdf_text(response.data)


def step(dossier, action, moment, **details):
    with time_machine.travel(moment, tick=False):
        event = move(dossier, action, user=factories.user(), details=Move(**details))
        db.session.commit()
    return event


def dossier_in(state: DossierStatus) -> Dossier:
    """A GPLX-DOI dossier received on Monday 2/3/2026 at 9:00 (due 9/3 17:00), in `state`."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
    path = {
        DossierStatus.RECEIVED: [],
        DossierStatus.TRANSFERRED: [Action.TRANSFER],
        DossierStatus.PROCESSING: [Action.TRANSFER, Action.START],
        DossierStatus.SUPPLEMENT: [Action.TRANSFER, Action.REQUEST_SUPPLEMENT],
    }[state]
    for action in path:
        if action is Action.REQUEST_SUPPLEMENT:
            asked_to_supplement(dossier, local_time(2026, 3, 2, 10, 0), "Giấy khám sức khỏe")
            db.session.commit()
        else:
            step(dossier, action, local_time(2026, 3, 2, 10, 0))
    assert dossier.status == state
    return dossier


# --- The stop and form 05 -----------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        DossierStatus.RECEIVED,
        DossierStatus.TRANSFERRED,
        DossierStatus.PROCESSING,
        DossierStatus.SUPPLEMENT,
    ],
)
def test_a_dossier_is_stopped_from_each_open_state_with_its_notice(demo, auth, client, state):
    auth.login()
    dossier = dossier_in(state)
    assert client.get(f"/dossiers/{dossier.code}/print/stop").status_code == 404
    with pytest.raises(InvalidInput):  # no reason
        step(dossier, Action.STOP, local_time(2026, 3, 4, 9, 0))
    db.session.rollback()
    assert dossier.status == state and dossier.stopped_at is None
    with time_machine.travel(local_time(2026, 3, 4, 9, 30), tick=False):
        response = client.post(
            f"/dossiers/{dossier.code}/move",
            data={"action": "stop", "note": "Cơ quan có thẩm quyền đang thanh tra vụ việc"},
        )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == DossierStatus.STOPPED
    assert dossier.stopped_at == local_time(2026, 3, 4, 9, 30)
    audit = db.session.execute(
        db.select(AuditEvent).filter_by(action="dossier.stop", subject_id=dossier.id)
    ).scalar_one()
    assert audit.details["from_status"] == state.value and "dossier.stop" in ACTIONS
    page = client.get(f"/dossiers/{dossier.code}").get_data(as_text=True)
    assert f"/dossiers/{dossier.code}/print/stop" in page and "Đã dừng giải quyết" in page
    text = printed(client, f"/dossiers/{dossier.code}/print/stop.pdf")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 05 — Thông tư số 03/2025/TT-VPCP" in text
    assert dossier.code in text and dossier.procedure_name in text
    assert "Cơ quan có thẩm quyền đang thanh tra vụ việc" in text
    assert "09 giờ 00 phút, ngày 02 tháng 03 năm 2026" in text  # received
    assert f"Kính gửi: {dossier.applicant_name}" in text
    # Stopped is final.
    with pytest.raises(IllegalTransition):
        step(dossier, Action.RESOLVE, local_time(2026, 3, 5, 9, 0), note="Kết quả")
    db.session.rollback()
    listed = client.get("/dossiers/?status=stopped").get_data(as_text=True)
    assert dossier.code in listed
    lookup = client.get(factories.lookup_path(dossier.code)).get_data(as_text=True)
    assert "Đã dừng giải quyết" in lookup and "09:30 04/03/2026" in lookup


# --- Form 03 after review -------------------------------------------------------------


def test_a_refusal_after_review_prints_form_03(demo, auth, client):
    auth.login()
    dossier = dossier_in(DossierStatus.PROCESSING)
    assert client.get(f"/dossiers/{dossier.code}/print/refusal").status_code == 404
    step(
        dossier,
        Action.REFUSE,
        local_time(2026, 3, 5, 14, 0),
        note="Giấy phép lái xe bị tạm giữ theo quyết định xử phạt",
    )
    assert dossier.status == DossierStatus.REFUSED
    page = client.get(f"/dossiers/{dossier.code}").get_data(as_text=True)
    assert f"/dossiers/{dossier.code}/print/refusal" in page
    text = printed(client, f"/dossiers/{dossier.code}/print/refusal.pdf")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 03" in text and dossier.code in text
    assert dossier.applicant_name in text and dossier.applicant_phone in text
    assert f"Nội dung yêu cầu giải quyết: {dossier.procedure_name}" in text
    assert "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau" in text
    assert "Giấy phép lái xe bị tạm giữ theo quyết định xử phạt" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


# --- Form 04: its limit, its title, its number ------------------------------------------


CALENDAR = WorkCalendar.build(ZoneInfo("Asia/Ho_Chi_Minh"), days_off=[date(2026, 4, 30)])


@pytest.mark.parametrize(
    ("due", "deadline"),
    [
        # Due at the close of Monday: up to the close of the Friday before.
        (datetime(2026, 3, 9, 17, 0), datetime(2026, 3, 6, 17, 0)),
        # Due on a Tuesday morning (a period in hours): the close of Monday.
        (datetime(2026, 3, 10, 9, 30), datetime(2026, 3, 9, 17, 0)),
        # Due on Friday 1/5; Thursday 30/4 is a day off: the close of Wednesday 29/4.
        (datetime(2026, 5, 1, 17, 0), datetime(2026, 4, 29, 17, 0)),
    ],
)
def test_the_apology_deadline_is_the_close_of_the_working_day_before_the_due_day(due, deadline):
    zone = CALENDAR.zone
    assert CALENDAR.apology_deadline(due.replace(tzinfo=zone)) == deadline.replace(tzinfo=zone)


def test_an_apology_one_working_day_before_is_accepted_and_numbered(demo, auth, client):
    """Due Monday 9/3 17:00: the letter may go out until Friday 6/3 17:00, not a minute later."""
    auth.login()
    too_late, in_time = dossier_in(DossierStatus.PROCESSING), dossier_in(DossierStatus.PROCESSING)
    assert in_time.due_at == local_time(2026, 3, 9, 17, 0)
    step(
        in_time,
        Action.APOLOGISE,
        local_time(2026, 3, 6, 17, 0),
        note="Chờ kết quả xác minh của Công an tỉnh",
        new_due_at=local_time(2026, 3, 13, 16, 0),
    )
    assert in_time.apologised_at == local_time(2026, 3, 6, 17, 0)
    assert in_time.apology_number == 1 and in_time.register_number == 2
    # The receipt, printed again, keeps the due time it promised, not the apology's new date.
    receipt = printed(client, f"/dossiers/{in_time.code}/print/receipt.pdf")
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in receipt
    events = count(DossierEvent)
    with time_machine.travel(local_time(2026, 3, 6, 17, 1), tick=False):
        response = client.post(
            f"/dossiers/{too_late.code}/move",
            data={"action": "apologise", "note": "Muộn", "new_due": "2026-03-13T16:00"},
            follow_redirects=True,
        )
    assert "ít nhất một ngày làm việc" in response.get_data(as_text=True)
    db.session.refresh(too_late)
    assert too_late.apologised_at is None and too_late.apology_number is None
    assert too_late.due_at == local_time(2026, 3, 9, 17, 0) and too_late.original_due_at is None
    assert count(DossierEvent) == events
    assert count(AuditEvent, action="dossier.apologise") == 1
    assert (
        db.session.execute(
            db.select(DossierSequence.last_value).filter_by(scope="apology", period="2026")
        ).scalar_one()
        == 1
    )
    with pytest.raises(DossierRuleBroken) as error:
        step(
            too_late,
            Action.APOLOGISE,
            local_time(2026, 3, 6, 17, 1),
            note="Muộn",
            new_due_at=local_time(2026, 3, 13, 16, 0),
        )
    db.session.rollback()
    assert "17:00 06/03/2026" in error.value.messages()["vi"]
    assert client.get(f"/dossiers/{too_late.code}/print/apology").status_code == 404
    text = printed(client, f"/dossiers/{in_time.code}/print/apology.pdf")
    assert TITLE_2025 in text and "Mẫu số 04" in text
    assert "Số: 01/VBXL" in text  # its own series, not the register's entry 02
    assert "xin lỗi" in text and "gia hạn thời gian giải quyết" in text
    assert "Chờ kết quả xác minh của Công an tỉnh" in text
    assert "17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in text  # the original due time
    assert "16 giờ 00 phút, ngày 13 tháng 03 năm 2026" in text  # the new one


# --- Form sets per legal basis ------------------------------------------------------------


def test_the_forms_follow_the_legal_basis_and_an_admins_changes(demo, auth, client):
    settings = dossier_settings()
    assert settings["legal_basis"] == "2025"  # a new install
    assert (settings["form_stop"], settings["form_control"], settings["form_register"]) == (
        "Mẫu số 05",
        "Mẫu số 06",
        "Mẫu số 07",
    )
    assert settings["form_apology_title"] == TITLE_2025
    auth.login("quantri")
    refused = client.post("/admin/dossier-settings", data={**settings, "legal_basis": "2019"})
    assert "không hợp lệ" in refused.get_data(as_text=True)
    assert dossier_settings() == settings
    # To 2018, renaming the receipt in the same submission: the rest follow the basis.
    chosen = {**settings, "legal_basis": "2018", "form_receipt_title": "GIẤY BIÊN NHẬN HỒ SƠ"}
    assert client.post("/admin/dossier-settings", data=chosen).status_code == 302
    of_2018 = dossier_settings()
    assert of_2018["form_basis"] == "Thông tư số 01/2018/TT-VPCP"
    assert (of_2018["form_stop"], of_2018["form_control"], of_2018["form_register"]) == (
        "",
        "Mẫu số 05",
        "Mẫu số 06",
    )
    assert of_2018["form_apology_title"] == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    assert of_2018["form_receipt_title"] == "GIẤY BIÊN NHẬN HỒ SƠ"
    # Under 2018 the stop notice prints without a form number; the letter has its old title.
    auth.login()
    dossier = dossier_in(DossierStatus.PROCESSING)
    step(dossier, Action.STOP, local_time(2026, 3, 3, 9, 0), note="Theo yêu cầu của tòa án")
    text = printed(client, f"/dossiers/{dossier.code}/print/stop.pdf")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Mẫu số" not in text
    assert "Thông tư số 01/2018/TT-VPCP" in text
    page = client.get(f"/dossiers/{dossier.code}/print/stop").get_data(as_text=True)
    assert "— Thông tư số 01/2018/TT-VPCP" not in page and "Thông tư số 01/2018" in page
    control = client.get(f"/dossiers/{dossier.code}/print/control").get_data(as_text=True)
    assert "Mẫu số 05 — Thông tư số 01/2018/TT-VPCP" in control
    # Back to 2025: every form not changed in that submission follows it again.
    auth.login("quantri")
    back = {**of_2018, "legal_basis": "2025"}
    assert client.post("/admin/dossier-settings", data=back).status_code == 302
    assert dossier_settings() == {**settings, "legal_basis": "2025"}


def test_an_existing_install_keeps_what_it_stored(demo):
    from core.models import DossierSetting

    db.session.add(DossierSetting(key="form_basis", value="Thông tư số 01/2018/TT-VPCP"))
    db.session.add(DossierSetting(key="form_control", value="Mẫu số 05"))
    db.session.commit()
    settings = dossier_settings()
    assert settings["form_basis"] == "Thông tư số 01/2018/TT-VPCP"
    assert settings["form_control"] == "Mẫu số 05" and settings["form_register"] == "Mẫu số 07"


# --- Stopped dossiers in the report ------------------------------------------------------


@pytest.fixture
def history_with_stops(demo):
    """The hand-built history plus four stops: one before the period (not counted), two
    within it (counted apart: one received in it, one carried over), one after it (pending
    at the cut-off, overdue: PH-KD received 10/3 is due 12/3)."""
    build_history()
    before = taken_up(received("GPLX-DOI", at(2, 24)), at(2, 24, 10))
    move(before, Action.STOP, details=Move(note="Dừng"), now=at(2, 27))
    within = taken_up(received("GPLX-DOI", at(3, 4)), at(3, 4, 10))
    move(within, Action.STOP, details=Move(note="Dừng"), now=at(3, 6))
    carried = taken_up(received("XQK", at(2, 26)), at(2, 26, 10))
    move(carried, Action.STOP, details=Move(note="Dừng"), now=at(3, 3))
    after = received("PH-KD", at(3, 10))
    move(after, Action.STOP, details=Move(note="Dừng"), now=at(3, 17))
    db.session.commit()


def expected_with_stops() -> dict:
    drivers, roads, transport = (row for row in EXPECTED["rows"])
    return {
        "from": PERIOD[0],
        "to": PERIOD[1],
        "rows": [
            {**drivers, "stopped": 1},
            {**roads, "stopped": 1},
            {"field": TRANSPORT, **counts(1, 2, 0, 0, 0, 0, 2, 1, withdrawn=1), "apologies": 0},
        ],
        "total": {**counts(2, 10, 4, 3, 3, 2, 4, 4, withdrawn=2, stopped=2), "apologies": 1},
    }


def test_stopped_dossiers_are_counted_apart_and_out_of_the_table(history_with_stops, runner):
    result = runner.invoke(args=["report", "tthc", "--from", PERIOD[0], "--to", PERIOD[1]])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [row["field"] for row in report["rows"]] == [DRIVERS, ROADS, TRANSPORT]
    assert {key: report[key] for key in ("from", "to", "rows", "total")} == expected_with_stops()
    # The same from the raw rows as from the day summaries; the identities hold.
    raw = reform_report(REPORT_PERIOD, summaries=False).as_json()
    assert raw == reform_report(REPORT_PERIOD).as_json()
    for row in [*report["rows"], report["total"]]:
        assert row["received_total"] == row["resolved_total"] + row["pending_total"]
        assert row["received_total"] == (
            row["received_online"] + row["received_direct"] + row["carried_over"]
        )
    # The next week: the one stopped on 17/3 is counted apart, not carried over.
    week = custom_period(date(2026, 3, 14), date(2026, 3, 20))
    next_week = reform_report(week).as_json()
    assert next_week == reform_report(week, summaries=False).as_json()
    assert next_week["total"]["stopped"] == 1 and next_week["total"]["withdrawn"] == 1
    assert next_week["total"]["carried_over"] == report["total"]["pending_total"] - 2


def test_a_late_stop_forgets_the_closed_received_day(history_with_stops):
    reform_report(REPORT_PERIOD)  # builds the closed days
    assert db.session.get(ReportDay, date(2026, 3, 9)) is not None
    open_since_the_9th = db.session.execute(
        db.select(Dossier).where(Dossier.received_at == at(3, 9))
    ).scalar_one()
    move(open_since_the_9th, Action.STOP, details=Move(note="Dừng"), now=at(3, 12))
    db.session.commit()
    assert db.session.get(ReportDay, date(2026, 3, 9)) is None  # the trigger watches stopped_at
    report = reform_report(REPORT_PERIOD).as_json()
    assert report == reform_report(REPORT_PERIOD, summaries=False).as_json()
    assert report["total"]["stopped"] == 3 and report["total"]["received_total"] == 15


def test_the_statistics_show_stopped_and_an_old_closed_period_still_displays(
    history_with_stops, runner, tmp_path
):
    assert OFFICIAL_KEYS[-1] == "stopped"
    table = official_table(reform_report(REPORT_PERIOD))
    assert table.headers[-1] == "Dừng giải quyết" and table.total[-1] == 2
    close_period(REPORT_PERIOD, None, now=local_time(2026, 3, 16, 10, 0))
    closing = db.session.execute(db.select(ClosedReportPeriod)).scalar_one()
    # Figures closed before stopped dossiers were counted have no such key.
    old = json.loads(json.dumps(closing.figures))
    for row in [*old["rows"], old["total"]]:
        del row["stopped"]
    closing.figures = old
    db.session.commit()
    reading = read_report(REPORT_PERIOD)
    assert not reading.live and reading.report.total.stopped == 0
    assert official_table(reading.report).total[-1] == 0
    live = read_report(REPORT_PERIOD, live=True)
    assert live.difference["total"]["stopped"] == 2
    path = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["report", "tthc", "--from", PERIOD[0], "--to", PERIOD[1]]
        + ["--format", "xlsx", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(path)["Kết quả giải quyết thủ tục hành"]
    assert sheet.cell(row=5, column=17).value == "Dừng giải quyết"
    assert sheet.cell(row=10, column=17).value == 0  # the total row, as closed


# --- Import -------------------------------------------------------------------------------


IMPORT_HEADER = (
    "code,procedure_code,applicant_name,channel,received_at,due_at,resolved_at,returned_at,"
    "status,stopped_at"
)
IMPORT_ROWS = [
    "000.17.22.H56-250303-0001,GPLX-DOI,Phạm Thị Hoa,direct,2025-03-03T09:10:00+07:00,"
    "2025-03-10T17:00:00+07:00,,,processing,",
    # Stopped: at its own time, and one whose old register did not say when.
    "000.17.22.H56-250304-0001,PH-KD,Ngô Văn Dừng,direct,2025-03-04T09:00:00+07:00,"
    "2025-03-06T17:00:00+07:00,,,stopped,2025-03-05T10:00:00+07:00",
    "000.17.22.H56-250304-0002,PH-KD,Đỗ Thị Ngưng,online,2025-03-04T10:00:00+07:00,"
    "2025-03-06T17:00:00+07:00,,,stopped,",
]


def write_import(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "so-cu.csv"
    path.write_text("\n".join([IMPORT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_imported_stopped_rows_leave_the_table_at_their_stop(demo, runner, tmp_path):
    wrong = [
        IMPORT_ROWS[0] + "2025-03-05T10:00:00+07:00",  # stopped_at on an open dossier
        IMPORT_ROWS[2].replace(",,,stopped,", ",2025-03-05T10:00:00+07:00,,stopped,"),
    ]
    refused = runner.invoke(args=["dossiers", "import", str(write_import(tmp_path, wrong))])
    assert refused.exit_code == 1
    assert "Dòng 2: stopped_at chỉ dùng cho trạng thái stopped" in refused.output
    assert "Dòng 3: trạng thái stopped không được có resolved_at / returned_at" in refused.output
    assert count(Dossier) == 0
    result = runner.invoke(args=["dossiers", "import", str(write_import(tmp_path, IMPORT_ROWS))])
    assert result.exit_code == 0, result.output
    stated, unstated = (
        db.session.execute(db.select(Dossier).filter_by(code=code)).scalar_one()
        for code in ("000.17.22.H56-250304-0001", "000.17.22.H56-250304-0002")
    )
    assert stated.status == DossierStatus.STOPPED
    assert stated.stopped_at.isoformat() == "2025-03-05T03:00:00+00:00"
    assert unstated.stopped_at == unstated.received_at
    report = runner.invoke(args=["report", "tthc", "--from", "2025-02-15", "--to", "2025-03-14"])
    total = json.loads(report.output)["total"]
    assert total["stopped"] == 2 and total["withdrawn"] == 0
    assert total["received_total"] == 1 == total["pending_total"]
    assert total["received_online"] == 0  # the online one was stopped


def test_the_apology_and_stop_letters_are_the_competent_agencys(auth, client, runner):
    """In a centre of several agencies the letters its head signs carry the competent
    agency's name and its governing body; the receipt stays the centre desk's."""
    factories.two_agency_centre(runner)
    police = find_agency(factories.POLICE)
    police.parent = create_agency(AgencyFields("000.00.00.G09", "Bộ Công an"), None, [])
    db.session.commit()
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        late = factories.dossier(agency=police)
        stopped = factories.dossier(agency=police)
    assert late.status == DossierStatus.TRANSFERRED  # handed to the police's first step
    step(
        late, Action.APOLOGISE, local_time(2026, 3, 5, 9, 0),
        note="Chờ kết quả xác minh", new_due_at=local_time(2026, 3, 13, 16, 0),
    )  # fmt: skip
    step(stopped, Action.STOP, local_time(2026, 3, 3, 9, 0), note="Người nộp đề nghị dừng")
    auth.login("canbo1")
    centre = dossier_settings()["agency_name"]
    assert centre != "Công an tỉnh"
    for dossier, form in ((late, "apology"), (stopped, "stop")):
        text = printed(client, f"/dossiers/{dossier.code}/print/{form}.pdf")
        assert "CÔNG AN TỈNH" in text and "Công an tỉnh tiếp nhận hồ sơ" in text
        assert "BỘ CÔNG AN" in text  # its governing body, not the province's committee
        assert centre not in text and centre.upper() not in text
    receipt = printed(client, f"/dossiers/{late.code}/print/receipt.pdf")
    assert centre.upper() in receipt and "CÔNG AN TỈNH" not in receipt
    assert "BỘ CÔNG AN" not in receipt
