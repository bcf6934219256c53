"""The audit-log viewer (/admin/audit): who did what, to what, when — for admins."""

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _

from core.accounts.users import ROLE_NAMES
from core.audit import action_name, subject_name
from core.audit_log import AuditFilter, audit_query, filter_choices, known_actions
from core.models import Role
from extensions import db
from web.roles import roles_required

from . import blueprint

PER_PAGE = 50


def chosen_filter() -> tuple[AuditFilter, list[str]]:
    """The filter from the query string; dates that do not parse are reported, not used."""
    problems = []
    days = {name: request.args.get(name, type=date.fromisoformat) for name in ("start", "end")}
    for name, label in (("start", _("Từ ngày")), ("end", _("Đến ngày"))):
        if request.args.get(name) and days[name] is None:
            problems.append(_("%(field)s không phải ngày hợp lệ.", field=label))
    chosen = AuditFilter(
        start=days["start"],
        end=days["end"],
        action=request.args.get("action", "")[:64],
        user_id=request.args.get("user", type=int),
        device_id=request.args.get("device", type=int),
        subject=request.args.get("subject", "")[:48],
    )
    return chosen, problems


@blueprint.get("/admin/audit")
@roles_required(Role.ADMIN)
def audit_log():
    chosen, problems = chosen_filter()
    page = db.paginate(audit_query(chosen), per_page=PER_PAGE, max_per_page=PER_PAGE, count=True)
    users, devices = filter_choices()
    return render_template(
        "privacy/audit_log.html",
        page=page,
        users_by_id={user.id: user for user in users},
        devices_by_id={device.id: device for device in devices},
        chosen=chosen,
        problems=problems,
        actions=known_actions(),
        users=users,
        devices=devices,
        action_name=action_name,
        subject_name=subject_name,
        can_manage=True,
        role_names=ROLE_NAMES,
        args={key: value for key, value in request.args.items() if key != "page"},
    )
