"""The demo centre's agencies: the desk's own agency (the Department of Transport `seed-demo`
serves) with its units, and the other agencies `demo-history --agencies N` adds so that the
demo `make run` serves is a centre of several agencies."""

from __future__ import annotations

from core.agencies.registry import (
    AgencyFields,
    create_agency,
    home_agency,
    procedures_by_codes,
)
from core.agencies.units import UnitFields, add_unit
from core.dossiers.settings import dossier_settings
from core.models import Agency, Procedure
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


def seed_demo_agencies(count: int) -> list[str]:
    """The first `count` agencies of the demo centre (the desk's own, then the others), those
    missing added with their units and procedures. Says what was added."""
    added = seed_home_agency()
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
    return added


def known_procedures() -> set[str]:
    return set(db.session.execute(db.select(Procedure.code)).scalars())
