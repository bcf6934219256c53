"""Ticket printers for admins (/admin/printers), printer alerts for staff, and the
`print-worker` and `print-agent` commands."""

from flask import Blueprint

blueprint = Blueprint("printing", __name__, template_folder="templates", cli_group=None)

from printing import cli  # noqa: E402,F401
from printing.admin import views  # noqa: E402,F401
