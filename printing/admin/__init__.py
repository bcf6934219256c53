"""Ticket printers for admins (/admin/printers), printer alerts for staff, and the
`print-worker` and `print-agent` commands."""

from flask import Blueprint

blueprint = Blueprint("printing", __name__, template_folder="templates")

from printing.admin import views  # noqa: E402,F401
