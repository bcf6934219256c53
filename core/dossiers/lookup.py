"""The public look-up's proof: a dossier's status is shown only to whoever holds its receipt.

The receipt prints, beside the code, a check part: the first 8 base32 characters of an
HMAC-SHA256 of the code keyed with the app's secret key. Its QR code carries both, and a
citizen who types the code by hand may give the last 4 digits of the applicant's phone
instead (a dossier without a phone has only its check part). A wrong proof is answered
exactly as an unknown code, so the look-up cannot be walked code by code.
"""

from __future__ import annotations

import hmac
import re

from core.dossiers.errors import DossierNotFound, LookupRefused
from core.dossiers.links import CHECK_LENGTH, check_part
from core.dossiers.reception import code_from_scan, find_dossier
from core.models import Dossier

# Characters a reader confuses with base32 letters: base32 has no 0, 1 or 8.
LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
PHONE_TAIL = re.compile(r"^\d{4}$")


def proves(dossier: Dossier, proof: str) -> bool:
    """Whether `proof` (the check part, or the last 4 digits of the applicant's phone)
    belongs to `dossier`."""
    typed = re.sub(r"[\s\-.]", "", proof or "").upper()
    if PHONE_TAIL.match(typed):
        digits = re.sub(r"\D", "", dossier.applicant_phone or "")
        return len(digits) >= 4 and hmac.compare_digest(digits[-4:], typed)
    if len(typed) != CHECK_LENGTH:
        return False
    return hmac.compare_digest(typed.translate(LOOKALIKES), check_part(dossier.code))


def public_dossier(code: str, proof: str) -> Dossier:
    """The dossier `code` names if `proof` belongs to it; LookupRefused otherwise, the same
    for an unknown code as for a wrong proof."""
    code = code_from_scan(code)[:48]
    try:
        dossier = find_dossier(code)
    except DossierNotFound:
        dossier = None
    if dossier is None or not proves(dossier, proof):
        raise LookupRefused(code=code)
    return dossier
