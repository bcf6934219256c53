"""Supplement requests during processing: form 02, the 3-working-day limit, the due time,
a manager's confirmation, the new receipt, and the due time the report and the control
slip judge against.

GPLX-DOI takes 5 working days: received Monday 2/3/2026 09:00, it is due Monday 9/3 17:00,
and a supplement may be asked for in time until Thursday 5/3 17:00 (the close of the 3rd
working day after the day of receipt)."""

from datetime import date

import pytest
import time_machine

from conftest import count, local_time, pdf_text
from core.clock import to_local
from core.dossiers.links import printed_check_part
from core.dossiers.states import Action, Move, move
from core.models import (
    AuditEvent,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierStatus,
    DossierSupplementRequest,
)
from core.reports.periods import custom_period
from core.reports.reform import reform_report
from extensions import db
from tests import factories
from tests.reform_history import DRIVERS

REQUEST = {
    "items": "Giấy khám sức khỏe còn hạn\nẢnh chân dung 3x4 nền trắng",
    "reason": "Giấy khám sức khỏe đã hết hạn sử dụng",
    "contact": "Phòng Quản lý phương tiện, điện thoại 024 3856 1234",
}


@pytest.fixture
def auth(auth, app, demo):
    """The forms are posted without their CSRF token (proven in test_route_walk)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


def in_processing() -> str:
    """A GPLX-DOI dossier received on Monday 2/3 09:00 and taken up by its unit."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(dossier, Action.TRANSFER, user=factories.user())
        move(dossier, Action.START, user=factories.user())
        db.session.commit()
        return dossier.code


def the_dossier(code: str) -> Dossier:
    db.session.expire_all()
    return db.session.execute(db.select(Dossier).filter_by(code=code)).scalar_one()


def iso(moment) -> str:
    return to_local(moment).isoformat()


def ask(client, code: str, **changes):
    return client.post(f"/dossiers/{code}/supplements", data={**REQUEST, **changes})


def come_back(client, code: str):
    return client.post(f"/dossiers/{code}/move", data={"action": "supplement_received"})


def report_row(first: date, last: date) -> dict:
    """The drivers' row of the official table, through the summaries, checked against
    the same figures counted from the raw rows."""
    period = custom_period(first, last)
    report = reform_report(period).as_json()
    assert report == reform_report(period, summaries=False).as_json()
    (row,) = [row for row in report["rows"] if row["field"] == DRIVERS]
    return row


def test_a_request_in_time_prints_form_02_and_a_new_receipt_when_the_dossier_comes_back(
    auth, client
):
    code = in_processing()
    auth.login()
    with time_machine.travel(local_time(2026, 3, 4, 10, 0), tick=False):
        response = ask(client, code)
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page
        pdf = client.get(response.headers["Location"] + ".pdf")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Số: 01/2026/PBS" in text and code in text
    assert "1 Giấy khám sức khỏe còn hạn" in text
    assert "2 Ảnh chân dung 3x4 nền trắng" in text
    assert "Lý do: Giấy khám sức khỏe đã hết hạn sử dụng" in text
    assert "liên hệ Phòng Quản lý phương tiện, điện thoại 024 3856 1234 để được hướng dẫn" in text
    assert "Nguyễn Văn An" in text and "Nguyễn Thị Lan" in text  # applicant; officer signing

    dossier = the_dossier(code)
    (asked,) = dossier.supplement_requests
    assert dossier.status == DossierStatus.SUPPLEMENT
    assert asked.number == 1
    assert (asked.within_limit, asked.before_due, asked.late) == (True, True, False)
    assert iso(asked.limit_at) == "2026-03-05T17:00:00+07:00"
    assert iso(asked.due_before) == "2026-03-09T17:00:00+07:00"
    assert asked.items == ["Giấy khám sức khỏe còn hạn", "Ảnh chân dung 3x4 nền trắng"]
    assert count(AuditEvent, action="dossier.request_supplement", subject_id=dossier.id) == 1

    # Awaited past its first due time: a wait asked for in time is not overdue.
    with time_machine.travel(local_time(2026, 3, 9, 18, 0), tick=False):
        row = report_row(date(2026, 3, 2), date(2026, 3, 9))
    assert (row["pending_on_time"], row["pending_overdue"]) == (1, 0)

    with time_machine.travel(local_time(2026, 3, 10, 10, 0), tick=False):
        response = come_back(client, code)
        assert response.status_code == 302
        receipt_url = response.headers["Location"]
        assert receipt_url.endswith(f"/supplements/{asked.id}/receipt")
        receipt = pdf_text(client.get(receipt_url + ".pdf").data)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    subtitle = f"Mã hồ sơ: {code} — Mã kiểm tra: {printed_check_part(code)} — GIẤY TIẾP NHẬN MỚI"
    assert subtitle in receipt
    assert "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 10 tháng 03 năm 2026" in receipt
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 17 tháng 03 năm 2026" in receipt
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ số 01/2026/PBS" in receipt
    dossier = the_dossier(code)
    assert iso(dossier.due_at) == iso(dossier.judged_due_at) == "2026-03-17T17:00:00+07:00"
    assert iso(dossier.supplement_requests[0].returned_at) == "2026-03-10T10:00:00+07:00"
    # The first receipt, printed again, still says what it promised at reception.
    first = pdf_text(client.get(f"/dossiers/{code}/print/receipt.pdf").data)
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in first
    assert "GIẤY TIẾP NHẬN MỚI" not in first

    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-number="1" data-late="no"' in page and "Trong hạn" in page
    assert f"/dossiers/{code}/supplements/{asked.id}/request" in page
    assert f"/dossiers/{code}/supplements/{asked.id}/receipt" in page


def test_a_request_after_the_three_working_days_is_allowed_flagged_and_cleans_no_delay(
    auth, client
):
    code = in_processing()
    auth.login()
    with time_machine.travel(local_time(2026, 3, 6, 10, 0), tick=False):  # Friday
        assert ask(client, code).status_code == 302
    dossier = the_dossier(code)
    (asked,) = dossier.supplement_requests
    assert (asked.within_limit, asked.before_due, asked.late) == (False, True, True)
    assert asked.confirmed_by_id is None
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert 'data-late="yes"' in page and "Quá 3 ngày làm việc" in page

    with time_machine.travel(local_time(2026, 3, 10, 10, 0), tick=False):
        assert come_back(client, code).status_code == 302
    dossier = the_dossier(code)
    assert iso(dossier.due_at) == "2026-03-17T17:00:00+07:00"  # the applicant's new date
    assert iso(dossier.judged_due_at) == "2026-03-09T17:00:00+07:00"  # judged as before
    with time_machine.travel(local_time(2026, 3, 16, 10, 0), tick=False):
        client.post(f"/dossiers/{code}/move", data={"action": "resolve", "note": "Đã cấp"})
    resolved = db.session.execute(
        db.select(DossierEvent).filter_by(dossier_id=dossier.id, action="resolve")
    ).scalar_one()
    assert resolved.verdict == "late"


@pytest.mark.parametrize("username", ["canbo1", "quantri"])
def test_after_the_due_time_only_a_manager_may_ask_and_nothing_is_written(auth, client, username):
    code = in_processing()
    auth.login(username)
    before = (count(DossierSupplementRequest), count(DossierEvent), count(AuditEvent))
    sequences = count(DossierSequence)
    with time_machine.travel(local_time(2026, 3, 10, 10, 0), tick=False):
        response = ask(client, code)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Đã quá hạn giải quyết (17:00 09/03/2026)" in page
    assert "trừ khi lãnh đạo xác nhận" in page
    dossier = the_dossier(code)
    assert dossier.status == DossierStatus.PROCESSING and dossier.supplement_items == []
    after = (count(DossierSupplementRequest), count(DossierEvent), count(AuditEvent))
    assert after == before and count(DossierSequence) == sequences


def test_a_manager_forces_a_late_request_and_the_dossier_is_still_judged_late(auth, client):
    code = in_processing()
    auth.login("lanhdao")
    with time_machine.travel(local_time(2026, 3, 10, 10, 0), tick=False):
        page = client.get(f"/dossiers/{code}").get_data(as_text=True)
        assert "Lý do lãnh đạo xác nhận" in page  # the manager's own form
        without_reason = ask(client, code)
        assert without_reason.status_code == 422
        assert "hãy ghi lý do lãnh đạo xác nhận" in without_reason.get_data(as_text=True)
        assert count(DossierSupplementRequest) == 0
        confirmed = ask(client, code, confirmation_reason="Hồ sơ gốc bị thất lạc khi luân chuyển")
        assert confirmed.status_code == 302
    dossier = the_dossier(code)
    (asked,) = dossier.supplement_requests
    assert (asked.within_limit, asked.before_due, asked.late) == (False, False, True)
    assert asked.confirmed_by.username == "lanhdao" and asked.requested_by.username == "lanhdao"
    assert asked.confirmation_reason == "Hồ sơ gốc bị thất lạc khi luân chuyển"
    audit = db.session.execute(
        db.select(AuditEvent).filter_by(action="dossier.supplement_confirmed")
    ).scalar_one()
    assert audit.details["reason"] == asked.confirmation_reason and audit.details["number"] == 1
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Sau hạn giải quyết" in page and "Lãnh đạo xác nhận" in page

    # Awaited at the end of 10/3, after its due time, asked for late: overdue.
    with time_machine.travel(local_time(2026, 3, 20, 10, 0), tick=False):
        row = report_row(date(2026, 3, 2), date(2026, 3, 10))
    assert (row["pending_on_time"], row["pending_overdue"]) == (0, 1)

    auth.login("canbo1")
    with time_machine.travel(local_time(2026, 3, 11, 10, 0), tick=False):
        assert come_back(client, code).status_code == 302
    with time_machine.travel(local_time(2026, 3, 13, 10, 0), tick=False):
        client.post(f"/dossiers/{code}/move", data={"action": "resolve", "note": "Đã cấp"})
    dossier = the_dossier(code)
    assert iso(dossier.due_at) == "2026-03-18T17:00:00+07:00"  # promised on the new receipt
    assert iso(dossier.judged_due_at) == "2026-03-09T17:00:00+07:00"
    with time_machine.travel(local_time(2026, 3, 20, 10, 0), tick=False):
        row = report_row(date(2026, 3, 2), date(2026, 3, 13))
        slip = pdf_text(client.get(f"/dossiers/{code}/print/control.pdf").data)
    assert row["resolved_late"] == 1
    assert row["resolved_early"] + row["resolved_on_time"] == 0
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in slip
    assert "(không dùng để đánh giá): 17 giờ 00 phút, ngày 18 tháng 03 năm 2026" in slip
    # The hand-over back to the desk (the result) is judged late; the transfer was on time.
    assert "Người nhận: … Quá hạn Đã cấp" in slip
    assert slip.count("Quá hạn") == 1 and "Trước hạn" not in slip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": " \n "}, "Hãy ghi ít nhất một giấy tờ cần bổ sung"),
        ({"reason": ""}, "Hãy ghi lý do yêu cầu bổ sung"),
        ({"contact": "  "}, "Hãy ghi người hoặc nơi liên hệ"),
        ({"items": "x" * 401}, "mỗi dòng không quá 400 ký tự"),
        ({"contact": "x" * 401}, "Thông tin liên hệ dài quá 400 ký tự"),
    ],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(auth, client, changes, message):
    code = in_processing()
    auth.login()
    before = (count(DossierSupplementRequest), count(DossierEvent), count(AuditEvent))
    with time_machine.travel(local_time(2026, 3, 4, 10, 0), tick=False):
        response = ask(client, code, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert the_dossier(code).status == DossierStatus.PROCESSING
    assert (count(DossierSupplementRequest), count(DossierEvent), count(AuditEvent)) == before


def test_a_dossier_not_yet_with_its_unit_cannot_be_asked_to_supplement(auth, client):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        code = factories.dossier().code
    auth.login()
    with time_machine.travel(local_time(2026, 3, 3, 9, 0), tick=False):
        response = ask(client, code)
    assert response.status_code == 422
    assert "không thể yêu cầu bổ sung" in response.get_data(as_text=True)
    assert count(DossierSupplementRequest) == 0


def test_the_control_slip_judges_against_the_due_time_an_apology_did_not_move(auth, client):
    code = in_processing()
    dossier = the_dossier(code)
    with time_machine.travel(local_time(2026, 3, 6, 10, 0), tick=False):
        move(
            dossier,
            Action.APOLOGISE,
            user=factories.user(),
            details=Move(note="Chờ xác minh", new_due_at=local_time(2026, 3, 12, 17, 0)),
        )
    with time_machine.travel(local_time(2026, 3, 11, 10, 0), tick=False):
        move(dossier, Action.RESOLVE, user=factories.user(), details=Move(note="Đã cấp"))
        move(dossier, Action.RETURN, user=factories.user())
        db.session.commit()
    assert iso(dossier.judged_due_at) == "2026-03-09T17:00:00+07:00"
    verdicts = [event.verdict for event in dossier.events if event.action in ("resolve", "return")]
    assert verdicts == ["late", "late"]
    auth.login()
    slip = pdf_text(client.get(f"/dossiers/{code}/print/control.pdf").data)
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in slip
    assert "(không dùng để đánh giá): 17 giờ 00 phút, ngày 12 tháng 03 năm 2026" in slip
    assert slip.count("Quá hạn") == 2
