"""Satisfaction ratings: a citizen rates a served ticket once, at the counter or on the phone."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from core.audit import record_event
from core.clock import local_today, utcnow
from core.errors import InvalidInput
from core.models import Counter, Device, Rating, RatingScore, RatingSource, Ticket, TicketStatus
from core.queue.errors import AlreadyRated, NotRateable
from extensions import db

SCORE_LABELS = {
    RatingScore.VERY_SATISFIED: _l("Rất hài lòng"),
    RatingScore.SATISFIED: _l("Hài lòng"),
    RatingScore.NEUTRAL: _l("Bình thường"),
    RatingScore.UNSATISFIED: _l("Không hài lòng"),
}
# Reasons are asked for, and accepted, only with the low ratings.
LOW_SCORES = frozenset({RatingScore.NEUTRAL, RatingScore.UNSATISFIED})
REASON_LABELS = {
    "long_wait": _l("Chờ lâu"),
    "attitude": _l("Thái độ chưa tốt"),
    "unclear_guidance": _l("Hướng dẫn chưa rõ"),
    "many_visits": _l("Phải đi lại nhiều lần"),
}


def parse_score(value) -> RatingScore:
    try:
        return RatingScore(value)
    except ValueError:
        raise InvalidInput(
            _l("Mức đánh giá không hợp lệ; chọn một trong: {choices}."),
            choices=", ".join(score.value for score in RatingScore),
        ) from None


def parse_reasons(score: RatingScore, reasons) -> list[str]:
    """Known reason codes, each once, in the fixed order; only with a low rating."""
    if reasons is None:
        return []
    if not isinstance(reasons, list | tuple) or not all(isinstance(r, str) for r in reasons):
        raise InvalidInput(_l("Lý do phải là danh sách mã lý do."))
    unknown = sorted(set(reasons) - set(REASON_LABELS))
    if unknown:
        raise InvalidInput(_l("Lý do không hợp lệ: {reasons}."), reasons=", ".join(unknown))
    if reasons and score not in LOW_SCORES:
        raise InvalidInput(_l("Chỉ chọn lý do khi đánh giá “Bình thường” hoặc “Không hài lòng”."))
    return [code for code in REASON_LABELS if code in reasons]


def rating_of(ticket: Ticket) -> Rating | None:
    return db.session.execute(db.select(Rating).filter_by(ticket_id=ticket.id)).scalar_one_or_none()


def rate_ticket(
    ticket: Ticket,
    score,
    reasons=None,
    *,
    source: RatingSource,
    device: Device | None = None,
    now: datetime | None = None,
) -> Rating:
    """Record the citizen's rating of a served ticket; a second rating is refused."""
    if ticket.status != TicketStatus.DONE or ticket.counter_id is None:
        raise NotRateable(ticket=ticket.number)
    parsed_score = parse_score(score)
    parsed_reasons = parse_reasons(parsed_score, reasons)
    if rating_of(ticket) is not None:
        raise AlreadyRated(ticket=ticket.number)
    rating = Rating(
        ticket_id=ticket.id,
        counter_id=ticket.counter_id,
        officer_id=ticket.officer_id,
        service_id=ticket.service_id,
        score=parsed_score,
        reasons=parsed_reasons,
        source=source,
        device_id=device.id if device is not None else None,
        created_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:  # the same ticket rated at the same instant elsewhere
        raise AlreadyRated(ticket=ticket.number) from None
    record_event(
        "ticket.rated",
        ticket,
        device=device,
        number=ticket.number,
        score=parsed_score.value,
        reasons=parsed_reasons,
        source=source.value,
    )
    return rating


def rating_target(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """The ticket the counter's tablet offers for rating: just finished there, not yet rated."""
    now = now or utcnow()
    window = timedelta(minutes=current_app.config["RATING_WINDOW_MINUTES"])
    return db.session.execute(
        db.select(Ticket)
        .where(
            Ticket.counter_id == counter.id,
            Ticket.day == local_today(now),
            Ticket.status == TicketStatus.DONE,
            Ticket.finished_at >= now - window,
            ~db.select(Rating.id).where(Rating.ticket_id == Ticket.id).exists(),
        )
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def find_rateable(counter: Counter, ticket_id, now: datetime | None = None) -> Ticket:
    """The ticket a counter tablet sends a rating for: it must have been served there."""
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        raise InvalidInput(_l("Trường “{field}” phải là số nguyên."), field="ticket_id")
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.counter_id != counter.id or ticket.day != local_today(now):
        raise InvalidInput(
            _l("Số này không được phục vụ tại quầy số {number} hôm nay."), number=counter.number
        )
    return ticket
