"""The managers' dashboard: the live view of the hall, statistics for any period and the
administrative reform report (báo cáo công tác cải cách hành chính)."""

from flask import Blueprint

from core.models import Role
from web.caching import keep_out_of_caches
from web.roles import blueprint_roles_required

blueprint = Blueprint("dashboard", __name__, template_folder="templates")
blueprint_roles_required(blueprint, Role.MANAGER, Role.ADMIN)
keep_out_of_caches(blueprint)  # statistics name the officers

from . import views  # noqa: E402,F401


@blueprint.app_template_filter("figure")
def figure(value, kind: str = "int") -> str:
    """A number as the page shows it: Vietnamese separators unless the page is English;
    a change (`delta`, `delta_percent`) with its sign."""
    from core.i18n import speaks_english
    from core.reports.documents import vn_number

    if value is None or value == "":
        return "–" if kind in ("decimal", "percent", "delta_percent") else ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    decimals = 1 if kind in ("decimal", "percent", "delta_percent") else 0
    text = f"{value:,.{decimals}f}" if speaks_english() else vn_number(value, decimals)
    if kind.startswith("delta") and value > 0:
        return f"+{text}"  # a change: the sign says which way
    return text
