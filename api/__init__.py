"""JSON API v1, used by the kiosk page, boards and counter keypads."""

from flask import Blueprint

blueprint = Blueprint("api", __name__)

from . import counters, views  # noqa: E402,F401  (counters: keypads and rating tablets)
