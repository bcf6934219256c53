"""The processing officers' pages: the in-tray by urgency, a dossier at its step, and the
moves made there; bad input explained and nothing written."""

import io

import time_machine

from admin_support import StaffClient, csrf_token, text_of
from core.models import Channel, DossierStatus, ResultDocument
from extensions import db
from tests import factories

at = factories.november
PDF = b"%PDF-1.4\n%%EOF\n"


def post_form(officer: StaffClient, page_url: str, action_url: str, data: dict, **kwargs):
    """Post `data` to `action_url` with the CSRF token of the page the form is on."""
    page = officer.get(page_url)
    assert page.status_code == 200
    return officer.post(action_url, {"csrf_token": csrf_token(text_of(page)), **data}, **kwargs)


def test_a_specialist_takes_hands_on_and_the_leader_returns_the_result(app, demo, runner):
    from core.agencies.registry import find_agency

    factories.two_agency_centre(runner)
    home, police = find_agency(factories.HOME), find_agency(factories.POLICE)
    first = factories.received("GPLX-DOI", Channel.DIRECT, at(2, 9), agency=home)
    late = factories.received("GPLX-DOI", Channel.ONLINE, at(2, 8), agency=home)
    other = factories.received("GPLX-DOI", Channel.ONLINE, at(2, 8), agency=police)
    specialist = StaffClient(app, "cvqlpt1")
    with time_machine.travel(at(5, 9, 30), tick=False):
        tray = text_of(specialist.get("/in-tray"))
        # Both are due on Thursday 5 (08:00 and 09:00): the first is overdue at 09:30.
        assert tray.index(late.code) < tray.index(first.code)
        assert 'data-urgency="overdue"' in tray and other.code not in tray
        assert specialist.get(f"/in-tray/{other.id}").status_code == 404
        url = f"/in-tray/{first.id}"
        taken = post_form(specialist, url, f"{url}/take", {})
        assert taken.status_code == 302
        page = text_of(specialist.get(url))
        assert "Hoàn thành bước, chuyển tiếp" in page
        handed = post_form(specialist, url, f"{url}/hand-on", {"to_position": "3", "note": ""})
        assert handed.status_code == 302 and handed.headers["Location"].endswith("/in-tray")
    db.session.refresh(first)
    assert (first.step.position, first.status) == (3, DossierStatus.PROCESSING)

    head = StaffClient(app, "tpqlpt")
    url = f"/in-tray/{first.id}"
    with time_machine.travel(at(5, 10), tick=False):
        post_form(head, url, f"{url}/take", {})
        assert post_form(head, url, f"{url}/hand-on", {"to_position": "4"}).status_code == 302
    leader = StaffClient(app, "gdso")
    with time_machine.travel(at(5, 11), tick=False):
        post_form(leader, url, f"{url}/take", {})
        refused = post_form(leader, url, f"{url}/to-desk", {}, follow_redirects=True)
        assert "Hãy tải lên văn bản kết quả" in text_of(refused)
        fake = post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(b"MZ..."), "x.pdf")},
            content_type="multipart/form-data", follow_redirects=True,
        )  # fmt: skip
        assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in text_of(fake)
        assert db.session.execute(db.select(ResultDocument)).first() is None
        saved = post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(PDF), "giay-phep.pdf")},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert saved.status_code == 302
        document = db.session.execute(db.select(ResultDocument)).scalar_one()
        served = leader.get(f"{url}/results/{document.id}")
        assert served.data == PDF and served.mimetype == "application/pdf"
        assert post_form(leader, url, f"{url}/to-desk", {}).status_code == 302
    db.session.refresh(first)
    assert (first.status, first.step) == (DossierStatus.RESOLVED, None)
    # The desk's page offers it for return, and no move of the units.
    desk = text_of(StaffClient(app, "canbo1").get(f"/dossiers/{first.code}"))
    assert 'value="return"' in desk and 'value="hand_over"' not in desk
