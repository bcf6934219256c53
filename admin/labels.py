"""Words for audit actions, as the admin home page lists them."""

from flask_babel import lazy_gettext as _l

ACTION_NAMES = {
    "service.created": _l("Thêm dịch vụ"),
    "service.updated": _l("Sửa dịch vụ"),
    "service.numbering_scheduled": _l("Hẹn đổi tiền tố số"),
    "service.numbering_cancelled": _l("Hủy hẹn đổi tiền tố số"),
    "service.numbering_applied": _l("Áp dụng tiền tố số mới"),
    "counter.created": _l("Thêm quầy"),
    "counter.updated": _l("Sửa quầy"),
    "user.created": _l("Tạo tài khoản"),
    "user.updated": _l("Sửa tài khoản"),
    "user.deactivated": _l("Khóa tài khoản"),
    "user.reactivated": _l("Mở lại tài khoản"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "device.created": _l("Thêm thiết bị"),
    "device.updated": _l("Sửa thiết bị"),
    "device.revoked": _l("Thu hồi thiết bị"),
    "device.key_rotated": _l("Cấp mã khóa mới"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


SUBJECT_NAMES = {
    "service": _l("Dịch vụ"),
    "counter": _l("Quầy"),
    "user": _l("Tài khoản"),
    "device": _l("Thiết bị"),
}
