"""Admin screens: services and their hours, counters, staff accounts, devices, the
queue desk's settings, and the agencies of the centre with their units and procedures.

Admins change things; managers may look at the lists. Every change is a POST through a
Flask-WTF form and writes an audit event naming the admin.
"""

from flask import Blueprint

blueprint = Blueprint("admin", __name__, template_folder="templates")

from . import (  # noqa: E402,F401
    agencies,
    booking_settings,
    counters,
    devices,
    home,
    notices,
    processes,
    queue_settings,
    services,
    users,
)
