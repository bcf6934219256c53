"""Errors of the counter desk: each says in plain Vietnamese what to do instead."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, Forbidden, InvalidInput, NotFound


class CounterNotFound(NotFound):
    code = "counter_not_found"
    message = _l("Không có quầy số {number}.")


class CounterInactive(DomainError):
    code = "counter_inactive"
    status = 409
    message = _l("Quầy số {number} đang tạm ngừng hoạt động.")


class CounterTaken(DomainError):
    code = "counter_taken"
    status = 409
    message = _l(
        "Quầy số {number} đang do cán bộ {officer} làm việc (từ {since}). "
        "Vui lòng chọn quầy khác, hoặc đề nghị cán bộ đó trả quầy."
    )


class NotAtCounter(Forbidden):
    code = "not_at_counter"
    message = _l("Bạn chưa nhận làm việc tại quầy số {number}. Hãy chọn quầy trước.")


class NoCounterSession(DomainError):
    code = "no_counter_session"
    status = 409
    message = _l("Bạn chưa nhận quầy nào hôm nay. Hãy chọn quầy làm việc.")


class WrongCounterDevice(Forbidden):
    code = "wrong_counter"
    message = _l("Thiết bị này được gán cho quầy khác, không dùng được ở quầy số {number}.")


class CounterBusy(DomainError):
    code = "counter_busy"
    status = 409
    message = _l(
        "Quầy số {number} còn số {ticket} chưa xong. "
        "Hãy hoàn thành hoặc trả số đó về hàng chờ trước."
    )


class NoCurrentTicket(DomainError):
    code = "no_current_ticket"
    status = 409
    message = _l("Quầy số {number} hiện không có số nào đang gọi hoặc đang phục vụ.")


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409
    message = _l("Không thể {action} số {ticket}: số này {status}.")


class NotEnoughCalls(DomainError):
    code = "not_enough_calls"
    status = 409
    message = _l(
        "Chỉ đánh dấu vắng mặt sau {required} lần gọi; số {ticket} mới được gọi {count} lần."
    )


class NotStarted(IllegalTransition):
    """Finishing (or finishing to call the next) a ticket whose citizen never arrived."""

    code = "not_started"
    message = _l(
        "Không thể hoàn thành số {ticket}: số này mới được gọi, chưa bắt đầu phục vụ. "
        "Khi công dân đến quầy, hãy bấm “Công dân đã đến”; nếu chưa thấy công dân, "
        "hãy gọi lại hoặc đánh dấu vắng mặt."
    )


class StaleScreen(DomainError):
    code = "stale_screen"
    status = 409
    message = _l(
        "Tình trạng quầy vừa thay đổi (có thể từ bàn phím gọi số). "
        "Màn hình đã được cập nhật, vui lòng xem lại rồi thao tác."
    )


class TransferTargetInvalid(InvalidInput):
    code = "invalid_transfer"


class NotRateable(DomainError):
    code = "not_rateable"
    status = 409
    message = _l("Số {ticket} chưa được phục vụ xong nên chưa thể đánh giá.")


class AlreadyRated(DomainError):
    code = "already_rated"
    status = 409
    message = _l("Số {ticket} đã được đánh giá. Cảm ơn quý khách!")
