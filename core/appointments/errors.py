"""Errors of booking and check-in: each says what the citizen can do instead."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, InvalidInput, NotFound


class BookingRefused(InvalidInput):
    code = "booking_invalid"


class NotBookable(NotFound):
    code = "not_bookable"
    message = _l("Dịch vụ “{service}” không nhận đặt lịch hẹn.")


class SlotNotOffered(InvalidInput):
    code = "slot_not_offered"
    message = _l(
        "Không thể đặt lịch lúc {start}: giờ này đã qua, đã hết hạn đặt hoặc không nằm trong "
        "giờ nhận đặt lịch. Vui lòng chọn giờ khác."
    )


class SlotFull(DomainError):
    code = "slot_full"
    status = 409
    message = _l("Khung giờ {start} đã kín chỗ. Vui lòng chọn giờ khác.")


class AlreadyBooked(InvalidInput):
    code = "already_booked"
    message = _l(
        "Đã có một lịch hẹn còn hiệu lực cho dịch vụ này trong ngày {day} với cùng số điện "
        "thoại, e-mail hoặc số CCCD. Hãy dùng đường dẫn của lịch đó để đổi giờ hoặc hủy."
    )


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"
    message = _l("Không tìm thấy lịch hẹn này. Vui lòng kiểm tra lại mã lịch hẹn.")


class NoBookingToday(NotFound):
    code = "no_booking_today"
    message = _l("Không có lịch hẹn nào hôm nay cho số CCCD này.")


class AppointmentClosed(DomainError):
    code = "appointment_closed"
    status = 409
    message = _l("Lịch hẹn {code} đã {status}, không thể thay đổi.")


class AlreadyCheckedIn(DomainError):
    code = "already_checked_in"
    status = 409
    message = _l("Lịch hẹn {code} đã được xác nhận có mặt và đã nhận số {ticket}.")


class OutsideCheckInWindow(DomainError):
    code = "outside_check_in_window"
    status = 409
    message = _l(
        "Lịch hẹn {code} lúc {start}: chỉ xác nhận có mặt được từ {opens} đến {closes}. "
        "Quý khách có thể lấy số thứ tự thông thường."
    )


class TooManyMoves(DomainError):
    code = "too_many_moves"
    status = 409
    message = _l(
        "Lịch hẹn {code} đã được đổi giờ {moves} lần, không thể đổi thêm. Quý khách có thể "
        "hủy lịch này và đặt lịch mới."
    )
