"""An officer receives a dossier from the ticket being served, prints the receipt, the
citizen looks it up from the QR code, and the officer later returns the result."""

import io
from urllib.parse import quote

import pytest
import zxingcpp
from PIL import Image

from conftest import SCREENSHOTS, confirm_action, sign_in_browser
from core.models import Dossier, DossierStatus, Ticket, TicketStatus
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code found in the screenshot"
    return results[0].text


def serving_ticket() -> Ticket:
    """A ticket being served at counter 1 (what the desk feature does when it calls one)."""
    ticket = factories.ticket("GPLX", commit=False)
    ticket.status = TicketStatus.SERVING
    ticket.counter_id = factories.counter(1).id
    db.session.commit()
    return ticket


def test_receive_print_look_up_and_return_in_the_browser(live_server, page_factory):
    ticket = serving_ticket()
    officer = page_factory(viewport=(1280, 1000))
    target = f"/dossiers/receive?ticket={ticket.id}"
    sign_in_browser(officer, "canbo1", f"{live_server.url}/auth/login?next={quote(target)}")
    assert officer.get_by_text("A001").first.is_visible()

    officer.fill("#q", "cap doi gplx")
    officer.press("#q", "Enter")
    officer.get_by_role("link", name="Cấp đổi giấy phép lái xe").first.click()
    for box in officer.locator('input[name="documents"]').all():
        box.check()
    officer.fill('input[name="applicant_name"]', "Nguyễn Văn An")
    officer.fill('input[name="applicant_id_number"]', "001099012345")
    officer.fill('input[name="applicant_phone"]', "0912 345 678")
    officer.fill('input[name="applicant_address"]', "Số 12 Quang Trung, Hà Đông, Hà Nội")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=SCREENSHOTS / "dossier-reception.png", full_page=True)
    officer.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()

    sheet = officer.locator("#form-sheet")
    sheet.wait_for()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in sheet.inner_text()
    db.session.rollback()
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    assert dossier.ticket_id == ticket.id
    officer.locator("#receipt-qr").evaluate("image => image.decode()")
    officer.evaluate("document.fonts.ready")
    sheet.screenshot(path=SCREENSHOTS / "dossier-receipt-a5.png")
    lookup_url = decode_qr(officer.locator("#receipt-qr").screenshot())
    address, check = lookup_url.split("&kt=")
    assert address == f"{live_server.url}/tra-cuu?ma={dossier.code}" and len(check) == 8
    assert f"Mã kiểm tra: {check[:4]}-{check[4:]}" in sheet.inner_text()  # for typing by hand

    phone = page_factory(viewport=(390, 844), is_mobile=True, device_scale_factor=2)
    phone.goto(lookup_url)
    assert "Nguyễn" not in phone.content()
    assert phone.locator('[data-field="status"]').inner_text() == "Đã tiếp nhận"
    assert "0912345678" not in phone.content()
    phone.screenshot(path=SCREENSHOTS / "dossier-lookup-phone.png", full_page=True)

    officer.get_by_role("link", name="Quay lại").click()
    confirm_action(officer, "transfer", receiver_name="Lê Văn Cường")
    confirm_action(officer, "start")
    confirm_action(officer, "resolve", note="Đã in giấy phép lái xe mới")

    officer.goto(f"{live_server.url}/dossiers/")
    officer.fill("#scan-code", lookup_url)  # a hand-held scanner types what the QR code holds
    officer.press("#scan-code", "Enter")
    assert officer.locator('[data-field="code"]').inner_text() == dossier.code
    confirm_action(officer, "return")

    history = officer.locator("#history tbody tr")
    assert [row.get_attribute("data-action") for row in history.all()] == [
        "receive",
        "transfer",
        "start",
        "resolve",
        "return",
    ]
    assert officer.locator("#audit li").count() == 5
    officer.locator("#history").scroll_into_view_if_needed()
    officer.screenshot(path=SCREENSHOTS / "dossier-returned.png", full_page=True)
    db.session.rollback()
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.returned_at is not None and dossier.resolved_at is not None
    phone.reload()
    assert phone.locator('[data-field="status"]').inner_text() == "Đã trả kết quả"


def test_a_company_filed_by_an_authorised_person_in_the_browser(live_server, page_factory):
    officer = page_factory(viewport=(1280, 1000))
    target = "/dossiers/receive?procedure=GPLX-DOI"
    sign_in_browser(officer, "canbo1", f"{live_server.url}/auth/login?next={quote(target)}")
    submitter = officer.locator('input[name="submitter_name"]')
    note = officer.locator('input[name="applicant_id_note"]')
    assert not submitter.is_visible() and not note.is_visible()
    for box in officer.locator('input[name="documents"]').all():
        box.check()
    officer.get_by_label("Tổ chức (doanh nghiệp, cơ quan, hội…)").check()
    officer.fill('input[name="applicant_name"]', "Công ty TNHH Vận tải Hòa Bình")
    officer.fill('input[name="applicant_address"]', "12 Quang Trung, Hà Đông, Hà Nội")
    officer.select_option('select[name="applicant_id_kind"]', "tax_code")
    officer.fill('input[name="applicant_id_number"]', "0101234567")
    officer.get_by_label("Người khác nộp thay (có giấy ủy quyền)").check()
    assert submitter.is_visible()
    submitter.fill("Trần Văn Bình")
    officer.select_option('select[name="submitter_id_kind"]', "passport")
    officer.fill('input[name="submitter_id_number"]', "C1234567")
    officer.fill('input[name="submitter_phone"]', "0987654321")
    officer.fill(
        'input[name="submitter_authorisation"]', "Giấy giới thiệu số 12/GGT ngày 01/12/2026"
    )
    officer.screenshot(path=SCREENSHOTS / "dossier-reception-proxy.png", full_page=True)
    officer.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()

    sheet = officer.locator("#form-sheet")
    sheet.wait_for()
    text = sheet.inner_text()
    assert "Công ty TNHH Vận tải Hòa Bình" in text and "Trần Văn Bình" in text
    assert "Giấy giới thiệu số 12/GGT" in text
    officer.evaluate("document.fonts.ready")
    sheet.screenshot(path=SCREENSHOTS / "dossier-receipt-proxy-a5.png")
    db.session.rollback()
    dossier = db.session.execute(db.select(Dossier)).scalar_one()
    assert dossier.by_organisation and dossier.submitter_id_number == "C1234567"
    assert dossier.applicant_phone == ""

    officer.get_by_role("link", name="Quay lại").click()
    confirm_action(officer, "transfer", receiver_name="Lê Văn Cường")
    confirm_action(officer, "start")
    confirm_action(officer, "resolve", note="Đã có kết quả")
    details = officer.locator("details.action--return")
    details.get_by_label("Người được ủy quyền").check()
    confirm_action(officer, "return")
    collector = officer.locator('[data-field="collector"]').inner_text()
    assert collector.startswith("Trần Văn Bình")
    db.session.rollback()
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == DossierStatus.RETURNED
    assert (dossier.collected_by.value, dossier.collector_name) == ("authorised", "Trần Văn Bình")
    officer.goto(f"{live_server.url}/dossiers/register")
    row = officer.locator("#form-sheet tbody tr").first.inner_text()
    assert "Trần Văn Bình (người được ủy quyền)" in row and "Trực tiếp" in row
    officer.evaluate("document.fonts.ready")
    officer.locator("#form-sheet").screenshot(path=SCREENSHOTS / "dossier-register.png")
