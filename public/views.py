"""The tracking page a citizen opens from the QR code, and the home page."""

import io

import qrcode
import qrcode.image.svg
from flask import current_app, render_template

from core.clock import to_local
from core.queue.positions import (
    TRACKING_PATH,
    estimated_wait_minutes,
    find_ticket,
    place_in_queue,
    track_ticket,
    tracking_url,
)

from . import blueprint


@blueprint.get("/")
def home():
    return render_template("public/home.html")


@blueprint.get(f"{TRACKING_PATH}<token>")
def track(token: str):
    ticket = track_ticket(token)
    ahead = place_in_queue(ticket)
    return render_template(
        "public/track.html",
        ticket=ticket,
        ahead=ahead,
        wait_minutes=estimated_wait_minutes(ticket, ahead),
        issued_at=to_local(ticket.issued_at),
        refresh_seconds=current_app.config["TRACKING_REFRESH_SECONDS"],
    )


@blueprint.get(f"{TRACKING_PATH}<token>/qr.svg")
def tracking_qr(token: str):
    """The tracking URL as an SVG QR code, for the kiosk screen."""
    return qr_svg(tracking_url(find_ticket(token).token))


def qr_svg(text: str, max_age: int = 3600):
    """`text` as an SVG QR code."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    response = current_app.response_class(buffer.getvalue(), mimetype="image/svg+xml")
    response.cache_control.max_age = max_age
    return response
