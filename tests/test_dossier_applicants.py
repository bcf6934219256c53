"""Every kind of applicant: ID kinds and their checks, an optional phone, a company or a
person as the owner and an authorised submitter apart, printed where the forms ask; how
and by whom the result was collected, in the register; personal data of them all."""

import io
import json
import re

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import count, local_time, pdf_text
from core.dossiers.applicants import Applicant, Submitter
from core.dossiers.errors import InvalidApplicant
from core.dossiers.privacy import ANONYMISED_NAME, anonymise_finished
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Reception, receive_dossier
from core.dossiers.states import Action, Move, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.models import (
    ApplicantKind,
    AuditEvent,
    Channel,
    Collector,
    Dossier,
    DossierSequence,
    IdKind,
    ReceptionSlip,
)
from extensions import db
from tests import factories

RECEIVED = local_time(2026, 3, 2, 9, 0)
FORM = {
    "procedure": "GPLX-DOI",
    "documents": ["0", "1", "2"],
    "applicant_kind": "person",
    "applicant_name": "Nguyễn Văn An",
    "applicant_id_kind": "citizen_id",
    "applicant_id_number": "001099012345",
    "applicant_phone": "0912345678",
    "applicant_address": "Hà Đông, Hà Nội",
    "by_proxy": "no",
    "channel": "direct",
    "sets": "1",
    "accept": "1",
}
COMPANY = {
    **FORM,
    "procedure": "XQK",
    "documents": [],
    "applicant_kind": "organisation",
    "applicant_name": "Công ty TNHH Vận tải Hòa Bình",
    "applicant_id_kind": "tax_code",
    "applicant_id_number": "0101234567-001",
    "applicant_phone": "",
    "applicant_address": "12 Quang Trung, Hà Đông, Hà Nội",
    "by_proxy": "yes",
    "submitter_name": "Trần Văn Bình",
    "submitter_id_kind": "passport",
    "submitter_id_number": "c 1234567",
    "submitter_phone": "0987 654 321",
    "submitter_authorisation": "Giấy ủy quyền số 12/UQ ngày 01/03/2026",
    "sets": "2",
}


@pytest.fixture
def auth(auth, app, demo):
    """Staff of the demo desk; forms are posted without their CSRF token (the token is
    proven in test_route_walk)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


def with_documents(form: dict) -> dict:
    """The form with every document of its procedure ticked."""
    procedure = find_procedure(form["procedure"])
    return {**form, "documents": [str(doc.position) for doc in procedure.documents]}


def receive(client, form: dict) -> Dossier:
    response = client.post("/dossiers/receive", data=with_documents(form))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.execute(db.select(Dossier).order_by(Dossier.id.desc())).scalars().first()


@pytest.mark.parametrize(
    ("applicant", "stored"),
    [
        ({"id_number": "001 099 012 345"}, ("citizen_id", "001099012345", "")),
        (
            {"id_kind": IdKind.PASSPORT, "id_number": "c1234567"},
            ("passport", "C1234567", ""),
        ),
        (
            {"id_kind": IdKind.PASSPORT, "id_number": "X00AB12345FR"},
            ("passport", "X00AB12345FR", ""),
        ),
        (
            {
                "name": "Công ty Cổ phần Sông Hồng",
                "kind": ApplicantKind.ORGANISATION,
                "id_kind": IdKind.TAX_CODE,
                "id_number": "0101234567",
            },
            ("tax_code", "0101234567", ""),
        ),
        (
            {
                "name": "Chi nhánh Công ty Sông Hồng",
                "kind": ApplicantKind.ORGANISATION,
                "id_kind": IdKind.TAX_CODE,
                "id_number": "0101234567-002",
            },
            ("tax_code", "0101234567-002", ""),
        ),
        (
            {
                "id_kind": IdKind.OTHER,
                "id_number": "AB 123/2019",
                "id_note": " Giấy phép lái xe ",
            },
            ("other", "AB 123/2019", "Giấy phép lái xe"),
        ),
    ],
)
@time_machine.travel(RECEIVED, tick=False)
def test_each_id_kind_is_accepted_as_written(demo, applicant, stored):
    dossier = factories.dossier(**applicant)
    db.session.expire_all()
    assert (
        dossier.applicant_id_kind.value,
        dossier.applicant_id_number,
        dossier.applicant_id_note,
    ) == stored


@pytest.mark.parametrize(
    ("applicant", "fragment"),
    [
        ({"id_number": "12345"}, "12 chữ số"),
        ({"id_number": "097123456789"}, "mã tỉnh"),
        ({"id_kind": IdKind.PASSPORT, "id_number": "AB123"}, "hộ chiếu"),
        ({"id_kind": IdKind.PASSPORT, "id_number": "AB-123456"}, "hộ chiếu"),
        ({"id_kind": IdKind.PASSPORT, "id_number": "Ñ1234567"}, "hộ chiếu"),
        (
            {
                "kind": ApplicantKind.ORGANISATION,
                "id_kind": IdKind.TAX_CODE,
                "id_number": "010123456",
            },
            "10 chữ số",
        ),
        (
            {
                "kind": ApplicantKind.ORGANISATION,
                "id_kind": IdKind.TAX_CODE,
                "id_number": "0101234567-01",
            },
            "chi nhánh",
        ),
        ({"id_kind": IdKind.OTHER, "id_number": "AB 123"}, "loại giấy tờ"),
        (
            {"id_kind": IdKind.OTHER, "id_number": "", "id_note": "Giấy phép lái xe"},
            "số hoặc ký hiệu",
        ),
        ({"id_kind": IdKind.TAX_CODE, "id_number": "0101234567"}, "cá nhân dùng"),
        ({"kind": ApplicantKind.ORGANISATION}, "tổ chức dùng"),
        ({"phone": "12345"}, "số điện thoại"),
    ],
)
@time_machine.travel(RECEIVED, tick=False)
def test_a_wrong_number_for_its_kind_is_refused_and_nothing_is_written(demo, applicant, fragment):
    with pytest.raises(InvalidApplicant) as error:
        factories.dossier(**applicant)
    db.session.rollback()
    assert fragment in error.value.messages()["vi"]
    assert count(Dossier) == 0 and count(DossierSequence) == 0


@pytest.mark.parametrize(
    ("submitter", "fragment"),
    [
        ({"authorisation": ""}, "văn bản ủy quyền"),
        ({"id_number": "12345"}, "12 chữ số"),
        ({"id_kind": IdKind.TAX_CODE, "id_number": "0101234567"}, "người nộp thay là cá nhân"),
        ({"name": ""}, "họ tên người nộp thay"),
        ({"phone": "0112345678"}, "số điện thoại"),
    ],
)
@time_machine.travel(RECEIVED, tick=False)
def test_a_submitter_without_what_the_desk_needs_is_refused(demo, submitter, fragment):
    good = dict(
        name="Trần Văn Bình",
        id_number="001088001122",
        authorisation="Giấy ủy quyền số 5/UQ ngày 01/03/2026",
    )
    procedure = find_procedure("GPLX-DOI")
    reception = Reception(
        procedure,
        Applicant(**factories.APPLICANT),
        Channel.DIRECT,
        [doc.position for doc in procedure.documents],
        submitter=Submitter(**{**good, **submitter}),
    )
    with pytest.raises(InvalidApplicant) as error:
        receive_dossier(reception, user=factories.user())
    db.session.rollback()
    assert "người nộp thay" in error.value.messages()["vi"]
    assert fragment in error.value.messages()["vi"]
    assert count(Dossier) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"applicant_id_number": "12345"}, "applicant_id_number", "12 chữ số"),
        (
            {"applicant_id_kind": "passport", "applicant_id_number": "AB-1"},
            "applicant_id_number",
            "số hộ chiếu gồm 6 đến 20",
        ),
        (
            {"applicant_id_kind": "other", "applicant_id_number": "123"},
            "applicant_id_note",
            "ghi rõ loại giấy tờ",
        ),
        ({"applicant_kind": "organisation"}, "applicant_id_kind", "tổ chức dùng"),
        ({"applicant_phone": "0123"}, "applicant_phone", "số điện thoại"),
        ({"by_proxy": "yes"}, "submitter_name", "họ tên người nộp thay"),
        (
            {
                "by_proxy": "yes",
                "submitter_name": "Trần Văn Bình",
                "submitter_id_number": "001088001122",
            },
            "submitter_authorisation",
            "Giấy ủy quyền số",
        ),
    ],
)
def test_the_page_shows_each_problem_beside_its_field_and_writes_nothing(
    auth, client, changes, field, message
):
    auth.login()
    response = client.post("/dossiers/receive", data={**FORM, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    beside = re.search(
        rf'<label class="form__field[^"]*has-error">(?:(?!</label>).)*name="{field}"'
        r"(?:(?!</label>).)*</label>",
        page,
        re.S,
    )
    assert beside, f"no error beside {field}"
    assert message in beside.group(0)
    assert count(Dossier) == 0 and count(ReceptionSlip) == 0


@time_machine.travel(RECEIVED, tick=False)
def test_a_dossier_without_a_phone_is_received_and_the_form_says_why_it_is_asked(auth, client):
    auth.login()
    page = client.get("/dossiers/receive?procedure=GPLX-DOI").get_data(as_text=True)
    assert "Để báo khi có kết quả hoặc khi hồ sơ cần bổ sung" in page
    assert "nộp thay" in page
    dossier = receive(client, {**FORM, "applicant_phone": ""})
    assert dossier.applicant_phone == "" and dossier.applicant_id_kind == IdKind.CITIZEN_ID
    assert not dossier.submitted_by_proxy
    receipt = pdf_text(client.get(f"/dossiers/{dossier.code}/print/receipt.pdf").data)
    assert "Số điện thoại: …" in receipt
    assert "Người nộp thay" not in receipt
    assert "NGƯỜI NỘP HỒ SƠ" in receipt and "Nguyễn Văn An" in receipt


@time_machine.travel(RECEIVED, tick=False)
def test_a_company_and_its_authorised_submitter_on_the_receipt_and_the_control_slip(auth, client):
    auth.login()
    dossier = receive(client, COMPANY)
    assert (dossier.applicant_kind, dossier.applicant_id_number) == (
        ApplicantKind.ORGANISATION,
        "0101234567-001",
    )
    assert (dossier.submitter_name, dossier.submitter_id_number, dossier.submitter_phone) == (
        "Trần Văn Bình",
        "C1234567",
        "0987654321",
    )
    receipt = pdf_text(client.get(f"/dossiers/{dossier.code}/print/receipt.pdf").data)
    assert "Tên tổ chức: Công ty TNHH Vận tải Hòa Bình" in receipt
    assert "Mã số doanh nghiệp/Mã số thuế: 0101234567-001" in receipt
    assert "Người nộp thay:" in receipt
    assert "Số hộ chiếu: C1234567" in receipt
    assert "Theo văn bản ủy quyền: Giấy ủy quyền số 12/UQ ngày 01/03/2026" in receipt
    assert "Số lượng hồ sơ: 02 bộ" in receipt
    # The submitter signs as the person who handed the dossier in.
    signature = receipt[receipt.index("NGƯỜI NỘP HỒ SƠ") :]
    assert "Trần Văn Bình" in signature
    page = client.get(f"/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Trần Văn Bình" in page and "Giấy ủy quyền số 12/UQ" in page
    control = pdf_text(client.get(f"/dossiers/{dossier.code}/print/control.pdf").data)
    assert "Tên tổ chức, cá nhân: Công ty TNHH Vận tải Hòa Bình" in control
    assert "Người nộp thay: Trần Văn Bình, theo Giấy ủy quyền số 12/UQ" in control


@time_machine.travel(RECEIVED, tick=False)
def test_a_person_filing_for_another_person_signs_the_receipt(auth, client):
    auth.login()
    dossier = receive(
        client,
        {
            **FORM,
            "by_proxy": "yes",
            "submitter_name": "Phạm Thị Thu",
            "submitter_id_kind": "other",
            "submitter_id_number": "AB 123456",
            "submitter_id_note": "Giấy phép lái xe",
            "submitter_authorisation": "Giấy ủy quyền số 7/UQ ngày 28/02/2026",
        },
    )
    receipt = pdf_text(client.get(f"/dossiers/{dossier.code}/print/receipt.pdf").data)
    assert "Họ và tên chủ hồ sơ: Nguyễn Văn An" in receipt
    assert "Số định danh cá nhân (CCCD): 001099012345" in receipt
    assert "Họ và tên: Phạm Thị Thu" in receipt
    assert "Giấy tờ: Giấy phép lái xe số AB 123456" in receipt
    signature = receipt[receipt.index("NGƯỜI NỘP HỒ SƠ") :]
    assert "Phạm Thị Thu" in signature and "Nguyễn Văn An" not in signature


@time_machine.travel(RECEIVED, tick=False)
def test_the_letters_to_a_company_name_it_and_its_authorised_submitter(auth, client):
    """Forms 02 (during processing), 03 (refusal after review) and 05 (stop) go to the
    owner and name whoever filed for it, as the receipt does."""
    auth.login()
    officer = factories.user()
    asked, refused, stopped = (receive(client, COMPANY) for _ in range(3))
    for dossier in (asked, refused):
        move(dossier, Action.TRANSFER, user=officer)
        move(dossier, Action.START, user=officer)
    draft = SupplementDraft(
        items=["Giấy giới thiệu"], reason="Còn thiếu", contact="Bộ phận một cửa"
    )
    request = request_supplement(asked, draft, user=officer)
    move(refused, Action.REFUSE, user=officer, details=Move(note="Không thuộc thẩm quyền"))
    move(stopped, Action.STOP, user=officer, details=Move(note="Theo đề nghị của cơ quan thuế"))
    db.session.commit()
    letters = {
        "02": f"/dossiers/{asked.code}/supplements/{request.id}/request.pdf",
        "03": f"/dossiers/{refused.code}/print/refusal.pdf",
        "05": f"/dossiers/{stopped.code}/print/stop.pdf",
    }
    for form, url in letters.items():
        response = client.get(url)
        assert response.status_code == 200, form
        text = pdf_text(response.data)
        assert "Công ty TNHH Vận tải Hòa Bình" in text, form
        if form != "05":  # the stop notice is addressed to the owner alone
            assert "Mã số doanh nghiệp/Mã số thuế: 0101234567-001" in text, form
            assert "Người nộp thay:" in text and "Họ và tên: Trần Văn Bình" in text, form
        if form == "03":  # whoever filed it signs for the applicant, as on the receipt
            assert "Trần Văn Bình" in text[text.index("NGƯỜI NỘP HỒ SƠ") :], form


def test_a_slip_at_the_counter_names_the_submitter(auth, client):
    auth.login()
    data = {**COMPANY, "documents": [], "supplement": "1", "other_items": "Giấy giới thiệu"}
    del data["accept"]
    response = client.post("/dossiers/receive", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    slip = db.session.execute(db.select(ReceptionSlip)).scalar_one()
    assert (slip.applicant_kind, slip.submitter_name, slip.submitter_phone) == (
        ApplicantKind.ORGANISATION,
        "Trần Văn Bình",
        "0987654321",
    )
    text = pdf_text(client.get(f"/dossiers/slips/{slip.id}.pdf").data)
    assert "Tên tổ chức: Công ty TNHH Vận tải Hòa Bình" in text
    assert "Người nộp thay: Trần Văn Bình, 0987654321" in text


def resolved(dossier: Dossier) -> Dossier:
    officer = factories.user()
    for action in (Action.TRANSFER, Action.START, Action.RESOLVE):
        move(dossier, action, user=officer)
    db.session.commit()
    return dossier


def return_result(client, dossier: Dossier, **data):
    return client.post(
        f"/dossiers/{dossier.code}/move", data={"action": "return", **data}, follow_redirects=True
    )


def test_the_return_records_how_and_by_whom_and_the_register_prints_it(auth, client):
    auth.login()
    with time_machine.travel(RECEIVED, tick=False):
        company = receive(client, COMPANY)
        person = receive(client, FORM)
        posted = receive(client, {**FORM, "applicant_name": "Lê Thị Hoa", "channel": "post"})
        for dossier in (company, person, posted):
            resolved(dossier)
    with time_machine.travel(local_time(2026, 3, 6, 10, 0), tick=False):
        page = client.get(f"/dossiers/{company.code}").get_data(as_text=True)
        assert re.search(r'<input checked[^>]*name="collected_by"[^>]*value="owner"', page)
        assert re.search(r'<input checked[^>]*name="collected_via"[^>]*value="direct"', page)
        # The post cannot be "the owner in person": refused, nothing changes.
        refused = return_result(
            client, posted, collected_via="post", collected_by="owner"
        ).get_data(as_text=True)
        assert "bưu chính thì người nhận là bưu chính" in refused
        db.session.refresh(posted)
        assert posted.status.value == "resolved" and posted.collected_via is None
        return_result(client, company, collected_via="direct", collected_by="authorised")
        return_result(client, person)  # the defaults: the owner, in person
        return_result(
            client,
            posted,
            collected_via="post",
            collected_by="post",
            collector_name="Bưu điện Hà Đông",
        )
    db.session.expire_all()
    assert (company.collected_via, company.collected_by, company.collector_name) == (
        Channel.DIRECT,
        Collector.AUTHORISED,
        "Trần Văn Bình",
    )
    assert (person.collected_via, person.collected_by, person.collector_name) == (
        Channel.DIRECT,
        Collector.OWNER,
        "Nguyễn Văn An",
    )
    assert (posted.collected_via, posted.collector_name) == (Channel.POST, "Bưu điện Hà Đông")
    assert company.status.value == "returned"

    headers = ["Số bộ hồ sơ", "Cách nhận kết quả", "Người nhận kết quả", "Ký nhận"]
    html = client.get("/dossiers/register?year=2026").get_data(as_text=True)
    for header in headers:
        assert f"<th>{header}</th>" in html
    assert "Trần Văn Bình (người được ủy quyền)" in html
    assert "Công ty TNHH Vận tải Hòa Bình\nTrần Văn Bình (nộp thay)" in html

    text = pdf_text(factories.register_file(client, "pdf").data)
    for header in ("Số bộ", "Cách nhận", "Người nhận", "Ký nhận"):
        assert header in text
    assert "người được ủy quyền" in text and "Bưu điện Hà Đông (bưu chính)" in text

    sheet = load_workbook(io.BytesIO(factories.register_file(client, "xlsx").data)).active
    header_row = [cell.value for cell in sheet[4]]
    assert header_row[6] == "Số bộ hồ sơ" and header_row[10:13] == headers[1:]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[company.code][6] == "02"
    assert rows[company.code][10:12] == ("Trực tiếp", "Trần Văn Bình (người được ủy quyền)")
    assert rows[person.code][10:12] == ("Trực tiếp", "Nguyễn Văn An (chủ hồ sơ)")
    assert rows[posted.code][10:12] == ("Qua bưu chính", "Bưu điện Hà Đông (bưu chính)")

    control = pdf_text(client.get(f"/dossiers/{company.code}/print/control.pdf").data)
    assert "Trả kết quả cho tổ chức, cá nhân" in control
    assert "Trần Văn Bình (người được ủy quyền)" in control


def test_the_lookup_shows_a_company_in_full_a_person_masked_and_never_the_submitter(auth, client):
    auth.login()
    with time_machine.travel(RECEIVED, tick=False):
        company = receive(client, COMPANY)
        person = receive(
            client,
            {
                **FORM,
                "by_proxy": "yes",
                "submitter_name": "Phạm Thị Thu",
                "submitter_id_number": "001177009988",
                "submitter_phone": "0905111222",
                "submitter_authorisation": "Giấy ủy quyền số 7/UQ",
            },
        )
    auth.logout()
    page = client.get(factories.lookup_path(company.code)).get_data(as_text=True)
    assert "Đã tiếp nhận" in page
    for secret in ("Hòa Bình", "Trần Văn Bình", "C1234567", "0987654321", "Giấy ủy quyền"):
        assert secret not in page
    page = client.get(factories.lookup_path(person.code)).get_data(as_text=True)
    assert "Đã tiếp nhận" in page
    for secret in ("Nguyễn", "Phạm Thị Thu", "Phạm T** T**", "001177009988", "0905111222"):
        assert secret not in page
    # Managers see a person's name masked, an organisation's as it is.
    auth.login("lanhdao")
    listing = client.get("/dossiers/").get_data(as_text=True)
    assert "Công ty TNHH Vận tải Hòa Bình" in listing and "Nguyễn V** A**" in listing


def test_anonymising_erases_the_submitter_and_the_collector_and_export_finds_them(
    auth, client, runner, tmp_path
):
    auth.login()
    with time_machine.travel(local_time(2024, 3, 4, 9, 0), tick=False):
        auth.login()
        dossier = receive(client, COMPANY)
        resolved(dossier)
        return_result(client, dossier, collected_by="authorised")
    output = tmp_path / "nguoi-nop-thay.json"
    exported = runner.invoke(args=["privacy", "export", "C1234567", "--output", output])
    assert exported.exit_code == 0, exported.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["dossiers"] == []
    (filed,) = data["filed_for_others"]
    assert filed["applicant"] is None, "the owner's details are not the submitter's"
    assert filed["submitter"]["authorisation"] == "Giấy ủy quyền số 12/UQ ngày 01/03/2026"
    assert filed["result_collected"] == {
        "via": "direct",
        "by": "authorised",
        "name": "Trần Văn Bình",
    }
    with time_machine.travel(local_time(2025, 6, 1, 9, 0), tick=False):
        result = anonymise_finished(365)
        db.session.commit()
    assert result.dossiers == [dossier.code]
    db.session.expire_all()
    assert dossier.submitter_name == ANONYMISED_NAME and dossier.collector_name == ANONYMISED_NAME
    stored = "\n".join(str(tuple(row)) for row in db.session.execute(Dossier.__table__.select()))
    for secret in ("Trần Văn Bình", "C1234567", "0987654321", "12/UQ", "0101234567-001"):
        assert secret not in stored
    assert count(AuditEvent, action="dossier.anonymised") == 1


IMPORT_HEADER = (
    "code,procedure_code,applicant_name,channel,received_at,due_at,resolved_at,returned_at,"
    "status,applicant_kind,applicant_id_kind,applicant_id_number,submitter_name,"
    "submitter_id_number,submitter_authorisation"
)
IMPORTED_COMPANY = (
    "000.17.22.H56-250303-0001,XQK,Công ty CP Sông Hồng,direct,2025-03-03T09:10:00+07:00,"
    "2025-03-10T17:00:00+07:00,,,processing,organisation,tax_code,0101234567,Lê Văn Tám,"
    "001088001122,Giấy giới thiệu số 3/GGT"
)
IMPORTED_PERSON = (
    "000.17.22.H56-250303-0002,GPLX-DOI,Phạm Thị Hoa,post,2025-03-03T10:00:00+07:00,"
    "2025-03-10T17:00:00+07:00,,,processing,,,,,,"
)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (IMPORTED_COMPANY.replace(",0101234567,", ",010123456,"), "applicant_id_number"),
        (IMPORTED_COMPANY.replace(",tax_code,", ",citizen_id,"), "applicant_id_kind"),
        (IMPORTED_COMPANY.replace(",Giấy giới thiệu số 3/GGT", ","), "submitter_authorisation"),
        (IMPORTED_COMPANY.replace(",organisation,", ",company,"), "applicant_kind"),
    ],
)
def test_the_import_checks_the_new_columns_as_the_counter_does(
    demo, runner, tmp_path, row, problem
):
    path = tmp_path / "so-cu.csv"
    path.write_text("\n".join([IMPORT_HEADER, IMPORTED_PERSON, row]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3:" in result.output and problem in result.output
    assert count(Dossier) == 0


def test_an_imported_organisation_without_its_document_holds_no_citizen_id(demo, runner, tmp_path):
    row = IMPORTED_COMPANY.replace(",organisation,tax_code,0101234567,", ",organisation,,,")
    path = tmp_path / "so-cu.csv"
    path.write_text("\n".join([IMPORT_HEADER, row]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 0, result.output
    company = db.session.execute(db.select(Dossier)).scalar_one()
    assert (company.applicant_kind, company.applicant_id_kind, company.applicant_id_number) == (
        ApplicantKind.ORGANISATION,
        IdKind.TAX_CODE,
        "",
    )


def test_the_import_takes_a_company_and_its_submitter(demo, runner, tmp_path):
    path = tmp_path / "so-cu.csv"
    path.write_text(
        "\n".join([IMPORT_HEADER, IMPORTED_COMPANY, IMPORTED_PERSON]) + "\n", encoding="utf-8"
    )
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 0, result.output
    company, person = db.session.execute(db.select(Dossier).order_by(Dossier.code)).scalars()
    assert (company.applicant_kind, company.applicant_id_kind, company.applicant_id_number) == (
        ApplicantKind.ORGANISATION,
        IdKind.TAX_CODE,
        "0101234567",
    )
    assert (company.submitter_name, company.submitter_authorisation) == (
        "Lê Văn Tám",
        "Giấy giới thiệu số 3/GGT",
    )
    assert (person.applicant_kind, person.applicant_id_number, person.submitter_name) == (
        ApplicantKind.PERSON,
        "",
        "",
    )
