"""The dossier desk: reception, processing, return, forms, public look-up and the
catalogue and calendar screens for admins."""

from flask import Blueprint

from web.caching import keep_out_of_caches

blueprint = Blueprint("dossiers", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant


@blueprint.app_template_filter("thousands")
def thousands(number: int) -> str:
    """A whole number the Vietnamese way: 50.000."""
    return f"{number:,}".replace(",", ".")


from . import admin, lookup, views  # noqa: E402,F401
