"""Counter API: call buttons, keypads and the rating tablet at each counter.

A counter device authenticates with its key (`Authorization: Bearer`), valid only at the
counter it is bound to. A signed-in officer may use the same endpoints from the browser
with the session cookie; the request must then carry the CSRF token in an `X-CSRFToken`
header, since a cookie alone does not prove the request came from our own page.
"""

from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.accounts.devices import RATING_KINDS, authenticate_device
from core.clock import to_local
from core.errors import Forbidden, InvalidInput, Unauthorized
from core.models import DeviceKind, RatingSource, Role, Ticket
from core.queue import calling
from core.queue.counters import current_ticket, find_counter
from core.queue.errors import WrongCounterDevice
from core.queue.ratings import find_rateable, rate_ticket, rating_target
from core.queue.service_lookup import service_name
from core.queue.ticket_flow import Actor, TicketAction
from extensions import csrf, db

from . import blueprint
from .schemas import json_object, reject_unknown_fields
from .views import bearer_key

COUNTER_ROLES = frozenset({Role.OFFICER, Role.MANAGER})


def counter_endpoint(view):
    """Declare who may call the view (for the route walk): counter devices and officers."""
    view.allowed_roles = COUNTER_ROLES
    return view


def counter_actor() -> Actor:
    """The counter device holding the bearer key, or the signed-in officer (CSRF-checked)."""
    key = bearer_key()
    if key is not None:
        return Actor(device=authenticate_device(key, DeviceKind.COUNTER))
    if not current_user.is_authenticated:
        raise Unauthorized()
    if current_user.role not in COUNTER_ROLES:
        raise Forbidden()
    csrf.protect()
    return Actor(user=current_user._get_current_object())


def rating_device(counter_number: int):
    """The rating tablet bound to this very counter: a rating key, or a keypad's key on a
    tablet paired before rating keys existed. A rating key is refused everywhere else."""
    device = authenticate_device(bearer_key(), RATING_KINDS)
    counter = find_counter(counter_number)
    if device.counter_id != counter.id:
        raise WrongCounterDevice(number=counter.number)
    return device, counter


def iso_local(moment):
    return to_local(moment).isoformat(timespec="seconds") if moment else None


def counter_ticket_json(ticket: Ticket, finished: Ticket | None = None) -> dict:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service.code,
        "service_name": service_name(ticket.service),
        "counter": ticket.counter.number if ticket.counter else None,
        "status": ticket.status.value,
        "priority": ticket.priority,
        "call_count": ticket.call_count,
        "issued_at": iso_local(ticket.issued_at),
        "called_at": iso_local(ticket.called_at),
        "finished": finished.number if finished is not None else None,
    }


@blueprint.post("/counters/<int:counter>/next")
@counter_endpoint
def counter_call_next(counter: int):
    result = calling.call_next(counter, counter_actor())
    payload = counter_ticket_json(result.called, result.finished) if result.called else None
    db.session.commit()
    if payload is None:
        return "", 204
    return jsonify(payload)


def act(counter: int, action: TicketAction):
    ticket = calling.act_on_current(counter, action, counter_actor())
    payload = counter_ticket_json(ticket)
    db.session.commit()
    return jsonify(payload)


@blueprint.post("/counters/<int:counter>/recall")
@counter_endpoint
def counter_recall(counter: int):
    return act(counter, TicketAction.RECALL)


@blueprint.post("/counters/<int:counter>/start")
@counter_endpoint
def counter_start(counter: int):
    """The citizen called to the counter has arrived: service starts now."""
    return act(counter, TicketAction.START)


@blueprint.post("/counters/<int:counter>/no-show")
@counter_endpoint
def counter_no_show(counter: int):
    return act(counter, TicketAction.NO_SHOW)


@blueprint.post("/counters/<int:counter>/finish")
@counter_endpoint
def counter_finish(counter: int):
    return act(counter, TicketAction.FINISH)


def optional_counter_number(body: dict) -> int | None:
    value = body.get("counter")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise InvalidInput(
            _l("Trường “{field}” phải là số quầy (số nguyên dương)."), field="counter"
        )
    return value


def optional_code(body: dict) -> str | None:
    value = body.get("service")
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 32):
        raise InvalidInput(_l("Trường “{field}” phải là mã dịch vụ."), field="service")
    return value.strip() if value is not None else None


@blueprint.post("/counters/<int:counter>/transfer")
@counter_endpoint
def counter_transfer(counter: int):
    actor = counter_actor()
    body = json_object()
    reject_unknown_fields(body, {"service", "counter"})
    ticket = calling.transfer(
        counter,
        actor,
        service_code=optional_code(body),
        to_counter_number=optional_counter_number(body),
    )
    payload = counter_ticket_json(ticket)
    db.session.commit()
    return jsonify(payload)


@blueprint.get("/counters/<int:counter>/rating")
def counter_rating_target(counter: int):
    """What the rating tablet shows: the ticket just served here, and who is being served."""
    _, counter_row = rating_device(counter)
    ticket = rating_target(counter_row)
    serving = current_ticket(counter_row)
    return jsonify(
        counter=counter_row.number,
        ticket=counter_ticket_json(ticket) if ticket else None,
        serving=serving.number if serving else None,
    )


@blueprint.post("/counters/<int:counter>/rating")
def counter_rate(counter: int):
    device, counter_row = rating_device(counter)
    body = json_object()
    reject_unknown_fields(body, {"ticket_id", "score", "reasons"})
    ticket = find_rateable(counter_row, body.get("ticket_id"))
    rating = rate_ticket(
        ticket,
        body.get("score"),
        body.get("reasons"),
        source=RatingSource.COUNTER,
        device=device,
    )
    payload = {"ticket": ticket.number, "score": rating.score.value, "reasons": rating.reasons}
    db.session.commit()
    return jsonify(payload), 201
