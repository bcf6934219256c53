"""Small helpers shared by the dossier views."""

from __future__ import annotations

import io
from datetime import datetime

import qrcode
import qrcode.image.svg
from flask import current_app, render_template

from core.clock import local_zone
from core.dossiers.forms import FormDocument
from core.dossiers.links import lookup_link

from .pdf import render_pdf


def lookup_url(code: str) -> str:
    """The public look-up address a receipt's QR code carries, with the check part."""
    return lookup_link(code)


def qr_svg(text: str) -> bytes:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def svg_response(text: str):
    return current_app.response_class(qr_svg(text), mimetype="image/svg+xml")


def print_page(document: FormDocument, pdf_url: str, back_url: str):
    return render_template("dossiers/print.html", form=document, pdf_url=pdf_url, back_url=back_url)


def pdf_response(document: FormDocument, filename: str):
    response = current_app.response_class(render_pdf(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def local_input(moment: datetime | None) -> datetime | None:
    """A datetime-local field's naive value as an aware local time."""
    return moment.replace(tzinfo=local_zone()) if moment is not None else None


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
