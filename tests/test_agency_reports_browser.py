"""The statistics page of a centre of two agencies, in a real browser: the table by agency,
then one agency's table chosen from the page's own filters."""

import pytest
from test_agency_reports import PERIOD, POLICE, POLICE_NAME, history_rows, write_history

from conftest import SCREENSHOTS, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_table_by_agency_and_one_agencys_on_the_page(
    live_server, runner, tmp_path, page_factory
):
    assert runner.invoke(args=["agencies", "add", POLICE, POLICE_NAME]).exit_code == 0
    imported = runner.invoke(
        args=["dossiers", "import", str(write_history(tmp_path, history_rows()))]
    )
    assert imported.exit_code == 0, imported.output
    first, last = (day.isoformat() for day in PERIOD)

    def figures(*options: str) -> dict:
        import json

        result = runner.invoke(args=["report", "tthc", "--from", first, "--to", last, *options])
        return json.loads(result.stdout)

    page = page_factory(viewport=(1440, 900))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_browser(page, "lanhdao", f"{live_server.url}/auth/login")
    page.goto(f"{live_server.url}/dashboard/stats?from={first}&to={last}&by=agency")
    table = page.locator("#tthc table, table").first
    table.wait_for()
    by_agency = figures("--by", "agency")
    text = page.locator("body").inner_text()
    assert "Cơ quan" in text and f"{POLICE_NAME} ({POLICE})" in text
    received = [row["received_total"] for row in by_agency["rows"]]
    header = page.locator("th", has_text="Cơ quan").first
    assert header.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-by-agency.png", full_page=True)

    # One agency's table, chosen from the filters: its total is that agency's.
    page.locator('select[name="agency"]').select_option(POLICE)
    page.locator('select[name="by"]').select_option("field")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**agency={POLICE}**")
    police = figures("--agency", POLICE)
    tile = page.locator(".tile", has_text="Hồ sơ tiếp nhận").locator(".tile__value")
    assert tile.inner_text() == str(police["total"]["received_total"])
    assert police["total"]["received_total"] == received[0]
    assert errors == []
