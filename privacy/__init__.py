"""Accountability and personal data: the audit-log viewer for admins, and the
`flask --app wsgi privacy …` commands (anonymise after retention, export one person)."""

from flask import Blueprint

from web.caching import keep_out_of_caches

blueprint = Blueprint("privacy", __name__, template_folder="templates")
keep_out_of_caches(blueprint)  # every answer may name an applicant


@blueprint.app_template_global("sees_personal_data")
def sees_personal_data() -> bool:
    """Whether the signed-in user may see applicants' details in full."""
    from flask_login import current_user

    from core.dossiers.privacy import sees_personal_data as allowed

    return allowed(current_user)


@blueprint.app_template_filter("applicant_name")
def applicant_name(name: str, organisation: bool = False) -> str:
    """The applicant's name as the signed-in user may see it (a person's masked for
    managers; an organisation's name is not personal data)."""
    from flask_login import current_user

    from core.dossiers.privacy import shown_name

    return shown_name(name, current_user, organisation=organisation)


from . import audit_log  # noqa: E402,F401
