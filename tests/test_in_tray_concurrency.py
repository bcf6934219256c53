"""Two specialists taking the same dossiers at the same moment: each dossier is taken once,
by one of them, with one history row."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import demo_password
from core.agencies.registry import find_agency
from core.clock import utcnow
from core.dossiers.procedures import find_procedure
from core.dossiers.workdays import work_calendar
from core.models import Channel, Dossier, DossierEvent
from core.processes.definition import StepFields, define_process
from extensions import db
from tests import factories

pytestmark = pytest.mark.slow
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in(url: str, username: str, dossier_id: int) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{url}/auth/login").text
    session.post(
        f"{url}/auth/login",
        data={"username": username, "password": demo_password(username),
              "csrf_token": CSRF.search(page)[1]},
    )  # fmt: skip
    return session, CSRF.search(session.get(f"{url}/in-tray/{dossier_id}").text)[1]


def test_two_specialists_never_both_take_a_dossier(live_server):
    home = find_agency(factories.HOME)
    steps = [StepFields("desk", "4h"), StepFields("specialist", "4", "QLPT"),
             StepFields("unit_head", "3.5h", "QLPT")]  # fmt: skip
    define_process(home, find_procedure("GPLX-DOI"), steps, None, work_calendar())
    db.session.commit()
    factories.process_officer("cvqlpt2", "specialist", factories.HOME, "QLPT")
    dossiers = [
        factories.received("GPLX-DOI", Channel.ONLINE, utcnow(), agency=home).id for _ in range(8)
    ]
    officers = [signed_in(live_server.url, name, dossiers[0]) for name in ("chuyenvien", "cvqlpt2")]

    def take(job: tuple[int, int]) -> int:
        dossier_id, officer = job
        session, token = officers[officer]
        response = session.post(
            f"{live_server.url}/in-tray/{dossier_id}/take",
            data={"csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code

    jobs = [(dossier_id, officer) for dossier_id in dossiers for officer in (0, 1)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(take, jobs)) == {302}
    db.session.rollback()
    for dossier_id in dossiers:
        takes = (
            db.session.execute(
                db.select(DossierEvent.user_id).filter_by(dossier_id=dossier_id, action="take")
            )
            .scalars()
            .all()
        )
        holder = db.session.get(Dossier, dossier_id).holder_id
        assert len(takes) == 1 and takes == [holder]
