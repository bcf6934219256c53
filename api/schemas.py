"""Checks for JSON request bodies: clear messages, nothing written on failure."""

from flask import request
from flask_babel import lazy_gettext as _l

from core.errors import DomainError, InvalidInput


class MalformedJSON(DomainError):
    code = "malformed_json"
    status = 400
    message = _l("Nội dung gửi lên không phải JSON hợp lệ.")


def json_object() -> dict:
    """The request body as a JSON object, or a 400 that says why."""
    if not request.is_json:
        raise MalformedJSON(_l("Nội dung phải ở dạng JSON (Content-Type: application/json)."))
    body = request.get_json(silent=True)
    if body is None:
        raise MalformedJSON()
    if not isinstance(body, dict):
        raise MalformedJSON(_l("Nội dung JSON phải là một đối tượng {{…}}."))
    return body


def required_string(body: dict, field: str, max_length: int = 64) -> str:
    value = body.get(field)
    if value is None:
        raise InvalidInput(_l("Thiếu trường “{field}”."), field=field)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InvalidInput(
            _l("Trường “{field}” phải là chuỗi ký tự, không rỗng, tối đa {max_length} ký tự."),
            field=field,
            max_length=max_length,
        )
    return value.strip()


def optional_bool(body: dict, field: str, default: bool = False) -> bool:
    value = body.get(field, default)
    if not isinstance(value, bool):
        raise InvalidInput(_l("Trường “{field}” phải là true hoặc false."), field=field)
    return value


def reject_unknown_fields(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(_l("Trường không được hỗ trợ: {fields}."), fields=", ".join(unknown))
