"""Domain errors: each carries a stable code, an HTTP status and a Vietnamese message."""

from flask_babel import lazy_gettext as _l

from core.i18n import in_both_languages, in_request_language


class DomainError(Exception):
    """A rule of the desk was broken; nothing was written."""

    code = "error"
    status = 400
    message = _l("Yêu cầu không hợp lệ.")

    def __init__(self, message=None, **details):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.details = details

    def messages(self) -> dict[str, str]:
        """The message in Vietnamese and English, for API clients of either language."""
        return in_both_languages(self.message, **self.details)

    def in_request_language(self) -> str:
        return in_request_language(self.messages())


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = _l("Không tìm thấy.")


class ServiceNotFound(NotFound):
    code = "service_not_found"
    message = _l("Không có dịch vụ mã “{service}”.")


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    message = _l("Không tìm thấy số thứ tự này. Vui lòng kiểm tra lại mã trên phiếu.")


class ServiceUnavailable(DomainError):
    status = 409


class ServiceInactive(ServiceUnavailable):
    code = "service_inactive"
    message = _l("Dịch vụ “{service}” hiện đã ngừng cấp số.")


class ServiceClosed(ServiceUnavailable):
    code = "service_closed"
    message = _l("Dịch vụ “{service}” đang ngoài giờ làm việc, chưa cấp số.")


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401
    message = _l("Thiếu hoặc sai mã khóa thiết bị.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    message = _l("Thiết bị này không được phép thực hiện thao tác này.")
