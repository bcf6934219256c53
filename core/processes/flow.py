"""What processing officers do with the dossiers at their steps: take one, hand it on (to
the next step or one the process allows), send it back a step with a reason, ask the desk
for a supplement, propose a refusal, record the result with its document, send it to the
desk for return; a unit's head gives a dossier to another officer of the unit.

Each checks that the officer acts at their own step (their agency, their unit, the step's
role) and moves the dossier through the state machine, which writes the history row (a
row of the control slip for every hand-over), the stays and the audit event. The caller
commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.dossiers.calendar import WorkCalendar
from core.dossiers.errors import DossierRuleBroken
from core.dossiers.states import Action, Move, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.errors import InvalidInput
from core.models import (
    Dossier,
    DossierStatus,
    ProcessStep,
    ResultDocument,
    Role,
    StepRole,
    User,
)
from extensions import db

# Which account role acts at which step role.
ACTS_AT = {
    Role.SPECIALIST: StepRole.SPECIALIST,
    Role.UNIT_HEAD: StepRole.UNIT_HEAD,
    Role.AGENCY_LEADER: StepRole.AGENCY_LEADER,
}
AT_STEP = frozenset({DossierStatus.TRANSFERRED, DossierStatus.PROCESSING})


class NotYourStep(DossierRuleBroken):
    code = "not_your_step"
    status = 403
    message = _l("Hồ sơ {code} không ở bước của anh/chị.")


def acts_at(user: User, step: ProcessStep | None) -> bool:
    """Whether `user` is one of the officers of `step`: its role, its agency, its unit."""
    if step is None or ACTS_AT.get(user.role) != step.role:
        return False
    if user.agency_id != step.process.agency_id:
        return False
    return step.unit_id is None or step.unit_id == user.unit_id


def lock(dossier: Dossier) -> None:
    """Read the dossier again under a row lock (PostgreSQL; SQLite's writer holds the whole
    database), so two officers acting at once are served one after the other: the second
    sees what the first did (a dossier taken, handed on)."""
    db.session.execute(db.select(Dossier.id).where(Dossier.id == dossier.id).with_for_update())
    db.session.refresh(dossier)


def check_at_step(dossier: Dossier, user: User, *, holding: bool = True) -> ProcessStep:
    """The dossier's step, where `user` may act (and, unless taking it, holds it)."""
    lock(dossier)
    step = dossier.step
    if dossier.status not in AT_STEP or not acts_at(user, step):
        raise NotYourStep(code=dossier.code)
    if holding and dossier.holder_id != user.id:
        raise DossierRuleBroken(_l("Hãy nhận hồ sơ {code} trước khi xử lý."), code=dossier.code)
    return step


def take(dossier: Dossier, user: User, *, now: datetime | None = None):
    """Take a dossier waiting at one's step."""
    check_at_step(dossier, user, holding=False)
    if dossier.holder_id is not None and dossier.holder_id != user.id:
        raise DossierRuleBroken(
            _l("Hồ sơ {code} đã có {name} nhận xử lý."),
            code=dossier.code,
            name=dossier.holder.full_name,
        )
    return move(dossier, Action.TAKE, user=user, details=Move(by_process=True), now=now)


def hand_on(
    dossier: Dossier,
    user: User,
    *,
    to_position: int | None = None,
    note: str = "",
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """Finish one's step and hand the dossier to the next step, or to one the step allows."""
    step = check_at_step(dossier, user)
    allowed = list(step.next_positions)
    if not allowed:
        raise DossierRuleBroken(
            _l("Bước cuối của quy trình: hãy ghi kết quả và chuyển bộ phận một cửa trả kết quả.")
        )
    position = allowed[0] if to_position is None else to_position
    if position not in allowed:
        raise InvalidInput(
            _l("Từ bước {step} chỉ chuyển được tới bước {allowed}."),
            step=step.position,
            allowed=", ".join(str(target) for target in allowed),
            field="to_position",
        )
    target = dossier.process.step_at(position)
    return move(
        dossier,
        Action.HAND_OVER,
        user=user,
        details=Move(note=note, target_step=target, by_process=True),
        now=now,
        calendar=calendar,
    )


def send_back(
    dossier: Dossier,
    user: User,
    reason: str,
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """Send the dossier back to the step before, saying why."""
    step = check_at_step(dossier, user)
    if step.back_position is None:
        raise DossierRuleBroken(_l("Bước này không trả lại được bước nào."))
    target = dossier.process.step_at(step.back_position)
    return move(
        dossier,
        Action.SEND_BACK,
        user=user,
        details=Move(note=reason, target_step=target, by_process=True),
        now=now,
        calendar=calendar,
    )


def ask_supplement(
    dossier: Dossier,
    user: User,
    draft: SupplementDraft,
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """Ask, through the desk, for the documents missing (form 02, the one way to ask):
    the step waits, and the dossier comes back to it when the desk receives them."""
    check_at_step(dossier, user)
    return request_supplement(dossier, draft, user=user, now=now, calendar=calendar)


def propose_refusal(
    dossier: Dossier,
    user: User,
    reason: str,
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """Propose refusing the dossier, with the reason, and hand it on for approval."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(_l("Hãy ghi lý do đề xuất từ chối."), field="reason")
    step = check_at_step(dossier, user)
    dossier.refusal_proposal = reason
    record_event("dossier.refusal_proposed", dossier, user=user, code=dossier.code, reason=reason)
    if not step.next_positions:
        return None
    return hand_on(
        dossier,
        user,
        note=str(_l("Đề xuất từ chối: {reason}")).format(reason=reason),
        now=now,
        calendar=calendar,
    )


def send_to_desk(
    dossier: Dossier,
    user: User,
    note: str = "",
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """From the last step: the result (or the refusal proposed and approved) goes to the
    desk for return, with the document recorded."""
    step = check_at_step(dossier, user)
    if step.next_positions:
        raise DossierRuleBroken(
            _l("Chỉ bước cuối của quy trình chuyển kết quả về bộ phận một cửa.")
        )
    if not has_result_document(dossier):
        raise DossierRuleBroken(
            _l("Hãy tải lên văn bản kết quả (hoặc văn bản từ chối) trước khi chuyển trả.")
        )
    refusing = bool(dossier.refusal_proposal)
    action = Action.REFUSE if refusing else Action.RESOLVE
    note = note.strip() or (dossier.refusal_proposal if refusing else "")
    return move(
        dossier,
        action,
        user=user,
        details=Move(note=note, by_process=True),
        now=now,
        calendar=calendar,
    )


def reassign(
    dossier: Dossier,
    head: User,
    officer: User,
    *,
    now: datetime | None = None,
):
    """A unit's head gives a dossier at a step of the unit to another of its officers."""
    lock(dossier)
    step = dossier.step
    if (
        head.role != Role.UNIT_HEAD
        or step is None
        or step.unit_id is None
        or step.unit_id != head.unit_id
        or head.agency_id != step.process.agency_id
        or dossier.status not in AT_STEP
    ):
        raise NotYourStep(code=dossier.code)
    if not officer.active or not acts_at(officer, step):
        raise InvalidInput(
            _l("{name} không phải cán bộ của bước này trong đơn vị."),
            name=officer.full_name,
            field="officer_id",
        )
    return move(
        dossier,
        Action.REASSIGN,
        user=head,
        details=Move(assignee=officer, by_process=True),
        now=now,
    )


def has_result_document(dossier: Dossier) -> bool:
    return (
        db.session.execute(
            db.select(ResultDocument.id).filter_by(dossier_id=dossier.id).limit(1)
        ).first()
        is not None
    )
