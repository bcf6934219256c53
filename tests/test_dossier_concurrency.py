"""Officers at several counters receiving at the same moment never share a dossier code."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from core.models import Dossier, DossierSequence
from extensions import db

pytestmark = pytest.mark.slow
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in_session(url: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{url}/auth/login").text
    session.post(
        f"{url}/auth/login",
        data={"username": "canbo1", "password": "canbo1-demo", "csrf_token": CSRF.search(page)[1]},
    )
    form = session.get(f"{url}/dossiers/receive?procedure=XQK").text
    return session, CSRF.search(form)[1]


def test_parallel_receptions_get_distinct_codes_and_register_numbers(live_server):
    sessions = [signed_in_session(live_server.url) for _ in range(4)]

    def receive(index: int) -> int:
        session, token = sessions[index % len(sessions)]
        response = session.post(
            f"{live_server.url}/dossiers/receive",
            data={
                "csrf_token": token,
                "procedure": "XQK",
                "documents": ["0", "1", "2"],
                "applicant_name": f"Công ty Vận tải số {index}",
                "applicant_id_number": "001099012345",
                "applicant_phone": "0912345678",
                "channel": "online",
                "sets": "1",
                "accept": "1",
            },
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(receive, range(16)))
    assert statuses == [302] * 16
    db.session.rollback()
    dossiers = db.session.execute(db.select(Dossier)).scalars().all()
    sequences = sorted(int(d.code.rsplit("-", 1)[1]) for d in dossiers)
    assert sequences == list(range(1, 17))
    assert sorted(d.register_number for d in dossiers) == list(range(1, 17))
    day_counter = db.session.execute(db.select(DossierSequence).filter_by(scope="day")).scalar_one()
    assert day_counter.last_value == 16
