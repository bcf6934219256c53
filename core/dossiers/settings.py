"""Settings of the dossier desk: defaults from the configuration, overrides in the
database (agency names and codes, form numbering, cut-off and office hours change with
the law and the province)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.agencies.codes import AGENCY_CODE_PATTERN
from core.audit import record_event
from core.dossiers.calendar import parse_office_hours
from core.dossiers.errors import LazyJoin
from core.errors import InvalidInput
from core.models import Agency, DossierSetting
from extensions import db

BASIS_2018, BASIS_2025 = "2018", "2025"
BASIS_CHOICES = {
    BASIS_2025: _l("Thông tư 03/2025/TT-VPCP (7 mẫu)"),
    BASIS_2018: _l("Thông tư 01/2018/TT-VPCP (6 mẫu)"),
}
# The forms each legal basis issues: (number, title). Printed forms are Vietnamese
# whatever the screen language. The 2018 circular has no stop notice: it prints unnumbered.
FORM_SETS: dict[str, dict[str, tuple[str, str]]] = {
    BASIS_2025: {
        "receipt": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "supplement": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "refusal": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "apology": ("Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        "stop": ("Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        "control": ("Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "register": ("Mẫu số 07", "SỔ THEO DÕI HỒ SƠ"),
    },
    BASIS_2018: {
        "receipt": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "supplement": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "refusal": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "apology": ("Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        "stop": ("", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        "control": ("Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "register": ("Mẫu số 06", "SỔ THEO DÕI HỒ SƠ"),
    },
}
BASIS_TEXTS = {
    BASIS_2025: "Thông tư số 03/2025/TT-VPCP",
    BASIS_2018: "Thông tư số 01/2018/TT-VPCP",
}
FORM_NAMES = {
    "receipt": _l("Giấy tiếp nhận và hẹn trả"),
    "supplement": _l("Phiếu yêu cầu bổ sung"),
    "refusal": _l("Phiếu từ chối tiếp nhận"),
    "apology": _l("Văn bản xin lỗi"),
    "stop": _l("Thông báo dừng giải quyết"),
    "control": _l("Phiếu kiểm soát quá trình"),
    "register": _l("Sổ theo dõi hồ sơ"),
}


def basis_defaults(basis: str) -> dict[str, str]:
    """What the forms' settings are under a legal basis until an admin changes them:
    the printed basis, and each form's number (`form_<slug>`) and title."""
    values = {"form_basis": BASIS_TEXTS[basis]}
    for slug, (number, title) in FORM_SETS[basis].items():
        values[f"form_{slug}"] = number
        values[f"form_{slug}_title"] = title
    return values


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: object
    default: str
    config_key: str | None = None
    choices: dict | None = None


def _form_specs() -> list[SettingSpec]:
    specs = []
    for slug, name in FORM_NAMES.items():
        specs.append(SettingSpec(f"form_{slug}", LazyJoin([_l("Số hiệu mẫu:"), name], " "), ""))
        specs.append(SettingSpec(f"form_{slug}_title", LazyJoin([_l("Tên mẫu:"), name], " "), ""))
    return specs


SPECS = [
    SettingSpec("agency_code", _l("Mã cơ quan (mã định danh)"), "", "DOSSIER_AGENCY_CODE"),
    SettingSpec(
        "province", _l("Tỉnh, thành phố (ví dụ: Tỉnh Bắc Ninh, Thành phố Hà Nội)"), "", "PROVINCE"
    ),
    SettingSpec("parent_agency", _l("Cơ quan chủ quản (để trống: UBND tỉnh, thành phố)"), ""),
    SettingSpec("agency_name", _l("Tên cơ quan"), "", "AGENCY_NAME"),
    SettingSpec("desk_name", _l("Tên bộ phận một cửa"), "", "CENTRE_NAME"),
    SettingSpec("place_name", _l("Địa danh ghi trên văn bản (để trống: tên tỉnh, thành phố)"), ""),
    SettingSpec("return_place", _l("Nơi trả kết quả"), "Bộ phận tiếp nhận và trả kết quả"),
    SettingSpec("cutoff", _l("Giờ chốt tiếp nhận buổi chiều (HH:MM)"), "", "DOSSIER_CUTOFF"),
    SettingSpec("office_hours", _l("Giờ làm việc"), "", "DOSSIER_OFFICE_HOURS"),
    SettingSpec("report_symbol", _l("Ký hiệu văn bản báo cáo (Số: …/BC-…)"), "BC"),
    SettingSpec("signer_title", _l("Chức vụ người ký báo cáo"), "GIÁM ĐỐC"),
    SettingSpec("signer_name", _l("Họ tên người ký báo cáo"), ""),
    SettingSpec(
        "report_recipients",
        _l("Nơi nhận báo cáo (ngăn cách bằng dấu ;)"),
        "Sở Nội vụ (để tổng hợp); Lãnh đạo cơ quan; Lưu: VT",
    ),
    SettingSpec("legal_basis", _l("Bộ biểu mẫu theo"), BASIS_2025, choices=BASIS_CHOICES),
    SettingSpec("form_basis", _l("Căn cứ ban hành biểu mẫu"), ""),
    *_form_specs(),
]
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
# The settings that follow the legal basis until an admin changes them.
BASIS_KEYS = frozenset(basis_defaults(BASIS_2025))
# May be left empty: a form the basis does not number.
MAY_BE_EMPTY = frozenset({"parent_agency", "place_name", "signer_name", "form_stop"})
PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")
REPORT_SYMBOL_PATTERN = re.compile(r"^BC(-[A-ZĐ0-9]{1,12}){0,3}$")


def province_place(province: str) -> str:
    """'Tỉnh Bắc Ninh' → 'Bắc Ninh': the place a document is dated at, by default."""
    for prefix in PROVINCE_PREFIXES:
        if province.startswith(prefix):
            return province[len(prefix) :]
    return province


def default_value(spec: SettingSpec, basis: str = BASIS_2025) -> str:
    if spec.key in BASIS_KEYS:
        return basis_defaults(basis)[spec.key]
    if spec.config_key:
        return str(current_app.config.get(spec.config_key) or spec.default)
    return spec.default


def issued_by(settings: dict[str, str], agency) -> dict[str, str]:
    """The settings for a document an agency issues under its own name (the register of
    one agency, the apology and stop letters its head signs): its name and code in place
    of those the centre's documents carry, and its parent agency, where registered, as the
    governing body. `agency` None: the settings as they are."""
    if agency is None:
        return settings
    issued = {**settings, "agency_name": agency.name, "agency_code": agency.code}
    if agency.parent is not None:
        issued["parent_agency"] = agency.parent.name
    return issued


def dossier_settings() -> dict[str, str]:
    """Every setting, the stored value where an admin changed it; the forms' numbers and
    titles follow the chosen legal basis (2025 unless an admin chose 2018)."""
    stored = dict(db.session.execute(db.select(DossierSetting.key, DossierSetting.value)).all())
    basis = stored.get("legal_basis") if stored.get("legal_basis") in FORM_SETS else BASIS_2025
    values = {}
    for spec in SPECS:
        value = stored.get(spec.key)
        kept = value is not None and (value or spec.key in MAY_BE_EMPTY)
        values[spec.key] = value if kept else default_value(spec, basis)
    values["agency_code"] = first_agency_code() or values["agency_code"]
    # What follows the province unless an admin wrote it: the governing body and the place.
    if not values["parent_agency"] and values["province"]:
        values["parent_agency"] = f"UBND {values['province']}"
    if not values["place_name"]:
        values["place_name"] = province_place(values["province"])
    return values


def first_agency_code() -> str | None:
    """The code of the desk's own agency, the first (migration 0026 made it of the desk): the
    one source of the agency code; the settings page reads and renames it (0031)."""
    return db.session.execute(
        db.select(Agency.code).order_by(Agency.id).limit(1)
    ).scalar_one_or_none()


def setting(key: str) -> str:
    """One setting as `dossier_settings` gives it, with one small query (page headers)."""
    if key == "agency_code":
        return first_agency_code() or default_value(SPEC_BY_KEY[key])
    stored = stored_setting(key)
    return stored if stored else default_value(SPEC_BY_KEY[key])


def stored_setting(key: str) -> str | None:
    """The value an admin (or the set-up) stored for `key`, None while it is the default."""
    row = db.session.get(DossierSetting, key)
    return row.value if row is not None else None


def validate_setting(key: str, value: str) -> str:
    value = value.strip()
    if key == "agency_code" and not AGENCY_CODE_PATTERN.match(value):
        raise InvalidInput(_l("Mã cơ quan không đúng dạng, ví dụ 000.17.22.H56."))
    if key == "cutoff":
        try:
            time.fromisoformat(value)
        except ValueError:
            raise InvalidInput(_l("Giờ chốt phải có dạng HH:MM, ví dụ 15:00.")) from None
    if key == "office_hours":
        try:
            parse_office_hours(value)
        except ValueError:
            raise InvalidInput(
                _l("Giờ làm việc phải có dạng 07:30-11:30,13:30-17:00 (các buổi không chồng nhau).")
            ) from None
    if key == "province" and value and not value.startswith(PROVINCE_PREFIXES):
        raise InvalidInput(
            _l("Tỉnh, thành phố phải bắt đầu bằng “Tỉnh” hoặc “Thành phố”, ví dụ: Tỉnh Bắc Ninh.")
        )
    if key == "report_symbol" and not REPORT_SYMBOL_PATTERN.match(value):
        raise InvalidInput(_l("Ký hiệu báo cáo phải có dạng BC-XXX, ví dụ BC-SGTVT."))
    spec = SPEC_BY_KEY[key]
    if spec.choices is not None and value not in spec.choices:
        raise InvalidInput(_l("“{label}” không hợp lệ."), label=spec.label)
    if not value and key not in MAY_BE_EMPTY:
        raise InvalidInput(_l("“{label}” không được để trống."), label=SPEC_BY_KEY[key].label)
    return value


def save_settings(values: dict[str, str], user=None) -> list[str]:
    """Check every value first, then store the changed ones; the caller commits.

    Changing the legal basis moves the forms' numbers and titles to the new basis's,
    except those changed in the same submission; a form setting equal to its basis's
    default is not stored, so it keeps following the basis.
    """
    current = dossier_settings()
    cleaned = {key: validate_setting(key, values[key]) for key in values if key in SPEC_BY_KEY}
    basis = cleaned.get("legal_basis", current["legal_basis"])
    defaults = basis_defaults(basis)
    if basis != current["legal_basis"]:
        for key in BASIS_KEYS:
            if cleaned.get(key, current[key]) == current[key]:
                cleaned[key] = defaults[key]
    changed = [key for key, value in cleaned.items() if value != current[key]]
    for key in changed:
        if key == "agency_code":
            rename_first_agency(cleaned[key], user)
            continue
        row = db.session.get(DossierSetting, key)
        if key in BASIS_KEYS and cleaned[key] == defaults[key]:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(DossierSetting(key=key, value=cleaned[key]))
        else:
            row.value = cleaned[key]
    if changed:
        record_event(
            "dossier.settings_changed",
            ("dossier_setting", None),
            user=user,
            **{key: [current[key], cleaned[key]] for key in changed},
        )
        db.session.flush()
    return changed


def rename_first_agency(code: str, user=None) -> None:
    """The agency code of the settings is the first agency's: saving it renames that agency
    (its code checked and audited as on the agencies' pages)."""
    from core.agencies.registry import AgencyFields, update_agency

    agency = db.session.execute(db.select(Agency).order_by(Agency.id).limit(1)).scalar()
    if agency is None:
        db.session.merge(DossierSetting(key="agency_code", value=code))
        return
    fields = AgencyFields(
        code=code, name=agency.name, parent_id=agency.parent_id, active=agency.active
    )
    update_agency(agency, fields, user)
