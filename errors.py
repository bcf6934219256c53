"""Error handlers: JSON for the API, a friendly page elsewhere, never a stack trace."""

import time

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import (
    HTTPException,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
)

from core.db.faults import ROW_VALUES_HIDDEN, classify, fault_summary
from core.errors import DomainError
from core.i18n import in_both_languages, in_request_language
from extensions import db, limiter, login_manager

HTTP_MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Cần đăng nhập hoặc mã khóa thiết bị."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
    405: _l("Phương thức không được hỗ trợ."),
    413: _l("Dữ liệu gửi lên quá lớn (tối đa {size})."),
    414: _l("Địa chỉ trang quá dài. Vui lòng quay lại trang trước hoặc về trang chủ."),
    415: _l("Dữ liệu phải ở dạng JSON."),
    429: _l("Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."),
    431: _l(
        "Yêu cầu có phần đầu (header, cookie) quá lớn. Vui lòng xóa cookie của trang rồi thử lại."
    ),
    500: _l("Hệ thống gặp sự cố, vui lòng thử lại."),
}


CSRF_MESSAGE = _l(
    "Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật. Vui lòng tải lại trang rồi thao tác lại."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, messages: dict[str, str], **extra):
    """The one error shape: JSON on the API, the error page elsewhere."""
    message = in_request_language(messages)
    if wants_json():
        body = {
            "error": {
                "code": code,
                "message": message,
                "message_vi": messages["vi"],
                "message_en": messages["en"],
                **extra,
            }
        }
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def request_limit() -> int:
    """The body limit the refused request was held to (the API's is lower)."""
    if wants_json():
        return current_app.config["API_MAX_BODY_BYTES"]
    return request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]


def seconds_until_the_limit_resets() -> int:
    """For a refused request's Retry-After: when the limit it broke lets it in again."""
    limit = limiter.current_limit
    return max(1, int(limit.reset_at - time.time())) if limit else 60


def refuse_oversize_addresses_and_headers() -> None:
    """An address or a header above the app's limits: its own page (414, 431), before routing
    (a long unknown address is "too long", not "not found")."""
    environ = request.environ
    address = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
    if address > current_app.config["MAX_URL_LENGTH"]:
        raise RequestURITooLarge()
    limit = current_app.config["MAX_HEADER_BYTES"]
    if any(key.startswith("HTTP_") and len(value) > limit for key, value in environ.items()):
        raise RequestHeaderFieldsTooLarge()


def human_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{size // 1024} KB"


def register(app: Flask) -> None:
    app.logger.addFilter(ROW_VALUES_HIDDEN)  # no row's values in the logs
    # First of all the request's hooks: nothing else reads an oversize request.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversize_addresses_and_headers)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.status, error.code, error.messages())

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return error_response(400, "csrf_failed", in_both_languages(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400 if status < 500 else 500])
        details = {"size": human_size(request_limit())} if status == 413 else {}
        response = error_response(status, code, in_both_languages(message, **details))
        if status == 429:
            return (*response, {"Retry-After": str(seconds_until_the_limit_resets())})
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        """A full disk, a read-only or unreachable database: a clear 503, nothing written."""
        fault = classify(error)
        if fault is None:
            return unexpected_error(error)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.remove()  # the connection is gone; the pool replaces it
        g._login_user = login_manager.anonymous_user()  # the page must not load the user again
        app.logger.error(
            "Database fault on %s %s: %s", request.method, request.path, fault_summary(error)
        )
        response, status = error_response(fault.status, fault.code, fault.messages())
        return response, status, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", in_both_languages(HTTP_MESSAGES[500]))
