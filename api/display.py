"""The display boards' JSON state, polled cheaply with ETag / If-None-Match."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import get_locale

from core.accounts.devices import authenticated_device
from core.clock import local_now, local_today, to_local
from core.models import DeviceKind
from core.queue.areas import BoardArea
from core.queue.board import BoardCall, BoardState, board_state, board_version
from core.queue.service_lookup import service_name
from core.queue.shared import per_version

from . import blueprint
from .views import bearer_key


def call_json(call: BoardCall) -> dict:
    return {
        "id": call.id,
        "number": call.number,
        "counter": call.counter.number,
        "kind": call.kind.value,
        "called_at": to_local(call.called_at).isoformat(timespec="seconds"),
        "service": call.service.code,
        "service_name": service_name(call.service),
        "speech": {
            "text": call.announcement.text,
            "clips": list(call.announcement.clips),
        },
    }


def board_fields(state: BoardState) -> dict:
    """Everything a board shows but the time: the same for every board at one version."""
    return {
        "day": state.day.isoformat(),
        "centre": current_app.config["CENTRE_NAME"],
        "agency": state.agency or current_app.config["AGENCY_NAME"],
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


def board_json(state: BoardState) -> dict:
    return {**board_fields(state), "now": local_now().isoformat(timespec="seconds")}


@dataclass(frozen=True)
class BoardBody:
    """A board's JSON state, serialised once per version and language, all but `now`."""

    rest: str  # the JSON object of `board_fields` without its opening brace

    @classmethod
    def of(cls, state: BoardState) -> BoardBody:
        return cls(current_app.json.dumps(board_fields(state))[1:])

    def with_now(self, now: str) -> str:
        """The whole object, `now` (an ISO time: nothing to escape) first."""
        return f'{{"now": "{now}", {self.rest}\n'


@blueprint.get("/display")
def display_state():
    """The board's state; 304 with no body while nothing has changed since its ETag.

    Every board polls twice a second and the state only changes when a ticket moves, so the
    state is built once per version, language and area of the hall in each process
    (core.queue.shared) and each board's answer is that text with the time put in. A board
    set to an area (core.queue.areas) gets the same shape, with that area's calls, counters
    and queues.
    """
    board = authenticated_device(bearer_key(), DeviceKind.DISPLAY)
    area = BoardArea(board.board_agency_id, board.board_area)
    day = local_today()
    version, language = board_version(day), str(get_locale())
    etag = f"{version}.{language}.{area.key()}"
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        body = per_version(
            "board",
            (version, language, area),
            lambda: BoardBody.of(board_state(day, area=area)),
        )
        now = local_now().isoformat(timespec="seconds")
        response = current_app.response_class(body.with_now(now), mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.no_cache = True
    response.cache_control.private = True
    return response
