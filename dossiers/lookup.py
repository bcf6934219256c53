"""The public look-up (/tra-cuu): a dossier's status by its code and the check part on its
receipt (or the last 4 digits of the applicant's phone), nothing personal: no name, no
submitter. Without a proof nothing is looked up; a wrong one answers as an unknown code."""

from flask import current_app, render_template, request

from core.dossiers.errors import LookupRefused
from core.dossiers.links import LOOKUP_PATH
from core.dossiers.lookup import public_dossier
from core.dossiers.reception import code_from_scan
from core.dossiers.states import STATUS_LABELS
from core.models import DossierStatus
from extensions import limiter

from . import blueprint

READY = {DossierStatus.RESOLVED, DossierStatus.REFUSED}


def lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@blueprint.get(LOOKUP_PATH)
@limiter.limit(lookup_limit)
def lookup():
    code = code_from_scan(request.args.get("ma", ""))
    proof = request.args.get("kt", "").strip()
    dossier, error = None, None
    if code and proof:
        try:
            dossier = public_dossier(code, proof)
        except LookupRefused as problem:
            error = problem.in_request_language()
    return render_template(
        "dossiers/lookup.html",
        code=code,
        proof=proof,
        asks_proof=bool(code) and not proof,
        dossier=dossier,
        error=error,
        status_label=STATUS_LABELS[dossier.status] if dossier else "",
        ready=dossier is not None and dossier.status in READY,
    ), (404 if error else 200)
