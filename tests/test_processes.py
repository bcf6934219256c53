"""Internal processes: steps that add up to the legal time, versions that leave dossiers
already received where they were, the `agencies process` command and the admin screens."""

import pytest
from sqlalchemy import text

from admin_support import StaffClient, text_of
from conftest import local_time
from core.agencies.registry import find_agency
from core.dossiers.procedures import find_procedure
from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput
from core.models import AuditEvent, InternalProcess, StepRole
from core.processes.definition import StepFields, current_process, define_process
from core.processes.timing import step_due
from extensions import db

HOME = "000.17.22.H56"
# GPLX-DOI: 5 working days = 37.5 working hours (07:30–11:30, 13:30–17:00).
LICENCE_STEPS = [
    StepFields(role="desk", allowance="4h"),
    StepFields(role="specialist", unit_code="QLPT", allowance="3"),
    StepFields(role="unit_head", unit_code="qlpt", allowance="1"),
    StepFields(role="agency_leader", allowance="3,5h", name="Giám đốc Sở ký"),
]
PROCESS_TABLES = ("internal_process", "process_step", "audit_event")


def rows_of(*tables: str) -> dict[str, list[tuple]]:
    db.session.rollback()
    return {
        table: sorted(
            (tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table}"))), key=repr
        )
        for table in tables
    }


def define(steps=LICENCE_STEPS, procedure="GPLX-DOI", agency=HOME):
    process = define_process(
        find_agency(agency), find_procedure(procedure), steps, None, work_calendar()
    )
    db.session.commit()
    return process


def test_a_process_is_saved_with_its_defaults_and_audited(app, demo):
    process = define()
    assert process.version == 1
    assert [
        (
            step.position,
            step.role,
            step.unit.code if step.unit else None,
            step.allowance_days,
            step.allowance_hours,
            step.next_positions,
            step.back_position,
            step.name,
        )
        for step in process.steps
    ] == [
        (1, StepRole.DESK, None, None, 4.0, [2], None, "Tiếp nhận, chuyển hồ sơ"),
        (2, StepRole.SPECIALIST, "QLPT", 3, None, [3], None, "Thẩm định, xử lý"),
        (3, StepRole.UNIT_HEAD, "QLPT", 1, None, [4], 2, "Lãnh đạo đơn vị xem xét"),
        (4, StepRole.AGENCY_LEADER, None, None, 3.5, [], 3, "Giám đốc Sở ký"),
    ]
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="process.defined")
    ).scalar_one()
    assert event.details["version"] == 1
    assert event.details["steps"][1] == {
        "position": 2, "name": "Thẩm định, xử lý", "role": "specialist", "unit": "QLPT",
        "allowance": "3", "next": [3], "back": None,
    }  # fmt: skip


def test_a_new_version_leaves_the_old_one_as_it_was(app, demo):
    first = define()
    steps = [
        StepFields(role="desk", allowance="4h"),
        StepFields(role="specialist", unit_code="QLPT", allowance="4", next_positions=[3]),
        StepFields(role="agency_leader", allowance="3,5h"),
    ]
    second = define(steps)
    assert (first.version, second.version) == (1, 2)
    current = current_process(find_agency(HOME).id, find_procedure("GPLX-DOI").id)
    assert current.id == second.id
    assert len(db.session.get(InternalProcess, first.id).steps) == 4


REFUSED = [
    (
        [StepFields(role="desk", allowance="4h"), StepFields("specialist", "3", "QLPT")],
        "Tổng thời gian các bước là 26,5 giờ làm việc, khác thời hạn giải quyết của thủ tục "
        "GPLX-DOI: 37,5 giờ làm việc (5 ngày làm việc). Một ngày làm việc tính 7,5 giờ.",
    ),
    (
        [StepFields("specialist", "4", "QLPT"), StepFields("unit_head", "1", "QLPT")],
        "Bước 1 là bước tiếp nhận của bộ phận một cửa.",
    ),
    ([StepFields("desk", "5")], "Quy trình cần ít nhất hai bước"),
    (
        [StepFields("desk", "1"), StepFields("specialist", "4", "NOPE")],
        "Bước 2: cơ quan không có đơn vị đang hoạt động mã “NOPE”.",
    ),
    (
        [StepFields("desk", "1"), StepFields("specialist", "4")],
        "Bước 2: hãy chọn đơn vị xử lý.",
    ),
    (
        [StepFields("desk", "1", "QLPT"), StepFields("specialist", "4", "QLPT")],
        "Bước 1: bước của bộ phận một cửa hoặc lãnh đạo cơ quan không gắn đơn vị.",
    ),
    (
        [StepFields("desk", "1"), StepFields("chief", "4")],
        "Bước 2: vai trò “chief” không có.",
    ),
    (
        [StepFields("desk", "0"), StepFields("specialist", "5", "QLPT")],
        "Bước 1: thời gian của bước phải lớn hơn 0.",
    ),
    (
        [StepFields("desk", "1,5"), StepFields("specialist", "3,5", "QLPT")],
        "Bước 1: thời gian phải là số ngày làm việc",
    ),
    (
        [StepFields("desk", "1"), StepFields("specialist", "4", "QLPT", next_positions=[5])],
        "Bước 2: bước chuyển tiếp 5 không có trong quy trình.",
    ),
    (
        [
            StepFields("desk", "1"),
            StepFields("specialist", "3", "QLPT"),
            StepFields("unit_head", "1", "QLPT", back_position=1),
        ],
        "Bước 3: chỉ trả lại được một bước xử lý trước đó.",
    ),
]


@pytest.mark.parametrize(("steps", "message"), REFUSED)
def test_a_process_that_does_not_hold_together_is_refused_and_writes_nothing(
    app, demo, steps, message
):
    before = rows_of(*PROCESS_TABLES)
    with pytest.raises(InvalidInput) as refused:
        define(steps)
    assert message in refused.value.messages()["vi"]
    assert rows_of(*PROCESS_TABLES) == before


def test_a_procedure_outside_the_agencys_competence_has_no_process(runner, app, demo):
    added = runner.invoke(
        args=["agencies", "add", "000.00.07.H56", "Công an tỉnh", "--procedures", "GPLX-LAI"]
    )
    assert added.exit_code == 0, added.output
    result = runner.invoke(
        args=["agencies", "process", "000.00.07.H56", "GPLX-DOI", "--step", "desk:5"]
    )
    assert result.exit_code == 1
    assert "Cơ quan 000.00.07.H56 không giải quyết thủ tục GPLX-DOI." in result.output


def test_a_step_is_due_after_its_allowance_in_working_hours(app, demo):
    process = define()
    calendar = work_calendar()
    specialist, leader = process.steps[1], process.steps[3]
    # Friday 4 December 2026, 16:00: 1 h that day, then Mon, Tue (15 h), 6.5 h on Wednesday.
    entered = local_time(2026, 12, 4, 16, 0)
    assert step_due(specialist, entered, calendar) == local_time(2026, 12, 9, 16, 0)
    # 3.5 h from 10:00: 1.5 h to 11:30, then 2 h from 13:30.
    assert step_due(leader, local_time(2026, 12, 9, 10, 0), calendar) == local_time(
        2026, 12, 9, 15, 30
    )


def test_agencies_process_and_processes_commands(runner, app, demo):
    result = runner.invoke(
        args=[
            "agencies", "process", HOME, "GPLX-DOI",
            "--step", "desk:4h", "--step", "specialist:QLPT:3",
            "--step", "unit_head:QLPT:1:Trưởng phòng duyệt", "--step", "agency_leader:3.5h",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Đã ban hành quy trình GPLX-DOI tại 000.17.22.H56, phiên bản 1, 4 bước." in result.output
    listing = runner.invoke(args=["agencies", "processes", HOME]).output
    assert "GPLX-DOI  phiên bản 1" in listing
    assert "    3. unit_head · QLPT · 1 · Trưởng phòng duyệt" in listing
    assert "    4. agency_leader · 3.5h · Lãnh đạo cơ quan ký duyệt" in listing
    assert "GPLX-LAI  (chưa có quy trình)" in listing
    before = rows_of(*PROCESS_TABLES)
    refused = runner.invoke(
        args=["agencies", "process", HOME, "GPLX-DOI", "--step", "desk", "--step", "x:1"]
    )
    assert refused.exit_code == 1
    assert "Bước “desk” thiếu thời gian" in refused.output
    assert rows_of(*PROCESS_TABLES) == before


# The admin screens -----------------------------------------------------------------------


def rows(*steps: tuple[str, str, str, str]) -> dict[str, str]:
    """The process form's rows: (role, unit, allowance, name); the other rows blank."""
    data = {}
    for index in range(8):
        role, unit, allowance, name = steps[index] if index < len(steps) else ("", "", "", "")
        prefix = f"steps-{index}-"
        data |= {
            prefix + "role": role,
            prefix + "unit": unit,
            prefix + "allowance": allowance,
            prefix + "name": name,
            prefix + "next_steps": "",
            prefix + "back_step": "",
        }
    return data


def test_admin_defines_a_process_and_a_manager_reads_it(app, demo):
    home = find_agency(HOME)
    procedure = find_procedure("GPLX-DOI")
    url = f"/admin/agencies/{home.id}/processes/{procedure.id}"
    admin = StaffClient(app, "quantri")
    listing = admin.get(f"/admin/agencies/{home.id}/processes")
    assert listing.status_code == 200
    assert url in text_of(listing)
    before = rows_of(*PROCESS_TABLES)
    short = admin.submit(url, rows(("desk", "", "4h", ""), ("specialist", "QLPT", "3", "")))
    assert short.status_code == 422
    assert "Tổng thời gian các bước là 26,5 giờ làm việc" in text_of(short)
    assert rows_of(*PROCESS_TABLES) == before
    saved = admin.submit(
        url,
        rows(
            ("desk", "", "4h", ""),
            ("specialist", "QLPT", "3", "Thẩm định hồ sơ"),
            ("unit_head", "QLPT", "1", ""),
            ("agency_leader", "", "3,5h", ""),
        ),
    )
    assert saved.status_code == 302, text_of(saved)
    process = current_process(home.id, procedure.id)
    assert [(step.role.value, step.name) for step in process.steps][:2] == [
        ("desk", "Tiếp nhận, chuyển hồ sơ"),
        ("specialist", "Thẩm định hồ sơ"),
    ]
    manager = StaffClient(app, "lanhdao")
    page = text_of(manager.get(url))
    assert "Quy trình hiện hành: phiên bản 1" in page
    assert "3,5 giờ" in page and "Ban hành phiên bản mới" not in page
    before = rows_of(*PROCESS_TABLES)
    assert manager.post(url, rows(("desk", "", "5", ""))).status_code in (400, 403)
    assert rows_of(*PROCESS_TABLES) == before


def test_admin_places_a_specialist_in_a_unit_and_refuses_one_without(app, demo):
    from core.models import ProcessingUnit, User

    admin = StaffClient(app, "quantri")
    unit = db.session.execute(db.select(ProcessingUnit).filter_by(code="QLVT")).scalar_one()
    account = {
        "username": "cvqlvt", "full_name": "Trịnh Văn Lộc", "role": "specialist",
        "password": "Loc#2026-qlvt", "confirmation": "Loc#2026-qlvt",
    }  # fmt: skip
    refused = admin.submit("/admin/users/new", account)
    assert refused.status_code == 422
    assert "Hãy chọn cơ quan của cán bộ xử lý." in text_of(refused)
    assert db.session.execute(db.select(User).filter_by(username="cvqlvt")).first() is None
    saved = admin.submit("/admin/users/new", {**account, "post": f"unit:{unit.id}"})
    assert saved.status_code == 302
    officer = db.session.execute(db.select(User).filter_by(username="cvqlvt")).scalar_one()
    assert (officer.agency_id, officer.unit_id) == (unit.agency_id, unit.id)
