"""Vietnamese text helpers: accent-free search keys, masked names, ID and phone checks."""

from __future__ import annotations

import re
import unicodedata

CITIZEN_ID_PATTERN = re.compile(r"^\d{12}$")
# Mobile 03x, 05x, 07x, 08x, 09x and landline 02x: 10 digits starting with 0.
PHONE_PATTERN = re.compile(r"^0[235789]\d{8}$")
# An e-mail address as the booking page, the desk and the kiosk take it (lower-cased): a
# local part of at most 64 characters, a domain with a dot and a top level of 2 or more.
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
EMAIL_MAX = 200


def unaccent(text: str) -> str:
    """Lower-case text without Vietnamese diacritics: 'Cấp đổi GPLX' → 'cap doi gplx'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


def unaccent_keep_case(text: str) -> str:
    """Text without Vietnamese diacritics, case and spacing kept: 'Mời số A001' → 'Moi so
    A001' (an SMS in plain ASCII: 160 characters a part instead of 70)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


def search_key(*parts: str) -> str:
    """What a search column stores: every part, accent-free, in one string."""
    return " ".join(unaccent(part) for part in parts if part)


def search_terms(query: str) -> list[str]:
    """The words of a search box, accent-free; each must appear in the search column."""
    return [term for term in re.split(r"[\s,;]+", unaccent(query)) if term]


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V** A**': the family name and initials only."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0] + "**" for word in words[1:])])


def normalise_phone(phone: str) -> str:
    """Digits only, +84 / 84 turned into a leading 0."""
    digits = re.sub(r"[\s.\-()]", "", phone.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def is_valid_phone(phone: str) -> bool:
    return bool(PHONE_PATTERN.match(phone))


def is_valid_citizen_id(number: str) -> bool:
    """A 12-digit citizen ID (căn cước) whose first three digits are a province code."""
    if not CITIZEN_ID_PATTERN.match(number):
        return False
    return 1 <= int(number[:3]) <= 96 and number[3] in "0123456789"


def is_valid_email(address: str) -> bool:
    return len(address) <= EMAIL_MAX and bool(EMAIL_PATTERN.match(address))
