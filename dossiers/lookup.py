"""The public look-up (/tra-cuu): a dossier's status by its code, nothing personal: a
person's name masked, an organisation's name as registered, never who submitted it."""

from flask import current_app, render_template, request

from core.dossiers.errors import DossierNotFound
from core.dossiers.privacy import shown_name
from core.dossiers.reception import code_from_scan, find_dossier
from core.dossiers.states import STATUS_LABELS
from core.models import DossierStatus
from extensions import limiter

from . import blueprint

READY = {DossierStatus.RESOLVED, DossierStatus.REFUSED}


def lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@blueprint.get("/tra-cuu")
@limiter.limit(lookup_limit)
def lookup():
    code = code_from_scan(request.args.get("ma", ""))
    dossier, error = None, None
    if code:
        try:
            dossier = find_dossier(code)
        except DossierNotFound as problem:
            error = problem.in_request_language()
    return render_template(
        "dossiers/lookup.html",
        code=code,
        dossier=dossier,
        error=error,
        shown_name=shown_name(dossier.applicant_name, organisation=dossier.by_organisation)
        if dossier
        else "",
        status_label=STATUS_LABELS[dossier.status] if dossier else "",
        ready=dossier is not None and dossier.status in READY,
    ), (404 if error else 200)
