"""Agencies and their processing units as data: the rules, the migration that makes the desk
the first agency, the `agencies` commands and the admin screens."""

import pytest
import time_machine
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from admin_support import StaffClient, csrf_token, text_of
from conftest import PROJECT_DIR, count, local_time
from core.agencies.registry import (
    AgencyFields,
    competent_agencies,
    create_agency,
    find_agency,
    home_agency,
    procedures_by_codes,
    set_competence,
    update_agency,
)
from core.agencies.units import UnitFields, add_unit, update_unit
from core.dossiers.procedures import ProcedureData, find_procedure, save_procedure
from core.errors import InvalidInput
from core.models import Agency, AuditEvent, OnlineLevel, Procedure, ProcessingUnit
from extensions import db
from tests import factories

MIGRATIONS = str(PROJECT_DIR / "migrations")
AGENCY_TABLES = ("agency", "processing_unit", "agency_procedure", "audit_event")


def rows_of(*tables: str) -> dict[str, list[tuple]]:
    """Every row of these tables, to prove that a refused change wrote nothing."""
    db.session.rollback()
    return {
        table: sorted(
            (tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table}"))), key=repr
        )
        for table in tables
    }


def agency(code: str) -> Agency:
    db.session.rollback()
    return db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()


def all_codes() -> list[str]:
    return sorted(db.session.execute(db.select(Procedure.code)).scalars())


# The rules -------------------------------------------------------------------------------


def test_the_demo_desk_is_the_first_agency_competent_for_every_procedure(app, demo):
    home = home_agency(app.config["DOSSIER_AGENCY_CODE"])
    assert (home.code, home.name, home.parent, home.active) == (
        "000.17.22.H56",
        "Sở Giao thông vận tải",
        None,
        True,
    )
    assert sorted(procedure.code for procedure in home.procedures) == all_codes()
    assert len(all_codes()) == 14
    assert [unit.code for unit in home.units] == ["KCHT", "QLPT", "QLVT"]
    assert count(Agency) == 1


def test_dossiers_and_new_procedures_belong_to_the_desks_agency(app, demo):
    home = home_agency(app.config["DOSSIER_AGENCY_CODE"])
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        received = factories.dossier()
    assert received.agency_id == home.id
    assert received.code == "000.17.22.H56-260302-0001"
    created = save_procedure(
        None,
        ProcedureData(
            code="BX-MOI",
            name="Công bố bến xe mới",
            field="Vận tải",
            processing_days=7,
            processing_hours=None,
            fee_vnd=0,
            processing_unit="",
            online_level=OnlineLevel.PARTIAL,
            documents=[],
        ),
    )
    assert [each.code for each in created.agencies] == [home.code]


def test_codes_are_unique_well_formed_and_normalised(app, demo):
    added = create_agency(AgencyFields(code=" 000.20.22.h56 ", name="  Sở   Xây dựng "), None)
    assert (added.code, added.name) == ("000.20.22.H56", "Sở Xây dựng")
    db.session.commit()
    for code, message in [
        ("000.20.22.H56", "Mã cơ quan “000.20.22.H56” đã có."),
        ("H56", "Mã cơ quan “H56” không đúng dạng mã định danh, ví dụ 000.17.22.H56."),
        ("000-17", "không đúng dạng mã định danh"),
        ("", "không đúng dạng mã định danh"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            create_agency(AgencyFields(code=code, name="Sở Tư pháp"), None)
        assert message in refused.value.messages()["vi"]
        db.session.rollback()
    with pytest.raises(InvalidInput, match="Vui lòng nhập tên cơ quan"):
        create_agency(AgencyFields(code="000.21.22.H56", name="   "), None)
    db.session.rollback()
    assert count(Agency) == 2


def test_a_parent_cycle_is_refused_and_changes_nothing(app, demo):
    top = create_agency(AgencyFields(code="000.00.00.H56", name="UBND tỉnh"), None)
    middle = create_agency(AgencyFields(code="000.20.00.H56", name="Sở", parent_id=top.id), None)
    low = create_agency(
        AgencyFields(code="000.20.22.H56", name="Chi cục", parent_id=middle.id), None
    )
    db.session.commit()
    before = rows_of(*AGENCY_TABLES)
    for parent in (low, middle, top):
        with pytest.raises(InvalidInput) as refused:
            update_agency(
                top, AgencyFields(code=top.code, name=top.name, parent_id=parent.id), None
            )
        assert "là chính cơ quan này hoặc trực thuộc nó" in refused.value.messages()["vi"]
        assert refused.value.details["field"] == "parent_id"
        db.session.rollback()
    assert rows_of(*AGENCY_TABLES) == before
    # Moving a branch elsewhere is fine: the low agency directly under the top one.
    update_agency(low, AgencyFields(code=low.code, name=low.name, parent_id=top.id), None)
    db.session.commit()
    assert agency("000.20.22.H56").parent.code == "000.00.00.H56"


def test_competence_is_every_procedure_unless_narrowed_and_changes_are_audited(app, demo):
    police = create_agency(
        AgencyFields(code="000.00.07.H56", name="Công an tỉnh"),
        None,
        procedures_by_codes(["GPLX-DOI", "GPLX-LAI"]),
    )
    everything = create_agency(AgencyFields(code="000.20.22.H56", name="Sở Xây dựng"), None)
    db.session.commit()
    assert [procedure.code for procedure in police.procedures] == ["GPLX-DOI", "GPLX-LAI"]
    assert len(everything.procedures) == 14
    handling = competent_agencies(find_procedure("GPLX-DOI"))
    assert [each.code for each in handling] == ["000.00.07.H56", "000.17.22.H56", "000.20.22.H56"]
    set_competence(police, procedures_by_codes(["GPLX-LAI", "GPLX-NN"]), None)
    db.session.commit()
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="agency.competence_changed")
    ).scalar_one()
    assert event.details == {"code": "000.00.07.H56", "added": ["GPLX-NN"], "removed": ["GPLX-DOI"]}
    everything.active = False
    db.session.commit()
    assert [each.code for each in competent_agencies(find_procedure("GPLX-NN"))] == [
        "000.00.07.H56",
        "000.17.22.H56",
    ]
    with pytest.raises(InvalidInput) as refused:
        procedures_by_codes(["GPLX-DOI", "KHONG-CO", "CUNG-KHONG"])
    assert refused.value.messages()["vi"] == "Không có thủ tục mã: KHONG-CO, CUNG-KHONG."


def test_unit_codes_are_unique_within_their_agency(app, demo):
    home = find_agency("000.17.22.H56")
    other = create_agency(AgencyFields(code="000.20.22.H56", name="Sở Xây dựng"), None)
    same_code = add_unit(other, UnitFields(code="qlpt", name="Phòng Quản lý phát triển"), None)
    db.session.commit()
    assert same_code.code == "QLPT"
    with pytest.raises(InvalidInput) as refused:
        add_unit(home, UnitFields(code="QLPT", name="Trùng"), None)
    assert refused.value.messages()["vi"] == "Cơ quan “000.17.22.H56” đã có đơn vị mã “QLPT”."
    db.session.rollback()
    with pytest.raises(InvalidInput) as refused:
        add_unit(home, UnitFields(code="Phòng 1", name="Có dấu"), None)
    assert "Mã đơn vị chỉ gồm chữ không dấu" in refused.value.messages()["vi"]
    db.session.rollback()
    update_unit(same_code, UnitFields(code="QLPT", name=same_code.name, active=False), None)
    db.session.commit()
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="processing_unit.updated")
    ).scalar_one()
    assert event.details == {"agency": "000.20.22.H56", "changes": {"active": [True, False]}}


# The migration ---------------------------------------------------------------------------


def sqlite_triggers() -> list[str]:
    if db.engine.dialect.name != "sqlite":
        return []
    with db.engine.connect() as connection:
        return sorted(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            .scalars()
            .all()
        )


def run_sql(sql: str, **values):
    with db.engine.begin() as connection:
        return connection.execute(text(sql), values)


def migrate_to(revision: str) -> None:
    db.session.remove()
    if revision == "head":
        upgrade(directory=MIGRATIONS)
    else:
        downgrade(directory=MIGRATIONS, revision=revision)


def test_0026_makes_what_was_one_agency_the_first_agency(app, demo):
    """From the settings an admin stored (else the configuration), competent for every
    procedure, owner of every dossier; dossier codes, registers, documents, day summaries and
    the report triggers stay as they were, going up and coming back down."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        first, second = factories.dossier(), factories.dossier("GPLX-LAI")
    dossier_ids = [first.id, second.id]
    db.session.commit()

    def kept():
        return {
            "dossiers": run_sql(
                "SELECT id, code, register_year, register_number, field_name FROM dossier "
                "ORDER BY id"
            ).all(),
            "documents": run_sql("SELECT COUNT(*) FROM dossier_document").scalar(),
            "days": run_sql("SELECT * FROM report_dossier_day ORDER BY 1, 2").all()
            if inspect(db.engine).has_table("report_dossier_day")
            else None,
            # Those of the tables 0026 touches (0060's on the stays go with the stays).
            "triggers": [name for name in sqlite_triggers() if "dossier_step" not in name],
        }

    before = kept()
    try:
        migrate_to("0019")
        assert not inspect(db.engine).has_table("agency")
        assert "agency_id" not in {c["name"] for c in inspect(db.engine).get_columns("dossier")}
        assert kept() == before
        # 0031's downgrade gave the agency code back to the settings: an admin's change since.
        run_sql("DELETE FROM dossier_setting WHERE key = 'agency_code'")
        run_sql(
            "INSERT INTO dossier_setting (key, value) VALUES ('agency_code', '000.19.22.H56'), "
            "('agency_name', 'Sở Tư pháp')"
        )
        migrate_to("head")
        assert kept() == before
        agencies = run_sql("SELECT id, code, name, parent_id, active FROM agency").all()
        assert [tuple(row)[1:] for row in agencies] == [("000.19.22.H56", "Sở Tư pháp", None, True)]
        first_id = agencies[0][0]
        competent = run_sql(
            "SELECT procedure_id FROM agency_procedure WHERE agency_id = :a", a=first_id
        )
        assert sorted(competent.scalars()) == sorted(run_sql("SELECT id FROM procedure").scalars())
        assert run_sql("SELECT id, agency_id FROM dossier ORDER BY id").all() == [
            (dossier_ids[0], first_id),
            (dossier_ids[1], first_id),
        ]
        # Without stored settings: the configuration's code and name, as the desk used them.
        migrate_to("0019")
        assert kept() == before
        run_sql("DELETE FROM dossier_setting")
        migrate_to("head")
        assert run_sql("SELECT code, name FROM agency").all() == [
            ("000.17.22.H56", "Sở Giao thông vận tải")
        ]
        assert kept() == before
    finally:
        migrate_to("head")


# The commands ----------------------------------------------------------------------------


def test_agencies_add_list_and_add_unit(runner, demo):
    # On an emptied PostgreSQL database the demo adds the desk's agency itself: count from here.
    seen = db.session.execute(db.select(db.func.max(AuditEvent.id))).scalar() or 0
    added = runner.invoke(args=["agencies", "add", "000.17.22.H50", "Sở Giao thông (cũ)"])
    assert added.exit_code == 0, added.output
    assert "giải quyết 14 thủ tục" in added.output
    police = runner.invoke(
        args=[
            "agencies", "add", "000.00.07.h56", "Công an tỉnh",
            "--parent", "000.17.22.H50", "--procedures", "GPLX-DOI, GPLX-LAI",
        ]
    )  # fmt: skip
    assert police.exit_code == 0, police.output
    created = agency("000.00.07.H56")
    assert created.parent.code == "000.17.22.H50"
    assert [procedure.code for procedure in created.procedures] == ["GPLX-DOI", "GPLX-LAI"]
    unit = runner.invoke(args=["agencies", "add-unit", "000.00.07.H56", "pc08", "Phòng CSGT"])
    assert unit.exit_code == 0, unit.output
    listing = runner.invoke(args=["agencies", "list"]).output
    assert "000.00.07.H56  Công an tỉnh · thuộc 000.17.22.H50 · 2 thủ tục" in listing
    assert "    PC08  Phòng CSGT" in listing
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.id > seen).order_by(AuditEvent.id)
    ).scalars()
    assert list(actions) == ["agency.created", "agency.created", "processing_unit.created"]


REFUSALS = [
    (["add", "000.17.22.H56", "Trùng"], "Mã cơ quan “000.17.22.H56” đã có."),
    (["add", "H56", "Sai"], "không đúng dạng mã định danh"),
    (
        ["add", "000.20.22.H56", "Sở", "--parent", "000.99.H56"],
        "Không có cơ quan chủ quản mã “000.99.H56”.",
    ),
    (
        ["add", "000.20.22.H56", "Sở", "--procedures", "GPLX-DOI,NOPE"],
        "Không có thủ tục mã: NOPE.",
    ),
    (["add", "000.20.22.H56", " "], "Vui lòng nhập tên cơ quan."),
    (
        ["edit", "000.17.22.H56", "--parent", "000.17.22.H56"],
        "là chính cơ quan này hoặc trực thuộc nó",
    ),
    (["edit", "000.99.22.H56", "--name", "X"], "Không có cơ quan mã “000.99.22.H56”."),
    (["add-unit", "000.17.22.H56", "QLPT", "Trùng"], "đã có đơn vị mã “QLPT”"),
    (["add-unit", "000.99.22.H56", "X", "Đơn vị"], "Không có cơ quan mã “000.99.22.H56”."),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS)
def test_each_refusal_exits_1_says_why_in_vietnamese_and_writes_nothing(
    runner, demo, args, message
):
    before = rows_of(*AGENCY_TABLES)
    result = runner.invoke(args=["agencies", *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert rows_of(*AGENCY_TABLES) == before


def test_a_cycle_through_a_child_is_refused_from_the_command_line(runner, demo):
    assert runner.invoke(args=["agencies", "add", "000.20.22.H56", "Sở Xây dựng"]).exit_code == 0
    moved = runner.invoke(args=["agencies", "edit", "000.20.22.H56", "--parent", "000.17.22.H56"])
    assert moved.exit_code == 0, moved.output
    before = rows_of(*AGENCY_TABLES)
    cycle = runner.invoke(args=["agencies", "edit", "000.17.22.H56", "--parent", "000.20.22.H56"])
    assert cycle.exit_code == 1
    assert "Không thể đặt “000.20.22.H56” làm cơ quan chủ quản của “000.17.22.H56”" in cycle.output
    assert rows_of(*AGENCY_TABLES) == before


# The admin screens -----------------------------------------------------------------------


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


def test_admin_adds_an_agency_competent_for_every_procedure(admin):
    home = agency("000.17.22.H56")
    response = admin.submit(
        "/admin/agencies/new",
        {"code": "000.20.22.h56", "name": "Sở Xây dựng", "parent_id": str(home.id), "active": "y"},
    )
    assert response.status_code == 302
    added = agency("000.20.22.H56")
    assert response.location == f"/admin/agencies/{added.id}"
    assert (added.name, added.parent.code, added.active) == ("Sở Xây dựng", home.code, True)
    assert len(added.procedures) == 14
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="agency.created", subject_id=added.id)
    ).scalar_one()
    assert event.user_id == admin.user_id and event.details["parent"] == home.code
    page = text_of(admin.get(f"/admin/agencies/{added.id}"))
    assert "Đã thêm cơ quan “Sở Xây dựng”, giải quyết 14 thủ tục" in page
    listing = text_of(admin.get("/admin/agencies"))
    assert "000.20.22.H56" in listing and "Sở Giao thông vận tải" in listing
    home_page = text_of(admin.get("/admin/"))
    assert 'href="/admin/agencies"' in home_page and "000.20.22.H56 · Sở Xây dựng" in home_page


def test_bad_input_is_explained_beside_its_field_and_writes_nothing(admin):
    home = agency("000.17.22.H56")
    admin.submit(
        "/admin/agencies/new",
        {"code": "000.20.22.H56", "name": "Sở Xây dựng", "parent_id": str(home.id)},
    )
    child = agency("000.20.22.H56")
    before = rows_of(*AGENCY_TABLES)
    duplicate = admin.submit("/admin/agencies/new", {"code": "000.17.22.H56", "name": "Trùng"})
    assert duplicate.status_code == 422
    assert "Mã cơ quan “000.17.22.H56” đã có." in text_of(duplicate)
    malformed = admin.submit("/admin/agencies/new", {"code": "SXD", "name": "Sở"})
    assert "không đúng dạng mã định danh" in text_of(malformed)
    cycle = admin.submit(
        f"/admin/agencies/{home.id}/edit",
        {"code": home.code, "name": home.name, "parent_id": str(child.id), "active": "y"},
    )
    assert cycle.status_code == 422
    assert "“000.20.22.H56” là chính cơ quan này hoặc trực thuộc nó" in text_of(cycle)
    unit = admin.submit(f"/admin/agencies/{home.id}/units/new", {"code": "QLPT", "name": "Trùng"})
    assert unit.status_code == 422 and "đã có đơn vị mã “QLPT”" in text_of(unit)
    assert rows_of(*AGENCY_TABLES) == before


def test_admin_edits_an_agency_and_its_units(admin):
    home = agency("000.17.22.H56")
    edited = admin.submit(
        f"/admin/agencies/{home.id}/edit",
        {"code": home.code, "name": "Sở Xây dựng (tiếp nhận thay Sở GTVT)", "parent_id": ""},
    )
    assert edited.status_code == 302
    changed = agency("000.17.22.H56")
    assert (changed.name, changed.active) == ("Sở Xây dựng (tiếp nhận thay Sở GTVT)", False)
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="agency.updated")
    ).scalar_one()
    assert event.details["changes"]["active"] == [True, False]

    added = admin.submit(
        f"/admin/agencies/{home.id}/units/new",
        {"code": "vp", "name": "Văn phòng Sở", "active": "y"},
    )
    assert added.status_code == 302
    office = db.session.execute(db.select(ProcessingUnit).filter_by(code="VP")).scalar_one()
    page = admin.get(f"/admin/agencies/{home.id}")
    token = csrf_token(text_of(page))
    assert "Văn phòng Sở" in text_of(page)
    renamed = admin.submit(
        f"/admin/agencies/{home.id}/units/{office.id}/edit",
        {"code": "VP", "name": "Văn phòng", "active": "y"},
    )
    assert renamed.status_code == 302
    deactivated = admin.post(
        f"/admin/agencies/{home.id}/units/{office.id}/deactivate", {"csrf_token": token}
    )
    assert deactivated.status_code == 302
    assert db.session.get(ProcessingUnit, office.id).active is False
    assert "Đã ngừng hoạt động đơn vị “Văn phòng”." in text_of(
        admin.get(f"/admin/agencies/{home.id}")
    )
    admin.post(f"/admin/agencies/{home.id}/units/{office.id}/reactivate", {"csrf_token": token})
    assert db.session.get(ProcessingUnit, office.id).active is True
    changes = [
        event.details.get("changes")
        for event in db.session.execute(
            db.select(AuditEvent)
            .filter_by(action="processing_unit.updated", subject_id=office.id)
            .order_by(AuditEvent.id)
        ).scalars()
    ]
    assert changes == [
        {"name": ["Văn phòng Sở", "Văn phòng"]},
        {"active": [True, False]},
        {"active": [False, True]},
    ]
    # A unit of another agency is not this agency's.
    other = create_agency(AgencyFields(code="000.20.22.H56", name="Sở Xây dựng"), None)
    db.session.commit()
    assert admin.get(f"/admin/agencies/{other.id}/units/{office.id}/edit").status_code == 404


def test_admin_narrows_the_procedures_an_agency_handles(admin):
    home = agency("000.17.22.H56")
    page = text_of(admin.get(f"/admin/agencies/{home.id}/procedures"))
    assert 'data-filter-list="procedure-list"' in page and "cap doi giay phep lai xe" in page
    keep = [str(find_procedure(code).id) for code in ("GPLX-DOI", "XTL")]
    response = admin.submit(f"/admin/agencies/{home.id}/procedures", {"procedures": keep})
    assert response.status_code == 302
    assert [procedure.code for procedure in agency("000.17.22.H56").procedures] == [
        "GPLX-DOI",
        "XTL",
    ]
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="agency.competence_changed")
    ).scalar_one()
    assert event.user_id == admin.user_id and len(event.details["removed"]) == 12
    before = rows_of(*AGENCY_TABLES)
    refused = admin.submit(f"/admin/agencies/{home.id}/procedures", {"procedures": ["999999"]})
    assert refused.status_code == 422 and "Lựa chọn không hợp lệ." in text_of(refused)
    assert rows_of(*AGENCY_TABLES) == before


def test_managers_read_agencies_and_change_nothing(app, demo):
    manager = StaffClient(app, "lanhdao")
    home = agency("000.17.22.H56")
    for url in ("/admin/agencies", f"/admin/agencies/{home.id}"):
        page = text_of(manager.get(url))
        assert (
            "chế độ chỉ đọc" in page and "Phòng Quản lý vận tải" in page or url.endswith("agencies")
        )
        assert "/edit" not in page and "/new" not in page and "/procedures" not in page, url
    token = csrf_token(text_of(manager.get("/admin/users")))
    unit = home.units[0]
    forms = [
        "/admin/agencies/new",
        f"/admin/agencies/{home.id}/edit",
        f"/admin/agencies/{home.id}/procedures",
        f"/admin/agencies/{home.id}/units/new",
        f"/admin/agencies/{home.id}/units/{unit.id}/edit",
    ]
    before = rows_of(*AGENCY_TABLES)
    for url in forms:
        assert manager.get(url).status_code == 403, url
    for url in [*forms, f"/admin/agencies/{home.id}/units/{unit.id}/deactivate"]:
        assert manager.post(url, {"csrf_token": token}).status_code == 403, url
    officer = StaffClient(app, "canbo1")
    assert officer.get("/admin/agencies").status_code == 403
    assert rows_of(*AGENCY_TABLES) == before


def test_the_agency_screens_speak_english(admin):
    page = text_of(admin.get("/admin/agencies?lang=en"))
    assert "Add agency" in page and "Parent authority" in page and "Identifier code" in page
