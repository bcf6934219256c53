"""The strict Content-Security-Policy in a real browser: every kind of page works and
none reports a violation (no inline script, style attribute or foreign source)."""

import pytest

from conftest import SCREENSHOTS, sign_in_browser, wait_until
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Reported to the page as `securitypolicyviolation` events, collected before any script.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


class Watched:
    """A page whose CSP violations are collected from the console and from events."""

    def __init__(self, page, name):
        self.page, self.name, self.console = page, name, []
        page.add_init_script(LISTEN)
        page.on("console", self.listen)

    def listen(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        events = self.page.evaluate("() => window.__violations || []")
        return [f"{self.name} {self.page.url}: {text}" for text in events + self.console]


def test_no_page_reports_a_csp_violation(live_server, page_factory):
    base = live_server.url
    display_key = factories.device("display", "Bảng sảnh CSP").key
    dossier = factories.dossier()
    problems = []

    # Citizen: home, kiosk (a ticket is issued by the page's script), tracking, look-up.
    citizen = Watched(page_factory(viewport=(1920, 1080)), "citizen")
    citizen.page.goto(f"{base}/")
    citizen.page.goto(f"{base}/kiosk/#key={live_server.kiosk_key}")
    citizen.page.get_by_role("button", name="Cấp, đổi giấy phép lái xe").click()
    citizen.page.locator("#ask-no").click()  # the priority question
    citizen.page.locator("#result-number").wait_for(state="visible")
    citizen.page.locator("#result-qr").evaluate("image => image.decode()")
    number = citizen.page.locator("#result-number").inner_text()
    db.session.rollback()
    from core.models import Ticket

    token = db.session.scalars(db.select(Ticket.token).filter_by(number=number)).first()
    citizen.page.goto(f"{base}/t/{token}")
    assert citizen.page.locator('[data-field="number"]').inner_text() == number
    citizen.page.goto(base + factories.lookup_path(dossier.code))
    assert dossier.code in citizen.page.content()
    problems += citizen.violations()

    # The display board (scripts fill it from the API).
    board = Watched(page_factory(viewport=(1920, 1080)), "board")
    board.page.goto(f"{base}/display/#key={display_key}")
    board.page.locator("#counter-grid .counter-tile").first.wait_for()
    problems += board.violations()

    # An officer: the console calls the kiosk ticket; dossier pages and a printable form.
    officer = Watched(page_factory(viewport=(1440, 900)), "officer")
    sign_in_browser(officer.page, "canbo1", f"{base}/auth/login")
    officer.page.get_by_role("button", name="Làm việc tại quầy 1").click()
    officer.page.get_by_role("button", name="Gọi số tiếp theo").click()
    officer.page.locator('[data-field="current-number"]').wait_for()
    for path in (
        "/dossiers/",
        "/dossiers/receive?procedure=GPLX-DOI",
        f"/dossiers/{dossier.code}",
        f"/dossiers/{dossier.code}/print/receipt",
    ):
        officer.page.goto(base + path)
    problems += officer.violations()

    # An admin: every admin screen, the dossier desk's admin screens and the audit log.
    admin = Watched(page_factory(viewport=(1440, 900)), "admin")
    sign_in_browser(admin.page, "quantri", f"{base}/auth/login")
    for path in (
        "/admin/",
        "/admin/services",
        "/admin/counters",
        "/admin/users",
        "/admin/devices",
        "/admin/audit",
        "/admin/procedures",
        "/admin/calendar",
        "/admin/dossier-settings",
    ):
        response = admin.page.goto(base + path)
        assert response.status == 200, path
    admin.page.goto(f"{base}/admin/audit")
    admin.page.screenshot(path=SCREENSHOTS / "audit-log.png", full_page=True)
    problems += admin.violations()
    assert not problems, "\n".join(problems)

    # The control: an inline script is refused, and the watch above would have seen it.
    admin.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    wait_until(lambda: any("script-src" in text for text in admin.violations()), 5)
    assert admin.page.evaluate("() => window.x") is None
    assert any("script-src" in text for text in admin.violations())
