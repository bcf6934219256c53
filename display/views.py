"""The board page: a shell that pairs with its device key and polls `GET /api/v1/display`."""

from flask import current_app, render_template, url_for

from core.queue.speech import CHIME, VOCABULARY

from . import blueprint


@blueprint.get("/")
def board():
    return render_template(
        "display/board.html",
        poll_milliseconds=current_app.config["DISPLAY_POLL_MILLISECONDS"],
        voice_base=url_for("static", filename="voice/vi/"),
        voice_clips=",".join([CHIME, *VOCABULARY]),
        timezone=current_app.config["TIMEZONE"],
    )
