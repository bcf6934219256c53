"""Supplement requests during processing (form 02): the one way to ask for one.

The processing unit asks for everything missing at once, in writing, within
`LIMIT_WORKING_DAYS` working days of receipt. "Within" means up to the close of office
hours of the 3rd working day after the day of receipt, counted like a processing period
(the day after receipt is day 1, whatever the hour; `WorkCalendar.due_after_days`). After
the complete dossier came back, the desk gave a new receipt: the limit counts from that
receipt (`clock_started_at`).

- Within the limit and before the due time: allowed, in time. When the dossier comes back
  the processing time restarts from zero, and so does the due time it is judged against.
- After the limit but before the due time: allowed, flagged late (the unit's fault).
- After the due time: refused, unless a manager (role manager) asks for it themselves with
  a reason for the confirmation; flagged late.
A late request never cleans a delay: from then on the report and the control slip judge
the dossier against the due time it had before that request (`Dossier.judged_due_at`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.clock import local_text, to_local, utcnow
from core.dossiers.calendar import WorkCalendar
from core.dossiers.errors import DossierRuleBroken
from core.dossiers.sequences import next_value
from core.dossiers.states import Action, Move, check_allowed, move
from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput, NotFound
from core.models import Dossier, DossierSupplementRequest, Role
from extensions import db

LIMIT_WORKING_DAYS = 3
MAX_ITEMS = 30


@dataclass
class SupplementDraft:
    """What the officer (or the manager) entered on the request form."""

    items: list[str] = field(default_factory=list)
    reason: str = ""
    contact: str = ""
    confirmation_reason: str = ""  # a manager's, when the due time has passed


def limit_for(dossier: Dossier, calendar: WorkCalendar) -> datetime:
    """The end of the time allowed to ask: the close of the 3rd working day after the
    day of the (last) receipt."""
    return calendar.due_after_days(dossier.clock_started_at, LIMIT_WORKING_DAYS)


def request_supplement(
    dossier: Dossier,
    draft: SupplementDraft,
    *,
    user=None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> DossierSupplementRequest:
    """Record a supplement request and move the dossier to await it, or refuse saying
    why and write nothing; the caller commits."""
    now = now or utcnow()
    check_allowed(dossier, Action.REQUEST_SUPPLEMENT)
    items = _cleaned_items(draft.items)
    reason, contact = " ".join(draft.reason.split()), " ".join(draft.contact.split())
    if not reason:
        raise InvalidInput(_l("Hãy ghi lý do yêu cầu bổ sung, hoàn thiện hồ sơ."), field="reason")
    if not contact:
        raise InvalidInput(_l("Hãy ghi người hoặc nơi liên hệ để được hướng dẫn."), field="contact")
    if len(contact) > 400:
        raise InvalidInput(_l("Thông tin liên hệ dài quá 400 ký tự."), field="contact")
    calendar = calendar or work_calendar(now)
    limit_at = limit_for(dossier, calendar)
    before_due = now <= dossier.judged_due_at
    confirmation = draft.confirmation_reason.strip()
    if not before_due:
        _require_manager(dossier, user, confirmation)
    year = to_local(now).year
    request = DossierSupplementRequest(
        year=year,
        number=next_value("supplement", str(year)),
        requested_at=now,
        requested_by_id=user.id if user is not None else None,
        items=items,
        reason=reason,
        contact=contact,
        due_before=dossier.judged_due_at,
        limit_at=limit_at,
        within_limit=now <= limit_at,
        before_due=before_due,
        confirmed_by_id=None if before_due else user.id,
        confirmation_reason="" if before_due else confirmation,
    )
    move(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        user=user,
        details=Move(note=reason, supplement=request),
        now=now,
        calendar=calendar,
    )
    if not before_due:
        record_event(
            "dossier.supplement_confirmed",
            dossier,
            user=user,
            code=dossier.code,
            number=request.number,
            due_before=request.due_before.isoformat(),
            reason=request.confirmation_reason,
        )
    return request


def _cleaned_items(items: list[str]) -> list[str]:
    cleaned = [" ".join(item.split()) for item in items]
    cleaned = [item for item in cleaned if item]
    if not cleaned:
        raise InvalidInput(
            _l("Hãy ghi ít nhất một giấy tờ cần bổ sung, hoàn thiện."), field="items"
        )
    if len(cleaned) > MAX_ITEMS or any(len(item) > 400 for item in cleaned):
        raise InvalidInput(
            _l("Tối đa {count} giấy tờ, mỗi dòng không quá 400 ký tự."),
            count=MAX_ITEMS,
            field="items",
        )
    return cleaned


def _require_manager(dossier: Dossier, user, confirmation: str) -> None:
    """After the due time only a manager may ask, and says why."""
    due = local_text(dossier.judged_due_at)
    if user is None or user.role != Role.MANAGER:
        raise DossierRuleBroken(
            _l(
                "Đã quá hạn giải quyết ({due}): không được yêu cầu bổ sung nữa, trừ khi "
                "lãnh đạo xác nhận. Hãy đề nghị lãnh đạo đăng nhập, mở hồ sơ này và tự lập "
                "yêu cầu kèm lý do."
            ),
            due=due,
        )
    if not confirmation:
        raise InvalidInput(
            _l("Đã quá hạn giải quyết ({due}): hãy ghi lý do lãnh đạo xác nhận yêu cầu bổ sung."),
            due=due,
            field="confirmation_reason",
        )


def find_request(dossier: Dossier, request_id: int) -> DossierSupplementRequest:
    """One of the dossier's supplement requests."""
    request = db.session.get(DossierSupplementRequest, request_id)
    if request is None or request.dossier_id != dossier.id:
        raise NotFound(_l("Hồ sơ {code} không có yêu cầu bổ sung này."), code=dossier.code)
    return request
