"""The dossier lifecycle in one place: the states, the moves allowed between them, and
the one function that moves a dossier and writes its history."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.clock import local_text, utcnow
from core.dossiers.applicants import record_collection
from core.dossiers.calendar import WorkCalendar
from core.dossiers.errors import DossierRuleBroken, IllegalTransition
from core.dossiers.sequences import next_value
from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput
from core.models import (
    Channel,
    Collector,
    Dossier,
    DossierEvent,
    DossierStatus,
    DossierSupplementRequest,
    ProcessStep,
    StepOutcome,
    User,
)
from core.notices.events import dossier_moved
from core.processes import steps
from core.processes.steps import DESK_UNIT
from extensions import db

S = DossierStatus


class Action(enum.StrEnum):
    RECEIVE = "receive"
    TRANSFER = "transfer"
    START = "start"
    HAND_OVER = "hand_over"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    APOLOGISE = "apologise"
    RESOLVE = "resolve"
    REFUSE = "refuse"
    RETURN = "return"
    WITHDRAW = "withdraw"
    STOP = "stop"
    # At the steps of an internal process (core.processes.flow).
    TAKE = "take"
    SEND_BACK = "send_back"
    REASSIGN = "reassign"


OPEN = frozenset({S.RECEIVED, S.TRANSFERRED, S.PROCESSING, S.SUPPLEMENT})
# At a step of the agency's internal process, in a processing officer's in-tray.
AT_STEP = frozenset({S.TRANSFERRED, S.PROCESSING})
# Still in the desk's hands: open, or resolved and waiting to be returned.
STILL_OPEN = OPEN | {S.RESOLVED}

# action: (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[Action, tuple[frozenset[DossierStatus], DossierStatus | None]] = {
    Action.TRANSFER: (frozenset({S.RECEIVED}), S.TRANSFERRED),
    Action.START: (frozenset({S.TRANSFERRED}), S.PROCESSING),
    Action.HAND_OVER: (frozenset({S.PROCESSING}), None),
    Action.REQUEST_SUPPLEMENT: (frozenset({S.TRANSFERRED, S.PROCESSING}), S.SUPPLEMENT),
    Action.SUPPLEMENT_RECEIVED: (frozenset({S.SUPPLEMENT}), S.PROCESSING),
    Action.APOLOGISE: (frozenset({S.TRANSFERRED, S.PROCESSING, S.SUPPLEMENT}), None),
    Action.RESOLVE: (frozenset({S.PROCESSING}), S.RESOLVED),
    Action.REFUSE: (frozenset({S.TRANSFERRED, S.PROCESSING}), S.REFUSED),
    Action.RETURN: (frozenset({S.RESOLVED, S.REFUSED}), S.RETURNED),
    Action.WITHDRAW: (OPEN, S.WITHDRAWN),
    Action.STOP: (OPEN, S.STOPPED),
    Action.TAKE: (frozenset({S.TRANSFERRED, S.PROCESSING}), S.PROCESSING),
    Action.SEND_BACK: (frozenset({S.PROCESSING}), None),
    Action.REASSIGN: (frozenset({S.TRANSFERRED, S.PROCESSING}), S.PROCESSING),
}

# The moves that, for a dossier on an internal process, only its processing officers make
# (core.processes.flow, which marks its moves `by_process`); a dossier on no process never
# makes the last three.
PROCESS_MOVES = frozenset(
    {
        Action.START,
        Action.HAND_OVER,
        Action.RESOLVE,
        Action.REFUSE,
        Action.TAKE,
        Action.SEND_BACK,
        Action.REASSIGN,
    }
)
STEP_ONLY = frozenset({Action.TAKE, Action.SEND_BACK, Action.REASSIGN})

STATUS_LABELS = {
    S.RECEIVED: _l("Đã tiếp nhận"),
    S.TRANSFERRED: _l("Đã chuyển đơn vị xử lý"),
    S.PROCESSING: _l("Đang xử lý"),
    S.SUPPLEMENT: _l("Chờ bổ sung hồ sơ"),
    S.RESOLVED: _l("Đã có kết quả"),
    S.REFUSED: _l("Từ chối giải quyết (có văn bản trả lời)"),
    S.RETURNED: _l("Đã trả kết quả"),
    S.WITHDRAWN: _l("Đã rút hồ sơ"),
    S.STOPPED: _l("Đã dừng giải quyết"),
}
ACTION_LABELS = {
    Action.RECEIVE: _l("tiếp nhận"),
    Action.TRANSFER: _l("chuyển cho đơn vị xử lý"),
    Action.START: _l("nhận xử lý"),
    Action.HAND_OVER: _l("chuyển tiếp giữa các đơn vị"),
    Action.REQUEST_SUPPLEMENT: _l("yêu cầu bổ sung"),
    Action.SUPPLEMENT_RECEIVED: _l("nhận hồ sơ đã bổ sung"),
    Action.APOLOGISE: _l("gửi thư xin lỗi và hẹn lại"),
    Action.RESOLVE: _l("ghi nhận có kết quả"),
    Action.REFUSE: _l("từ chối giải quyết"),
    Action.RETURN: _l("trả kết quả"),
    Action.WITHDRAW: _l("ghi nhận rút hồ sơ"),
    Action.STOP: _l("dừng giải quyết hồ sơ"),
    Action.TAKE: _l("nhận xử lý tại bước của quy trình"),
    Action.SEND_BACK: _l("trả lại bước trước"),
    Action.REASSIGN: _l("giao cho cán bộ khác trong đơn vị"),
}


@dataclass
class Move:
    """What the officer entered with a move (a supplement request comes prepared by
    core.dossiers.supplements, the one way to ask for one)."""

    note: str = ""
    to_unit: str = ""
    receiver_name: str = ""
    new_due_at: datetime | None = None
    supplement: DossierSupplementRequest | None = None
    # The return: how the result was collected and by whom (the owner in person unless said).
    collected_via: Channel = Channel.DIRECT
    collected_by: Collector = Collector.OWNER
    collector_name: str = ""
    # At the steps of an internal process: who acts, the step handed on to, the officer a
    # dossier is given to.
    officer: User | None = None
    target_step: ProcessStep | None = None
    assignee: User | None = None
    by_process: bool = False


def allowed_actions(dossier: Dossier) -> list[Action]:
    """The moves open to the desk for a dossier in its current state (the buttons shown);
    on a process, the processing officers make theirs from their in-trays."""
    barred = PROCESS_MOVES if dossier.step_id is not None else STEP_ONLY
    return [
        action
        for action, (sources, _) in TRANSITIONS.items()
        if dossier.status in sources and action not in barred
    ]


def move(
    dossier: Dossier,
    action: Action | str,
    *,
    user=None,
    details: Move | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> DossierEvent:
    """Apply `action` to `dossier`, or refuse it saying why; writes the history row and
    the audit event in the caller's transaction (the caller commits)."""
    action = Action(action)
    details = details or Move()
    details.officer = details.officer or user
    now = now or utcnow()
    check_allowed(dossier, action)
    if not details.by_process and action in (
        PROCESS_MOVES if dossier.step_id is not None else STEP_ONLY
    ):
        raise DossierRuleBroken(
            _l(
                "Hồ sơ {code} được xử lý theo quy trình nội bộ: bước này do cán bộ của "
                "đơn vị xử lý thực hiện."
            ),
            code=dossier.code,
        )
    _, target = TRANSITIONS[action]
    calendar = calendar or work_calendar(now)
    before = dossier.status
    event = DossierEvent(
        action=action.value,
        from_status=before.value,
        to_status=(target or before).value,
        occurred_at=now,
        user_id=user.id if user is not None else None,
        note=details.note.strip(),
    )
    audit_details = APPLY[action](dossier, event, details, now, calendar) or {}
    dossier.status = target or before
    event.dossier = dossier  # attached only now, complete: history rows are never updated
    db.session.add(event)
    db.session.flush()
    record_event(
        f"dossier.{action.value}",
        dossier,
        user=user,
        code=dossier.code,
        from_status=before.value,
        to_status=dossier.status.value,
        note=event.note,
        verdict=event.verdict,
        **audit_details,
    )
    dossier_moved(dossier, action.value)  # notices to the applicant, if they agreed
    return event


def check_allowed(dossier: Dossier, action: Action) -> None:
    """Refuse, saying why, a move the dossier's state does not allow."""
    sources, _ = TRANSITIONS.get(action, (frozenset(), None))
    if dossier.status not in sources:
        raise IllegalTransition(
            dossier=dossier.code,
            status=STATUS_LABELS[dossier.status],
            action=ACTION_LABELS[action],
        )


def record_receipt(dossier: Dossier, user=None) -> DossierEvent:
    """The first history row of a dossier (reception or import)."""
    event = DossierEvent(
        dossier=dossier,
        action=Action.RECEIVE.value,
        from_status=None,
        to_status=dossier.status.value,
        occurred_at=dossier.received_at,
        user_id=user.id if user is not None else None,
        note="",
    )
    db.session.add(event)
    return event


def _handover(event: DossierEvent, from_unit, to_unit, receiver, due, now, calendar) -> None:
    event.from_unit = str(from_unit)
    event.to_unit = str(to_unit)
    event.receiver_name = receiver.strip()
    event.step_due_at = due
    event.verdict = calendar.timeliness(now, due).value if due else None


def _require(condition: bool, message, **values) -> None:
    if not condition:
        raise InvalidInput(message, **values)


def _transfer(dossier, event, details, now, calendar):
    dossier.transferred_at = now
    target = steps.first_processing_step(dossier)
    if target is not None:
        # Under a process: the desk's step ends, the first processing step's in-tray gets it.
        from_unit, to_unit, due = steps.pass_on(
            dossier, target, StepOutcome.HANDED_ON, details.officer, now, calendar
        )
        _handover(event, from_unit, to_unit, details.receiver_name, due, now, calendar)
        return {"step": target.position}
    unit = details.to_unit.strip() or dossier.processing_unit
    _require(bool(unit), _l("Hãy ghi đơn vị nhận hồ sơ."))
    _handover(event, DESK_UNIT, unit, details.receiver_name, dossier.transfer_due_at, now, calendar)


def _start(dossier, event, details, now, calendar):
    pass


def _step_move(dossier, event, details, now, calendar, outcome: StepOutcome):
    """Hand a dossier on, or back, to another step of its process: a row of the control
    slip judged against the allowance of the step left."""
    target = details.target_step
    from_unit, to_unit, due = steps.pass_on(
        dossier, target, outcome, details.officer, now, calendar
    )
    _handover(event, from_unit, to_unit, details.receiver_name, due, now, calendar)
    return {"step": target.position if target else None}


def _take(dossier, event, details, now, calendar):
    steps.take(dossier, details.officer, now)
    return {"step": dossier.step.position if dossier.step else None}


def _send_back(dossier, event, details, now, calendar):
    _require(bool(event.note), _l("Hãy ghi lý do trả lại."))
    return _step_move(dossier, event, details, now, calendar, StepOutcome.SENT_BACK)


def _reassign(dossier, event, details, now, calendar):
    steps.take(dossier, details.assignee, now)
    event.receiver_name = details.assignee.full_name if details.assignee else ""
    return {"to": details.assignee.username if details.assignee else None}


def _hand_over(dossier, event, details, now, calendar):
    if details.target_step is not None:
        return _step_move(dossier, event, details, now, calendar, StepOutcome.HANDED_ON)
    _require(bool(details.to_unit.strip()), _l("Hãy ghi đơn vị hoặc người nhận tiếp hồ sơ."))
    _handover(
        event,
        current_unit(dossier),
        details.to_unit,
        details.receiver_name,
        dossier.judged_due_at,
        now,
        calendar,
    )


def _request_supplement(dossier, event, details, now, calendar):
    """Attach the request core.dossiers.supplements prepared and checked."""
    request = details.supplement
    _require(request is not None, _l("Hãy lập yêu cầu bổ sung bằng phiếu yêu cầu bổ sung."))
    _require(bool(request.items), _l("Hãy ghi ít nhất một giấy tờ cần bổ sung."))
    dossier.supplement_items = list(request.items)
    dossier.supplement_requests.append(request)
    if dossier.step is not None:
        # The step waits for the applicant; the dossier comes back to it when they do.
        steps.leave(dossier, StepOutcome.SUPPLEMENT, details.officer, now, calendar)
    event.note = event.note or "; ".join(request.items)
    return {"number": request.number, "items": request.items, "late": request.late}


def _supplement_received(dossier, event, details, now, calendar):
    """The processing time restarts from zero when the complete dossier comes back. The
    due time the dossier is judged against restarts with it only if every supplement
    request of the dossier was in time: a late one never cleans a delay."""
    dossier.clock_started_at = now
    dossier.due_at = due_for(dossier, now, calendar)
    event.step_due_at = dossier.due_at
    requests = dossier.supplement_requests
    if requests and requests[-1].returned_at is None:
        requests[-1].returned_at = now
        requests[-1].restarted_due_at = dossier.due_at
    if not any(request.late for request in requests):
        dossier.judged_due_at = dossier.due_at
    if dossier.step is not None:
        steps.enter(dossier, dossier.step, now, calendar)
    return {"judged_due_at": dossier.judged_due_at.isoformat()}


def _apologise(dossier, event, details, now, calendar):
    """The letter goes out at least one working day before the due time: up to the close
    of the last working day before the due day (`calendar.apology_deadline`)."""
    if dossier.apologised_at is not None:
        raise DossierRuleBroken(
            _l("Hồ sơ {code} đã hẹn lại một lần; chỉ được hẹn lại một lần."), code=dossier.code
        )
    deadline = calendar.apology_deadline(dossier.due_at)
    if now > deadline:
        raise DossierRuleBroken(
            _l(
                "Văn bản xin lỗi phải gửi trước hạn ít nhất một ngày làm việc: chậm nhất "
                "{deadline} (hạn trả {due})."
            ),
            deadline=local_text(deadline),
            due=local_text(dossier.due_at),
        )
    _require(bool(event.note), _l("Hãy ghi lý do chậm trả kết quả."))
    new_due = details.new_due_at
    _require(
        new_due is not None and new_due > dossier.due_at,
        _l("Ngày hẹn mới phải sau hạn trả hiện tại."),
    )
    dossier.original_due_at = dossier.due_at
    dossier.due_at = new_due
    dossier.apologised_at = now
    dossier.apology_reason = event.note
    dossier.apology_number = next_value("apology", str(calendar.local(now).year))
    event.step_due_at = new_due


def _resolve(dossier, event, details, now, calendar, refused=False):
    """The result (or the refusal, which is the result) goes back to the desk."""
    dossier.resolved_at = now
    dossier.refused = refused
    dossier.result_note = event.note
    if dossier.step is not None:
        # Under a process: the row of the last step, judged against its own allowance (the
        # dossier itself is judged against its legal due time by the report and the return).
        from_unit, to_unit, due = steps.pass_on(
            dossier, None, StepOutcome.TO_DESK, details.officer, now, calendar
        )
        _handover(event, from_unit, to_unit, details.receiver_name, due, now, calendar)
        return
    _handover(
        event,
        current_unit(dossier),
        DESK_UNIT,
        details.receiver_name,
        dossier.judged_due_at,
        now,
        calendar,
    )


def _refuse(dossier, event, details, now, calendar):
    _require(bool(event.note), _l("Hãy ghi lý do từ chối giải quyết."))
    _resolve(dossier, event, details, now, calendar, refused=True)


def _return(dossier, event, details, now, calendar):
    record_collection(dossier, details.collected_via, details.collected_by, details.collector_name)
    dossier.returned_at = now
    event.verdict = calendar.timeliness(dossier.resolved_at or now, dossier.judged_due_at).value


def _withdraw(dossier, event, details, now, calendar):
    _require(bool(event.note), _l("Hãy ghi lý do rút hồ sơ (theo đơn của người nộp)."))
    dossier.withdrawn_at = now
    _end_steps(dossier, details, now, calendar)


def _stop(dossier, event, details, now, calendar):
    """The agency stops processing the dossier (form 05); it leaves the report like a
    withdrawn one."""
    _require(bool(event.note), _l("Hãy ghi lý do dừng giải quyết hồ sơ."))
    dossier.stopped_at = now
    _end_steps(dossier, details, now, calendar)


def _end_steps(dossier, details, now, calendar):
    if dossier.step is not None:
        steps.pass_on(dossier, None, StepOutcome.ENDED, details.officer, now, calendar)


APPLY = {
    Action.TRANSFER: _transfer,
    Action.START: _start,
    Action.HAND_OVER: _hand_over,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLEMENT_RECEIVED: _supplement_received,
    Action.APOLOGISE: _apologise,
    Action.RESOLVE: _resolve,
    Action.REFUSE: _refuse,
    Action.RETURN: _return,
    Action.WITHDRAW: _withdraw,
    Action.STOP: _stop,
    Action.TAKE: _take,
    Action.SEND_BACK: _send_back,
    Action.REASSIGN: _reassign,
}


def current_unit(dossier: Dossier) -> str:
    """The unit holding the dossier: the last one it was handed to."""
    for event in reversed(dossier.events):
        if event.to_unit:
            return event.to_unit
    return dossier.processing_unit


def due_for(dossier: Dossier, start: datetime, calendar: WorkCalendar) -> datetime:
    """The due time of the dossier's processing period counted from `start`."""
    return calendar.due(start, dossier.processing_days, dossier.processing_hours)
