"""The QR code on a chip-based citizen ID card (căn cước công dân / căn cước).

Its text is seven fields separated by `|`:

    001089012345|012345678|Nguyễn Văn An|15041989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|20072021

the 12-digit number, the old 9-digit ID (or empty), the full name, the date of birth
(ddmmyyyy), the sex, the permanent address and the date of issue (ddmmyyyy). Some cards add
fields after these; they are ignored. The 12-digit number is checked against the rest: its
first three digits are a province's code, the fourth gives the century of birth and the sex
(0/1: 1900s man/woman, 2/3: 2000s, 4/5: 2100s…), the fifth and sixth the year of birth.
Pure functions: the reception page, the kiosk and the tests call `parse_card`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.errors import InvalidInput

# The provinces' codes of the 12-digit number (Circular 07/2016/TT-BCA, Annex I).
PROVINCE_CODES = frozenset(
    {
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34,
        35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67,
        68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
    }
)  # fmt: skip
SEXES = {"nam": "male", "nữ": "female", "nu": "female"}
NUMBER = re.compile(r"^\d{12}$")
OLD_NUMBER = re.compile(r"^(\d{9})?$")
DATE = re.compile(r"^\d{8}$")
FIELDS = 7


class InvalidCard(InvalidInput):
    """A scan refused; `reason` is a message of its own, filled with the other details."""

    code = "invalid_citizen_card"
    message = _l("Mã QR không đọc được như thẻ căn cước: {reason}")

    def messages(self) -> dict[str, str]:
        result = {}
        for locale in ("vi", "en"):
            with force_locale(locale):
                details = {key: str(value) for key, value in self.details.items()}
                reason = details.pop("reason").format(**details)
                result[locale] = str(self.message).format(reason=reason)
        return result


@dataclass(frozen=True)
class CitizenCard:
    number: str
    old_number: str
    name: str
    birth_date: date
    sex: str  # "male" or "female"
    address: str
    issued_on: date


def looks_like_card(text: str) -> bool:
    """Whether a scanned text is meant as a card's QR (12 digits, then `|`)."""
    return bool(re.match(r"^\s*\d{12}\|", text or ""))


def _date(text: str, what) -> date:
    if not DATE.match(text):
        raise InvalidCard(reason=_l("{what} “{text}” phải có dạng ddmmyyyy."), what=what, text=text)
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise InvalidCard(
            reason=_l("{what} “{text}” không có thật."), what=what, text=text
        ) from None


def _refuse(reason, **details):
    raise InvalidCard(reason=reason, **details)


def check_number(number: str, birth_date: date, sex: str) -> None:
    """The 12-digit number agrees with its province list, the birth date and the sex."""
    if not NUMBER.match(number):
        _refuse(_l("số định danh phải gồm đúng 12 chữ số."))
    if int(number[:3]) not in PROVINCE_CODES:
        _refuse(_l("mã tỉnh “{code}” của số định danh không tồn tại."), code=number[:3])
    digit = int(number[3])
    century = 1900 + 100 * (digit // 2)
    if not century <= birth_date.year < century + 100:
        _refuse(_l("chữ số thứ tư của số định danh không khớp thế kỷ của năm sinh."))
    if (digit % 2 == 1) != (sex == "female"):
        _refuse(_l("chữ số thứ tư của số định danh không khớp giới tính."))
    if int(number[4:6]) != birth_date.year % 100:
        _refuse(_l("năm sinh trong số định danh không khớp ngày sinh."))


def parse_card(text: str, today: date | None = None) -> CitizenCard:
    """The card's fields from its QR text, or `InvalidCard` saying what is wrong."""
    text = unicodedata.normalize("NFC", (text or "").strip())
    fields = [field.strip() for field in text.split("|")]
    if len(fields) < FIELDS:
        _refuse(_l("cần 7 phần ngăn cách bởi dấu “|”, mã quét được có {count}."), count=len(fields))
    number, old_number, name, birth_text, sex_text, address, issued_text = fields[:FIELDS]
    if not OLD_NUMBER.match(old_number):
        _refuse(_l("số CMND cũ phải gồm 9 chữ số hoặc để trống."))
    if not 2 <= len(name) <= 200 or any(character.isdigit() for character in name):
        _refuse(_l("họ và tên “{name}” không hợp lệ."), name=name)
    birth_date = _date(birth_text, _l("ngày sinh"))
    issued_on = _date(issued_text, _l("ngày cấp"))
    sex = SEXES.get(sex_text.lower())
    if sex is None:
        _refuse(_l("giới tính “{sex}” phải là Nam hoặc Nữ."), sex=sex_text)
    check_number(number, birth_date, sex)
    if issued_on < birth_date or (today is not None and issued_on > today):
        _refuse(_l("ngày cấp không hợp lệ."))
    if not address:
        _refuse(_l("thiếu nơi thường trú."))
    return CitizenCard(
        number, old_number, " ".join(name.split()), birth_date, sex, address, issued_on
    )
