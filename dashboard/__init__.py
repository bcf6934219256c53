"""The managers' dashboard: the live view of the hall, statistics for any period and the
administrative reform report (báo cáo công tác cải cách hành chính)."""

from flask import Blueprint

from core.models import Role
from web.roles import blueprint_roles_required

blueprint = Blueprint("dashboard", __name__, template_folder="templates")
blueprint_roles_required(blueprint, Role.MANAGER, Role.ADMIN)

from . import views  # noqa: E402,F401


@blueprint.app_template_filter("figure")
def figure(value, kind: str = "int") -> str:
    """A number as the page shows it: Vietnamese separators unless the page is English."""
    from core.i18n import speaks_english
    from core.reports.documents import vn_number

    if value is None or value == "":
        return "–" if kind in ("decimal", "percent") else ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    decimals = 1 if kind in ("decimal", "percent") else 0
    if speaks_english():
        return f"{value:,.{decimals}f}"
    return vn_number(value, decimals)
