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
