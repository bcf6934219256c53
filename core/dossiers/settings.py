"""Settings of the dossier desk: defaults from the configuration, overrides in the
database (agency names and codes, form numbering, cut-off and office hours change with
the law and the province)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.dossiers.calendar import parse_office_hours
from core.errors import InvalidInput
from core.models import DossierSetting
from extensions import db

AGENCY_CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,6}(\.[A-Z0-9]{1,6}){1,5}$")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: object
    default: str
    config_key: str | None = None


SPECS = [
    SettingSpec("agency_code", _l("Mã cơ quan (mã định danh)"), "", "DOSSIER_AGENCY_CODE"),
    SettingSpec("parent_agency", _l("Cơ quan chủ quản"), "UBND TỈNH"),
    SettingSpec("agency_name", _l("Tên cơ quan"), "", "AGENCY_NAME"),
    SettingSpec("desk_name", _l("Tên bộ phận một cửa"), "", "CENTRE_NAME"),
    SettingSpec("place_name", _l("Địa danh ghi trên văn bản"), "Hà Nội"),
    SettingSpec("return_place", _l("Nơi trả kết quả"), "Bộ phận tiếp nhận và trả kết quả"),
    SettingSpec("cutoff", _l("Giờ chốt tiếp nhận buổi chiều (HH:MM)"), "", "DOSSIER_CUTOFF"),
    SettingSpec("office_hours", _l("Giờ làm việc"), "", "DOSSIER_OFFICE_HOURS"),
    SettingSpec("form_basis", _l("Căn cứ ban hành biểu mẫu"), "Thông tư số 03/2025/TT-VPCP"),
    SettingSpec("form_receipt", _l("Số hiệu mẫu: Giấy tiếp nhận và hẹn trả"), "Mẫu số 01"),
    SettingSpec("form_supplement", _l("Số hiệu mẫu: Phiếu yêu cầu bổ sung"), "Mẫu số 02"),
    SettingSpec("form_refusal", _l("Số hiệu mẫu: Phiếu từ chối tiếp nhận"), "Mẫu số 03"),
    SettingSpec("form_apology", _l("Số hiệu mẫu: Phiếu xin lỗi và hẹn lại"), "Mẫu số 04"),
    SettingSpec("form_control", _l("Số hiệu mẫu: Phiếu kiểm soát quá trình"), "Mẫu số 06"),
    SettingSpec("form_register", _l("Số hiệu mẫu: Sổ theo dõi hồ sơ"), "Mẫu số 07"),
]
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def default_value(spec: SettingSpec) -> str:
    if spec.config_key:
        return str(current_app.config.get(spec.config_key) or spec.default)
    return spec.default


def dossier_settings() -> dict[str, str]:
    """Every setting, the stored value where an admin changed it."""
    stored = dict(db.session.execute(db.select(DossierSetting.key, DossierSetting.value)).all())
    return {spec.key: stored.get(spec.key) or default_value(spec) for spec in SPECS}


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
    if not value and key not in ("parent_agency",):
        raise InvalidInput(_l("“{label}” không được để trống."), label=SPEC_BY_KEY[key].label)
    return value


def save_settings(values: dict[str, str], user=None) -> list[str]:
    """Check every value first, then store the changed ones; the caller commits."""
    current = dossier_settings()
    cleaned = {key: validate_setting(key, values[key]) for key in values if key in SPEC_BY_KEY}
    changed = [key for key, value in cleaned.items() if value != current[key]]
    for key in changed:
        row = db.session.get(DossierSetting, key)
        if row is None:
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
