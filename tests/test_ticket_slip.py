"""The slip itself: Vietnamese drawn right on any printer, the QR code, the cut, the size."""

import math
import unicodedata
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

from escpos_reader import read
from printing.slip import (
    BOLD_FONT,
    NARROW_SIZES,
    REGULAR_FONT,
    WIDE_SIZES,
    Paper,
    Slip,
    render_slip,
)
from printing.tcvn3 import encode_tcvn3
from printing_helpers import SAMPLE_SLIP, SAMPLE_URL

DOCS = Path(__file__).resolve().parent.parent / "docs"
WIDE = Paper(dots=576, profile="NT-80-V-UL")
NARROW = Paper(dots=384, profile="POS-5890")


def ink(image: Image.Image) -> Image.Image:
    """The image cropped to its black pixels, as pure black and white."""
    image = image.convert("L").point(lambda value: 0 if value < 128 else 255)
    return image.crop(ImageOps.invert(image).getbbox())


def drawn(text: str, size: int, bold: bool = False) -> Image.Image:
    """The text as the layout expects it, drawn here on its own with the shipped font."""
    typeface = ImageFont.truetype(str(BOLD_FONT if bold else REGULAR_FONT), size)
    canvas = Image.new("L", (math.ceil(typeface.getlength(text)) + 40, size * 3), 255)
    ImageDraw.Draw(canvas).text((20, size * 2), text, font=typeface, fill=0, anchor="ls")
    return ink(canvas)


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def test_80mm_slip_matches_the_expected_vietnamese_layout():
    printout = read(render_slip(SAMPLE_SLIP, WIDE))
    blocks = [ink(image) for image in printout.images]
    sizes = WIDE_SIZES
    expected = [
        drawn("SỞ GIAO THÔNG VẬN TẢI", sizes.agency),
        drawn("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", sizes.centre, bold=True),
        None,  # the rule under the centre's name
        drawn("SỐ THỨ TỰ", sizes.heading),
        None,  # the number, printed double size
        None,  # the priority badge, white on black
        drawn("Cấp, đổi giấy phép lái xe", sizes.service, bold=True),
        drawn("Trước bạn: 4 người", sizes.line),
        drawn("Giờ lấy số: 08:15 · 02/03/2026", sizes.line),
        None,  # the QR code
        drawn("Quét mã QR để theo dõi lượt trên điện thoại.", sizes.footer),
        drawn("Xin vui lòng chờ gọi số trên màn hình.", sizes.footer),
    ]
    assert len(blocks) == len(expected)
    for index, (block, wanted) in enumerate(zip(blocks, expected, strict=True)):
        if wanted is not None:
            assert same(block, wanted), f"block {index} differs from the expected text"
    # The control: the same line without its tone marks is a different picture.
    assert not same(blocks[3], drawn("SO THU TU", sizes.heading))
    assert not same(blocks[3], drawn("S? TH? T?", sizes.heading))
    # The number is drawn at half resolution and printed double: about 124 dots tall.
    number = blocks[4]
    assert 110 <= number.height <= 130 and number.width > 300
    box = blocks[5]
    inside = ImageOps.invert(box.crop((3, 3, box.width - 3, box.height - 3)))
    assert same(ink(inside), drawn("ƯU TIÊN", sizes.badge, bold=True))
    assert printout.cuts == 1
    assert printout.lines == [], "raster mode sends no text, so no code page is involved"


def test_qr_code_on_the_printed_slip_decodes_to_the_tracking_url():
    for paper in (WIDE, NARROW, Paper(dots=512, profile="TM-T88V")):
        page = read(render_slip(SAMPLE_SLIP, paper)).page(paper.dots)
        results = zxingcpp.read_barcodes(page)
        assert [result.text for result in results] == [SAMPLE_URL], paper


def test_decomposed_text_prints_the_same_as_composed():
    decomposed = Slip(
        **{
            **SAMPLE_SLIP.as_dict(),
            "service": unicodedata.normalize("NFD", SAMPLE_SLIP.service),
            "centre": unicodedata.normalize("NFD", SAMPLE_SLIP.centre),
            "badges": SAMPLE_SLIP.badges,
            "lines": SAMPLE_SLIP.lines,
            "footer": SAMPLE_SLIP.footer,
        }
    )
    assert decomposed.service != SAMPLE_SLIP.service
    assert render_slip(decomposed, WIDE) == render_slip(SAMPLE_SLIP, WIDE)


def test_58mm_slip_wraps_long_names_and_fits_the_paper():
    printout = read(render_slip(SAMPLE_SLIP, NARROW))
    assert all(image.width <= 384 for image in printout.images)
    centre = ink(printout.images[1])
    one_line = drawn("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", NARROW_SIZES.centre, bold=True)
    assert centre.height > 1.6 * one_line.height, "the centre's name takes two lines"
    assert printout.cuts == 0, "the 58 mm profile has no cutter: the slip is torn off"


def test_number_too_long_for_58mm_is_drawn_smaller_not_cut():
    slip = Slip(
        **{**SAMPLE_SLIP.as_dict(), "number": "GPLX1234", "badges": (), "lines": (), "footer": ()}
    )
    printout = read(render_slip(slip, NARROW))
    number = ink(printout.images[4])
    assert number.width <= 384
    assert number.height < 110


@pytest.mark.parametrize(("paper", "limit"), [(WIDE, 25_000), (NARROW, 18_000)])
def test_jobs_stay_small(paper, limit):
    assert len(render_slip(SAMPLE_SLIP, paper)) < limit


def test_text_mode_speaks_tcvn3_with_a_native_qr_code():
    paper = Paper(dots=512, profile="TM-T88V", mode="text")
    data = render_slip(SAMPLE_SLIP, paper)
    printout = read(data)
    assert len(data) < 1000
    texts = [line.text for line in printout.lines]
    for expected in (
        "SỞ GIAO THÔNG VẬN TẢI",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "SỐ THỨ TỰ",
        "A012",
        " ƯU TIÊN ",
        "Cấp, đổi giấy phép lái xe",
        "Trước bạn: 4 người",
        "Giờ lấy số: 08:15 - 02/03/2026",
    ):
        assert expected in texts
    number = next(line for line in printout.lines if line.text == "A012")
    assert (number.width, number.height) == (8, 8)
    assert next(line for line in printout.lines if line.text == " ƯU TIÊN ").reverse
    assert printout.qr_payloads == [SAMPLE_URL]
    assert printout.cuts == 1


def test_tcvn3_puts_the_vietnamese_d_where_epson_has_it():
    assert encode_tcvn3("Đ") == b"\x1bt\x1f\xa7"
    assert encode_tcvn3("đ") == b"\x1bt\x1e\xae"
    assert encode_tcvn3("Đăng") == b"\x1bt\x1f\xa7\x1bt\x1e\xa8ng"
    assert encode_tcvn3("ABC 123") == b"ABC 123"
    assert encode_tcvn3("€") == b"?"


def test_printed_tickets_in_the_docs_are_current():
    """The pictures in docs/printing.md are the reader's view of real jobs."""
    for paper, name in ((WIDE, "printed-ticket-80mm.png"), (NARROW, "printed-ticket-58mm.png")):
        page = read(render_slip(SAMPLE_SLIP, paper)).page(paper.dots)
        framed = ImageOps.expand(page.convert("RGB"), border=(16, 8), fill=(222, 226, 232))
        framed.save(DOCS / name)
        assert zxingcpp.read_barcodes(Image.open(DOCS / name))[0].text == SAMPLE_URL
