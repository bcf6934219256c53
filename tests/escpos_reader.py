"""A small ESC/POS reader for tests: received bytes back into text, images, QR codes and cuts.

Covers what the slips use: ESC @, ESC t, ESC a, ESC E, ESC !, ESC d, ESC J, GS !, GS B,
GS v 0 (raster images, to Pillow), GS ( k (native QR payload), GS V (cut), DLE EOT (status),
LF and printable text (code page 0 as ASCII, 30 and 31 as TCVN-3). Anything else raises, so
a test notices bytes it does not understand. `page()` draws the paper as it would come out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from printing.tcvn3 import decode_table

MONO_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
BOLD_MONO_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")
REGULAR_FONT = Path(__file__).resolve().parent.parent / "printing/fonts/DejaVuSans.ttf"
CELL = (12, 24)  # font A


class Incomplete(Exception):
    """The bytes end inside a command."""


@dataclass
class Command:
    name: str
    args: bytes
    start: int
    end: int
    data: bytes = b""


def need(data: bytes, end: int) -> None:
    if end > len(data):
        raise Incomplete


def commands(data: bytes, start: int = 0):
    """Yield commands and text bytes in order; raise Incomplete at a cut-off command."""
    position = start
    while position < len(data):
        byte = data[position]
        if byte == 0x1B:
            need(data, position + 2)
            code = chr(data[position + 1])
            if code == "@":
                yield Command("ESC @", b"", position, position + 2)
                position += 2
                continue
            if code in "taE!dJ23-M":
                if code == "2":
                    yield Command("ESC 2", b"", position, position + 2)
                    position += 2
                    continue
                need(data, position + 3)
                yield Command(
                    f"ESC {code}", data[position + 2 : position + 3], position, position + 3
                )
                position += 3
                continue
            raise ValueError(f"unknown command ESC {code!r} at {position}")
        if byte == 0x1D:
            need(data, position + 2)
            code = chr(data[position + 1])
            if code in "!B":
                need(data, position + 3)
                yield Command(
                    f"GS {code}", data[position + 2 : position + 3], position, position + 3
                )
                position += 3
                continue
            if code == "v":
                need(data, position + 8)
                mode = data[position + 3]
                width_bytes = data[position + 4] | data[position + 5] << 8
                height = data[position + 6] | data[position + 7] << 8
                end = position + 8 + width_bytes * height
                need(data, end)
                args = bytes((mode,)) + data[position + 4 : position + 8]
                yield Command("GS v 0", args, position, end, data[position + 8 : end])
                position = end
                continue
            if code == "(":
                need(data, position + 5)
                function = chr(data[position + 2])
                length = data[position + 3] | data[position + 4] << 8
                end = position + 5 + length
                need(data, end)
                yield Command(f"GS ( {function}", b"", position, end, data[position + 5 : end])
                position = end
                continue
            if code == "V":
                need(data, position + 3)
                mode = data[position + 2]
                end = position + (4 if mode in (65, 66) else 3)
                need(data, end)
                yield Command("GS V", data[position + 2 : end], position, end)
                position = end
                continue
            raise ValueError(f"unknown command GS {code!r} at {position}")
        if byte == 0x10:
            need(data, position + 3)
            if data[position + 1] != 0x04:
                raise ValueError(f"unknown command DLE {data[position + 1]:#x} at {position}")
            yield Command("DLE EOT", data[position + 2 : position + 3], position, position + 3)
            position += 3
            continue
        if byte == 0x0A:
            yield Command("LF", b"", position, position + 1)
            position += 1
            continue
        if byte < 0x20:
            raise ValueError(f"unknown control byte {byte:#x} at {position}")
        end = position
        while end < len(data) and data[end] >= 0x20:
            end += 1
        yield Command("TEXT", b"", position, end, data[position:end])
        position = end


@dataclass
class Line:
    """One printed line of text with how it was printed."""

    text: str
    align: int = 0
    bold: bool = False
    width: int = 1
    height: int = 1
    reverse: bool = False


@dataclass
class Printout:
    """What one job printed, in order: ('text', Line), ('image', Image), ('qr', str),
    ('feed', dots), ('cut', None)."""

    items: list = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [item for kind, item in self.items if kind == "text"]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def images(self) -> list[Image.Image]:
        return [item for kind, item in self.items if kind == "image"]

    @property
    def qr_payloads(self) -> list[str]:
        return [item for kind, item in self.items if kind == "qr"]

    @property
    def cuts(self) -> int:
        return sum(1 for kind, _ in self.items if kind == "cut")

    def page(self, dots: int = 576) -> Image.Image:
        """The paper as printed: text in a monospaced font, images and native QR codes."""
        blocks: list[tuple[Image.Image, int]] = []
        for kind, item in self.items:
            if kind == "image":
                blocks.append((item, 0))
            elif kind == "feed":
                blocks.append((Image.new("L", (1, max(item, 1)), 255), 0))
            elif kind == "text":
                blocks.append((draw_line(item, dots), 0))
            elif kind == "qr":
                code = qrcode.QRCode(box_size=6, border=0)
                code.add_data(item)
                blocks.append((code.make_image().get_image().convert("L"), 1))
            elif kind == "cut":
                blocks.append((cut_mark(dots), 0))
        height = sum(block.height for block, _ in blocks) + 20
        paper = Image.new("L", (dots, height), 255)
        y = 10
        for block, align in blocks:
            x = (dots - block.width) // 2 if align == 1 else 0
            paper.paste(block, (x, y))
            y += block.height
        return paper


def draw_line(line: Line, dots: int) -> Image.Image:
    cell_width, cell_height = CELL[0] * line.width, CELL[1] * line.height
    image = Image.new("L", (dots, cell_height), 255)
    if not line.text:
        return image
    typeface = ImageFont.truetype(str(BOLD_MONO_FONT if line.bold else MONO_FONT), 20)
    glyphs = Image.new("L", (CELL[0] * len(line.text), CELL[1]), 255)
    ImageDraw.Draw(glyphs).text((0, 2), line.text, font=typeface, fill=0)
    glyphs = glyphs.resize((cell_width * len(line.text), cell_height))
    if line.reverse:
        glyphs = Image.eval(glyphs, lambda value: 255 - value)
    x = {0: 0, 1: (dots - glyphs.width) // 2, 2: dots - glyphs.width}[line.align]
    image.paste(glyphs, (max(x, 0), 0))
    return image


def cut_mark(dots: int) -> Image.Image:
    image = Image.new("L", (dots, 24), 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, dots, 16):
        draw.line((x, 12, x + 8, 12), fill=0, width=2)
    return image


def raster_image(args: bytes, data: bytes) -> Image.Image:
    """GS v 0 data as an 'L' image (ink black), scaled as the mode byte says."""
    mode = args[0]
    width_bytes = args[1] | args[2] << 8
    height = args[3] | args[4] << 8
    inverted = bytes(255 - value for value in data)
    image = Image.frombytes("1", (width_bytes * 8, height), inverted).convert("L")
    scale_x = 2 if mode & 1 else 1
    scale_y = 2 if mode & 2 else 1
    if scale_x != 1 or scale_y != 1:
        image = image.resize((image.width * scale_x, image.height * scale_y), Image.NEAREST)
    return image


def read(data: bytes) -> Printout:
    """Turn a job's bytes into a Printout; raises on a truncated or unknown command."""
    printout = Printout()
    page, align, bold, width, height, reverse = 0, 0, False, 1, 1, False
    text = ""
    tcvn3 = decode_table()
    qr_store = ""

    started = None  # how the line was printed: the settings at its first character

    def end_line():
        nonlocal text, started
        state = started or (align, bold, width, height, reverse)
        printout.items.append(("text", Line(text, *state)))
        text, started = "", None

    for command in commands(data):
        name, args = command.name, command.args
        if name == "ESC @":
            page, align, bold, width, height, reverse = 0, 0, False, 1, 1, False
        elif name == "ESC t":
            page = args[0]
        elif name == "ESC a":
            align = args[0] % 48 if args[0] >= 48 else args[0]
        elif name == "ESC E":
            bold = bool(args[0] & 1)
        elif name == "ESC !":
            bold = bool(args[0] & 8)
            height = 2 if args[0] & 16 else 1
            width = 2 if args[0] & 32 else 1
        elif name == "GS !":
            width, height = (args[0] >> 4) + 1, (args[0] & 15) + 1
        elif name == "GS B":
            reverse = bool(args[0] & 1)
        elif name == "TEXT":
            if not text:
                started = (align, bold, width, height, reverse)
            for value in command.data:
                if value < 0x80:
                    text += chr(value)
                else:
                    text += tcvn3.get((page, value), "\ufffd") if page in (30, 31) else "\ufffd"
        elif name == "LF":
            end_line()
        elif name == "ESC d":
            if text:
                end_line()
            printout.items.append(("feed", args[0] * CELL[1]))
        elif name == "ESC J":
            if text:
                end_line()
            printout.items.append(("feed", args[0]))
        elif name == "GS v 0":
            printout.items.append(("image", raster_image(args, command.data)))
        elif name == "GS ( k":
            function = command.data[1]
            if function == 80:  # store the data
                qr_store = command.data[3:].decode("utf-8")
            elif function == 81:  # print it
                printout.items.append(("qr", qr_store))
        elif name == "GS V":
            printout.items.append(("cut", None))
        elif name == "DLE EOT":
            printout.status_queries.append(args[0])
    if text:
        end_line()
    return printout
