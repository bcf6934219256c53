"""API v1 endpoints: thin views over `core`."""

from pathlib import Path

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from core.accounts.devices import authenticate_device, authenticated_device
from core.appointments.check_in import check_in
from core.clock import local_now, to_local
from core.db.transactions import begin_write_transaction_afresh, commits_on_its_own
from core.dossiers.citizen_card import looks_like_card, parse_card
from core.errors import InvalidInput
from core.models import DeviceKind, Service, Ticket
from core.notices.consent import masked_phone, ticket_contact_given
from core.queue.issuing import take_ticket
from core.queue.positions import (
    TrackedTicket,
    estimated_wait_minutes,
    find_ticket,
    place_in_queue,
    track_ticket,
    tracking_url,
)
from core.queue.service_lookup import ServiceInfo, active_services, service_info, service_name
from core.queue.waiting_counts import waiting_counts
from extensions import db, limiter
from printing.ticket_hook import queue_slip, slip_to_queue
from security import device_bucket, ticket_limit

from . import blueprint
from .schemas import json_object, optional_bool, reject_unknown_fields, required_string

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


@blueprint.before_request
def limit_body_size():
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]


def bearer_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


def ticket_json(
    ticket: Ticket | TrackedTicket,
    service: Service | ServiceInfo | None = None,
    ahead: int | None = None,
) -> dict:
    """The ticket as the API shows it; `service` and `ahead` spare queries when known."""
    service = service or ticket.service
    ahead = place_in_queue(ticket) if ahead is None else ahead
    return {
        "number": ticket.number,
        "sequence": ticket.sequence,
        "service": service.code,
        "service_name": service_name(service),
        "priority": ticket.priority,
        "status": ticket.status.value,
        "token": ticket.token,
        "tracking_url": tracking_url(ticket.token),
        "waiting_ahead": ahead,
        "estimated_wait_minutes": estimated_wait_minutes(ticket, ahead),
        "issued_at": to_local(ticket.issued_at).isoformat(timespec="seconds"),
        "counter": ticket.counter.number if ticket.counter_id else None,
    }


@blueprint.get("/health")
def health():
    """A trivial endpoint: no database, the baseline of the benchmark."""
    return jsonify(status="ok")


@blueprint.get("/openapi.json")
def openapi():
    return current_app.response_class(OPENAPI_PATH.read_bytes(), mimetype="application/json")


@blueprint.get("/services")
def list_services():
    now = local_now()
    counts = waiting_counts(now.date())
    services = [
        {
            "code": service.code,
            "name": service_name(service),
            "waiting": counts.get(service.id, 0),
            "open": service.is_open_at(now),
        }
        for service in active_services()
    ]
    return jsonify(services=services)


@blueprint.post("/tickets")
@commits_on_its_own
@limiter.limit(ticket_limit, key_func=device_bucket)
def create_ticket():
    """A ticket of a service (`service`), or of a booking checked in by its code or by the
    citizen ID card's QR text (`appointment`). A card's text beside `service`
    (`citizen_card`) keeps its number on the ticket, for the counter."""
    kiosk = authenticated_device(bearer_key(), DeviceKind.KIOSK)
    body = json_object()
    reject_unknown_fields(body, {"service", "priority", "appointment", "citizen_card"})
    if "appointment" in body and "service" not in body:
        return checked_in_ticket(required_string(body, "appointment", 1000), kiosk)
    service = service_info(required_string(body, "service"))
    card = None
    if "citizen_card" in body:
        card = parse_card(required_string(body, "citizen_card", 1000), local_now().date())
    ticket = take_ticket(
        service,
        priority=optional_bool(body, "priority"),
        kiosk_id=kiosk.id,
        citizen_id=card.number if card else None,
    )
    return issued_response(ticket, kiosk, service)


def checked_in_ticket(scanned: str, kiosk):
    """Check in the booking whose code, or whose citizen's ID card, was scanned or typed."""
    card = parse_card(scanned, local_now().date()) if looks_like_card(scanned) else None
    begin_write_transaction_afresh()
    if card is None:
        appointment, ticket = check_in(code=scanned, kiosk=kiosk)
    else:
        appointment, ticket = check_in(citizen_id=card.number, kiosk=kiosk)
    service = service_info(appointment.service.code)
    return issued_response(ticket, kiosk, service, appointment.code)


def issued_response(ticket, kiosk, service, appointment: str | None = None):
    slip = slip_to_queue(ticket, kiosk)
    payload = ticket_json(ticket, service, ticket.waiting_ahead)
    booked_for = ticket.booked_for
    payload["booked_for"] = (
        to_local(booked_for).isoformat(timespec="seconds") if booked_for else None
    )
    if appointment is not None:
        payload["appointment"] = appointment
    db.session.commit()
    payload["print"] = queue_slip(slip, payload)
    return jsonify(payload), 201, {"Location": payload["tracking_url"]}


@blueprint.get("/tickets/<token>")
def show_ticket(token: str):
    return jsonify(ticket_json(track_ticket(token)))


@blueprint.post("/tickets/<token>/notices")
@limiter.limit(ticket_limit, key_func=device_bucket)
def ask_for_notices(token: str):
    """The kiosk records the phone on which the citizen agreed to be told that their turn is
    near and to which counter they are called (SMS, or Zalo when asked for)."""
    kiosk = authenticate_device(bearer_key(), DeviceKind.KIOSK)
    ticket = find_ticket(token)
    body = json_object()
    reject_unknown_fields(body, {"phone", "channel", "agree"})
    if body.get("agree") is not True:
        raise InvalidInput(_l("Cần sự đồng ý của bạn để nhắn tin báo lượt."))
    channel = body.get("channel", "sms")
    if channel not in ("sms", "zalo"):
        raise InvalidInput(_l("Kênh nhắn tin phải là sms hoặc zalo."))
    contact = ticket_contact_given(
        ticket, channel, required_string(body, "phone", 20), device=kiosk
    )
    db.session.commit()
    return jsonify(channel=contact.channel.value, phone=masked_phone(contact.recipient)), 201
