"""The national electronic code of an agency (mã định danh điện tử), e.g. 000.17.22.H56:
the `AGENCY` part of its dossiers' codes (`AGENCY-YYMMDD-NNNN`)."""

import re

AGENCY_CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,6}(\.[A-Z0-9]{1,6}){1,5}$")
# A dossier code is at most 48 characters: the agency's code, '-YYMMDD-' and the day's number.
AGENCY_CODE_MAX = 34


def normalise_agency_code(text: str) -> str:
    """'  000.17.22.h56 ' → '000.17.22.H56' (checked by `is_agency_code`)."""
    return "".join(text.split()).upper()


def is_agency_code(code: str) -> bool:
    return len(code) <= AGENCY_CODE_MAX and bool(AGENCY_CODE_PATTERN.match(code))
