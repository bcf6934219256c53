"""Ticket printers for admins (/admin/printers) and printer alerts for staff; the commands
are in printing/cli.py."""

from flask import Blueprint

blueprint = Blueprint("printing", __name__, template_folder="templates")

from printing.admin import views  # noqa: E402,F401
