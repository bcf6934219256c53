"""The processing officers' surface: each one's in-tray of the dossiers at their steps, a
dossier's page at its step, and the moves they make there (core.processes.flow)."""

from flask import Blueprint, request

from core.models import PROCESSING_ROLES
from web.caching import keep_out_of_caches
from web.roles import blueprint_roles_required

blueprint = Blueprint("processing", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant
blueprint_roles_required(blueprint, *PROCESSING_ROLES)

# A result's document may be 10 MB (core.processes.results.MAX_BYTES), more than the app's
# body limit: its upload alone gets room for it and the form around it. A file a little
# over 10 MB still reaches the domain, which says why it is refused.
RESULT_BODY_BYTES = 11 * 1024 * 1024


def allow_result_uploads() -> None:
    if request.endpoint == "processing.result":
        request.max_content_length = RESULT_BODY_BYTES


@blueprint.record_once
def raise_the_limit_first(state) -> None:
    """Before any hook reads the body (the CSRF check parses the form)."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_result_uploads)


from . import views  # noqa: E402,F401
