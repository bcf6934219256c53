"""The processing officers' surface: each one's in-tray of the dossiers at their steps, a
dossier's page at its step, and the moves they make there (core.processes.flow)."""

from flask import Blueprint

from core.models import PROCESSING_ROLES
from web.caching import keep_out_of_caches
from web.roles import blueprint_roles_required

blueprint = Blueprint("processing", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant
blueprint_roles_required(blueprint, *PROCESSING_ROLES)

from . import views  # noqa: E402,F401
