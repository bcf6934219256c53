"""The managers' dashboard: queue and satisfaction figures, the live view and the pages."""

import io
import secrets
from datetime import date, timedelta

import pytest
import time_machine

from conftest import local_time
from core.dossiers.states import Action, Move, move
from core.models import (
    CounterSession,
    Rating,
    RatingScore,
    RatingSource,
    Service,
    Ticket,
    TicketStatus,
)
from core.reports.periods import custom_period
from core.reports.queue_stats import period_statistics
from extensions import db
from tests import factories
from tests.reform_history import PERIOD, build_history

S = TicketStatus


def ticket(
    code,
    issued,
    called=None,
    started=None,
    finished=None,
    status=S.DONE,
    counter=None,
    officer=None,
    score=None,
):
    """A ticket row with chosen times (minutes after `issued` for the later steps)."""
    service = db.session.execute(db.select(Service).filter_by(code=code)).scalar_one()
    sequence = (
        db.session.execute(
            db.select(db.func.count()).where(Ticket.origin_service_id == service.id)
        ).scalar_one()
        + 1
    )
    row = Ticket(
        service_id=service.id,
        origin_service_id=service.id,
        day=issued.date(),
        sequence=sequence,
        number=service.format_number(sequence),
        token=secrets.token_hex(8),
        status=status,
        issued_at=issued,
        called_at=issued + timedelta(minutes=called) if called is not None else None,
        serving_started_at=issued + timedelta(minutes=started) if started is not None else None,
        finished_at=issued + timedelta(minutes=finished) if finished is not None else None,
        counter_id=factories.counter(counter).id if counter else None,
        officer_id=factories.user(officer).id if officer else None,
    )
    db.session.add(row)
    db.session.flush()
    if score:
        db.session.add(
            Rating(
                ticket_id=row.id,
                counter_id=row.counter_id,
                officer_id=row.officer_id,
                service_id=row.service_id,
                score=score,
                reasons=[],
                source=RatingSource.COUNTER,
                created_at=row.finished_at,
            )
        )
    return row


@pytest.fixture
def queue_history(demo):
    tuesday, wednesday = (3, 3), (3, 4)
    ticket(
        "GPLX",
        local_time(2026, *tuesday, 8, 0),
        10,
        10,
        16,
        counter=1,
        officer="canbo1",
        score=RatingScore.VERY_SATISFIED,
    )
    ticket(
        "GPLX",
        local_time(2026, *tuesday, 8, 5),
        20,
        20,
        30,
        counter=1,
        officer="canbo1",
        score=RatingScore.UNSATISFIED,
    )
    ticket("PTIEN", local_time(2026, *tuesday, 9, 0), 5, None, 5, S.NO_SHOW, 2, "canbo2")
    ticket(
        "PTIEN",
        local_time(2026, *wednesday, 9, 30),
        55,
        55,
        59,
        counter=2,
        officer="canbo2",
        score=RatingScore.SATISFIED,
    )
    ticket("GPLX", local_time(2026, *wednesday, 14, 0), status=S.CANCELLED)
    ticket("GPLX", local_time(2026, 3, 16, 8, 0), 1, 1, 2)  # after the period
    db.session.commit()


def test_queue_and_satisfaction_figures_of_a_period(queue_history):
    stats = period_statistics(custom_period(date(2026, 3, 2), date(2026, 3, 13)))
    assert stats.queue.as_dict() == {
        "issued": 5,
        "served": 3,
        "no_show": 1,
        "average_wait_minutes": 22.5,  # (10 + 20 + 5 + 55) / 4
        "p90_wait_minutes": 56,
        "average_service_minutes": 6.7,  # (6 + 10 + 4) / 3
        "p90_service_minutes": 11,
        "quick_share": 50.0,  # 10 and 5 minutes of the four called
    }
    services = {name.split(" ")[0]: figures.as_dict() for name, figures in stats.by_service}
    assert services["A"]["issued"] == 3 and services["A"]["average_wait_minutes"] == 15.0
    assert services["A"]["p90_wait_minutes"] == 21
    assert services["B"]["no_show"] == 1
    officers = {name: figures.served for name, figures in stats.by_officer}
    assert officers == {"Nguyễn Thị Lan": 2, "Trần Văn Minh": 1}
    assert [(name, figures.issued) for name, figures in stats.by_weekday] == [
        ("Thứ Ba", 3),
        ("Thứ Tư", 2),
    ]
    assert stats.arrivals == {(1, 8): 2, (1, 9): 1, (2, 9): 1, (2, 14): 1}
    assert stats.satisfaction.total == 3 and stats.satisfaction.satisfied_share == 66.7
    by_counter = dict(stats.satisfaction_by_counter)
    assert by_counter["Quầy số 1"].shares()["unsatisfied"] == 50.0
    assert stats.months[0]["month"] == "2026-03" and stats.months[0]["tickets"] == 5


def test_live_view_state(demo, client, auth):
    with time_machine.travel(local_time(2026, 3, 4, 10, 0), tick=False):
        ticket("GPLX", local_time(2026, 3, 4, 9, 0), status=S.WAITING)
        ticket("GPLX", local_time(2026, 3, 4, 9, 40), status=S.WAITING)
        ticket("GPLX", local_time(2026, 3, 4, 8, 0), 10, 10, 20, counter=1, officer="canbo1")
        ticket("PTIEN", local_time(2026, 3, 4, 9, 50), 5, None, None, S.CALLED, 2, "canbo2")
        db.session.add(
            CounterSession(
                counter_id=factories.counter(2).id,
                officer_id=factories.user("canbo2").id,
                day=date(2026, 3, 4),
                started_at=local_time(2026, 3, 4, 7, 30),
            )
        )
        db.session.commit()
        auth.login("lanhdao")
        state = client.get("/dashboard/state.json").get_json()
        page = client.get("/dashboard/").get_data(as_text=True)
    gplx = next(service for service in state["services"] if service["code"] == "GPLX")
    assert gplx["waiting"] == 2 and gplx["longest_wait_minutes"] == 60.0
    counter_two = next(counter for counter in state["counters"] if counter["number"] == 2)
    assert counter_two == {
        "number": 2,
        "name": "Quầy số 2",
        "open": True,
        "officer": "Trần Văn Minh",
        "ticket": "B001",
        "ticket_status": "called",
        "served_today": 0,
    }
    assert state["today"] == {
        "issued": 4,
        "served": 1,
        "no_show": 0,
        "average_wait_minutes": 7.5,
        "average_service_minutes": 10.0,
    }
    assert "printers" not in state  # printer alerts: the staff pages' own banner
    assert 'data-state-url="/dashboard/state.json"' in page and "<script>" not in page
    assert "Trần Văn Minh" in page


def test_dossiers_due_today_and_overdue_on_the_live_view(demo, client, auth):
    build_history()
    with time_machine.travel(local_time(2026, 3, 16, 12, 0), tick=False):
        auth.login("lanhdao")
        response = client.get("/dashboard/state.json")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        state = response.get_json()
    # Running on 16/3 at noon: two GPLX-DOI past due (4/3 and 12/3), one due at 17:00;
    # the XQK awaiting a supplement is not counted; one XQK was resolved this morning.
    assert state["dossiers"] == {"due_today": 1, "overdue": 2, "resolved_today": 1}


def test_the_live_views_overdue_is_the_reports(demo, client, auth):
    """An apology's later date does not hide a delay from the live view either: a dossier
    past the due time it is judged against counts as overdue, as in the report."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        late = factories.dossier()  # 5 working days: due Monday 9/3 at 17:00
    with time_machine.travel(local_time(2026, 3, 5, 9, 0), tick=False):
        for action in (Action.TRANSFER, Action.START):
            move(late, action, user=factories.user())
        move(
            late,
            Action.APOLOGISE,
            user=factories.user(),
            details=Move(note="Chờ xác minh", new_due_at=local_time(2026, 3, 13, 16, 0)),
        )
        db.session.commit()
    with time_machine.travel(local_time(2026, 3, 10, 9, 0), tick=False):
        auth.login("lanhdao")
        state = client.get("/dashboard/state.json").get_json()
    assert state["dossiers"]["overdue"] == 1


def test_statistics_page_and_exports(demo, client, auth):
    build_history()
    auth.login("lanhdao")
    query = f"from={PERIOD[0]}&to={PERIOD[1]}"
    page = client.get(f"/dashboard/stats?{query}").get_data(as_text=True)
    assert "Kết quả giải quyết thủ tục hành chính" in page
    assert "75,0%" in page and 'data-chart="' in page and "<script>" not in page
    workbook = client.get(f"/dashboard/stats.xlsx?period=custom-{PERIOD[0]}-{PERIOD[1]}&table=tthc")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert sheet["B10"].value == "Tổng cộng" and sheet["C10"].value == 15
    document = client.get(f"/dashboard/report.docx?{query}")
    assert document.status_code == 200 and document.data[:2] == b"PK"
    assert client.get(f"/dashboard/report.json?{query}").get_json()["total"]["received_total"] == 15
    english = client.get(f"/dashboard/stats?{query}&lang=en").get_data(as_text=True)
    assert "Results of handling administrative procedures" in english and "75.0%" in english
    bad = client.get("/dashboard/stats?period=quarter-2026-9&lang=vi").get_data(as_text=True)
    assert "không hợp lệ" in bad
    assert client.get(f"/dashboard/stats.xlsx?{query}&table=nope").status_code == 404


def test_officers_cannot_open_the_dashboard(demo, client, auth):
    auth.login("canbo1")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/state.json").status_code == 403
