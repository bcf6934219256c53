"""Managers' figures agree and explain themselves: the live view's overdue is the report's,
each count links to its dossiers, and every number is written the way the page's language
writes it (Vietnamese 1.234,5; English 1,234.5)."""

from datetime import date

import time_machine

from conftest import local_time
from core.i18n import format_figure
from core.reports.live import live_state
from core.reports.periods import custom_period
from core.reports.reform import reform_report
from tests.reform_history import build_history


def test_the_live_views_overdue_and_the_reports_count_the_same_dossiers(demo):
    build_history()
    for moment in (local_time(2026, 3, 10, 9, 0), local_time(2026, 3, 16, 12, 0)):
        with time_machine.travel(moment, tick=False):
            live = live_state()["dossiers"]["overdue"]
            report = reform_report(custom_period(date(2026, 1, 1), moment.date())).total
        assert live == report.pending_overdue, moment
    assert live == 2  # the fixture's two GPLX-DOI past due on 16/3 (not a vacuous 0 == 0)


def test_the_live_view_links_each_dossier_count_to_its_list(demo, client, auth):
    build_history()
    with time_machine.travel(local_time(2026, 3, 16, 12, 0), tick=False):
        auth.login("lanhdao")
        page = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/dossiers/?due=overdue"' in page
    assert 'href="/dossiers/?due=today"' in page
    assert "Cùng cách tính với báo cáo" in page  # the overdue count says how it is counted
    assert "khi có chức năng in phiếu" not in page  # no placeholder for what exists


def test_the_statistics_page_links_its_counts(demo, client, auth):
    build_history()
    with time_machine.travel(local_time(2026, 3, 16, 12, 0), tick=False):
        auth.login("lanhdao")
        current = client.get("/dashboard/stats?from=2026-03-01&to=2026-03-31").text
        past = client.get("/dashboard/stats?from=2026-02-01&to=2026-02-28").text
    assert 'href="/dossiers/?due=overdue"' in current
    assert "received_from=2026-03-01&amp;received_to=2026-03-31" in current
    assert 'href="/dossiers/?due=overdue"' not in past  # a past period's is a snapshot
    assert "Tại thời điểm cuối kỳ" in past


def test_one_formatter_for_every_number(app):
    assert format_figure(1234567.25, 1, "vi") == "1.234.567,2"
    assert format_figure(1234567.25, 1, "en") == "1,234,567.2"
    assert format_figure(75.5, 1, "vi") == "75,5" and format_figure(12000, 0, "vi") == "12.000"
    assert format_figure(None) == "–"
    figure = app.jinja_env.filters["figure"]
    with app.test_request_context("/"):
        assert figure(12345) == "12.345" and figure(2.5, "percent") == "2,5"
        assert figure(3, "delta") == "+3"
    with app.test_request_context("/?lang=en"):
        from flask_babel import refresh

        refresh()
        assert figure(12345) == "12,345" and figure(2.5, "decimal") == "2.5"


def test_fees_are_written_the_vietnamese_way(demo, client, auth):
    auth.login("quantri")
    page = client.get("/admin/procedures").text
    assert "1.000.000" in page or "135.000" in page or ".000" in page
    assert ",000<" not in page
