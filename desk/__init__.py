"""The counter desk where officers see and serve the queue."""

from flask import Blueprint

blueprint = Blueprint("desk", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
