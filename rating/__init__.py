"""Satisfaction ratings: the counter's tablet and the tracking page of a served ticket."""

from flask import Blueprint

blueprint = Blueprint("rating", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
