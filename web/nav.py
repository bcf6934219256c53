"""The staff header's sections: one list of every staff page a role reaches by a link.

`templates/_staff_nav.html` renders it on every staff page (from `templates/base.html`). A
link is shown to a role only when the page's own role check admits it (`web.roles`: the
view's or its blueprint's `allowed_roles`), so the header can never offer a page that answers
403, and a new page that a role may open shows up by adding one `Link` here.
`tests/test_navigation.py` crawls the links of every role and proves that no page a role may
open is reachable only by typing its address.
"""

from dataclasses import dataclass, field

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.clock import local_today
from core.models import Role
from core.reports.periods import presets


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: object  # a lazy string, translated when the header is drawn
    # Other endpoints whose pages belong to this section (marked current there); a name
    # ending in "." or "_" is a prefix.
    covers: tuple[str, ...] = ()
    # Query values the link carries; the link is current only when the request has them.
    args: tuple[tuple[str, str], ...] = ()
    # The link is shown only to roles that may also open this endpoint (when opening the
    # page is allowed but the section's work is not, e.g. a manager cannot return results).
    also_needs: str | None = None


@dataclass(frozen=True)
class Group:
    label: object
    links: tuple[Link, ...]


@dataclass
class ShownLink:
    label: str
    url: str
    current: bool


@dataclass
class ShownGroup:
    label: str
    links: list[ShownLink] = field(default_factory=list)


# The desk's statuses a result waits in: "Có kết quả" is where the return of results starts.
RESULT_READY = "resolved"

GROUPS = (
    Group(
        _l("Quầy và hồ sơ"),
        (
            Link("desk.index", _l("Quầy phục vụ"), covers=("desk.",)),
            Link("dossiers.receive", _l("Tiếp nhận hồ sơ")),
            Link(
                "dossiers.index",
                _l("Danh sách hồ sơ"),
                covers=(
                    "dossiers.show",
                    "dossiers.find",
                    "dossiers.form_",
                    "dossiers.slip_",
                    "dossiers.supplement_",
                    "dossiers.request_supplement_page",
                ),
            ),
            Link(
                "dossiers.index",
                _l("Trả kết quả"),
                args=(("status", RESULT_READY),),
                also_needs="dossiers.move_dossier",
            ),
            Link("dossiers.register", _l("Sổ theo dõi"), covers=("dossiers.register_",)),
        ),
    ),
    Group(
        _l("Xử lý hồ sơ"),
        (Link("processing.index", _l("Hồ sơ cần xử lý"), covers=("processing.",)),),
    ),
    Group(
        _l("Điều hành"),
        (
            Link("dashboard.index", _l("Trực tiếp")),
            Link(
                "dashboard.statistics",
                _l("Thống kê và báo cáo"),
                covers=("dashboard.statistics_", "dashboard.report_"),
            ),
            Link(
                "dashboard.evaluation",
                _l("Đánh giá đơn vị, cán bộ"),
                covers=("dashboard.evaluation_",),
            ),
            Link(
                "dashboard.close_period_page",
                _l("Kỳ báo cáo"),
                covers=("dashboard.reopen_period_page",),
            ),
        ),
    ),
    Group(
        _l("Quản trị hệ thống"),
        (
            Link("admin.index", _l("Tổng quan")),
            Link("admin.services", _l("Dịch vụ"), covers=("admin.service_",)),
            Link("admin.counters", _l("Danh sách quầy"), covers=("admin.counter_",)),
            Link("admin.users", _l("Tài khoản"), covers=("admin.user_",)),
            Link("admin.devices", _l("Thiết bị"), covers=("admin.device_",)),
            Link("admin.agencies", _l("Cơ quan, đơn vị"), covers=("admin.agenc",)),
            Link(
                "admin.queue_settings_page", _l("Cài đặt gọi số"), covers=("admin.queue_settings",)
            ),
            Link("printing.index", _l("Máy in phiếu"), covers=("printing.",)),
            Link("admin.notices", _l("Thông báo"), covers=("admin.notice_",)),
            Link(
                "dossiers.admin_procedures",
                _l("Danh mục thủ tục"),
                covers=("dossiers.admin_procedure",),
            ),
            Link(
                "dossiers.admin_calendar", _l("Lịch làm việc"), covers=("dossiers.admin_calendar_",)
            ),
            Link("dossiers.admin_settings", _l("Cài đặt hồ sơ")),
            Link("privacy.audit_log", _l("Nhật ký"), covers=("privacy.audit",)),
        ),
    ),
)


def admits(endpoint: str, role: Role) -> bool:
    """Whether `role` may open `endpoint`, by the same declaration its role check reads."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
        roles = getattr(blueprint, "allowed_roles", None)
    return roles is not None and role in roles


def link_args(link: Link) -> dict:
    if link.endpoint == "dashboard.close_period_page":
        # The last month's period: the one a centre closes after reporting it.
        return {"period": presets(local_today())[1][2].key()}
    return dict(link.args)


def _covers(link: Link, endpoint: str) -> bool:
    if endpoint == link.endpoint:
        return True
    for name in link.covers:
        if endpoint == name or (name.endswith((".", "_")) and endpoint.startswith(name)):
            return True
    return False


def current_link(links: list[Link], endpoint: str | None, args) -> Link | None:
    """The link the page belongs to: one whose query values the request carries first,
    then one covering the endpoint."""
    if not endpoint:
        return None
    for link in links:
        if link.args and link.endpoint == endpoint and all(args.get(k) == v for k, v in link.args):
            return link
    for link in links:
        if not link.args and _covers(link, endpoint):
            return link
    return None


def staff_sections() -> list[ShownGroup]:
    """The header's groups and links for the signed-in member of staff (empty otherwise)."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    visible = [(group, [link for link in group.links if _shown(link, role)]) for group in GROUPS]
    everyone = [link for _, links in visible for link in links]
    here = current_link(everyone, request.endpoint, request.args)
    shown = []
    for group, links in visible:
        if not links:
            continue
        entry = ShownGroup(str(group.label))
        for link in links:
            url = url_for(link.endpoint, **link_args(link))
            entry.links.append(ShownLink(str(link.label), url, link is here))
        shown.append(entry)
    return shown


def _shown(link: Link, role: Role) -> bool:
    if not admits(link.endpoint, role):
        return False
    return link.also_needs is None or admits(link.also_needs, role)
