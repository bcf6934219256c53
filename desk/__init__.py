"""The counter desk where officers see and serve the queue."""

from flask import Blueprint

from web.caching import keep_out_of_caches

blueprint = Blueprint("desk", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant

from . import views  # noqa: E402,F401
