"""Ticket slips as ESC/POS bytes that print Vietnamese correctly on any thermal printer.

Raster mode (the default) draws every line with DejaVu Sans into 1-bit images sent with
`GS v 0`, so no code page is involved. Each block is cropped to its ink and centred by its
own left margin (no reliance on `ESC a` for images); blank space is fed with `ESC J`. The
big number and the QR code are drawn at half resolution and printed double size (`GS v 0`
mode 3), which keeps an 80 mm job under 25 KB. Text mode encodes TCVN-3 for printers known
to have it (Epson code pages 30 and 31) and sends the QR code natively (`GS ( k`).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont, ImageOps

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"

ESC = b"\x1b"
GS = b"\x1d"
INITIALISE = ESC + b"@"
MAX_FEED = 255

PAPER_DOTS = (384, 512, 576)
MODES = ("raster", "text")


@dataclass(frozen=True)
class Paper:
    """How one printer prints: dots per line, python-escpos profile, raster or text mode."""

    dots: int = 576
    profile: str = "NT-80-V-UL"
    mode: str = "raster"

    @property
    def wide(self) -> bool:
        """80 mm paper (512 or 576 dots) rather than 58 mm (384 dots)."""
        return self.dots >= 512


@dataclass(frozen=True)
class Slip:
    """What a slip says, in the words of the language it was issued in.

    Stored with the print job when the ticket is issued, so a slip printed late says what the
    kiosk screen said.
    """

    agency: str
    centre: str
    heading: str
    number: str
    service: str = ""
    badges: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    qr: str = ""
    footer: tuple[str, ...] = ()
    logo: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Slip:
        values = {key: data.get(key, default.default) for key, default in FIELDS.items()}
        for key in ("badges", "lines", "footer"):
            values[key] = tuple(values[key] or ())
        return cls(**values)

    def normalised(self) -> Slip:
        """Every text in NFC: decomposed tone marks would draw apart from their letters."""

        def nfc(text: str) -> str:
            return unicodedata.normalize("NFC", text or "")

        return Slip(
            agency=nfc(self.agency),
            centre=nfc(self.centre),
            heading=nfc(self.heading),
            number=nfc(self.number),
            service=nfc(self.service),
            badges=tuple(nfc(text) for text in self.badges),
            lines=tuple(nfc(text) for text in self.lines),
            qr=self.qr,
            footer=tuple(nfc(text) for text in self.footer),
            logo=self.logo,
        )


FIELDS = {name: value for name, value in Slip.__dataclass_fields__.items()}


@dataclass(frozen=True)
class Sizes:
    """Font sizes in dots for one paper width."""

    agency: int
    centre: int
    heading: int
    number_cap: int
    service: int
    line: int
    footer: int
    badge: int
    qr_module: int = 6
    margin: int = 8
    logo_height: int = 96
    gap: int = 14


WIDE_SIZES = Sizes(
    agency=20, centre=24, heading=22, number_cap=124, service=27, line=23, footer=19, badge=22
)
NARROW_SIZES = Sizes(
    agency=18, centre=21, heading=20, number_cap=104, service=24, line=21, footer=17, badge=20
)


@lru_cache(maxsize=32)
def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD_FONT if bold else REGULAR_FONT), size)


def wrap(text: str, typeface: ImageFont.FreeTypeFont, width: int, max_lines: int = 3) -> list:
    """Greedy word wrap to `width` dots; an over-long word is cut, the last line ends in …"""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if typeface.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while typeface.getlength(current) > width and len(current) > 1:
            cut = len(current)
            while cut > 1 and typeface.getlength(current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and typeface.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def balanced_wrap(text: str, typeface: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list:
    """As few lines as greedy wrapping needs, but as even as possible (no lone last word)."""
    lines = wrap(text, typeface, width, max_lines)
    if len(lines) < 2 or lines[-1].endswith("…"):
        return lines
    narrower = width
    while narrower > width // 2:
        candidate = wrap(text, typeface, narrower - 8, max_lines)
        if len(candidate) != len(lines) or candidate[-1].endswith("…"):
            break
        lines, narrower = candidate, narrower - 8
    return lines


def text_block(
    text: str, dots: int, size: int, *, bold: bool = False, max_lines: int = 3, margin: int = 8
) -> Image.Image:
    """Centred lines of text on white, as an 'L' image `dots` wide."""
    typeface = font(bold, size)
    lines = balanced_wrap(text, typeface, dots - 2 * margin, max_lines)
    ascent, descent = typeface.getmetrics()
    line_height = round(size * 1.32)
    top = round(size * 0.35)  # room for stacked marks above capitals (Ấ, Ệ)
    image = Image.new("L", (dots, top + line_height * len(lines) + descent), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        baseline = top + ascent + index * line_height
        left = (dots - math.ceil(typeface.getlength(line))) // 2
        draw.text((left, baseline), line, font=typeface, fill=0, anchor="ls")
    return threshold(image)


def threshold(image: Image.Image) -> Image.Image:
    """Pure black and white at 50 %: crisper type on thermal paper than dithered edges."""
    return image.point(lambda value: 0 if value < 128 else 255)


def badge_block(text: str, dots: int, size: int) -> Image.Image:
    """White text in a black box, e.g. the priority mark."""
    typeface = font(True, size)
    left, top, right, bottom = typeface.getbbox(text, anchor="ls")
    pad_x, pad_y = size // 2, size // 3
    width, height = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    image = Image.new("L", (dots, height), 255)
    draw = ImageDraw.Draw(image)
    x0 = (dots - width) // 2
    draw.rounded_rectangle((x0, 0, x0 + width - 1, height - 1), radius=size // 3, fill=0)
    draw.text((x0 + pad_x - left, pad_y - top), text, font=typeface, fill=255, anchor="ls")
    return threshold(image)


def number_block(number: str, half_dots: int, cap_height: int) -> Image.Image:
    """The ticket number at half resolution (printed double size), as large as fits."""
    size = round(cap_height / 2 / 0.73)
    typeface = font(True, size)
    while size > 12 and typeface.getlength(number) > half_dots - 8:
        size -= 2
        typeface = font(True, size)
    left, top, right, bottom = typeface.getbbox(number, anchor="ls")
    image = Image.new("L", (half_dots, bottom - top + 2), 255)
    x = (half_dots - (right - left)) // 2 - left
    ImageDraw.Draw(image).text((x, 1 - top), number, font=typeface, fill=0, anchor="ls")
    return threshold(image)


def rule_block(dots: int) -> Image.Image:
    """A short centred line under the centre's name, as on Vietnamese official headings."""
    image = Image.new("L", (dots, 2), 255)
    ImageDraw.Draw(image).rectangle((dots // 3, 0, dots - dots // 3, 1), fill=0)
    return image


def qr_block(content: str, half_dots: int, module: int) -> Image.Image:
    """The QR code, centred at half resolution (printed double size, `module` dots a module)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(content)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    cells = bytes(0 if dark else 255 for row in matrix for dark in row)
    scale = max(module // 2, 1)
    symbol = Image.frombytes("L", (size, size), cells).resize(
        (size * scale, size * scale), Image.Resampling.NEAREST
    )
    canvas = Image.new("L", (max(half_dots, symbol.width), symbol.height), 255)
    canvas.paste(symbol, ((canvas.width - symbol.width) // 2, 0))
    return canvas


def logo_block(path: str, dots: int, max_height: int) -> Image.Image | None:
    """The centre's logo, dithered to black and white; None when the file is unusable."""
    try:
        with Image.open(path) as source:
            source = source.convert("RGBA")
    except (OSError, ValueError):
        return None
    white = Image.new("RGBA", source.size, (255, 255, 255, 255))
    white.alpha_composite(source)
    picture = white.convert("L")
    picture.thumbnail((dots * 2 // 3, max_height), Image.Resampling.LANCZOS)
    picture = picture.convert("1").convert("L")  # Floyd-Steinberg dithering
    canvas = Image.new("L", (dots, picture.height), 255)
    canvas.paste(picture, ((dots - picture.width) // 2, 0))
    return canvas


def ink_crop(image: Image.Image) -> tuple[Image.Image | None, int, int]:
    """Crop to the rows holding ink, and to the right edge of the ink (rounded to a byte).

    Keeps the left margin that centres the block. Returns the crop and the blank rows cut
    above and below.
    """
    box = ImageOps.invert(image).getbbox()
    if box is None:
        return None, image.height, 0
    _, top, right, bottom = box
    right = min(image.width, (right + 7) // 8 * 8)
    return image.crop((0, top, right, bottom)), top, image.height - bottom


class RasterWriter:
    """Collects ESC/POS bytes: blocks of image, dot feeds and the cut."""

    def __init__(self, paper: Paper):
        self.paper = paper
        self.printer = Dummy(profile=paper.profile)
        self.printer._raw(INITIALISE)
        self.pending_feed = 0

    def feed(self, dots: int) -> None:
        self.pending_feed += dots

    def flush_feed(self) -> None:
        while self.pending_feed > 0:
            step = min(self.pending_feed, MAX_FEED)
            self.printer._raw(ESC + b"J" + bytes((step,)))
            self.pending_feed -= step

    def image(self, image: Image.Image | None, *, double: bool = False) -> None:
        """A block: blank rows become feeds, ink rows go out as a raster image."""
        if image is None:
            return
        cropped, above, below = ink_crop(image)
        scale = 2 if double else 1
        if cropped is None:
            self.feed(above * scale)
            return
        self.feed(above * scale)
        self.flush_feed()
        self.printer.image(
            cropped.convert("1").convert("RGB"),
            impl="bitImageRaster",
            high_density_horizontal=not double,
            high_density_vertical=not double,
        )
        self.feed(below * scale)

    def cut(self) -> bytes:
        self.flush_feed()
        self.printer.cut()
        return self.printer.output


@lru_cache(maxsize=16)
def header_bytes(agency: str, centre: str, logo: str, dots: int, profile: str) -> bytes:
    """Logo, agency and centre name: the same on every slip, so drawn once per process."""
    paper = Paper(dots=dots, profile=profile)
    sizes = WIDE_SIZES if paper.wide else NARROW_SIZES
    writer = RasterWriter(paper)
    if logo:
        writer.image(logo_block(logo, dots, sizes.logo_height))
        writer.feed(sizes.gap // 2)
    if agency:
        writer.image(text_block(agency.upper(), dots, sizes.agency, max_lines=2))
    if centre:
        writer.image(text_block(centre.upper(), dots, sizes.centre, bold=True, max_lines=3))
    writer.feed(sizes.gap // 2)
    writer.image(rule_block(dots))
    writer.flush_feed()
    return writer.printer.output[len(INITIALISE) :]


def render_raster(slip: Slip, paper: Paper) -> bytes:
    sizes = WIDE_SIZES if paper.wide else NARROW_SIZES
    dots = paper.dots
    writer = RasterWriter(paper)
    writer.printer._raw(header_bytes(slip.agency, slip.centre, slip.logo, dots, paper.profile))
    writer.feed(sizes.gap)
    writer.image(text_block(slip.heading, dots, sizes.heading, max_lines=1))
    writer.feed(sizes.gap // 2)
    writer.image(number_block(slip.number, dots // 2, sizes.number_cap), double=True)
    for badge in slip.badges:
        writer.feed(sizes.gap)
        writer.image(badge_block(badge, dots, sizes.badge))
    if slip.service:
        writer.feed(sizes.gap // 2)
        writer.image(text_block(slip.service, dots, sizes.service, bold=True, max_lines=3))
    for line in slip.lines:
        writer.image(text_block(line, dots, sizes.line, max_lines=2))
    if slip.qr:
        writer.feed(sizes.gap * 2)
        writer.image(qr_block(slip.qr, dots // 2, sizes.qr_module), double=True)
        writer.feed(sizes.gap)
    for line in slip.footer:
        writer.image(text_block(line, dots, sizes.footer, max_lines=3))
    return writer.cut()


def render_slip(slip: Slip, paper: Paper) -> bytes:
    """The whole print job for one slip."""
    slip = slip.normalised()
    if paper.mode == "text":
        from printing.text_mode import render_text

        return render_text(slip, paper)
    return render_raster(slip, paper)
