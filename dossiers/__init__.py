"""The dossier desk: reception, processing, return, forms, public look-up and the
catalogue and calendar screens for admins."""

from flask import Blueprint

blueprint = Blueprint("dossiers", __name__, template_folder="templates")

from . import admin, lookup, views  # noqa: E402,F401
