"""JSON API v1, used by the kiosk page, boards and counter keypads."""

from flask import Blueprint

blueprint = Blueprint("api", __name__)

from . import print_jobs, views  # noqa: E402,F401
