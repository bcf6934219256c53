"""Closing a report period in a real browser over gunicorn: the confirmation, the banner, the
stored table, then the live figures and their difference once a dossier is added."""

from datetime import datetime, time, timedelta

import pytest

from conftest import SCREENSHOTS, VIETNAM, sign_in_browser
from core.clock import local_today
from core.models import ClosedReportPeriod
from core.reports.periods import PeriodKind, current_period, month_period, report_month
from extensions import db
from tests.reform_history import received

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def last_month(app, demo, runner):
    """Two months of history; the report month before this one, over and still open."""
    result = runner.invoke(
        args=["demo-history", "--days", "60", "--dossiers-per-day", "60"]
        + ["--tickets-per-day", "150"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    this_month = current_period(PeriodKind.MONTH, local_today())
    year, month = report_month(this_month.start - timedelta(days=1))
    return month_period(year, month)


def test_a_manager_closes_last_month_and_sees_the_live_difference(
    last_month, request, page_factory
):
    server = request.getfixturevalue("live_server")
    errors = []
    page = page_factory(viewport=(1440, 900))
    page.on("pageerror", lambda error: errors.append(str(error)))
    stats = f"{server.url}/dashboard/stats?period={last_month.key()}"
    sign_in_browser(page, "lanhdao", f"{server.url}/auth/login")
    page.goto(stats)
    received_before = page.locator('table[data-table="tthc"] tfoot td').nth(2).inner_text()

    page.get_by_role("button", name="Chốt số liệu kỳ này…").click()
    page.get_by_role("heading", name="Chốt số liệu kỳ báo cáo").wait_for()
    assert "Số liệu sẽ được lưu (tổng cộng)" in page.inner_text("main")
    page.screenshot(path=SCREENSHOTS / "dashboard-period-close-confirm.png")
    page.get_by_role("button", name="Chốt số liệu", exact=True).click()
    page.wait_for_url(stats)
    banner = page.locator("#period-closing")
    assert "Đã chốt số liệu lúc" in banner.inner_text()
    assert "bởi Lê Hoàng Nam (lanhdao)" in banner.inner_text()
    db.session.rollback()
    assert db.session.execute(db.select(ClosedReportPeriod)).scalar_one().closed_by.username == (
        "lanhdao"
    )

    # A dossier of the closed month entered afterwards: the stored table does not move.
    late_entry = datetime.combine(last_month.end, time(9, 0), tzinfo=VIETNAM)
    received("GPLX-DOI", late_entry)
    db.session.commit()
    page.reload()
    assert page.locator('table[data-table="tthc"] tfoot td').nth(2).inner_text() == received_before
    page.screenshot(path=SCREENSHOTS / "dashboard-period-closed.png")  # banner and tiles

    page.get_by_role("link", name="Xem số liệu hiện tại và chênh lệch").click()
    page.get_by_role("heading", name="Chênh lệch: số liệu hiện tại trừ số liệu đã chốt").wait_for()
    difference = page.locator('table[data-table="tthc_difference"] tfoot td')
    assert difference.nth(2).inner_text() == "+1"  # received, in total
    assert "Đang xem số liệu hiện tại" in page.locator("#period-closing").inner_text()
    page.locator("#tthc-difference").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "dashboard-period-live-difference.png")
    assert not errors, errors
