"""TCVN-3 text for ESC/POS printers with Epson's Vietnamese code pages (30 and 31).

Page 30 holds the lower-case Vietnamese letters and page 31 the capitals, at the same
positions. The tables come from python-escpos' printer database, which maps page 31's
0xA7 to the Icelandic Ð (U+00D0): the Vietnamese Đ (U+0110) is put there too.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from escpos.capabilities import CAPABILITIES

LOWER_PAGE = 30
UPPER_PAGE = 31
ESC_T = b"\x1bt"
# Punctuation a one-byte page may lack, spelt in ASCII.
REPLACEMENTS = {"…": "...", "–": "-", "—": "-", "·": "-", "“": '"', "”": '"', "‘": "'", "’": "'"}


@lru_cache(maxsize=1)
def tables() -> dict[str, tuple[int, int]]:
    """Character → (page, byte) for the letters outside ASCII."""
    mapping: dict[str, tuple[int, int]] = {}
    for page, name in ((LOWER_PAGE, "TCVN-3-1"), (UPPER_PAGE, "TCVN-3-2")):
        rows = CAPABILITIES["encodings"][name]["data"]
        for row_index, row in enumerate(rows):
            for column, character in enumerate(row):
                if character != " " and character not in mapping:
                    mapping[character] = (page, 0x80 + row_index * 16 + column)
    mapping["Đ"] = mapping.pop("Ð", (UPPER_PAGE, 0xA7))
    return mapping


def decode_table() -> dict[tuple[int, int], str]:
    """(page, byte) → character, for reading TCVN-3 back (tests, previews)."""
    return {position: character for character, position in tables().items()}


def encode_tcvn3(text: str, page: list[int] | None = None) -> bytes:
    """`text` as bytes with `ESC t` switches between pages 30 and 31 where needed.

    Unknown characters become '?'. `page` carries the current page between calls.
    """
    state = page if page is not None else [0]
    mapping = tables()
    out = bytearray()
    text = unicodedata.normalize("NFC", text)
    for character in text:
        character = REPLACEMENTS.get(character, character)
        if len(character) > 1 or ord(character) < 0x80:
            out += character.encode("ascii")
            continue
        position = mapping.get(character)
        if position is None:
            out += b"?"
            continue
        code_page, value = position
        if state[0] != code_page:
            out += ESC_T + bytes((code_page,))
            state[0] = code_page
        out.append(value)
    return bytes(out)
