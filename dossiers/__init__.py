"""The dossier desk: reception, processing, return, forms, public look-up and the
catalogue and calendar screens for admins."""

from flask import Blueprint

from web.caching import keep_out_of_caches

blueprint = Blueprint("dossiers", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant


from . import admin, lookup, views  # noqa: E402,F401
