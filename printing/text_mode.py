"""Text mode: TCVN-3 text and a native QR code, for printers known to have Epson's Vietnamese
code pages 30 and 31. The smallest jobs (about 0.4 KB), for slow serial lines."""

from __future__ import annotations

import textwrap

from escpos.printer import Dummy

from printing.slip import ESC, GS, INITIALISE, Paper, Slip
from printing.tcvn3 import encode_tcvn3


def text_columns(paper: Paper) -> int:
    """Characters per line in the printer's font A (12 dots wide)."""
    return paper.dots // 12


def render_text(slip: Slip, paper: Paper) -> bytes:
    """TCVN-3 text for printers known to have Epson's Vietnamese pages; native QR code."""
    columns = text_columns(paper)
    printer = Dummy(profile=paper.profile)
    out = printer._raw
    out(INITIALISE + ESC + b"a\x01")

    def lines(text: str, width: int = columns) -> None:
        for line in textwrap.wrap(text, width) or [""]:
            out(encode_tcvn3(line) + b"\n")

    lines(slip.agency.upper())
    out(ESC + b"E\x01")
    lines(slip.centre.upper())
    out(ESC + b"E\x00")
    out(b"-" * (columns // 3) + b"\n\n")
    lines(slip.heading)
    factor = max(1, min(8, columns // max(len(slip.number), 1)))
    out(GS + b"!" + bytes(((factor - 1) << 4 | (factor - 1),)))
    lines(slip.number, width=columns)
    out(GS + b"!\x00")
    for badge in slip.badges:
        out(GS + b"B\x01" + encode_tcvn3(f" {badge} ") + GS + b"B\x00\n")
    if slip.service:
        out(ESC + b"E\x01")
        lines(slip.service)
        out(ESC + b"E\x00")
    for line in slip.lines:
        lines(line)
    if slip.qr:
        out(b"\n")
        printer.qr(slip.qr, size=6, native=True, ec=1)  # EC level M
        out(b"\n")
    for line in slip.footer:
        lines(line)
    printer.cut()
    return printer.output
