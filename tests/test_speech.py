"""How calls are said in Vietnamese, and the clips shipped to say them offline."""

from pathlib import Path

import pytest

from core.queue.speech import CHIME, VOCABULARY, announce, count, spell

VOICE_DIR = Path(__file__).resolve().parent.parent / "static" / "voice" / "vi"


def words(clips: list[str]) -> str:
    return " ".join(VOCABULARY[clip] for clip in clips)


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (0, "không"),
        (3, "ba"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (31, "ba mươi mốt"),
        (99, "chín mươi chín"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (121, "một trăm hai mươi mốt"),
        (999, "chín trăm chín mươi chín"),
        (1000, "một không không không"),
    ],
)
def test_counter_numbers_are_counted_as_vietnamese_says_them(value, spoken):
    assert words(count(value)) == spoken


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("A012", "a không một hai"),
        ("B105", "bê một không năm"),
        ("C001", "xê không không một"),
        ("đ7", "đê bảy"),
        ("KS-20", "ca ét xì hai không"),
    ],
)
def test_ticket_numbers_are_spelled_as_printed(number, spoken):
    assert words(spell(number)) == spoken


def test_a_call_in_words_and_in_clips():
    call = announce("A012", 3)
    assert call.text == "Mời công dân có số thứ tự a, không, một, hai, đến quầy số ba."
    assert call.clips == (
        "moi-cong-dan",
        "chu-a",
        "khong",
        "mot",
        "hai",
        "den-quay-so",
        "ba",
    )
    assert announce("E001", 12).text.endswith("đến quầy số mười hai.")


def test_every_clip_is_shipped_small_in_both_formats_and_nothing_else():
    slugs = [CHIME, *VOCABULARY]
    expected = {f"{slug}.{extension}" for slug in slugs for extension in ("ogg", "mp3")}
    assert {path.name for path in VOICE_DIR.iterdir()} == expected
    for name in expected:
        data = (VOICE_DIR / name).read_bytes()
        assert 100 < len(data) < 16_000, name
        if name.endswith(".ogg"):
            assert data.startswith(b"OggS") and b"OpusHead" in data[:64], name
        else:
            assert data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3"), name
