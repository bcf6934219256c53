"""Dossiers for two agencies received at one desk and walked through their internal
processes by each unit's officers: a send-back, a supplement, a refusal, a reassignment and
a late step; the control slip's rows and verdicts, and the evaluation per agency, unit and
officer, checked exactly."""

import io
import json

import pytest
import time_machine
from openpyxl import load_workbook

from admin_support import StaffClient, text_of
from core.agencies.registry import find_agency
from core.dossiers.states import Action, Move, move
from core.dossiers.supplements import SupplementDraft
from core.dossiers.workdays import work_calendar
from core.errors import DomainError, InvalidInput
from core.models import Channel, Dossier, DossierEvent, DossierStatus, DossierStep
from core.processes import flow
from core.processes.in_tray import in_tray
from core.processes.results import record_result
from core.reports.evaluation import evaluate
from extensions import db
from tests import factories

HOME, POLICE = factories.HOME, factories.POLICE
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QLPT = "Phòng Quản lý phương tiện và người lái"
PC08 = factories.PC08
DESK = "Bộ phận tiếp nhận và trả kết quả"
LEADER = "Lãnh đạo cơ quan"


at = factories.november


@pytest.fixture
def centre(app, demo, runner):
    return factories.two_agency_centre(runner)


def act(function, *args, **kwargs):
    """One officer's move, committed as a page commits it."""
    result = function(*args, **kwargs)
    db.session.commit()
    return result


def slip(dossier: Dossier) -> list[tuple]:
    """The control slip's rows: action, from, to, the step's due time (local), verdict."""
    events = db.session.execute(
        db.select(DossierEvent).filter_by(dossier_id=dossier.id).order_by(DossierEvent.id)
    ).scalars()
    return [
        (
            event.action,
            event.from_unit,
            event.to_unit,
            event.step_due_at.astimezone(at(2, 0).tzinfo).strftime("%d %H:%M"),
            event.verdict,
        )
        for event in events
        if event.is_handover
    ]


def test_two_agencies_walk_their_processes_and_are_evaluated_exactly(centre, app, runner):
    officers = centre
    home, police = find_agency(HOME), find_agency(POLICE)
    # Two agencies handle GPLX-DOI: the desk must say which one.
    with pytest.raises(InvalidInput, match="do nhiều cơ quan giải quyết"):
        factories.received("GPLX-DOI", Channel.DIRECT, at(2, 9))
    db.session.rollback()

    # A: on paper before the cut-off, handed on at once; sent back once; a late step.
    a = factories.received("GPLX-DOI", Channel.DIRECT, at(2, 9), agency=home)
    assert a.code == "000.17.22.H56-261102-0001"
    assert (a.status, a.step.position, a.holder) == (DossierStatus.TRANSFERRED, 2, None)
    # B: on paper after the cut-off: it waits at the desk until the next working day.
    b = factories.received("GPLX-DOI", Channel.DIRECT, at(2, 16), agency=police)
    assert b.code == "000.00.07.H56-261102-0001"  # the police's own day numbers
    assert (b.status, b.step.position) == (DossierStatus.RECEIVED, 1)
    # C: online, handed on at once; given to a second specialist; late overall.
    c = factories.received("GPLX-DOI", Channel.ONLINE, at(3, 8), agency=home)
    assert c.code == "000.17.22.H56-261103-0001"

    act(flow.take, a, officers["cvqlpt1"], now=at(2, 10))
    with pytest.raises(DomainError, match="không ở bước của anh/chị"):
        flow.take(a, officers["cvpc08"], now=at(2, 10))
    db.session.rollback()
    act(move, b, Action.TRANSFER, user=factories.user(), now=at(3, 7, 30))
    assert (b.status, b.step.position) == (DossierStatus.TRANSFERRED, 2)
    act(flow.take, b, officers["cvpc08"], now=at(3, 8))
    act(flow.reassign, c, officers["tpqlpt"], officers["cvqlpt2"], now=at(3, 9))
    assert (c.status, c.holder.username) == (DossierStatus.PROCESSING, "cvqlpt2")
    draft = SupplementDraft(
        items=["Giấy khám sức khỏe"], reason="Giấy khám sức khỏe hết hạn", contact="PC08"
    )
    act(flow.ask_supplement, b, officers["cvpc08"], draft, now=at(3, 10))
    assert b.status == DossierStatus.SUPPLEMENT

    act(flow.hand_on, a, officers["cvqlpt1"], now=at(4, 10))
    act(flow.take, a, officers["tpqlpt"], now=at(4, 14))
    with pytest.raises(InvalidInput, match="lý do trả lại"):
        flow.send_back(a, officers["tpqlpt"], " ", now=at(5, 8))
    db.session.rollback()
    act(flow.send_back, a, officers["tpqlpt"], "Chưa xác minh giấy khám", now=at(5, 8))
    assert (a.step.position, a.holder) == (2, None)
    act(move, b, Action.SUPPLEMENT_RECEIVED, user=factories.user(), now=at(5, 9))
    assert (b.status, b.step.position, b.holder) == (DossierStatus.PROCESSING, 2, None)
    act(flow.take, a, officers["cvqlpt1"], now=at(5, 9))
    act(flow.take, b, officers["cvpc08"], now=at(5, 9, 30))
    act(flow.hand_on, a, officers["cvqlpt1"], now=at(5, 15))
    act(flow.propose_refusal, b, officers["cvpc08"], "Không đủ điều kiện", now=at(6, 10))
    act(flow.take, a, officers["tpqlpt"], now=at(6, 8))
    act(flow.take, b, officers["tppc08"], now=at(6, 14))
    with pytest.raises(DomainError, match="tải lên văn bản"):
        flow.send_to_desk(b, officers["tppc08"], now=at(6, 15))
    db.session.rollback()
    act(record_result, b, officers["tppc08"], "tu-choi.pdf", PDF, now=at(6, 14, 30))
    act(flow.send_to_desk, b, officers["tppc08"], now=at(6, 15))
    assert (b.status, b.refused, b.step) == (DossierStatus.REFUSED, True, None)

    act(flow.hand_on, a, officers["tpqlpt"], now=at(9, 9))  # late: due Friday 15:00
    act(flow.take, a, officers["gdso"], now=at(9, 9, 30))
    act(record_result, a, officers["gdso"], "giay-phep.pdf", PDF, now=at(9, 10))
    act(flow.send_to_desk, a, officers["gdso"], now=at(9, 11))
    act(move, a, Action.RETURN, user=factories.user(), now=at(9, 14))
    # D: received on Monday 9, taken, still at the specialist's step at the evaluation.
    d = factories.received("GPLX-DOI", Channel.DIRECT, at(9, 10), agency=home)
    act(flow.take, d, officers["cvqlpt1"], now=at(9, 10, 30))
    act(flow.hand_on, c, officers["cvqlpt2"], now=at(11, 9))  # late: due Friday 6, 08:00
    act(flow.take, c, officers["tpqlpt"], now=at(11, 9, 30))
    act(flow.hand_on, c, officers["tpqlpt"], now=at(11, 11))
    act(flow.take, c, officers["gdso"], now=at(11, 11, 30))
    act(record_result, c, officers["gdso"], "giay-phep.pdf", PDF, now=at(11, 12))
    act(flow.send_to_desk, c, officers["gdso"], now=at(11, 16))
    act(move, c, Action.RETURN, user=factories.user(), now=at(12, 8))

    specialist, head = f"{QLPT} – chuyên viên", f"{QLPT} – lãnh đạo đơn vị"
    assert slip(a) == [
        ("transfer", DESK, specialist, "02 15:00", "on_time"),
        ("hand_over", specialist, head, "05 09:00", "early"),
        ("send_back", head, specialist, "05 10:00", "on_time"),
        ("hand_over", specialist, head, "10 08:00", "early"),
        ("hand_over", head, LEADER, "06 15:00", "late"),
        ("resolve", LEADER, DESK, "09 14:30", "on_time"),
    ]
    police_specialist, police_head = f"{PC08} – chuyên viên", f"{PC08} – lãnh đạo đơn vị"
    assert slip(b) == [
        ("transfer", DESK, police_specialist, "03 10:30", "on_time"),
        ("hand_over", police_specialist, police_head, "11 09:00", "early"),
        ("refuse", police_head, DESK, "06 15:30", "on_time"),
    ]
    assert slip(c) == [
        ("transfer", DESK, specialist, "03 14:00", "on_time"),
        ("hand_over", specialist, head, "06 08:00", "late"),
        ("hand_over", head, LEADER, "12 09:00", "early"),
        ("resolve", LEADER, DESK, "11 16:30", "on_time"),
    ]
    # The dossier's own verdict stays against its legal due time.
    returns = {
        dossier.code: db.session.execute(
            db.select(DossierEvent.verdict).filter_by(dossier_id=dossier.id, action="return")
        ).scalar_one()
        for dossier in (a, c)
    }
    assert returns == {a.code: "on_time", c.code: "late"}
    assert b.judged_due_at == at(12, 17)  # restarted by the supplement asked in time

    now = at(12, 12)
    tray = in_tray(officers["cvqlpt1"], now, work_calendar(now))
    assert [(row.dossier.code, row.urgency) for row in tray] == [(d.code, "overdue")]
    assert in_tray(officers["cvpc08"], now, work_calendar(now)) == []

    figures = evaluate(at(1, 0).date(), at(30, 0).date(), now)
    table = {row.key: row.as_dict() for row in figures.agencies + figures.units}
    columns = (
        "handled", "on_time", "late", "average_hours", "p90_hours",
        "average_allowance_hours", "held", "overdue", "late_dossiers", "late_share_percent",
    )  # fmt: skip

    def row(key):
        return tuple(table[key][column] for column in columns)

    assert row(HOME) == (11, 9, 2, 8.23, 16.0, 9.91, 1, 1, 1, None)
    assert row(POLICE) == (4, 4, 0, 3.75, 8.5, 16.88, 0, 0, 0, None)
    assert row(f"{HOME}/DESK") == (3, 3, 0, 0.0, 0.0, 4.0, 0, 0, 0, 0.0)
    assert row(f"{HOME}/QLPT") == (6, 4, 2, 14.25, 46.0, 15.0, 1, 1, 1, 100.0)
    assert row(f"{HOME}/LEADER") == (2, 2, 0, 2.5, 3.0, 3.5, 0, 0, 0, 0.0)
    assert row(f"{POLICE}/DESK") == (1, 1, 0, 1.0, 1.0, 4.0, 0, 0, 0, None)
    assert row(f"{POLICE}/PC08") == (3, 3, 0, 4.67, 8.5, 21.17, 0, 0, 0, None)
    people = {
        (row.agency, row.key): (row.handled, row.late, row.average_hours, row.p90_hours, row.held)
        for row in figures.officers
    }
    assert people == {
        (HOME, "canbo1"): (3, 0, 0.0, 0.0, 0),
        (HOME, "cvqlpt1"): (2, 0, 10.5, 16.0, 1),
        (HOME, "cvqlpt2"): (1, 1, 46.0, 46.0, 0),
        (HOME, "tpqlpt"): (3, 1, 6.17, 11.0, 0),
        (HOME, "gdso"): (2, 0, 2.5, 3.0, 0),
        (POLICE, "canbo1"): (1, 0, 1.0, 1.0, 0),
        (POLICE, "cvpc08"): (2, 0, 5.5, 8.5, 0),
        (POLICE, "tppc08"): (1, 0, 3.0, 3.0, 0),
    }
    assert db.session.execute(db.select(db.func.count(DossierStep.id))).scalar() == 16
    only_police = evaluate(at(1, 0).date(), at(30, 0).date(), now, POLICE)
    assert [row.key for row in only_police.agencies] == [POLICE]

    # The same figures from the command line, the statistics page and its XLSX file.
    with time_machine.travel(now, tick=False):
        result = runner.invoke(
            args=["report", "evaluation", "--from", "2026-11-01", "--to", "2026-11-30",
                  "--agency", HOME]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        manager = StaffClient(app, "lanhdao")
        query = "from=2026-11-01&to=2026-11-30&agency=" + HOME
        page = text_of(manager.get(f"/dashboard/evaluation?{query}"))
        workbook = load_workbook(
            io.BytesIO(manager.get(f"/dashboard/evaluation.xlsx?{query}").data)
        )
    assert [row["key"] for row in report["agencies"]] == [HOME]
    qlpt = next(row for row in report["units"] if row["key"] == f"{HOME}/QLPT")
    assert qlpt == {**table[f"{HOME}/QLPT"], "on_time_percent": 66.7}
    assert "cvqlpt2" in page and "data-chart" in page and PC08 not in page
    sheet = workbook.worksheets[1]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    qlpt_row = next(row for row in cells if QLPT in row)
    assert qlpt_row[2:13] == [6, 4, 2, 0.667, 14.25, 46, 15, 1, 1, 1, 1]  # % as fractions

    # The leaders see their own agency or unit, whatever agency they ask for; specialists
    # and the desk do not evaluate.
    every = "from=2026-11-01&to=2026-11-30"
    with time_machine.travel(now, tick=False):
        leader = text_of(StaffClient(app, "gdso").get(f"/dashboard/evaluation?{every}"))
        head = StaffClient(app, "tppc08")
        asked_home = text_of(head.get(f"/dashboard/evaluation?{every}&agency={HOME}"))
        head_file = load_workbook(io.BytesIO(head.get(f"/dashboard/evaluation.xlsx?{every}").data))
        refused = [
            StaffClient(app, username).get(f"/dashboard/evaluation?{every}").status_code
            for username in ("cvqlpt1", "canbo1")
        ]
    assert refused == [403, 403]
    assert "cvqlpt2" in leader and "tpqlpt" in leader and PC08 not in leader
    assert '<select name="agency">' not in leader and "Sở Giao thông vận tải" in leader
    assert "tppc08" in asked_home and "cvpc08" in asked_home and "cvqlpt1" not in asked_home
    assert QLPT not in asked_home and "Đơn vị của anh/chị: <strong>PC08 · " + PC08 in asked_home
    units = [[cell.value for cell in row] for row in head_file.worksheets[1].iter_rows()]
    assert [row[1] for row in units if row[0] == POLICE] == [PC08]  # not the police's desk
    narrowed = evaluate(at(1, 0).date(), at(30, 0).date(), now, HOME, "QLPT")
    assert [row.key for row in narrowed.agencies] == [HOME]
    assert [row.key for row in narrowed.units] == [f"{HOME}/QLPT"]
    assert {row.key for row in narrowed.officers} == {"cvqlpt1", "cvqlpt2", "tpqlpt"}


def test_a_withdrawal_ends_the_stay_and_the_desk_cannot_move_the_units_steps(centre):
    home = find_agency(HOME)
    dossier = factories.received("GPLX-DOI", Channel.ONLINE, at(2, 9), agency=home)
    with pytest.raises(DomainError, match="do cán bộ của đơn vị xử lý thực hiện"):
        move(dossier, Action.START, user=factories.user(), now=at(2, 10))
    db.session.rollback()
    details = Move(note="Theo đơn của người nộp")
    act(move, dossier, Action.WITHDRAW, user=factories.user(), details=details, now=at(3, 9))
    assert (dossier.status, dossier.step) == (DossierStatus.WITHDRAWN, None)
    stay = (
        db.session.execute(
            db.select(DossierStep).filter_by(dossier_id=dossier.id).order_by(DossierStep.id.desc())
        )
        .scalars()
        .first()
    )
    assert (stay.outcome.value, stay.left_at) == ("ended", at(3, 9))
    figures = evaluate(at(1, 0).date(), at(30, 0).date(), at(4, 9), HOME)
    assert [(row.handled, row.held) for row in figures.agencies] == [(1, 0)]  # the desk's step
