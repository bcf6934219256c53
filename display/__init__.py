"""The display board in the waiting hall: called numbers, queues and a Vietnamese voice."""

from flask import Blueprint

blueprint = Blueprint("display", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
