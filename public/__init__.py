"""Public pages: the home page, a citizen's ticket tracking page, booking an appointment."""

from flask import Blueprint

blueprint = Blueprint("public", __name__, template_folder="templates")

from . import booking, views  # noqa: E402,F401
