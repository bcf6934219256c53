"""One way to move around: every staff page carries the shared header (web/nav.py), and no
staff page is reachable only by typing its address.

The crawl signs each role in through the sign-in form, then follows only the `<a href>`
links it finds on the pages, from the page the sign-in lands on, and proves that it reaches
every GET route the role may open (read from `app.url_map` and the role checks, as the route
walk does), with the demo desk and a few dossiers as data.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from test_route_walk import ACCOUNTS, declared_roles
from werkzeug.exceptions import HTTPException

from core.dossiers.states import Action, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.models import Role
from extensions import db
from tests import factories

# GET routes a role may open that are not pages one moves to by a link, and why. Keep it short.
NOT_LINKED = {
    "desk.state": "the console's JSON, fetched by desk.js",
    "dashboard.state": "the live view's JSON, fetched by dashboard-live.js",
    "printing.alerts": "the printer alerts' JSON, fetched by printer-alerts.js on staff pages",
    "dossiers.qr": "an <img> on the dossier's page (the QR code), not a page",
    # The reception's answer to a POST: a supplement or refusal slip opens once, by the
    # redirect of the reception that issued it; its PDF is linked from that page.
    "dossiers.slip_page": "opened by the redirect after a slip is issued",
    "dossiers.slip_pdf": "linked from the slip's page above",
    "dashboard.report_json": "the statistics as JSON, for other programs, not a page",
    "admin.device_key": "a new device's key, shown once by the redirect after creating it",
    "dossiers.find": "the scanner's search box (a GET form) that redirects to the dossier",
    "dossiers.export_status": "an export's progress as JSON, fetched by export-progress.js",
    # A button of a closed period on the statistics page (a GET form with the period).
    "dashboard.reopen_period_page": "the 'reopen' button of a closed period",
}
# Files, not pages: the crawl counts the link and does not download them.
DOWNLOADS = (".pdf", ".xlsx", ".docx", ".json", ".svg")
VISITS_PER_ENDPOINT = 4  # the filters and pages of one list add nothing after a few


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def allowed_get_endpoints(app, role: Role) -> set[str]:
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_LINKED:
            continue
        if role in (declared_roles(app, rule) or ()):
            found.add(rule.endpoint)
    return found


def crawl(app, client, start: str):
    """Follow same-site links breadth first from `start`: the endpoints reached (a link to
    them was found) and the pages that answered with an error."""
    adapter = app.url_map.bind("localhost")
    reached, errors, visits = set(), [], {}
    queue, seen = [start], {start}
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200:
            errors.append(f"{url}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        for href in links_of(response.get_data(as_text=True)):
            target = urlsplit(urljoin("http://localhost" + url, href))
            if target.netloc != "localhost" or "lang" in parse_qs(target.query):
                continue  # another site; the language switch (it only changes the language)
            try:
                endpoint, _ = adapter.match(target.path, method="GET")
            except HTTPException:
                errors.append(f"{url} links to {href}, which is no page")
                continue
            reached.add(endpoint)
            path = target.path + (f"?{target.query}" if target.query else "")
            if path in seen or target.path.endswith(DOWNLOADS):
                continue
            if visits.get(endpoint, 0) >= VISITS_PER_ENDPOINT:
                continue
            visits[endpoint] = visits.get(endpoint, 0) + 1
            seen.add(path)
            queue.append(path)
    return reached, errors


@pytest.fixture
def dossiers(app, demo):
    """A dossier just received, and one with its unit asked to supplement it."""
    factories.dossier()
    asked = factories.dossier(name="Trần Thị Bình", id_number="001199012346")
    move(asked, Action.TRANSFER, user=factories.user())
    move(asked, Action.START, user=factories.user())
    draft = SupplementDraft(
        items=["Bản sao giấy khám sức khỏe"], reason="Thiếu giấy khám", contact="Cán bộ một cửa"
    )
    request_supplement(asked, draft, user=factories.user())
    db.session.commit()


@pytest.fixture
def at_each_step(app, demo):
    """The desk's agency's process for GPLX-DOI, and a dossier at the step of each of the
    demo's processing officers (specialist, unit head, leader), taken, with its result."""
    from core.agencies.registry import find_agency
    from core.clock import utcnow
    from core.dossiers.procedures import find_procedure
    from core.dossiers.workdays import work_calendar
    from core.models import DossierStatus
    from core.processes import flow
    from core.processes.definition import StepFields, define_process
    from core.processes.results import record_result

    steps = [
        StepFields("desk", "4h"),
        StepFields("specialist", "3", "QLPT"),
        StepFields("unit_head", "1", "QLPT"),
        StepFields("agency_leader", "3.5h"),
    ]
    home = find_agency(factories.HOME)
    define_process(home, find_procedure("GPLX-DOI"), steps, None, work_calendar(utcnow()))
    db.session.commit()
    chain = [factories.user(name) for name in ("chuyenvien", "truongphong", "giamdoc")]
    for position, holder in enumerate(chain):
        dossier = factories.dossier(name="Lê Văn Cường", id_number=f"00109901000{position}")
        if dossier.status == DossierStatus.RECEIVED:  # after the cut-off: the desk hands on
            move(dossier, Action.TRANSFER, user=factories.user())
        for officer in chain[:position]:
            flow.take(dossier, officer)
            flow.hand_on(dossier, officer)
        flow.take(dossier, holder)
        record_result(dossier, holder, "ket-qua.pdf", b"%PDF-1.4\n%%EOF\n")
        db.session.commit()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_a_role_may_open_is_reached_by_links(app, dossiers, at_each_step, auth, role):
    client = app.test_client()
    signed_in = auth.login(ACCOUNTS[role], client=client)
    landing = urlsplit(signed_in.headers["Location"]).path
    if role in (Role.OFFICER, Role.ADMIN):  # a register file asked for: the register page lists it
        factories.register_file(client, "xlsx")
    reached, errors = crawl(app, client, landing)
    missing = allowed_get_endpoints(app, role) - reached
    assert not missing, f"{role}: reachable only by typing the address: {sorted(missing)}"
    assert not errors, "\n".join(errors)


def header_links(html: str) -> str:
    start = html.index('<nav class="staff-nav"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            Role.OFFICER,
            ["/desk/", "/dossiers/receive", "/dossiers/", "status=resolved", "/dossiers/register"],
            ["/dashboard/", "/admin/"],
        ),
        (
            Role.MANAGER,
            ["/dashboard/", "/dashboard/stats", "/dashboard/periods/close", "/admin/users"],
            ["/dossiers/receive", "/dossiers/register", "status=resolved", "/admin/procedures"],
        ),
        (
            Role.ADMIN,
            ["/admin/procedures", "/admin/calendar", "/admin/dossier-settings", "/admin/printers/"]
            + ["/admin/devices", "/admin/users", "/admin/services", "/admin/counters"]
            + ["/admin/audit", "/dashboard/"],
            ["/desk/"],
        ),
        (Role.SPECIALIST, ["/in-tray"], ["/dashboard/evaluation", "/desk/", "/dossiers/receive"]),
        (Role.UNIT_HEAD, ["/in-tray", "/dashboard/evaluation"], ["/dashboard/stats", "/desk/"]),
        (
            Role.AGENCY_LEADER,
            ["/in-tray", "/dashboard/evaluation"],
            ["/dashboard/stats", "/dashboard/periods/close", "/admin/"],
        ),
    ],
)
def test_the_header_offers_each_role_its_sections(app, demo, auth, client, role, shown, hidden):
    auth.login(ACCOUNTS[role])
    page = client.get("/dossiers/").get_data(as_text=True)
    header = header_links(page)
    for link in shown:
        assert link in header, f"{role} misses {link}"
    for link in hidden:
        assert link not in header, f"{role} must not see {link}"
    assert 'data-field="signed-in"' in page and "Đăng xuất" in page
    assert 'href="?lang=en"' in page


def test_the_current_section_is_marked(app, demo, auth, client):
    auth.login("quantri")
    services = client.get("/admin/services/new").get_data(as_text=True)
    current = [line for line in header_links(services).splitlines() if "aria-current" in line]
    assert len(current) == 1 and 'href="/admin/services"' in current[0]
    auth.logout()
    auth.login("canbo1")
    ready = header_links(client.get("/dossiers/?status=resolved").get_data(as_text=True))
    (marked,) = [line for line in ready.splitlines() if "aria-current" in line]
    assert "status=resolved" in marked
    listed = header_links(client.get("/dossiers/").get_data(as_text=True))
    (marked,) = [line for line in listed.splitlines() if "aria-current" in line]
    assert 'href="/dossiers/"' in marked


def test_a_manager_on_the_read_only_admin_pages_keeps_the_dashboard(app, demo, auth, client):
    auth.login("lanhdao")
    page = client.get("/admin/users").get_data(as_text=True)
    header = header_links(page)
    assert 'href="/dashboard/"' in header and 'href="/dashboard/stats"' in header
    assert "chế độ chỉ đọc" in page


def test_the_console_links_to_the_dossier_list_and_the_return_of_results(app, demo, auth, client):
    auth.login("canbo1")
    counter = factories.counter(1)
    factories.counter_session("canbo1", counter.number)
    page = client.get("/desk/").get_data(as_text=True)
    assert 'data-state-url="/desk/state"' in page, "the console itself"
    header = header_links(page)
    assert 'href="/dossiers/"' in header and "status=resolved" in header


def test_the_citizens_home_links_to_the_dossier_look_up(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/tra-cuu"' in page
    assert "staff-nav" not in page, "no staff header for citizens"
