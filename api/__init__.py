"""JSON API v1, used by the kiosk page, boards and counter keypads."""

from flask import Blueprint

blueprint = Blueprint("api", __name__)

# appointments: booking from phones; counters: keypads and rating tablets; display: the
# boards in the waiting hall; print_jobs: the print agents of kiosk PCs
from . import appointments, counters, display, print_jobs, views  # noqa: E402,F401
