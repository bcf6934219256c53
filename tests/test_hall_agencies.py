"""The hall serves many agencies: services and counters belong to an agency (a counter may
serve several agencies' services), the kiosk groups many services by agency, and the demo
gives each agency its queues and counters."""

import pytest
import time_machine

from admin_support import StaffClient, database_state, text_of
from conftest import local_time
from core.agencies.registry import find_agency
from core.models import AuditEvent, Counter, Service
from demo.agencies import seed_demo_agencies
from extensions import db
from tests import factories

DESK, POLICE = "000.17.22.H56", "000.00.07.H56"
MORNING = local_time(2026, 3, 2, 8, 15)


@pytest.fixture
def admin(app, demo):
    return StaffClient(app, "quantri")


@pytest.fixture
def centre(app, demo):
    """The demo centre of three agencies, each with its queues and counters."""
    added = seed_demo_agencies(3)
    db.session.commit()
    return added


def service(code: str) -> Service:
    db.session.rollback()
    return db.session.execute(db.select(Service).filter_by(code=code)).scalar_one()


def counter(number: int) -> Counter:
    db.session.rollback()
    return db.session.execute(db.select(Counter).filter_by(number=number)).scalar_one()


def test_existing_services_and_counters_are_the_desks_agency(app, demo):
    desk = find_agency(DESK)
    services = db.session.execute(db.select(Service)).scalars().all()
    counters = db.session.execute(db.select(Counter)).scalars().all()
    assert services and all(each.agency_id == desk.id for each in services)
    assert counters and all(each.agency_id == desk.id and each.area == "" for each in counters)


def test_the_demo_gives_each_agency_its_queues_and_counters(centre):
    assert "service CA-DKX" in centre and "counter 7" in centre and "counter 6" in centre
    police = find_agency(POLICE)
    assert {each.code for each in police.units} == {"PC08", "PC06"}
    assert [service.code for service in counter(7).services] == ["CA-CT", "CA-DKX", "CA-GPLX"]
    assert counter(7).agency_id == police.id and counter(7).area == "Khu C"
    assert service("CA-DKX").agency_id == police.id
    assert seed_demo_agencies(3) == [], "a second run adds nothing"


def test_admin_gives_a_counter_an_agency_an_area_and_another_agencys_service(admin, centre):
    police = find_agency(POLICE)
    desk_service, police_service = service("GPLX").id, service("CA-DKX").id
    page = text_of(admin.get("/admin/counters/new"))
    assert "Công an tỉnh (000.00.07.H56)" in page and "Khu vực trong sảnh" in page
    response = admin.submit(
        "/admin/counters/new",
        {
            "number": "12",
            "agency_id": str(police.id),
            "area": "  Khu   C ",
            "active": "y",
            "services": [str(desk_service), str(police_service)],
        },
    )
    assert response.status_code == 302, text_of(response)
    added = counter(12)
    assert added.agency_id == police.id and added.area == "Khu C"
    assert {each.code for each in added.services} == {"GPLX", "CA-DKX"}
    event = (
        db.session.execute(
            db.select(AuditEvent).filter_by(action="counter.created").order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.details["agency"] == POLICE and event.details["area"] == "Khu C"
    listing = text_of(admin.get("/admin/counters"))
    assert "Công an tỉnh" in listing and "Khu C" in listing


def test_admin_moves_a_service_to_another_agency_and_refuses_an_unknown_one(admin, centre):
    police = find_agency(POLICE)
    gplx = service("GPLX")
    form = admin.get(f"/admin/services/{gplx.id}/edit")
    assert f'<option selected value="{gplx.agency_id}">' in form.get_data(as_text=True)
    fields = {
        "code": "GPLX",
        "name": gplx.name,
        "name_en": gplx.name_en,
        "prefix": gplx.prefix,
        "digits": "3",
        "sort_order": "0",
        "active": "y",
        **{f"hours-{day}-opens_1": "00:00" for day in range(7)},
        **{f"hours-{day}-closes_1": "24:00" for day in range(7)},
    }
    before = database_state()
    for bad in ("999999", "abc"):
        refused = admin.submit(f"/admin/services/{gplx.id}/edit", {**fields, "agency_id": bad})
        assert refused.status_code == 422
        assert database_state() == before
    assert "Cơ quan được chọn không còn tồn tại." in text_of(
        admin.submit(f"/admin/services/{gplx.id}/edit", {**fields, "agency_id": "999999"})
    )
    saved = admin.submit(f"/admin/services/{gplx.id}/edit", {**fields, "agency_id": str(police.id)})
    assert saved.status_code == 302, text_of(saved)
    assert service("GPLX").agency_id == police.id
    event = (
        db.session.execute(
            db.select(AuditEvent).filter_by(action="service.updated").order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.details["changes"]["agency"] == [DESK, POLICE]


def test_the_kiosk_shows_agencies_first_only_with_more_than_eight_services(client, demo):
    flat = client.get("/kiosk/").get_data(as_text=True)
    assert "Chạm vào dịch vụ bạn cần để lấy số thứ tự" in flat
    assert "agency-button" not in flat and 'id="kiosk-services"' not in flat

    seed_demo_agencies(3)
    db.session.commit()
    grouped = client.get("/kiosk/").get_data(as_text=True)
    assert "Chạm vào cơ quan giải quyết hồ sơ của bạn" in grouped
    assert grouped.count('class="agency-button"') == 3
    assert 'data-search="doi, cap lai giay phep lai xe' in grouped
    assert "cong an tinh" in grouped  # the agency's name is searched too
    assert grouped.count('class="service-button"') == 10


@pytest.fixture
def builds(monkeypatch):
    """The areas the display API built a board state for, one entry per build."""
    import api.display

    built = []
    original = api.display.board_state

    def counting(day, **options):
        built.append(options.get("area"))
        return original(day, **options)

    monkeypatch.setattr(api.display, "board_state", counting)
    return built


def board_of(name: str, agency: str | None = None, area: str | None = None) -> dict:
    """A display board's request headers, set to show an agency's counters and/or an area."""
    from core.models import Device
    from core.queue.areas import set_board_area

    made = factories.device("display", name)
    device = db.session.get(Device, made.id)
    set_board_area(device, find_agency(agency).id if agency else None, area, None)
    db.session.commit()
    return made.headers


@time_machine.travel(MORNING, tick=False)
def test_boards_show_their_area_of_the_hall_with_the_same_shape(app, client, centre, builds):
    hall = factories.device("display", "Sảnh chính").headers
    police = board_of("Màn hình Công an", agency=POLICE)
    police_too = board_of("Màn hình Công an 2", agency=POLICE)
    area_b = board_of("Màn hình khu B", area="Khu B")
    calls = [("GPLX", 1), ("CA-DKX", 7), ("CA-CT", 8), ("XD-CP", 6)]
    for code, number in calls:
        factories.call(factories.ticket(code, commit=False), number)
    factories.ticket("CA-GPLX", commit=False)  # waiting
    db.session.commit()

    def state(headers) -> dict:
        response = client.get("/api/v1/display", headers=headers)
        assert response.status_code == 200
        return response.get_json()

    whole, police_state, b_state = state(hall), state(police), state(area_b)
    assert set(police_state) == set(whole) == set(b_state), "the same shape"
    assert [each["number"] for each in whole["counters"]] == list(range(1, 9))
    assert [each["counter"] for each in whole["calls"]] == [6, 8, 7, 1]
    assert [each["number"] for each in police_state["counters"]] == [7, 8]
    assert [each["counter"] for each in police_state["calls"]] == [8, 7]
    assert {each["code"] for each in police_state["services"]} == {"CA-GPLX", "CA-DKX", "CA-CT"}
    waiting = {each["code"]: each["waiting"] for each in police_state["services"]}
    assert waiting["CA-GPLX"] == 1
    assert police_state["agency"] == "Công an tỉnh"
    assert whole["agency"] == app.config["AGENCY_NAME"]
    assert [each["number"] for each in b_state["counters"]] == [6]
    assert [each["call"]["number"] for each in b_state["counters"]] == ["F001"]

    # Built once per version and area: a second board of the same area shares it, and the
    # ETag tells a board of another area apart.
    built = len(builds)
    assert state(police_too) == {**police_state, "now": police_state["now"]}
    assert len(builds) == built
    etag = client.get("/api/v1/display", headers=police).headers["ETag"]
    assert (
        client.get("/api/v1/display", headers={**police, "If-None-Match": etag}).status_code == 304
    )
    assert client.get("/api/v1/display", headers={**hall, "If-None-Match": etag}).status_code == 200


def test_a_board_area_is_checked_and_audited(admin, centre):
    from core.models import Device

    made = factories.device("display", "Màn hình khu C")
    police = find_agency(POLICE)
    page = text_of(admin.get(f"/admin/devices/{made.id}/edit"))
    assert "Khu C" in page and "Công an tỉnh (000.00.07.H56)" in page
    form = {"name": "Màn hình khu C"}
    before = database_state()
    for fields, message in (
        ({"board_area": "Khu Z"}, "Không có quầy nào ở khu vực “Khu Z”."),
        ({"board_agency_id": "999999"}, "Cơ quan được chọn không còn tồn tại."),
        (
            {"board_agency_id": str(police.id), "board_area": "Khu B"},
            "Không có quầy nào của cơ quan này ở khu vực “Khu B”.",
        ),
    ):
        refused = admin.submit(f"/admin/devices/{made.id}/edit", {**form, **fields})
        assert refused.status_code == 422 and message in text_of(refused), fields
        assert database_state() == before
    saved = admin.submit(
        f"/admin/devices/{made.id}/edit",
        {**form, "board_agency_id": str(police.id), "board_area": "Khu C"},
    )
    assert saved.status_code == 302, text_of(saved)
    db.session.rollback()
    device = db.session.get(Device, made.id)
    assert (device.agency_id, device.area) == (police.id, "Khu C")
    event = db.session.execute(
        db.select(AuditEvent).filter_by(action="device.board_area_changed")
    ).scalar_one()
    assert event.details["after"] == {"agency": POLICE, "area": "Khu C"}

    keypad = factories.device("counter", counter=1)
    refused = admin.submit(
        f"/admin/devices/{keypad.id}/edit",
        {"name": "Bàn phím", "counter_id": "1", "board_area": "Khu C"},
    )
    assert refused.status_code == 422
    assert "Chỉ màn hình gọi số mới chọn khu vực hiển thị." in text_of(refused)


@time_machine.travel(MORNING, tick=False)
def test_the_live_view_filters_by_agency(client, auth, centre):
    for code in ("GPLX", "GPLX", "CA-DKX"):
        factories.ticket(code, commit=False)
    desk = find_agency(DESK)
    desk_dossier, police_dossier = factories.dossier(agency=desk), factories.dossier(agency=desk)
    police_dossier.agency_id = find_agency(POLICE).id
    db.session.commit()
    auth.login("lanhdao")

    whole = client.get("/dashboard/state.json").get_json()
    police = client.get("/dashboard/state.json", query_string={"agency": POLICE}).get_json()
    assert set(police) == set(whole)
    assert [each["code"] for each in police["services"]] == ["CA-GPLX", "CA-DKX", "CA-CT"]
    assert {each["code"]: each["waiting"] for each in police["services"]}["CA-DKX"] == 1
    assert [each["number"] for each in police["counters"]] == [7, 8]
    assert police["today"]["issued"] == 1 and whole["today"]["issued"] == 3
    assert len(whole["services"]) == 10 and len(whole["counters"]) == 8
    desk = client.get("/dashboard/state.json", query_string={"agency": DESK}).get_json()
    assert desk["today"]["issued"] == 2
    assert [each["number"] for each in desk["counters"]] == [1, 2, 3, 4, 5]
    assert desk_dossier.agency_id != police_dossier.agency_id

    page = client.get("/dashboard/", query_string={"agency": POLICE}).get_data(as_text=True)
    assert f'<option value="{POLICE}" selected' in page
    assert f"/dashboard/state.json?agency={POLICE}" in page.replace("%2E", ".")
    unknown = client.get("/dashboard/", query_string={"agency": "000.00.99.H99"})
    assert unknown.status_code == 200
    assert "Không có cơ quan mã “000.00.99.H99”." in unknown.get_data(as_text=True)
