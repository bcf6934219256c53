"""The demo centre's agencies: the desk's own agency (the Department of Transport `seed-demo`
serves) with its units, and the other agencies `demo-history --agencies N` adds, each with
its queues and counters in the hall, so that the demo `make run` serves is a centre of
several agencies."""

from __future__ import annotations

from core.agencies.registry import (
    AgencyFields,
    create_agency,
    home_agency,
    procedures_by_codes,
)
from core.agencies.units import UnitFields, add_unit
from core.dossiers.settings import dossier_settings, save_settings, stored_setting
from core.models import Agency, Counter, Procedure, Service
from core.queue.counters import CounterFields, create_counter
from core.queue.services import ServiceFields, create_service
from extensions import db

HOME_UNITS = [
    ("QLPT", "Phòng Quản lý phương tiện và người lái"),
    ("QLVT", "Phòng Quản lý vận tải"),
    ("KCHT", "Phòng Quản lý kết cấu hạ tầng giao thông"),
]
# code, name, units, the procedures of the demo catalogue it is competent for. Works on the
# roads and bus stations are filed with either Department; driving-licence cases with the
# traffic police.
OTHER_AGENCIES = [
    (
        "000.20.22.H56",
        "Sở Xây dựng",
        [("QLHT", "Phòng Quản lý hạ tầng kỹ thuật"), ("QLXD", "Phòng Quản lý xây dựng")],
        ["TC-DB", "XQK", "DN-DAU", "BX-KT"],
    ),
    (
        "000.00.07.H56",
        "Công an tỉnh",
        [("PC08", "Phòng Cảnh sát giao thông"), ("PC06", "Phòng Cảnh sát quản lý hành chính")],
        ["GPLX-DOI", "GPLX-LAI", "GPLX-NN"],
    ),
    (
        "000.31.22.H56",
        "Ủy ban nhân dân phường Trung tâm",
        [("VHXH", "Phòng Văn hóa - Xã hội"), ("KT", "Phòng Kinh tế")],
        ["XLH-TAM"],
    ),
]
MAX_AGENCIES = 1 + len(OTHER_AGENCIES)
# Which unit of each other agency processes which of its procedures (demo.processes): the
# traffic police the driving licences, the administrative police the foreign ones' checks.
OTHER_PROCEDURE_UNITS = {
    "000.20.22.H56": {"TC-DB": "QLHT", "XQK": "QLHT", "DN-DAU": "QLXD", "BX-KT": "QLXD"},
    "000.00.07.H56": {"GPLX-DOI": "PC08", "GPLX-LAI": "PC08", "GPLX-NN": "PC06"},
    "000.31.22.H56": {"XLH-TAM": "KT"},
}
# Each other agency's place in the hall: its queues (code, prefix, name, English name) and
# its counters (number, area), which serve its queues. The desk's own agency has the five
# queues and counters of `seed-demo`.
OTHER_HALLS = {
    "000.20.22.H56": (
        [
            ("XD-CP", "F", "Cấp giấy phép xây dựng", "Building permits"),
            ("XD-HT", "G", "Hạ tầng kỹ thuật đô thị", "Urban infrastructure"),
        ],
        [(6, "Khu B")],
    ),
    "000.00.07.H56": (
        [
            ("CA-GPLX", "H", "Đổi, cấp lại giấy phép lái xe", "Driving licence renewals"),
            ("CA-DKX", "K", "Đăng ký xe", "Vehicle registration (police)"),
            ("CA-CT", "L", "Cư trú, căn cước", "Residence and identity cards"),
        ],
        [(7, "Khu C"), (8, "Khu C")],
    ),
    "000.31.22.H56": (
        [
            ("PH-HT", "M", "Hộ tịch, chứng thực", "Civil status and certification"),
            ("PH-HKD", "N", "Đăng ký hộ kinh doanh", "Household businesses"),
        ],
        [(9, "Khu D")],
    ),
}


def seed_home_agency() -> list[str]:
    """The desk's own agency (made by migration 0026; on an emptied database, again from the
    settings), competent for every procedure, with its units. Says what was added."""
    added = []
    settings = dossier_settings()
    agency = home_agency(settings["agency_code"])
    if agency is None:
        fields = AgencyFields(code=settings["agency_code"], name=settings["agency_name"])
        agency = create_agency(fields, None)
        added.append(f"agency {agency.code}")
    added += missing_units(agency, HOME_UNITS)
    return added


def missing_units(agency: Agency, units: list[tuple[str, str]]) -> list[str]:
    known = {unit.code for unit in agency.units}
    added = []
    for code, name in units:
        if code not in known:
            add_unit(agency, UnitFields(code=code, name=name), None)
            added.append(f"unit {agency.code}/{code}")
    return added


# The demo centre's own name on its screens and documents once it receives for several
# agencies (each agency keeps its name on its register and on the letters its head signs).
CENTRE_SETTINGS = {
    "agency_name": "Trung tâm Phục vụ hành chính công",
    "report_symbol": "BC-TTPVHCC",
}


def seed_centre_settings(home: Agency) -> list[str]:
    """The centre's name in place of the first agency's, unless an admin named it already."""
    if stored_setting("agency_name") not in (None, home.name):
        return []
    save_settings(CENTRE_SETTINGS)
    return ["centre settings"]


def seed_demo_agencies(count: int) -> list[str]:
    """The first `count` agencies of the demo centre (the desk's own, then the others), those
    missing added with their units and procedures; with several, the screens and documents
    carry the centre's name. Says what was added."""
    added = seed_home_agency()
    if count > 1:
        added += seed_centre_settings(home_agency(dossier_settings()["agency_code"]))
    for code, name, units, procedure_codes in OTHER_AGENCIES[: max(count - 1, 0)]:
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one_or_none()
        if agency is None:
            catalogue = known_procedures()
            wanted = [code for code in procedure_codes if code in catalogue]
            agency = create_agency(
                AgencyFields(code=code, name=name), None, procedures_by_codes(wanted)
            )
            added.append(f"agency {code}")
        added += missing_units(agency, units)
        added += missing_hall(agency, *OTHER_HALLS.get(code, ([], [])))
    return added


def missing_hall(agency: Agency, services: list[tuple], counters: list[tuple]) -> list[str]:
    """The agency's queues (open all day, like the demo desk's) and its counters serving
    them, those missing added. Says what was added."""
    from core.queue.opening_hours import ALWAYS_OPEN

    added = []
    known = {code for code in db.session.execute(db.select(Service.code)).scalars()}
    order = db.session.execute(db.select(db.func.max(Service.sort_order))).scalar() or 0
    for code, prefix, name, name_en in services:
        if code not in known:
            order += 1
            fields = ServiceFields(code, name, name_en, prefix, 3, order, True, agency.id)
            create_service(fields, ALWAYS_OPEN, None)
            added.append(f"service {code}")
    own = [service.id for service in agency_services(agency)]
    numbers = set(db.session.execute(db.select(Counter.number)).scalars())
    for number, area in counters:
        if number not in numbers:
            fields = CounterFields(number, "", True, own, agency.id, area)
            create_counter(fields, None)
            added.append(f"counter {number}")
    return added


def agency_services(agency: Agency) -> list[Service]:
    return list(
        db.session.execute(
            db.select(Service).filter_by(agency_id=agency.id).order_by(Service.sort_order)
        ).scalars()
    )


def known_procedures() -> set[str]:
    return set(db.session.execute(db.select(Procedure.code)).scalars())
