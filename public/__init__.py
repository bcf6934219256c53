"""Public pages: the home page and a citizen's ticket tracking page."""

from flask import Blueprint

blueprint = Blueprint("public", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
