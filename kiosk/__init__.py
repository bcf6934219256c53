"""The touch-screen kiosk where citizens take a numbered ticket."""

from flask import Blueprint

blueprint = Blueprint("kiosk", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
