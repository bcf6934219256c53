"""A dossier's public look-up address and its check part: printed on the receipt as a QR
code and sent in notices (the proof itself is checked in core/dossiers/lookup.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from flask import current_app

CHECK_LENGTH = 8
LOOKUP_PATH = "/tra-cuu"  # the public look-up's route (dossiers/lookup.py)


def check_part(code: str) -> str:
    """The dossier's check part, e.g. 'K7QD2MXA'."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"dossier-lookup:" + code.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CHECK_LENGTH]


def printed_check_part(code: str) -> str:
    """The check part as a receipt prints it: 'K7QD-2MXA'."""
    check = check_part(code)
    return f"{check[:4]}-{check[4:]}"


def lookup_link(code: str) -> str:
    """The absolute look-up address of a dossier, with its check part (PUBLIC_BASE_URL)."""
    query = urlencode({"ma": code, "kt": check_part(code)})
    return f"{current_app.config['PUBLIC_BASE_URL']}{LOOKUP_PATH}?{query}"
