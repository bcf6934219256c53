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
from core.dossiers.states import AT_STEP, Action, Move, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.errors import InvalidInput
from core.models import (
    Dossier,
    DossierStep,
    ProcessStep,
    ResultDocument,
    Role,
    StepRole,
    User,
)
from core.processes.steps import open_stay
from extensions import db

# Which account role acts at which step role.
ACTS_AT = {
    Role.SPECIALIST: StepRole.SPECIALIST,
    Role.UNIT_HEAD: StepRole.UNIT_HEAD,
    Role.AGENCY_LEADER: StepRole.AGENCY_LEADER,
}
# Who may weigh a refusal proposed at an earlier step.
APPROVERS = frozenset({Role.UNIT_HEAD, Role.AGENCY_LEADER})


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


def heads_step(user: User, step: ProcessStep | None) -> bool:
    """Whether `user` is the head of the unit `step` belongs to."""
    return (
        step is not None
        and user.role == Role.UNIT_HEAD
        and step.unit_id is not None
        and step.unit_id == user.unit_id
        and user.agency_id == step.process.agency_id
    )


def may_read(user: User, dossier: Dossier) -> bool:
    """Whether a processing officer may open `dossier` (its page, its result documents):
    they act at its current step, head the unit of that step, or handled one of its stays."""
    if dossier.agency_id != user.agency_id:
        return False
    if acts_at(user, dossier.step) or heads_step(user, dossier.step):
        return True
    handled = db.select(DossierStep.id).filter_by(dossier_id=dossier.id, handled_by_id=user.id)
    return db.session.execute(handled.limit(1)).first() is not None


def may_reassign(head: User, dossier: Dossier) -> bool:
    """Whether `head` may give `dossier` to another officer: it waits at a step of their unit."""
    return dossier.status in AT_STEP and heads_step(head, dossier.step)


def can_take_over(officer: User, step: ProcessStep) -> bool:
    """Whether `officer` may be given a dossier at `step`: an active officer of the step."""
    return officer.active and acts_at(officer, step)


def reassignable_officers(head: User, dossier: Dossier) -> list[User]:
    """Whom `head` may give `dossier` to: the active officers of its step in their unit."""
    if not may_reassign(head, dossier):
        return []
    candidates = db.session.execute(
        db.select(User).filter_by(unit_id=head.unit_id, active=True).order_by(User.username)
    ).scalars()
    return [officer for officer in candidates if can_take_over(officer, dossier.step)]


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
    """Send the dossier back to the step before, saying why. A refusal proposed on the way
    is withdrawn with it: the step before weighs the dossier afresh."""
    step = check_at_step(dossier, user)
    if step.back_position is None:
        raise DossierRuleBroken(_l("Bước này không trả lại được bước nào."))
    target = dossier.process.step_at(step.back_position)
    if dossier.refusal_proposal:
        record_event(
            "dossier.refusal_withdrawn",
            dossier,
            user=user,
            code=dossier.code,
            proposal=dossier.refusal_proposal,
            reason=reason,
        )
        dossier.refusal_proposal = ""
        dossier.refusal_confirmed_stay_id = None
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
    dossier.refusal_confirmed_stay_id = None
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


def refusal_to_weigh(dossier: Dossier) -> bool:
    """Whether a refusal proposal waits to be weighed at the step the dossier is at: one
    stands, and it was not confirmed since the dossier came to this step."""
    if not dossier.refusal_proposal:
        return False
    stay = open_stay(dossier)
    return stay is None or dossier.refusal_confirmed_stay_id != stay.id


def weigh_refusal(
    dossier: Dossier,
    user: User,
    *,
    confirm: bool,
    reason: str = "",
) -> None:
    """The approver at the step after a refusal was proposed (a unit head, the agency's
    leader) confirms it, once at each step, or rejects it saying why: the proposal is then
    withdrawn and the dossier goes on to its result. Either way an audit event records who
    decided what."""
    check_at_step(dossier, user)
    if user.role not in APPROVERS:
        raise DossierRuleBroken(
            _l("Chỉ lãnh đạo đơn vị hoặc lãnh đạo cơ quan duyệt đề xuất từ chối.")
        )
    proposal = dossier.refusal_proposal
    if not proposal:
        raise DossierRuleBroken(_l("Hồ sơ {code} không có đề xuất từ chối."), code=dossier.code)
    if not refusal_to_weigh(dossier):
        raise DossierRuleBroken(
            _l("Đề xuất từ chối hồ sơ {code} đã được đồng ý ở bước này."), code=dossier.code
        )
    reason = " ".join(reason.split())
    if confirm:
        dossier.refusal_confirmed_stay_id = open_stay(dossier).id
        record_event(
            "dossier.refusal_confirmed", dossier, user=user, code=dossier.code, proposal=proposal
        )
        return
    if not reason:
        raise InvalidInput(_l("Hãy ghi lý do không đồng ý từ chối."), field="reason")
    dossier.refusal_proposal = ""
    dossier.refusal_confirmed_stay_id = None
    record_event(
        "dossier.refusal_rejected",
        dossier,
        user=user,
        code=dossier.code,
        proposal=proposal,
        reason=reason,
    )


def send_to_desk(
    dossier: Dossier,
    user: User,
    note: str = "",
    *,
    refusing: bool | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
):
    """From the last step: the dossier goes to the desk for return, with its document
    recorded - as a result (RESOLVE), or as a refusal (REFUSE) when a refusal proposal is
    still standing (proposed, and neither rejected nor sent back since). `refusing` is what
    the officer's page said it would be: a page overtaken by a decision is refused."""
    step = check_at_step(dossier, user)
    if step.next_positions:
        raise DossierRuleBroken(
            _l("Chỉ bước cuối của quy trình chuyển kết quả về bộ phận một cửa.")
        )
    if not has_result_document(dossier):
        raise DossierRuleBroken(
            _l("Hãy tải lên văn bản kết quả (hoặc văn bản từ chối) trước khi chuyển trả.")
        )
    standing = bool(dossier.refusal_proposal)
    if refusing is not None and refusing != standing:
        raise DossierRuleBroken(
            _l("Đề xuất từ chối hồ sơ {code} vừa thay đổi: hãy xem lại trước khi chuyển trả."),
            code=dossier.code,
        )
    refusing = standing
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
    if not may_reassign(head, dossier):
        raise NotYourStep(code=dossier.code)
    if not can_take_over(officer, dossier.step):
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
