"""A dossier from the kiosk's ticket to the desk, the specialist's in-tray, the unit head's
approval with the result's document, and the return, in the browser; screenshots of the
in-tray and the evaluation page."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from test_desk_browser import take_kiosk_ticket

from conftest import SCREENSHOTS, confirm_action, sign_in_browser
from core.agencies.registry import find_agency
from core.clock import utcnow
from core.dossiers.procedures import find_procedure
from core.dossiers.workdays import work_calendar
from core.models import Channel, Dossier, DossierStatus, Ticket, TicketStatus
from core.processes.definition import StepFields, define_process
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def licence_process() -> None:
    """GPLX-DOI at the Department: the desk, a specialist of QLPT, the head of QLPT."""
    steps = [
        StepFields("desk", "4h"),
        StepFields("specialist", "4", "QLPT", name="Thẩm định hồ sơ, in giấy phép"),
        StepFields("unit_head", "3.5h", "QLPT", name="Trưởng phòng duyệt, ký"),
    ]
    home = find_agency(factories.HOME)
    define_process(home, find_procedure("GPLX-DOI"), steps, None, work_calendar())
    db.session.commit()


def earlier_dossiers() -> None:
    """Dossiers received online some days ago, waiting in the specialist's in-tray."""
    home = find_agency(factories.HOME)
    for days, name in ((9, "Trần Thị Bích"), (4, "Lê Văn Dũng"), (1, "Phạm Minh Khoa")):
        moment = utcnow() - timedelta(days=days)
        factories.received("GPLX-DOI", Channel.ONLINE, moment, agency=home).applicant_name = name
    db.session.commit()


def test_kiosk_desk_specialist_head_and_return_in_the_browser(live_server, page_factory):
    licence_process()
    earlier_dossiers()
    number = take_kiosk_ticket(live_server, page_factory)
    db.session.rollback()
    ticket = db.session.execute(db.select(Ticket).filter_by(number=number)).scalar_one()
    ticket.status, ticket.counter_id = TicketStatus.SERVING, factories.counter(1).id  # called
    db.session.commit()

    desk = page_factory(viewport=(1280, 1000))
    target = f"/dossiers/receive?ticket={ticket.id}&procedure=GPLX-DOI"
    sign_in_browser(desk, "canbo1", f"{live_server.url}/auth/login?next={quote(target)}")
    for box in desk.locator('input[name="documents"]').all():
        box.check()
    desk.fill('input[name="applicant_name"]', "Nguyễn Văn An")
    desk.fill('input[name="applicant_id_number"]', "001099012345")
    desk.fill('input[name="applicant_phone"]', "0912 345 678")
    desk.fill('input[name="applicant_address"]', "Số 12 Quang Trung, Hà Đông, Hà Nội")
    desk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    desk.locator("#form-sheet").wait_for()
    db.session.rollback()
    dossier = db.session.execute(db.select(Dossier).filter_by(ticket_id=ticket.id)).scalar_one()
    desk.goto(f"{live_server.url}/dossiers/{dossier.code}")
    if dossier.status == DossierStatus.RECEIVED:  # on paper after 15:00: the desk hands it on
        confirm_action(desk, "transfer")
    assert desk.locator("details.action--start").count() == 0  # the unit's move, not the desk's

    specialist = page_factory(viewport=(1280, 900))
    sign_in_browser(specialist, "chuyenvien", f"{live_server.url}/auth/login?next=/in-tray")
    rows = specialist.locator("#in-tray tbody tr")
    assert rows.count() == 4
    assert rows.first.get_attribute("data-urgency") == "overdue"
    specialist.evaluate("document.fonts.ready")
    specialist.screenshot(path=SCREENSHOTS / "in-tray.png", full_page=True)
    specialist.get_by_role("link", name=dossier.code).click()
    specialist.get_by_role("button", name="Nhận xử lý").click()
    assert specialist.locator('[data-field="holder"]').inner_text() == "Đỗ Thu Hà"
    specialist.get_by_role("button", name="Hoàn thành bước, chuyển tiếp").click()
    assert dossier.code not in specialist.locator("#in-tray").inner_text()

    head = page_factory(viewport=(1280, 1000))
    sign_in_browser(head, "truongphong", f"{live_server.url}/auth/login?next=/in-tray")
    head.get_by_role("link", name=dossier.code).click()
    head.get_by_role("button", name="Nhận xử lý").click()
    head.locator('#result input[type="file"]').set_input_files(
        files=[{"name": "giay-phep.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    head.get_by_role("button", name="Tải lên").click()
    assert head.get_by_role("link", name="giay-phep.pdf").is_visible()
    head.get_by_role("button", name="Chuyển bộ phận một cửa trả kết quả").click()

    desk.goto(f"{live_server.url}/dossiers/{dossier.code}")
    confirm_action(desk, "return")
    actions = [row.get_attribute("data-action") for row in desk.locator("#history tbody tr").all()]
    assert actions == ["receive", "transfer", "take", "hand_over", "take", "resolve", "return"]
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).status == DossierStatus.RETURNED

    manager = page_factory(viewport=(1400, 1100))
    sign_in_browser(manager, "lanhdao", f"{live_server.url}/auth/login?next=/dashboard/evaluation")
    assert "Đỗ Thu Hà" in manager.locator("#evaluation_officers").inner_text()
    manager.wait_for_function("Chart.getChart(document.querySelector('canvas[data-chart]'))")
    manager.screenshot(path=SCREENSHOTS / "evaluation.png", full_page=True)


def test_a_refusal_proposal_is_weighed_and_sent_as_a_refusal_in_the_browser(
    live_server, page_factory
):
    licence_process()
    home = find_agency(factories.HOME)
    dossier = factories.received("GPLX-DOI", Channel.ONLINE, utcnow(), agency=home)
    db.session.commit()
    specialist = page_factory(viewport=(1280, 900))
    target = f"/in-tray/{dossier.id}"
    sign_in_browser(specialist, "chuyenvien", f"{live_server.url}/auth/login?next={target}")
    specialist.get_by_role("button", name="Nhận xử lý").click()
    specialist.fill("#refusal-reason", "Giấy khám sức khỏe đã hết hạn")
    specialist.get_by_role("button", name="Đề xuất từ chối").click()

    head = page_factory(viewport=(1280, 1100))
    sign_in_browser(head, "truongphong", f"{live_server.url}/auth/login?next={target}")
    head.get_by_role("button", name="Nhận xử lý").click()
    weigh = head.locator("#weigh-refusal")
    assert "Giấy khám sức khỏe đã hết hạn" in weigh.inner_text()
    head.get_by_role("button", name="Không đồng ý, tiếp tục giải quyết").click()
    assert "Hãy ghi lý do không đồng ý từ chối." in head.locator("#weigh-refusal").inner_text()
    head.evaluate("document.fonts.ready")
    head.screenshot(path=SCREENSHOTS / "refusal-weighed.png", full_page=True)
    head.get_by_role("button", name="Đồng ý đề xuất từ chối").click()
    head.locator('#result input[type="file"]').set_input_files(
        files=[{"name": "tu-choi.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    head.get_by_role("button", name="Tải lên").click()
    assert head.locator("#to-desk").get_attribute("data-outcome") == "refusal"
    head.screenshot(path=SCREENSHOTS / "refusal-to-desk.png", full_page=True)
    head.get_by_role("button", name="Chuyển bộ phận một cửa trả văn bản từ chối").click()
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).status == DossierStatus.REFUSED
