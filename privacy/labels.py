"""Readable Vietnamese names for every audit action the viewer lists."""

from flask_babel import lazy_gettext as _l

from admin.labels import ACTION_NAMES as ADMIN_ACTION_NAMES
from core.dossiers.states import ACTION_LABELS as DOSSIER_ACTIONS
from core.queue.ticket_flow import ACTION_LABELS as TICKET_ACTIONS

ACTION_NAMES = {
    **ADMIN_ACTION_NAMES,
    "counter_session.opened": _l("Mở phiên làm việc tại quầy"),
    "counter_session.closed": _l("Đóng phiên làm việc tại quầy"),
    "ticket.issued": _l("Số thứ tự: cấp số"),
    "ticket.rated": _l("Số thứ tự: công dân đánh giá"),
    "dossier.receive": _l("Hồ sơ: tiếp nhận"),
    "dossier.imported": _l("Hồ sơ: nhập từ sổ cũ"),
    "dossier.anonymised": _l("Hồ sơ: ẩn danh sau thời hạn lưu"),
    "reception_slip.anonymised": _l("Phiếu tiếp nhận: ẩn danh sau thời hạn lưu"),
    "privacy.exported": _l("Xuất dữ liệu cá nhân của một người"),
    "reception.supplement": _l("Phiếu yêu cầu bổ sung hồ sơ"),
    "reception.refusal": _l("Phiếu từ chối tiếp nhận hồ sơ"),
    "calendar.day_added": _l("Thêm ngày vào lịch làm việc"),
    "calendar.day_removed": _l("Xóa ngày khỏi lịch làm việc"),
    "procedure.created": _l("Thêm thủ tục"),
    "procedure.updated": _l("Sửa thủ tục"),
    "dossier.settings_changed": _l("Sửa cấu hình bộ phận một cửa"),
}

SUBJECT_NAMES = {
    "service": _l("Dịch vụ"),
    "counter": _l("Quầy"),
    "user": _l("Tài khoản"),
    "device": _l("Thiết bị"),
    "ticket": _l("Số thứ tự"),
    "dossier": _l("Hồ sơ"),
    "receptionslip": _l("Phiếu tiếp nhận"),
    "countersession": _l("Phiên làm việc"),
    "procedure": _l("Thủ tục"),
    "calendarday": _l("Lịch làm việc"),
    "person": _l("Người nộp"),
}


def action_name(action: str) -> str:
    """'dossier.transfer' → 'Hồ sơ: chuyển cho đơn vị xử lý'; unknown actions as they are."""
    if action in ACTION_NAMES:
        return str(ACTION_NAMES[action])
    kind, _, verb = action.partition(".")
    for prefix, labels, subject in (
        ("dossier", DOSSIER_ACTIONS, _l("Hồ sơ")),
        ("ticket", TICKET_ACTIONS, _l("Số thứ tự")),
    ):
        if kind == prefix:
            for key, label in labels.items():
                if key.value == verb:
                    return f"{subject}: {label}"
    return action


def subject_name(subject_type: str) -> str:
    return str(SUBJECT_NAMES.get(subject_type, subject_type))
