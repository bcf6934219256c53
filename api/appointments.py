"""Booking appointments: the free slots of a service's day, and booking one (no key: citizens
book from their phones, limited per address)."""

from datetime import date

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from core.appointments.booking import Booker, book, find_service, manage_url
from core.appointments.slots import offered_slots, parse_start
from core.clock import to_local
from core.errors import InvalidInput
from extensions import db, limiter
from security import booking_limit

from . import blueprint
from .schemas import json_object, reject_unknown_fields, required_string


def parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise InvalidInput(
            _l("Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-03-02."), field="date"
        ) from None


def optional_text(body: dict, field: str, max_length: int = 200) -> str:
    value = body.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidInput(
            _l("Trường “{field}” phải là chuỗi ký tự, tối đa {max_length} ký tự."),
            field=field,
            max_length=max_length,
        )
    return value


def consent_channels(body: dict) -> tuple[str, ...]:
    value = body.get("consent", [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(
            _l('Trường “consent” phải là danh sách kênh: "sms", "email", "zalo".'),
            field="consent",
        )
    return tuple(value)


def appointment_json(appointment) -> dict:
    return {
        "code": appointment.code,
        "token": appointment.token,
        "start": to_local(appointment.starts_at).isoformat(timespec="seconds"),
        "service": appointment.service.code,
        "status": appointment.status.value,
        "manage_url": manage_url(appointment.token),
    }


@blueprint.get("/appointments/slots")
def list_slots():
    service = find_service(request.args.get("service", ""))
    slots = offered_slots(service, parse_day(request.args.get("date")))
    return jsonify(
        [
            {
                "start": to_local(slot.start).isoformat(timespec="seconds"),
                "capacity": slot.capacity,
                "free": slot.free,
            }
            for slot in slots
        ]
    )


@blueprint.post("/appointments")
@limiter.limit(booking_limit)
def create_appointment():
    body = json_object()
    reject_unknown_fields(
        body, {"service", "start", "name", "phone", "email", "citizen_id", "consent"}
    )
    service = find_service(required_string(body, "service"))  # an unknown one: 404 first
    contact = Booker(
        name=required_string(body, "name", 200),
        phone=optional_text(body, "phone", 20),
        email=optional_text(body, "email"),
        citizen_id=optional_text(body, "citizen_id", 20),
        consent=consent_channels(body),
    )
    appointment = book(service.code, parse_start(required_string(body, "start")), contact)
    payload = appointment_json(appointment)
    db.session.commit()
    return jsonify(payload), 201, {"Location": payload["manage_url"]}
