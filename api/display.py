"""The display boards' JSON state, polled cheaply with ETag / If-None-Match."""

from flask import current_app, jsonify, request
from flask_babel import get_locale

from core.accounts.devices import authenticate_device
from core.clock import local_now, local_today, to_local
from core.models import DeviceKind
from core.queue.board import BoardCall, BoardState, board_state, board_version
from core.queue.service_lookup import service_name

from . import blueprint
from .views import bearer_key


def call_json(call: BoardCall) -> dict:
    return {
        "id": call.id,
        "number": call.ticket.number,
        "counter": call.counter.number,
        "kind": call.event.kind.value,
        "called_at": to_local(call.event.called_at).isoformat(timespec="seconds"),
        "service": call.service.code,
        "service_name": service_name(call.service),
        "speech": {
            "text": call.announcement.text,
            "clips": list(call.announcement.clips),
        },
    }


def board_json(state: BoardState) -> dict:
    return {
        "day": state.day.isoformat(),
        "now": local_now().isoformat(timespec="seconds"),
        "centre": current_app.config["CENTRE_NAME"],
        "agency": current_app.config["AGENCY_NAME"],
        "calls": [call_json(call) for call in state.calls],
        "counters": [
            {
                "number": counter.number,
                "name": counter.name,
                "call": call_json(call) if call else None,
            }
            for counter, call in state.counters
        ],
        "services": [
            {
                "code": service.code,
                "prefix": service.prefix,
                "name": service_name(service),
                "waiting": waiting,
            }
            for service, waiting in state.queues
        ],
    }


@blueprint.get("/display")
def display_state():
    """The board's state; 304 with no body while nothing has changed since its ETag."""
    authenticate_device(bearer_key(), DeviceKind.DISPLAY)
    day = local_today()
    etag = f"{board_version(day)}.{get_locale()}"
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(board_json(board_state(day)))
    response.set_etag(etag)
    response.cache_control.no_cache = True
    response.cache_control.private = True
    return response
