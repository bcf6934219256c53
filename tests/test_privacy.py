"""Applicants' personal data: anonymising after retention keeps the statistics, one
person's data can be exported, and managers see masked names only."""

import json
import logging
import stat

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from conftest import local_time
from core.dossiers.privacy import ANONYMISED_NAME
from core.dossiers.states import Action, Move, move
from core.models import AuditEvent, Dossier, DossierEvent, ReceptionSlip
from desk_support import fresh_user_per_request  # noqa: F401  (fixture)
from extensions import db
from tests import factories

PEOPLE = [
    dict(name="Trần Thị Bích Ngọc", id_number="079199001111", phone="0987 111 222"),
    dict(name="Lê Hoàng Phúc", id_number="001088002222", phone="0903 333 444"),
    dict(name="Phạm Minh Khôi", id_number="031077003333", phone="0912 555 666"),
    dict(name="Đỗ Thu Hà", id_number="048066004444", phone="0934 777 888"),
]
PATHS = {
    "returned": [Action.TRANSFER, Action.START, Action.RESOLVE, Action.RETURN],
    "refused": [Action.TRANSFER, Action.REFUSE],
    "withdrawn": [Action.WITHDRAW],
    "open": [Action.TRANSFER, Action.START],
}


def desk_with_history():
    """Four dossiers received in March 2024: returned, refused, withdrawn, still open."""
    dossiers = {}
    for day, (path, person) in enumerate(zip(PATHS, PEOPLE, strict=True), start=4):
        with time_machine.travel(local_time(2024, 3, day, 9, 0), tick=False):
            dossier = factories.dossier(**person)
            for action in PATHS[path]:
                move(dossier, action, user=factories.user(), details=Move(note="theo quy trình"))
            db.session.commit()
        dossiers[path] = dossier.code
    return dossiers


def statistics() -> list[tuple]:
    """Everything a report counts, dossier by dossier, with the history's verdicts."""
    db.session.expire_all()
    rows = db.session.execute(
        db.select(
            Dossier.code,
            Dossier.procedure_code,
            Dossier.field_name,
            Dossier.channel,
            Dossier.status,
            Dossier.refused,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.resolved_at,
            Dossier.returned_at,
            Dossier.withdrawn_at,
            Dossier.register_number,
        ).order_by(Dossier.id)
    ).all()
    verdicts = db.session.execute(
        db.select(DossierEvent.dossier_id, DossierEvent.action, DossierEvent.verdict).order_by(
            DossierEvent.id
        )
    ).all()
    return [tuple(row) for row in rows] + [tuple(row) for row in verdicts]


def test_anonymising_keeps_statistics_is_idempotent_and_audited(app, demo, runner):
    codes = desk_with_history()
    before = statistics()
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 365
    with time_machine.travel(local_time(2025, 3, 5, 8, 0), tick=False):
        dry = runner.invoke(args=["privacy", "anonymise", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Sẽ ẩn danh 1 hồ sơ" in dry.output  # only the returned one is a year old
        db.session.expire_all()
        assert ANONYMISED_NAME not in {
            d.applicant_name for d in db.session.scalars(db.select(Dossier))
        }
    with time_machine.travel(local_time(2025, 4, 1, 12, 0), tick=False):
        done = runner.invoke(args=["privacy", "anonymise"])
        assert done.exit_code == 0, done.output
        assert "Đã ẩn danh 3 hồ sơ" in done.output
        again = runner.invoke(args=["privacy", "anonymise"])
        assert "Đã ẩn danh 0 hồ sơ" in again.output
    db.session.expire_all()
    by_code = {d.code: d for d in db.session.scalars(db.select(Dossier))}
    for path in ("returned", "refused", "withdrawn"):
        dossier = by_code[codes[path]]
        assert dossier.applicant_name == ANONYMISED_NAME and dossier.anonymised_at
        assert (
            dossier.applicant_id_number,
            dossier.applicant_phone,
            dossier.applicant_address,
        ) == (
            "",
            "",
            "",
        )
    still_open = by_code[codes["open"]]
    assert still_open.applicant_name == PEOPLE[3]["name"] and still_open.anonymised_at is None
    assert statistics() == before
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="dossier.anonymised")).all()
    assert sorted(event.details["code"] for event in events) == sorted(
        codes[path] for path in ("returned", "refused", "withdrawn")
    )
    stored = "\n".join(str(tuple(row)) for row in db.session.execute(Dossier.__table__.select()))
    for person in PEOPLE[:3]:
        assert person["name"] not in stored and person["id_number"] not in stored


def test_reception_slips_are_anonymised_after_retention(app, demo, runner, auth, client):
    with time_machine.travel(local_time(2024, 3, 4, 9, 0), tick=False):
        auth.login("canbo1")  # sessions are signed with the time: sign in then
        response = client.post(
            "/dossiers/receive",
            data={
                "procedure": "GPLX-DOI",
                "applicant_name": "Vũ Đức Thắng",
                "applicant_phone": "0977123456",
                "channel": "direct",
                "sets": "1",
                "refuse": "1",
                "reason": "Không thuộc thẩm quyền",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        assert "/dossiers/slips/" in response.headers["Location"]
    with time_machine.travel(local_time(2026, 1, 1, 9, 0), tick=False):
        result = runner.invoke(args=["privacy", "anonymise", "--days", "365"])
    assert "1 phiếu" in result.output
    db.session.expire_all()
    slip = db.session.scalars(db.select(ReceptionSlip)).one()
    assert (slip.applicant_name, slip.applicant_phone) == (ANONYMISED_NAME, "")
    assert slip.reason == "Không thuộc thẩm quyền"


def test_export_gives_everything_held_about_one_person(app, demo, runner, tmp_path):
    codes = desk_with_history()
    with time_machine.travel(local_time(2024, 4, 1, 9, 0), tick=False):
        factories.dossier(**PEOPLE[0])  # the same person comes back
    output = tmp_path / "nguoi-nop.json"
    output.write_text("an older file, readable by all")
    output.chmod(0o644)
    result = runner.invoke(args=["privacy", "export", PEOPLE[0]["id_number"], "--output", output])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600, "readable by its owner only"
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["citizen_id"] == PEOPLE[0]["id_number"]
    assert len(data["dossiers"]) == 2 and data["dossiers"][0]["code"] == codes["returned"]
    first = data["dossiers"][0]
    assert first["applicant"]["name"] == PEOPLE[0]["name"]
    assert first["applicant"]["phone"] == "0987111222"
    assert [step["action"] for step in first["history"]] == [
        "receive",
        "transfer",
        "start",
        "resolve",
        "return",
    ]
    assert first["documents"], "the documents handed in"
    serialised = output.read_text(encoding="utf-8")
    for other in PEOPLE[1:]:
        assert other["name"] not in serialised and other["id_number"] not in serialised
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="privacy.exported")).one()
    assert codes["returned"] in event.details["dossiers"]
    assert PEOPLE[0]["id_number"] not in json.dumps(event.details), "the log names no ID"
    refused = runner.invoke(args=["privacy", "export", "not-a-number", "--output", output])
    assert refused.exit_code != 0


@pytest.fixture
def auth(auth, app, demo):
    """Staff of the demo desk; the forms here are posted without their CSRF token (the
    token is proven in test_route_walk)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


def test_managers_see_masked_names_and_no_personal_details(auth, client):
    with time_machine.travel(local_time(2024, 3, 4, 9, 0), tick=False):
        dossier = factories.dossier(**PEOPLE[0])
    auth.login("lanhdao")
    listing = client.get("/dossiers/").get_data(as_text=True)
    assert "Trần T** B** N**" in listing and PEOPLE[0]["name"] not in listing
    page = client.get(f"/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Trần T** B** N**" in page
    for secret in (PEOPLE[0]["name"], PEOPLE[0]["id_number"], "0987111222", "Hà Đông"):
        assert secret not in page
    for path in (
        f"/dossiers/{dossier.code}/print/receipt",
        f"/dossiers/{dossier.code}/print/control.pdf",
        "/dossiers/register",
        "/dossiers/exports/1",
        "/dossiers/exports/1/download",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/dossiers/register/export", data={"file_format": "xlsx"}).status_code == 403
    for username in ("canbo1", "quantri"):
        auth.logout()
        auth.login(username)
        page = client.get(f"/dossiers/{dossier.code}").get_data(as_text=True)
        assert PEOPLE[0]["name"] in page and PEOPLE[0]["id_number"] in page
        assert client.get(f"/dossiers/{dossier.code}/print/receipt").status_code == 200


def test_no_applicant_data_reaches_the_logs(app, auth, client, caplog):
    """Reception, look-up and a failing request, with every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    auth.login("canbo1")
    person = {
        "procedure": "GPLX-DOI",
        "documents": ["0", "1", "2"],
        "applicant_name": "Hoàng Gia Bảo",
        "applicant_id_number": "001099887766",
        "applicant_phone": "0966554433",
        "applicant_address": "12 Phố Huế, Hà Nội",
        "applicant_email": "bao@example.vn",
        "channel": "direct",
        "sets": "1",
        "accept": "1",
    }
    assert client.post("/dossiers/receive", data=person).status_code == 302
    wrong = {**person, "applicant_id_number": "12345"}
    refused = client.post("/dossiers/receive", data=wrong)
    assert refused.status_code == 422
    code = db.session.scalars(db.select(Dossier.code)).one()
    page = client.get(factories.lookup_path(code)).get_data(as_text=True)
    assert "Đã tiếp nhận" in page and "Hoàng" not in page
    # A database error (a duplicate code here) names no value in its message.
    with pytest.raises(IntegrityError) as error:
        row = db.session.execute(db.select(Dossier.__table__)).mappings().one()
        db.session.execute(
            db.insert(Dossier.__table__).values(
                **{column: value for column, value in row.items() if column != "id"}
            )
        )
    db.session.rollback()
    logging.getLogger("app").error("database error: %s", error.value)
    logged = caplog.text
    assert "IntegrityError" in logged and "unique" in logged.lower()
    for value in ("Hoàng Gia Bảo", "001099887766", "0966554433", "Phố Huế", "bao@example.vn"):
        assert value not in logged
