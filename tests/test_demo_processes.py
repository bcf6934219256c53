"""`demo-history --agencies N`: each agency's processes and processing officers, and a
history whose dossiers were really handed on from step to step."""

import time_machine

from conftest import local_time
from core.agencies.registry import list_agencies
from core.dossiers.settings import dossier_settings
from core.dossiers.workdays import work_calendar
from core.models import PROCESSING_ROLES, Dossier, DossierEvent, DossierStep, User
from core.processes.definition import agency_processes
from core.processes.in_tray import in_tray
from core.reports.evaluation import evaluate
from extensions import db

HISTORY = [
    "demo-history", "--days", "10", "--dossiers-per-day", "30", "--tickets-per-day", "60",
    "--agencies", "3",
]  # fmt: skip


def test_the_demo_centre_walks_its_history_through_the_processes(demo, runner, app):
    now = local_time(2026, 3, 12, 9, 0)
    with time_machine.travel(now, tick=False):
        result = runner.invoke(args=HISTORY)
        assert result.exit_code == 0, result.output
        assert "quy trình nội bộ" in result.output
        info = runner.invoke(args=["demo-info"]).output
    agencies = list_agencies()
    assert len(agencies) == 3
    # The screens and the centre's documents carry the centre's name; the desk's first
    # agency keeps its own.
    assert dossier_settings()["agency_name"] == "Trung tâm Phục vụ hành chính công"
    assert "Sở Giao thông vận tải" in {agency.name for agency in agencies}
    for agency in agencies:
        assert set(agency_processes(agency)) == {procedure.id for procedure in agency.procedures}
    officers = (
        db.session.execute(db.select(User).where(User.role.in_(PROCESSING_ROLES))).scalars().all()
    )
    assert {officer.agency_id for officer in officers} == {agency.id for agency in agencies}
    # Every unit of the centre processes some procedure: none is left idle.
    units = {unit.id for agency in agencies for unit in agency.units}
    worked = set(db.session.execute(db.select(DossierStep.unit_id).distinct()).scalars())
    assert units <= worked
    assert "truongphong.qlvt" in info and "chuyenvien.pc08" in info
    # The accounts by agency, then unit, then role: the centre's own staff first.
    lines = [line.strip() for line in info.splitlines()]
    centre, police = lines.index("Trung tâm (centre)"), lines.index("000.00.07.H56 Công an tỉnh")
    assert centre < lines.index("000.17.22.H56 Sở Giao thông vận tải") < police
    assert lines.index("PC08 Phòng Cảnh sát giao thông") > police
    assert any(line.startswith("admin (quản trị)") and "quantri / " in line for line in lines)
    # Each dossier was received for an agency competent for its procedure, numbered in that
    # agency's own day series, and walked through that agency's process.
    competent = {
        (agency.id, procedure.id) for agency in agencies for procedure in agency.procedures
    }
    codes = {agency.id: agency.code for agency in agencies}
    dossiers = db.session.execute(db.select(Dossier)).scalars().all()
    assert {(item.agency_id, item.procedure_id) for item in dossiers} <= competent
    assert {item.agency_id for item in dossiers} == set(codes)
    assert all(item.code.startswith(codes[item.agency_id] + "-") for item in dossiers)
    for agency_id in codes:
        days = {}
        for item in dossiers:
            if item.agency_id == agency_id:
                days.setdefault(item.code.rsplit("-", 2)[1], []).append(item.code)
        for day_codes in days.values():
            numbers = sorted(int(code.rsplit("-", 1)[1]) for code in day_codes)
            assert numbers == list(range(1, len(numbers) + 1))
    processes = {
        process.id: agency.id
        for agency in agencies
        for process in agency_processes(agency).values()
    }
    walked_dossiers = [item for item in dossiers if item.process_id is not None]
    assert all(processes[item.process_id] == item.agency_id for item in walked_dossiers)
    # While a supplement was awaited, no step was handed on: the steps resumed when it came.
    events = db.session.execute(
        db.select(DossierEvent.dossier_id, DossierEvent.action, DossierEvent.occurred_at)
    ).all()
    waits, moves = {}, {}
    for dossier_id, action, moment in events:
        if action in ("request_supplement", "supplement_received"):
            waits.setdefault(dossier_id, []).append(moment)
        elif action in ("hand_over", "resolve", "refuse"):
            moves.setdefault(dossier_id, []).append(moment)
    resumed = [(d, sorted(w)) for d, w in waits.items() if len(w) == 2 and d in moves]
    assert resumed
    for dossier_id, (asked, back) in resumed:
        assert not [moment for moment in moves[dossier_id] if asked < moment < back]
    walked = db.session.execute(
        db.select(db.func.count(Dossier.id)).where(Dossier.process_id.is_not(None))
    ).scalar()
    assert walked > 200
    # Every finished stay but the desk's was handed on with a row of the control slip.
    stays = db.session.execute(db.select(DossierStep).where(DossierStep.left_at.is_not(None)))
    stays = stays.scalars().all()
    handovers = db.session.execute(
        db.select(db.func.count(DossierEvent.id)).where(DossierEvent.step_due_at.is_not(None))
    ).scalar()
    assert len(stays) == handovers > 3 * 200
    assert {stay.verdict for stay in stays} >= {"early", "on_time", "late"}
    figures = evaluate(local_time(2026, 2, 1).date(), now.date(), now)
    assert sum(row.handled for row in figures.units) == sum(row.handled for row in figures.agencies)
    assert sum(row.handled for row in figures.agencies) == len(stays)
    busy = db.session.execute(
        db.select(User).join(Dossier, Dossier.holder_id == User.id).limit(1)
    ).scalar_one()
    assert in_tray(busy, now, work_calendar(now))
