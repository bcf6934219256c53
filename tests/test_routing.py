"""Routing at reception: the desk picks the competent agency where several handle a
procedure; the dossier's code, day number and register are that agency's; the agency code
has one source, the agency's row."""

import time_machine

from core.agencies.registry import find_agency
from core.dossiers.register import count_entries, parse_period
from core.dossiers.settings import dossier_settings, save_settings
from core.models import Dossier
from extensions import db
from tests import factories

at = factories.november
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


def test_the_desk_chooses_the_competent_agency_and_its_register(app, demo, runner, auth, client):
    factories.two_agency_centre(runner)
    police = find_agency(factories.POLICE)
    app.config["WTF_CSRF_ENABLED"] = False  # the token: test_route_walk
    auth.login("canbo1")
    with time_machine.travel(at(2, 9), tick=False):
        page = client.get("/dossiers/receive?procedure=GPLX-DOI").get_data(as_text=True)
        assert "Cơ quan có thẩm quyền giải quyết" in page and "Công an tỉnh" in page
        refused = client.post("/dossiers/receive", data=FORM)
        assert refused.status_code == 422
        assert "do nhiều cơ quan giải quyết" in refused.get_data(as_text=True)
        assert db.session.execute(db.select(Dossier)).first() is None
        received = client.post("/dossiers/receive", data={**FORM, "agency_id": str(police.id)})
        assert received.status_code == 302
        home = client.post(
            "/dossiers/receive",
            data={**FORM, "agency_id": str(find_agency(factories.HOME).id)},
        )
        assert home.status_code == 302
    codes = sorted(db.session.execute(db.select(Dossier.code)).scalars())
    # Each agency numbers its own day from 1; both share the centre's register numbers.
    assert codes == ["000.00.07.H56-261102-0001", "000.17.22.H56-261102-0001"]
    with time_machine.travel(at(3, 9), tick=False):
        register = client.get(
            f"/dossiers/register?from=2026-11-01&to=2026-11-30&agency={police.code}"
        )
    text = register.get_data(as_text=True)
    assert "000.00.07.H56-261102-0001" in text and "000.17.22.H56-261102-0001" not in text
    assert "Công an tỉnh" in text
    assert count_entries(parse_period("2026-11-01", "2026-11-30", agency=police.code)) == 1
    assert count_entries(parse_period("2026-11-01", "2026-11-30")) == 2


def test_the_agency_code_of_the_settings_is_the_first_agencys_row(app, demo):
    save_settings({"agency_code": "000.17.22.H99"})
    db.session.commit()
    assert find_agency("000.17.22.H99").name == "Sở Giao thông vận tải"
    assert dossier_settings()["agency_code"] == "000.17.22.H99"
    with time_machine.travel(at(2, 9), tick=False):
        assert factories.dossier().code == "000.17.22.H99-261102-0001"
