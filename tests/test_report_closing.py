"""Closing a report period: the figures as reported stay, the live ones move, and only an
admin reopens (from the command line and from the statistics page)."""

import io
import json
import re

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook

from conftest import count, csrf_token, local_time
from core.audit import ACTIONS
from core.models import AuditEvent, ClosedReportPeriod, Dossier
from core.reports.closing import close_period
from core.reports.periods import parse_period_key
from extensions import db
from tests import factories
from tests.reform_history import DRIVERS, EXPECTED, PERIOD, at, build_history, received, resolved

PERIOD_ARGS = ["--from", PERIOD[0], "--to", PERIOD[1]]
PERIOD_KEY = f"custom-{PERIOD[0]}-{PERIOD[1]}"
CLOSED_AT = local_time(2026, 3, 16, 10, 0)  # the Monday after the period, 10:00
# Days later, a dossier received in the period is entered late and an open one resolved.
LATER = local_time(2026, 3, 20, 9, 0)


@pytest.fixture
def history(demo):
    build_history()


def change_the_period() -> None:
    """One more GPLX-DOI received on 11/3 (due 18/3: open and in time at the cut-off), and
    the one received on 9/3 (due 16/3) resolved on 12/3: early. Drivers: 11 received, 6 in
    person; 8 resolved, 3 early; pending unchanged."""
    received("GPLX-DOI", at(3, 11, 14))
    open_on_the_9th = db.session.execute(
        db.select(Dossier).where(Dossier.received_at == at(3, 9))
    ).scalar_one()
    resolved(open_on_the_9th, at(3, 12, 10))
    db.session.commit()


def report(runner, *extra) -> dict:
    result = runner.invoke(args=["report", "tthc", *PERIOD_ARGS, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def figures(reading: dict) -> dict:
    return {key: reading[key] for key in ("from", "to", "rows", "total")}


def test_the_command_line_closes_keeps_the_figures_and_shows_the_live_difference(history, runner):
    with time_machine.travel(CLOSED_AT, tick=False):
        result = runner.invoke(args=["report", "close", *PERIOD_ARGS, "--by", "lanhdao"])
    assert result.exit_code == 0, result.output
    assert "Đã chốt số liệu kỳ 02/03/2026 – 13/03/2026 lúc 10:00 16/03/2026" in result.output
    assert "Lê Hoàng Nam (lanhdao)" in result.output

    with time_machine.travel(LATER, tick=False):
        change_the_period()
        closed = report(runner)
        live = report(runner, "--live")
    # The closed reading: the figures as they were, marked closed with when and by whom.
    assert figures(closed) == EXPECTED
    assert closed["closed_at"] == "2026-03-16T03:00:00+00:00"
    assert closed["closed_by"] == "lanhdao" and closed["live"] is False
    assert "difference" not in closed
    # The live reading: what the data says now, and how far it has moved.
    assert live["closed_at"] == closed["closed_at"] and live["live"] is True
    assert live["total"]["received_total"] == 16 and live["total"]["resolved_early"] == 4
    drivers = live["rows"][0]
    assert drivers["field"] == DRIVERS
    assert (drivers["received_direct"], drivers["resolved_total"]) == (6, 8)
    difference = live["difference"]
    assert difference["changed"] is True
    moved = {key: value for key, value in difference["total"].items() if value}
    assert moved == {
        "received_total": 1,
        "received_direct": 1,
        "resolved_total": 1,
        "resolved_early": 1,
        "on_time_rate": 2.8,  # 7 of 9 (77.8) against 6 of 8 (75.0)
        "evaluation_rate": 3.8,  # 7 of 16 (43.8) against 6 of 15 (40.0)
    }
    assert [row["field"] for row in difference["rows"]] == [
        row["field"] for row in EXPECTED["rows"]
    ]
    assert not any(difference["rows"][1][key] for key in ("received_total", "resolved_total"))

    # Closing again is refused, clearly, and changes nothing.
    again = runner.invoke(args=["report", "close", *PERIOD_ARGS, "--by", "quantri"])
    assert again.exit_code == 1
    assert "đã được chốt số liệu lúc 10:00 16/03/2026 bởi Lê Hoàng Nam (lanhdao)" in again.output
    assert count(ClosedReportPeriod) == 1 and count(AuditEvent, action="report_period.closed") == 1


def test_reopening_needs_an_admin_and_is_audited(history, runner):
    with time_machine.travel(CLOSED_AT, tick=False):
        assert runner.invoke(args=["report", "close", *PERIOD_ARGS]).exit_code == 0
    closed = report(runner)
    assert closed["closed_by"] is None and closed["closed_at"]  # the command line, no --by

    refused = runner.invoke(args=["report", "reopen", *PERIOD_ARGS, "--by", "lanhdao"])
    assert refused.exit_code == 1
    assert "Chỉ quản trị viên được mở lại kỳ báo cáo đã chốt" in refused.output
    unknown = runner.invoke(args=["report", "reopen", *PERIOD_ARGS, "--by", "nobody"])
    assert unknown.exit_code == 1 and "Không có tài khoản" in unknown.output
    assert count(ClosedReportPeriod) == 1
    assert count(AuditEvent, action="report_period.reopened") == 0

    result = runner.invoke(args=["report", "reopen", *PERIOD_ARGS, "--by", "quantri"])
    assert result.exit_code == 0, result.output
    assert count(ClosedReportPeriod) == 0
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="report_period.reopened")
    ).scalar_one()
    assert event.user_id == factories.user("quantri").id
    assert event.details["from"] == PERIOD[0] and event.details["to"] == PERIOD[1]
    assert event.details["closed_at"] == closed["closed_at"] and event.details["closed_by"] is None
    assert event.details["closed_total"] == EXPECTED["total"]
    assert str(ACTIONS["report_period.reopened"]).startswith("Kỳ báo cáo")
    reopened = report(runner)
    assert reopened["closed_at"] is None and reopened["live"] is True
    # Reopening an open period is refused too.
    twice = runner.invoke(args=["report", "reopen", *PERIOD_ARGS, "--by", "quantri"])
    assert twice.exit_code == 1 and "chưa được chốt số liệu" in twice.output


def test_only_a_period_that_is_over_can_be_closed_by_a_manager(history, runner):
    with time_machine.travel(local_time(2026, 3, 13, 16, 0), tick=False):
        early = runner.invoke(args=["report", "close", *PERIOD_ARGS])
    assert early.exit_code == 1
    assert "chưa kết thúc: chỉ chốt được số liệu từ ngày 14/03/2026" in early.output
    officer = runner.invoke(args=["report", "close", *PERIOD_ARGS, "--by", "canbo1"])
    assert officer.exit_code == 1 and "Chỉ lãnh đạo hoặc quản trị viên" in officer.output
    bad = runner.invoke(args=["report", "close", "--from", "2026-03-13", "--to", "2026-03-02"])
    assert bad.exit_code == 1 and "Ngày kết thúc phải sau" in bad.output
    assert count(ClosedReportPeriod) == 0 and count(AuditEvent, action="report_period.closed") == 0


def post_form(client, path: str, page: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_statistics_page_closes_shows_the_stored_figures_and_the_live_difference(
    history, client, auth
):
    stats = f"/dashboard/stats?period={PERIOD_KEY}"
    confirm = f"/dashboard/periods/close?period={PERIOD_KEY}"
    with time_machine.travel(CLOSED_AT, tick=False):
        auth.login("lanhdao")
        page = client.get(stats).get_data(as_text=True)
        assert "Chốt số liệu kỳ này…" in page and "Đã chốt số liệu lúc" not in page
        confirmation = client.get(confirm).get_data(as_text=True)
        assert "Chốt số liệu kỳ báo cáo 02/03/2026 – 13/03/2026?" in confirmation
        assert "Số liệu sẽ được lưu (tổng cộng)" in confirmation
        done = post_form(client, "/dashboard/periods/close", confirm, period=PERIOD_KEY)
        assert done.status_code == 302 and done.headers["Location"].endswith(stats)
    assert count(ClosedReportPeriod) == 1
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="report_period.closed")
    ).scalar_one()
    assert event.user_id == factories.user("lanhdao").id and event.details["received_total"] == 15

    with time_machine.travel(LATER, tick=False):
        change_the_period()
        auth.login("lanhdao")  # days later: signed out after the idle time
        page = client.get(stats).get_data(as_text=True)
        assert "Đã chốt số liệu lúc 10:00 ngày 16/03/2026 bởi Lê Hoàng Nam (lanhdao)." in page
        assert "Chốt số liệu kỳ này…" not in page and "Mở lại kỳ báo cáo" not in page
        assert total_row(page)[:5] == ["", "Tổng cộng", "15", "2", "9"]  # as closed
        assert "Xem số liệu hiện tại và chênh lệch" in page and "Chênh lệch" not in page
        english = client.get(stats + "&lang=en").get_data(as_text=True)
        assert "Figures closed at 10:00 on 16/03/2026 by Lê Hoàng Nam (lanhdao)." in english
        client.get(stats + "&lang=vi")
        live = client.get(stats + "&live=1").get_data(as_text=True)
        assert total_row(live)[:5] == ["", "Tổng cộng", "16", "2", "10"]  # as now
        assert "Chênh lệch: số liệu hiện tại trừ số liệu đã chốt" in live
        difference = total_row(live, "tthc_difference")
        assert difference[2:8] == ["+1", "0", "+1", "0", "+1", "+1"]
        assert difference[13:15] == ["+2,8", "+3,8"]  # percentage points
        # The exports of the closed period hold the stored figures.
        workbook = client.get(f"/dashboard/stats.xlsx?period={PERIOD_KEY}&table=tthc")
        sheet = load_workbook(io.BytesIO(workbook.data)).active
        assert sheet["B10"].value == "Tổng cộng" and sheet["C10"].value == 15
        assert (
            "Số liệu đã chốt lúc 10:00 16/03/2026 bởi Lê Hoàng Nam (lanhdao)" in sheet["A2"].value
        )
        document = Document(
            io.BytesIO(client.get(f"/dashboard/report.docx?period={PERIOD_KEY}").data)
        )
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert "tiếp nhận 15 hồ sơ thủ tục hành chính" in text and "Số liệu đã chốt lúc" in text
        assert client.get(f"/dashboard/report.json?period={PERIOD_KEY}").get_json()["live"] is False
        # A filtered view is counted from the data: the closed figures are the whole period's.
        by_field = {"period": PERIOD_KEY, "field": DRIVERS}
        drivers = client.get("/dashboard/stats", query_string=by_field).get_data(as_text=True)
        assert "Số liệu đã chốt là của cả kỳ, không lọc" in drivers
        assert total_row(drivers)[2] == "11" and "Xem số liệu hiện tại" not in drivers
        filtered = client.get("/dashboard/report.json", query_string=by_field).get_json()
        assert filtered["live"] is True and filtered["closed_at"] and "difference" not in filtered
        # Closing again from the page is refused beside the form, and writes nothing.
        again = post_form(client, "/dashboard/periods/close", confirm, period=PERIOD_KEY)
        assert again.status_code == 422
        assert "đã được chốt số liệu lúc 10:00 16/03/2026" in again.get_data(as_text=True)
        assert count(ClosedReportPeriod) == 1
        # A manager may not reopen.
        assert client.get(f"/dashboard/periods/reopen?period={PERIOD_KEY}").status_code == 403
        refused = post_form(client, "/dashboard/periods/reopen", stats, period=PERIOD_KEY)
        assert refused.status_code == 403 and count(ClosedReportPeriod) == 1


def test_an_admin_reopens_from_the_statistics_page(history, client, auth):
    with time_machine.travel(CLOSED_AT, tick=False):
        close_as("lanhdao")
        auth.login("quantri")
        stats = f"/dashboard/stats?period={PERIOD_KEY}"
        page = client.get(stats).get_data(as_text=True)
        assert "Mở lại kỳ báo cáo…" in page
        reopen = f"/dashboard/periods/reopen?period={PERIOD_KEY}"
        assert "Mở lại kỳ báo cáo 02/03/2026 – 13/03/2026?" in client.get(reopen).get_data(
            as_text=True
        )
        done = post_form(client, "/dashboard/periods/reopen", reopen, period=PERIOD_KEY)
        assert done.status_code == 302
        page = client.get(stats).get_data(as_text=True)
        assert "Đã mở lại kỳ báo cáo 02/03/2026 – 13/03/2026" in page
        assert "Đã chốt số liệu lúc" not in page and "Chốt số liệu kỳ này…" in page
        again = client.get(reopen).get_data(as_text=True)
        assert "Kỳ này chưa được chốt số liệu: không có gì để mở lại." in again
        assert ">Mở lại kỳ báo cáo</button>" not in again
    assert count(ClosedReportPeriod) == 0
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="report_period.reopened")
    ).scalar_one()
    assert event.user_id == factories.user("quantri").id


def test_a_bad_period_is_refused_on_the_pages_and_changes_nothing(history, client, auth):
    auth.login("lanhdao")
    page = "/dashboard/stats"
    for key in ("", "quarter-2026-9", "custom-2026-03-13-2026-03-02"):
        response = post_form(client, "/dashboard/periods/close", page, period=key)
        assert response.status_code in (302, 422)
    future = post_form(client, "/dashboard/periods/close", page, period="year-2099")
    assert future.status_code == 422 and "chưa kết thúc" in future.get_data(as_text=True)
    assert count(ClosedReportPeriod) == 0


def close_as(username: str) -> None:
    close_period(parse_period_key(PERIOD_KEY), factories.user(username))
    db.session.commit()


def total_row(page: str, table: str = "tthc") -> list[str]:
    """The cells of a table's total row on the page, as text."""
    section = page.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    footer = section.split("<tfoot>", 1)[1]
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", footer)
    ]
