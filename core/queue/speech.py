"""How a call is said aloud in Vietnamese: the words, and the short audio clip of each word.

Ticket numbers are spelled character by character, as printed ("A012" is "a, không, một,
hai"), which is how Vietnamese centres read them and leaves no doubt about leading zeros.
Counter numbers are counted ("quầy số mười hai", "quầy số một trăm linh năm").
The same words feed the browser's speech synthesis and the shipped clips, so both say
exactly the same sentence. Pure functions: no app, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

INVITATION = "moi-cong-dan"
TO_COUNTER = "den-quay-so"

DIGITS = ("khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin")

# Every clip shipped in static/voice/vi/, by slug: the text espeak-ng was given to make it.
VOCABULARY: dict[str, str] = {
    INVITATION: "Mời công dân có số thứ tự",
    TO_COUNTER: "đến quầy số",
    "khong": "không",
    "mot": "một",
    "hai": "hai",
    "ba": "ba",
    "bon": "bốn",
    "nam": "năm",
    "sau": "sáu",
    "bay": "bảy",
    "tam": "tám",
    "chin": "chín",
    "muoi": "mười",
    "muoi-ngang": "mươi",
    "mot-sac": "mốt",
    "tu": "tư",
    "lam": "lăm",
    "tram": "trăm",
    "linh": "linh",
    # Letters by their Vietnamese names (F, J, W, Z as Vietnamese readers say them).
    "chu-a": "a",
    "chu-b": "bê",
    "chu-c": "xê",
    "chu-d": "dê",
    "chu-dd": "đê",
    "chu-e": "e",
    "chu-f": "ép",
    "chu-g": "giê",
    "chu-h": "hát",
    "chu-i": "i",
    "chu-j": "gi",
    "chu-k": "ca",
    "chu-l": "e lờ",
    "chu-m": "em mờ",
    "chu-n": "en nờ",
    "chu-o": "o",
    "chu-p": "pê",
    "chu-q": "quy",
    "chu-r": "e rờ",
    "chu-s": "ét xì",
    "chu-t": "tê",
    "chu-u": "u",
    "chu-v": "vê",
    "chu-w": "vê kép",
    "chu-x": "ích xì",
    "chu-y": "i dài",
    "chu-z": "dét",
}

CHIME = "chime"


@dataclass(frozen=True)
class Announcement:
    """One call as spoken: the sentence for speech synthesis and the clips that say it."""

    text: str
    clips: tuple[str, ...]


def spell(number: str) -> list[str]:
    """The clips that spell a printed ticket number, character by character."""
    clips = []
    for character in number.upper():
        if character.isdigit():
            clips.append(DIGITS[int(character)])
        elif character == "Đ":
            clips.append("chu-dd")
        elif "A" <= character <= "Z":
            clips.append(f"chu-{character.lower()}")
    return clips


def _units_after_tens(units: int) -> list[str]:
    """The units word after "mươi": 1 is "mốt", 4 is "tư", 5 is "lăm"."""
    special = {0: [], 1: ["mot-sac"], 4: ["tu"], 5: ["lam"]}
    return special.get(units, [DIGITS[units]])


def count(value: int) -> list[str]:
    """The clips that read a number as Vietnamese counts it, up to 999 (spelled beyond)."""
    if value < 0 or value > 999:
        return spell(str(value))
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    if hundreds:
        words = [DIGITS[hundreds], "tram"]
        if rest == 0:
            return words
        if tens == 0:
            return [*words, "linh", DIGITS[units]]
        return words + count(rest)
    if tens == 0:
        return [DIGITS[units]]
    if tens == 1:
        return ["muoi"] + (["lam"] if units == 5 else [] if units == 0 else [DIGITS[units]])
    return [DIGITS[tens], "muoi-ngang", *_units_after_tens(units)]


def announce(ticket_number: str, counter_number: int) -> Announcement:
    """ "Mời công dân có số thứ tự A, không, một, hai, đến quầy số ba." as text and clips."""
    spelled = spell(ticket_number)
    counted = count(counter_number)
    clips = (INVITATION, *spelled, TO_COUNTER, *counted)
    words = ", ".join(VOCABULARY[clip] for clip in spelled)
    counter_words = " ".join(VOCABULARY[clip] for clip in counted)
    text = f"{VOCABULARY[INVITATION]} {words}, {VOCABULARY[TO_COUNTER]} {counter_words}."
    return Announcement(text=text, clips=clips)


if __name__ == "__main__":
    # scripts/make_voice_clips.sh reads the vocabulary from here: "slug<TAB>text" lines.
    for slug, text in VOCABULARY.items():
        print(f"{slug}\t{text}")
