"""The audit trail: every state change is recorded in the same transaction as the change.

`record_event` writes every event (the kiosk's raw fast path builds its row with
`event_values`), and `ACTIONS` is the one catalogue of what can be recorded, with the words
the admin home page and the audit viewer show for it; an action outside it is refused.
"""

from flask_babel import lazy_gettext as _l

from core.models import AuditEvent
from extensions import db

ACTIONS = {
    "service.created": _l("Thêm dịch vụ"),
    "service.updated": _l("Sửa dịch vụ"),
    "service.numbering_scheduled": _l("Hẹn đổi tiền tố số"),
    "service.numbering_cancelled": _l("Hủy hẹn đổi tiền tố số"),
    "service.numbering_applied": _l("Áp dụng tiền tố số mới"),
    "counter.created": _l("Thêm quầy"),
    "counter.updated": _l("Sửa quầy"),
    "counter_session.opened": _l("Mở phiên làm việc tại quầy"),
    "counter_session.closed": _l("Đóng phiên làm việc tại quầy"),
    "user.created": _l("Tạo tài khoản"),
    "user.updated": _l("Sửa tài khoản"),
    "user.deactivated": _l("Khóa tài khoản"),
    "user.reactivated": _l("Mở lại tài khoản"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    # Sign-in (core.accounts.sign_in).
    "auth.signed_in": _l("Đăng nhập"),
    "auth.sign_in_failed": _l("Đăng nhập sai"),
    "auth.sign_in_refused": _l("Đăng nhập bị chặn tạm thời (đoán mật khẩu)"),
    "auth.signed_out": _l("Đăng xuất"),
    "device.created": _l("Thêm thiết bị"),
    "device.updated": _l("Sửa thiết bị"),
    "device.revoked": _l("Thu hồi thiết bị"),
    "device.key_rotated": _l("Cấp mã khóa mới"),
    "device.board_area_changed": _l("Đổi khu vực màn hình gọi số hiển thị"),
    # A ticket's life (core.queue.ticket_flow moves it).
    "ticket.issued": _l("Số thứ tự: cấp số"),
    "ticket.call": _l("Số thứ tự: gọi"),
    "ticket.recall": _l("Số thứ tự: gọi lại"),
    "ticket.start": _l("Số thứ tự: bắt đầu phục vụ"),
    "ticket.finish": _l("Số thứ tự: hoàn thành"),
    "ticket.no_show": _l("Số thứ tự: đánh dấu vắng mặt"),
    "ticket.put_back": _l("Số thứ tự: trả về hàng chờ"),
    "ticket.transfer": _l("Số thứ tự: chuyển"),
    "ticket.rated": _l("Số thứ tự: công dân đánh giá"),
    "appointment.booked": _l("Lịch hẹn: đặt lịch"),
    "appointment.moved": _l("Lịch hẹn: đổi giờ"),
    "appointment.cancelled": _l("Lịch hẹn: hủy"),
    "appointment.checked_in": _l("Lịch hẹn: xác nhận có mặt, cấp số"),
    "appointment.anonymised": _l("Lịch hẹn: ẩn danh sau thời hạn lưu"),
    "booking_settings.changed": _l("Sửa cài đặt đặt lịch hẹn của dịch vụ"),
    "queue.settings_changed": _l("Sửa cài đặt gọi số tại quầy"),
    # A dossier's life (core.dossiers.states moves it).
    "dossier.receive": _l("Hồ sơ: tiếp nhận"),
    "dossier.transfer": _l("Hồ sơ: chuyển cho đơn vị xử lý"),
    "dossier.start": _l("Hồ sơ: nhận xử lý"),
    "dossier.hand_over": _l("Hồ sơ: chuyển tiếp giữa các đơn vị"),
    "dossier.request_supplement": _l("Hồ sơ: yêu cầu bổ sung"),
    "dossier.supplement_confirmed": _l("Hồ sơ: lãnh đạo xác nhận yêu cầu bổ sung sau hạn"),
    "dossier.supplement_received": _l("Hồ sơ: nhận hồ sơ đã bổ sung"),
    "dossier.apologise": _l("Hồ sơ: gửi thư xin lỗi và hẹn lại"),
    "dossier.resolve": _l("Hồ sơ: ghi nhận có kết quả"),
    "dossier.refuse": _l("Hồ sơ: từ chối giải quyết"),
    "dossier.return": _l("Hồ sơ: trả kết quả"),
    "dossier.withdraw": _l("Hồ sơ: ghi nhận rút hồ sơ"),
    "dossier.stop": _l("Hồ sơ: dừng giải quyết"),
    "dossier.imported": _l("Hồ sơ: nhập từ sổ cũ"),
    "dossier.anonymised": _l("Hồ sơ: ẩn danh sau thời hạn lưu"),
    "dossier.settings_changed": _l("Sửa cấu hình bộ phận một cửa"),
    # Reading personal data (the views record it through web.commit.commit_reading).
    "dossier.viewed": _l("Hồ sơ: xem thông tin người nộp"),
    "dossier.form_printed": _l("Hồ sơ: mở mẫu in có thông tin người nộp"),
    "dossier.result_read": _l("Hồ sơ: mở văn bản kết quả"),
    "reception_slip.printed": _l("Phiếu tiếp nhận: mở để in"),
    "register.downloaded": _l("Sổ theo dõi hồ sơ: xem hoặc tải về"),
    "register.export_requested": _l("Sổ theo dõi hồ sơ: yêu cầu xuất tệp"),
    "reception.supplement": _l("Phiếu yêu cầu bổ sung hồ sơ"),
    "reception.refusal": _l("Phiếu từ chối tiếp nhận hồ sơ"),
    "reception_slip.anonymised": _l("Phiếu tiếp nhận: ẩn danh sau thời hạn lưu"),
    "privacy.exported": _l("Xuất dữ liệu cá nhân của một người"),
    "calendar.day_added": _l("Thêm ngày vào lịch làm việc"),
    "calendar.day_removed": _l("Xóa ngày khỏi lịch làm việc"),
    "procedure.created": _l("Thêm thủ tục"),
    "procedure.updated": _l("Sửa thủ tục"),
    # Agencies of the centre and their units (core.agencies).
    "agency.created": _l("Thêm cơ quan"),
    "agency.updated": _l("Sửa cơ quan"),
    "agency.competence_changed": _l("Sửa danh sách thủ tục cơ quan giải quyết"),
    "processing_unit.created": _l("Thêm đơn vị xử lý"),
    "processing_unit.updated": _l("Sửa đơn vị xử lý"),
    # Internal processes (core.processes).
    "process.defined": _l("Ban hành quy trình nội bộ (phiên bản mới)"),
    "user.post_assigned": _l("Gắn cán bộ xử lý với cơ quan, đơn vị"),
    "dossier.take": _l("Hồ sơ: nhận xử lý tại bước của quy trình"),
    "dossier.send_back": _l("Hồ sơ: trả lại bước trước"),
    "dossier.reassign": _l("Hồ sơ: giao cho cán bộ khác trong đơn vị"),
    "dossier.result_recorded": _l("Hồ sơ: tải lên văn bản kết quả"),
    "dossier.refusal_proposed": _l("Hồ sơ: đề xuất từ chối giải quyết"),
    "dossier.refusal_confirmed": _l("Hồ sơ: lãnh đạo đồng ý đề xuất từ chối"),
    "dossier.refusal_rejected": _l("Hồ sơ: lãnh đạo không đồng ý đề xuất từ chối"),
    "dossier.refusal_withdrawn": _l("Hồ sơ: bỏ đề xuất từ chối khi trả lại bước trước"),
    # Report periods (core.reports.closing).
    "report_period.closed": _l("Kỳ báo cáo: chốt số liệu"),
    "report_period.reopened": _l("Kỳ báo cáo: mở lại (bỏ số liệu đã chốt)"),
    # Ticket printing (the printing adapter records through this module too).
    "printer.configured": _l("Cài đặt máy in"),
    "printer.state_changed": _l("Máy in đổi trạng thái"),
    "print_job.queued": _l("Lệnh in: xếp hàng"),
    "print_job.sent": _l("Lệnh in: đã gửi tới máy in"),
    "print_job.failed": _l("Lệnh in: không in được"),
    "print_job.reprinted": _l("Lệnh in: in lại"),
    "print_job.dismissed": _l("Lệnh in: bỏ qua cảnh báo"),
    # Notices to citizens (core.notices).
    "notice.consent_given": _l("Người dân đồng ý nhận thông báo"),
    "notice.queued": _l("Thông báo: xếp hàng gửi"),
    "notice.sent": _l("Thông báo: đã gửi"),
    "notice.failed": _l("Thông báo: không gửi được"),
    "notice.retried": _l("Thông báo: gửi lại"),
    "notice.withdrawn": _l("Thông báo: không gửi nữa"),
}
# What a page that only reads personal data records (it changes nothing else).
READING_ACTIONS = frozenset(
    {
        "dossier.viewed",
        "dossier.form_printed",
        "dossier.result_read",
        "reception_slip.printed",
        "register.downloaded",
    }
)

SUBJECTS = {
    "service": _l("Dịch vụ"),
    "counter": _l("Quầy"),
    "user": _l("Tài khoản"),
    "device": _l("Thiết bị"),
    "ticket": _l("Số thứ tự"),
    "appointment": _l("Lịch hẹn"),
    "bookingsettings": _l("Cài đặt đặt lịch"),
    "dossier": _l("Hồ sơ"),
    "receptionslip": _l("Phiếu tiếp nhận"),
    "countersession": _l("Phiên làm việc"),
    "procedure": _l("Thủ tục"),
    "agency": _l("Cơ quan"),
    "processingunit": _l("Đơn vị xử lý"),
    "internalprocess": _l("Quy trình nội bộ"),
    "calendarday": _l("Lịch làm việc"),
    "person": _l("Người nộp"),
    "dossier_setting": _l("Cấu hình một cửa"),
    "queue_setting": _l("Cài đặt gọi số"),
    "printjob": _l("Lệnh in"),
    "report_period": _l("Kỳ báo cáo"),
    "register": _l("Sổ theo dõi hồ sơ"),
    "exportjob": _l("Tệp xuất"),
    "notice": _l("Thông báo"),
}


def event_values(
    action: str,
    subject_type: str,
    subject_id: int | None,
    *,
    user_id: int | None = None,
    device_id: int | None = None,
    details: dict | None = None,
) -> dict:
    """The columns of one audit row; refuses an action missing from the catalogue."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} is not in core.audit.ACTIONS")
    return {
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "user_id": user_id,
        "device_id": device_id,
        "details": details or {},
    }


def record_event(action: str, subject, *, user=None, device=None, **details) -> AuditEvent:
    """Add an audit event; the caller commits.

    `subject` is a model instance with an id, or a `(subject_type, subject_id)` pair for
    what is not one row (a person's data, the desk's settings).
    """
    if isinstance(subject, tuple):
        subject_type, subject_id = subject
    else:
        subject_type, subject_id = type(subject).__name__.lower(), subject.id
    event = AuditEvent(
        **event_values(
            action,
            subject_type,
            subject_id,
            user_id=user.id if user is not None else None,
            device_id=device.id if device is not None else None,
            details=details,
        )
    )
    db.session.add(event)
    return event


def action_name(action: str) -> str:
    """'dossier.transfer' → 'Hồ sơ: chuyển cho đơn vị xử lý'; unknown actions as they are."""
    return str(ACTIONS.get(action, action))


def subject_name(subject_type: str) -> str:
    return str(SUBJECTS.get(subject_type, subject_type))
