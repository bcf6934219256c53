"""The dossier desk pages through the test client: reception, look-up, admin, exports."""

import io

import pytest
import time_machine
from flask_babel import refresh
from openpyxl import load_workbook

from conftest import count, local_time
from core.dossiers.links import check_part, printed_check_part
from core.models import AuditEvent, CalendarDay, Dossier, Procedure, ReceptionSlip
from extensions import db
from tests import factories

FORM = {
    "procedure": "GPLX-DOI",
    "documents": ["0", "1", "2"],
    "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "001099012345",
    "applicant_phone": "0912345678",
    "applicant_address": "Hà Đông, Hà Nội",
    "channel": "direct",
    "sets": "1",
    "accept": "1",
}


@pytest.fixture
def auth(auth, app, demo):
    """Staff of the demo desk; the forms here are posted without their CSRF token (the
    token is proven in test_route_walk)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


def test_procedure_search_ignores_accents(auth, client):
    auth.login()
    page = client.get("/dossiers/receive?q=cap+doi+gplx").get_data(as_text=True)
    assert "Cấp đổi giấy phép lái xe" in page
    assert "Cấp phép thi công" not in page


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_receiving_prints_a_receipt_with_the_promise(auth, client):
    auth.login()
    response = client.post("/dossiers/receive", data=FORM)
    assert response.status_code == 302
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    assert "17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in receipt
    assert "09 giờ 00 phút, ngày 02 tháng 03 năm 2026" in receipt
    assert dossier.code in receipt
    pdf = client.get(f"/dossiers/{dossier.code}/print/receipt.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant_id_number", "12345", "12 chữ số"),
        ("applicant_phone", "12345", "số điện thoại"),
        ("documents", ["0"], "Hồ sơ còn thiếu"),
    ],
)
def test_bad_reception_input_shows_the_form_again_and_writes_nothing(
    auth, client, field, value, message
):
    auth.login()
    response = client.post("/dossiers/receive", data={**FORM, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Dossier) == 0


def test_supplement_request_slip_lists_what_is_missing(auth, client):
    auth.login()
    data = {**FORM, "documents": ["0"], "other_items": "Ảnh 3x4", "supplement": "1"}
    del data["accept"]
    response = client.post("/dossiers/receive", data=data)
    assert response.status_code == 302
    slip = db.session.execute(db.select(ReceptionSlip)).scalar_one()
    assert slip.items == [
        "Giấy khám sức khỏe của người lái xe",
        "Giấy phép lái xe cũ",
        "Ảnh 3x4",
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page
    assert count(Dossier) == 0


def test_refusal_slip_needs_reasons(auth, client):
    auth.login()
    data = {**FORM, "refuse": "1", "reason": ""}
    del data["accept"]
    assert client.post("/dossiers/receive", data=data).status_code == 422
    data["reason"] = "Không thuộc thẩm quyền giải quyết của Sở"
    response = client.post("/dossiers/receive", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN" in page and "thẩm quyền" in page


def test_an_illegal_move_from_the_page_is_explained(auth, client):
    auth.login()
    dossier = factories.dossier()
    response = client.post(
        f"/dossiers/{dossier.code}/move", data={"action": "return"}, follow_redirects=True
    )
    assert "không thể trả kết quả" in response.get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.status.value == "received"


def test_public_lookup_needs_the_check_part_and_shows_nothing_personal(app, demo, client):
    dossier = factories.dossier()
    page = client.get(factories.lookup_path(dossier.code)).get_data(as_text=True)
    assert "Đã tiếp nhận" in page
    for secret in ("Nguyễn Văn An", "Nguyễn V** A**", "0912345678", "001099012345", "Hà Đông"):
        assert secret not in page
    assert client.get(f"/dossiers/{dossier.code}/qr.svg").status_code == 302  # staff only
    # Without the check part nothing is looked up: the page asks for it.
    bare = client.get(f"/tra-cuu?ma={dossier.code}")
    assert bare.status_code == 200
    assert "mã kiểm tra" in bare.get_data(as_text=True) and "Đã tiếp nhận" not in bare.get_data(
        as_text=True
    )
    # A wrong check part is answered exactly as an unknown code.
    wrong = client.get(f"/tra-cuu?ma={dossier.code}&kt=AAAA-AAAA")
    missing = client.get("/tra-cuu?ma=000.17.22.H56-990101-0001&kt=AAAA-AAAA")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_data(as_text=True).replace(dossier.code, "CODE") == missing.get_data(
        as_text=True
    ).replace("000.17.22.H56-990101-0001", "CODE")
    assert "Không tìm thấy hồ sơ" in missing.get_data(as_text=True)
    # Typed by hand: the last 4 digits of the applicant's phone do too, a wrong 4 do not.
    assert client.get(f"/tra-cuu?ma={dossier.code}&kt=5678").status_code == 200
    assert client.get(f"/tra-cuu?ma={dossier.code}&kt=5679").status_code == 404
    refresh()  # the tests share one app context, where the locale is cached
    english = client.get(factories.lookup_path(dossier.code) + "&lang=en").get_data(as_text=True)
    assert "Received" in english and "Dossier look-up" in english


def test_the_check_part_is_keyed_and_forgives_lookalikes(app, demo, client):
    without_phone = factories.dossier(phone="")
    check = check_part(without_phone.code)
    assert len(check) == 8 and set(check) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    typed = f"{check[:4].lower()} {check[4:]}".replace("O", "0").replace("I", "1")
    assert client.get(f"/tra-cuu?ma={without_phone.code}&kt={typed}").status_code == 200
    assert client.get(f"/tra-cuu?ma={without_phone.code}&kt=0000").status_code == 404
    app.config["SECRET_KEY"] = "another key of at least thirty-two characters"
    assert check_part(without_phone.code) != check


def test_the_receipt_prints_the_check_part_and_its_qr_carries_it(app, demo, auth, client):
    dossier = factories.dossier()
    auth.login()
    page = client.get(f"/dossiers/{dossier.code}/print/receipt").get_data(as_text=True)
    assert printed_check_part(dossier.code) in page
    assert f"kt={check_part(dossier.code)}" in page


def test_public_lookup_is_rate_limited(app, demo, client):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get("/tra-cuu?ma=X-000000-0000&kt=1234").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_staff_pages_need_the_right_role(auth, client):
    assert client.get("/dossiers/receive").status_code == 302  # to the sign-in page
    auth.login("lanhdao")
    assert client.get("/dossiers/receive").status_code == 403
    assert client.get("/dossiers/").status_code == 200
    assert client.get("/admin/procedures").status_code == 403


def test_admin_edits_a_procedure_and_enters_a_calendar_day(auth, client):
    auth.login("quantri")
    procedure = db.session.execute(db.select(Procedure).filter_by(code="XTL")).scalar_one()
    page = client.get(f"/admin/procedures/{procedure.id}").get_data(as_text=True)
    assert "Đơn đề nghị cấp giấy phép xe tập lái" in page
    response = client.post(
        f"/admin/procedures/{procedure.id}",
        data={
            "code": "XTL",
            "name": procedure.name,
            "field": procedure.field.name,
            "period_unit": "hours",
            "period": "4",
            "fee_vnd": "50000",
            "processing_unit": procedure.processing_unit,
            "online_level": "full",
            "documents": "Đơn đề nghị (bản chính)\nGiấy chứng nhận đăng ký xe (bản sao) x2",
            "active": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(procedure)
    assert (procedure.processing_hours, procedure.processing_days, procedure.fee_vnd) == (
        4,
        None,
        50000,
    )
    assert [(d.kind.value, d.quantity) for d in procedure.documents] == [
        ("original", 1),
        ("copy", 2),
    ]
    response = client.post(
        "/admin/calendar", data={"day": "2027-02-13", "kind": "working_day", "note": "Làm bù"}
    )
    assert response.status_code == 302
    assert db.session.execute(db.select(CalendarDay)).scalar_one().kind.value == "working_day"
    overview = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "13/02/2027" in overview and "04/02/2027" in overview


def test_admin_settings_change_the_forms(auth, client):
    auth.login("quantri")
    from core.dossiers.settings import SPECS, dossier_settings

    values = dossier_settings()
    bad = client.post("/admin/dossier-settings", data={**values, "agency_code": "bad code"})
    assert "Mã cơ quan không đúng dạng" in bad.get_data(as_text=True)
    values.update(agency_code="H15.50.05.13", form_receipt="Mẫu số 01/TN")
    assert client.post("/admin/dossier-settings", data=values).status_code == 302
    assert len(SPECS) > 10
    dossier = factories.dossier()
    assert dossier.code.startswith("H15.50.05.13-")
    page = client.get(f"/dossiers/{dossier.code}/print/receipt").get_data(as_text=True)
    assert "Mẫu số 01/TN" in page
    changes = db.session.execute(
        db.select(AuditEvent).filter_by(action="dossier.settings_changed").order_by(AuditEvent.id)
    ).scalars()
    assert "agency_code" in [*changes][-1].details  # (the demo's own settings came first)


def test_register_exports_to_xlsx(auth, client):
    auth.login()
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        first, second = factories.dossier(), factories.dossier("XQK")
    response = factories.register_file(client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [("01", first.code), ("02", second.code)]
    assert factories.register_file(client, "pdf").data.startswith(b"%PDF")


def test_apology_and_control_slip_print_with_vietnamese_date_phrases(auth, client):
    from core.dossiers.states import Action, Move, move

    auth.login()
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(
            dossier,
            Action.TRANSFER,
            user=factories.user(),
            details=Move(receiver_name="Lê Văn Cường"),
        )
        db.session.commit()
    assert client.get(f"/dossiers/{dossier.code}/print/apology").status_code == 404
    with time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False):
        response = client.post(
            f"/dossiers/{dossier.code}/move",
            data={
                "action": "apologise",
                "note": "Chờ kết quả xác minh",
                "new_due": "2026-03-13T16:00",
            },
        )
    assert response.status_code == 302
    apology = client.get(f"/dossiers/{dossier.code}/print/apology").get_data(as_text=True)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in apology
    assert "17 giờ 00 phút, ngày 09 tháng 03 năm 2026" in apology  # the original date
    assert "16 giờ 00 phút, ngày 13 tháng 03 năm 2026" in apology  # the new date
    assert "Chờ kết quả xác minh" in apology
    control = client.get(f"/dossiers/{dossier.code}/print/control").get_data(as_text=True)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control
    assert "Người nhận: Lê Văn Cường" in control and "Đúng hạn" in control
    for form in ("apology", "control"):
        pdf = client.get(f"/dossiers/{dossier.code}/print/{form}.pdf")
        assert pdf.data.startswith(b"%PDF")
