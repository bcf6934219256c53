"""Test data, made the way the app makes it (in the spirit of cookiecutter-flask's
tests/factories.py, as plain functions). Each builder commits what it made, unless told
not to, and hands it back. Most need the demo desk (the `demo` fixture): its services,
counters, procedures and staff.

    from tests import factories

    factories.counter_session("canbo1", 1)
    ticket = factories.ticket("GPLX", priority=True)
    keypad = factories.device("counter", counter=1).headers
"""

from typing import NamedTuple

from core.accounts.devices import create_device
from core.clock import utcnow
from core.dossiers.links import check_part
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Applicant, Reception, receive_dossier
from core.models import (
    CallEvent,
    Channel,
    Counter,
    CounterSession,
    Dossier,
    Ticket,
    TicketStatus,
    User,
)
from core.queue.calling import call_ticket
from core.queue.counters import current_ticket, open_session
from core.queue.issuing import issue_ticket
from core.queue.service_lookup import find_service
from core.queue.ticket_flow import Actor, TicketAction, move
from extensions import db

APPLICANT = dict(
    name="Nguyễn Văn An", id_number="001099012345", phone="0912 345 678", address="Hà Đông, Hà Nội"
)
DEVICE_NAMES = {
    "kiosk": "Kiosk sảnh A",
    "counter": "Bàn phím quầy {counter}",
    "rating": "Máy đánh giá quầy {counter}",
    "display": "Bảng",
}


def user(username: str = "canbo1") -> User:
    """A staff account of the demo desk (canbo1, canbo2: officers; lanhdao; quantri)."""
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def counter(number: int) -> Counter:
    return db.session.execute(db.select(Counter).filter_by(number=number)).scalar_one()


def counter_session(username: str, counter_number: int) -> CounterSession:
    """`username` signed in to work at counter `counter_number` today."""
    session = open_session(user(username), counter_number)
    db.session.commit()
    return session


class DeviceKey(NamedTuple):
    """A registered device: its id and its key (shown once, as on the admin screen)."""

    id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        """What the device sends with each request."""
        return {"Authorization": f"Bearer {self.key}"}


def device(
    kind: str,
    name: str | None = None,
    *,
    counter: int | None = None,
    printer_url: str | None = None,
) -> DeviceKey:
    """A kiosk, counter keypad or rating tablet (bound to `counter`) or display board."""
    name = name or DEVICE_NAMES[kind].format(counter=counter)
    made, key = create_device(kind, name, printer_url, counter)
    device_id = made.id
    db.session.commit()
    return DeviceKey(device_id, key)


def kiosk(printer_url: str | None, name: str = "Kiosk sảnh A") -> tuple[int, dict[str, str]]:
    """A kiosk with this printer address (or none): its id and its request headers."""
    made = device("kiosk", name, printer_url=printer_url)
    return made.id, made.headers


def ticket(service: str = "GPLX", *, commit: bool = True, **options) -> Ticket:
    """The next ticket of `service` (by code) today; `options` as for `issue_ticket`."""
    issued = issue_ticket(find_service(service), **options)
    if commit:
        db.session.commit()
    return db.session.get(Ticket, issued.id)


def call(ticket: Ticket, counter_number: int, kind: str = "call") -> CallEvent:
    """`ticket` called to the counter as a morning goes: the citizen called there before
    arrived (service started) and is finished by this call. Not committed."""
    at = counter(counter_number)
    current = current_ticket(at)
    if kind == "call" and current is not None and current.status == TicketStatus.CALLED:
        move(current, TicketAction.START, counter=at, actor=Actor(), now=utcnow())
    return call_ticket(ticket, at, kind)


def kiosk_ticket(client, headers: dict[str, str], service: str = "GPLX", **body) -> dict:
    """A ticket taken through the kiosk API; the kiosk's answer. The test client shares the
    test's database session, so its read ends first, as a server's request would."""
    db.session.rollback()
    response = client.post("/api/v1/tickets", json={"service": service, **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def dossier(procedure: str = "GPLX-DOI", *, ticket=None, agency=None, **applicant) -> Dossier:
    """A dossier received in person by canbo1, every document handed in; `applicant`
    overrides fields of APPLICANT; `ticket` is the queue ticket that brought it; `agency`
    the competent one, where several handle the procedure."""
    found = find_procedure(procedure)
    reception = Reception(
        found,
        Applicant(**{**APPLICANT, **applicant}),
        Channel.DIRECT,
        [document.position for document in found.documents],
        ticket=ticket,
        agency=agency,
    )
    received = receive_dossier(reception, user=user())
    db.session.commit()
    return received


def lookup_path(code: str) -> str:
    """The public look-up of dossier `code` as its receipt's QR code opens it."""
    return f"/tra-cuu?ma={code}&kt={check_part(code)}"


def register_file(client, file_format: str, year: int = 2026):
    """The year's register as a file, the way the desk gets it: asked for on the register
    page, built by the export worker (one run), downloaded by whoever asked."""
    from exports.worker import run_once

    client.application.config["WTF_CSRF_ENABLED"] = False  # the token: test_route_walk
    response = client.post(
        "/dossiers/register/export",
        data={"start": f"{year}-01-01", "end": f"{year}-12-31", "file_format": file_format},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.commit()
    assert run_once()
    download = client.get(response.headers["Location"] + "/download")
    assert download.status_code == 200
    return download


def process_officer(username: str, role: str, agency_code: str, unit_code: str | None = None):
    """A processing officer (specialist, unit_head, agency_leader) of an agency and unit,
    with the demo's password rule (the demo password of `username`)."""
    from conftest import demo_password
    from core.accounts.users import add_user, assign_post
    from core.agencies.registry import find_agency

    agency = find_agency(agency_code)
    unit = next((unit for unit in agency.units if unit.code == unit_code), None)
    officer = add_user(username, role, demo_password(username), username.upper(), None)
    assign_post(officer, agency, unit)
    db.session.commit()
    return officer


def received(procedure: str, channel: Channel, at, *, agency=None, by: str = "canbo1") -> Dossier:
    """A complete dossier received at the desk at `at` (a fixed moment) for `agency`."""
    found = find_procedure(procedure)
    reception = Reception(
        found,
        Applicant(**APPLICANT),
        channel,
        [document.position for document in found.documents],
        agency=agency,
    )
    dossier = receive_dossier(reception, user=user(by), now=at)
    db.session.commit()
    return dossier


HOME, POLICE = "000.17.22.H56", "000.00.07.H56"
PC08 = "Phòng Cảnh sát giao thông"


def november(day: int, hour: int, minute: int = 0):
    """A moment of November 2026 (Monday 2 to Friday 13: no holiday)."""
    from conftest import local_time

    return local_time(2026, 11, day, hour, minute)


def two_agency_centre(runner) -> dict[str, User]:
    """The desk's agency and the traffic police, both competent for GPLX-DOI (5 working
    days, 37.5 working hours), each with its process and its officers (by username)."""
    from core.agencies.registry import find_agency
    from core.dossiers.workdays import work_calendar
    from core.processes.definition import StepFields, define_process

    added = runner.invoke(
        args=["agencies", "add", POLICE, "Công an tỉnh", "--procedures", "GPLX-DOI"]
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(args=["agencies", "add-unit", POLICE, "PC08", PC08]).exit_code == 0
    calendar = work_calendar(november(2, 8))
    home_steps = [
        StepFields("desk", "4h"),
        StepFields("specialist", "3", "QLPT"),
        StepFields("unit_head", "1", "QLPT"),
        StepFields("agency_leader", "3.5h"),
    ]
    police_steps = [
        StepFields("desk", "4h"),
        StepFields("specialist", "4", "PC08"),
        StepFields("unit_head", "3.5h", "PC08"),
    ]
    licence = find_procedure("GPLX-DOI")
    define_process(find_agency(HOME), licence, home_steps, None, calendar)
    define_process(find_agency(POLICE), licence, police_steps, None, calendar)
    db.session.commit()
    return {
        "cvqlpt1": process_officer("cvqlpt1", "specialist", HOME, "QLPT"),
        "cvqlpt2": process_officer("cvqlpt2", "specialist", HOME, "QLPT"),
        "tpqlpt": process_officer("tpqlpt", "unit_head", HOME, "QLPT"),
        "gdso": process_officer("gdso", "agency_leader", HOME),
        "cvpc08": process_officer("cvpc08", "specialist", POLICE, "PC08"),
        "tppc08": process_officer("tppc08", "unit_head", POLICE, "PC08"),
    }
