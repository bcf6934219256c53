"""The dashboard in a real browser over gunicorn: the live view refreshes by itself, the
statistics page draws its charts; screenshots for the docs."""

import pytest

from conftest import SCREENSHOTS, sign_in_browser
from core.queue.calling import call_next
from core.queue.ticket_flow import Actor
from extensions import db
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def busy_desk(app, demo, runner, monkeypatch):
    """Two months of history, then a morning in progress: queues and two open counters."""
    result = runner.invoke(
        args=[
            "demo-history",
            "--days",
            "45",
            "--dossiers-per-day",
            "150",
            "--tickets-per-day",
            "450",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    for code in ("GPLX",) * 7 + ("PTIEN",) * 4 + ("VTAI",) * 2 + ("TRAKQ",) * 3:
        factories.ticket(code)
    for username, number in (("canbo1", 1), ("canbo2", 3)):
        factories.counter_session(username, number)
        call_next(number, Actor(user=factories.user(username)))
        db.session.commit()
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", "2")


def test_live_view_and_statistics_in_the_browser(busy_desk, request, page_factory):
    server = request.getfixturevalue("live_server")
    errors = []
    page = page_factory(viewport=(1440, 900))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_browser(page, "lanhdao", f"{server.url}/auth/login")
    page.get_by_role("heading", name="Tình hình tại bộ phận một cửa").wait_for()
    assert page.url.endswith("/dashboard/")
    waiting = page.locator('[data-field="waiting-total"]')
    assert waiting.inner_text() == "14"  # 16 issued, 2 called
    assert "Trần Văn Minh" in page.locator('[data-field="counters"]').inner_text()

    factories.ticket("KCHT")  # a citizen takes a ticket: the view shows it without a reload
    page.wait_for_function(
        "() => document.querySelector('[data-field=\"waiting-total\"]').textContent === '15'",
        timeout=10_000,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-live.png", full_page=True)

    page.get_by_role("link", name="Thống kê và báo cáo").click()
    page.get_by_role("heading", name="Thống kê và báo cáo cải cách hành chính").wait_for()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(canvas => window.Chart && Chart.getChart(canvas))",
        timeout=10_000,
    )
    charts = page.locator("canvas[data-chart]").count()
    assert charts >= 8
    official = page.locator('table[data-table="tthc"] tfoot').inner_text()
    assert "Tổng cộng" in official
    page.screenshot(path=SCREENSHOTS / "dashboard-stats.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo (DOCX)").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert not errors, errors
