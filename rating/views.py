"""The rating tablet page, and rating from the tracking page (once per ticket)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.models import RatingScore, RatingSource, Ticket, TicketStatus
from core.queue.counters import find_counter
from core.queue.positions import find_ticket
from core.queue.ratings import LOW_SCORES, REASON_LABELS, SCORE_LABELS, rate_ticket, rating_of
from web.commit import FAILED, commit_or_explain

from . import blueprint

SCORES = [(score, SCORE_LABELS[score]) for score in RatingScore]
LOW_SCORE_VALUES = {score.value for score in LOW_SCORES}


@blueprint.get("/rate/<int:counter>")
def tablet(counter: int):
    """Opened once by a counter device as /rate/N#key=…; the key stays in that browser."""
    return render_template(
        "rating/tablet.html",
        counter=find_counter(counter),
        scores=SCORES,
        low_scores=[score.value for score in LOW_SCORES],
        reasons=REASON_LABELS,
        poll_seconds=3,
        thanks_seconds=8,
    )


@blueprint.post("/t/<token>/rating")
def rate_from_tracking(token: str):
    """The citizen rates a served ticket from their phone; the token is the permission."""
    ticket = find_ticket(token)
    score = request.form.get("score")
    # Reasons are shown only for the low ratings; ticks left over from another choice go.
    reasons = request.form.getlist("reasons") if score in LOW_SCORE_VALUES else []
    rated = commit_or_explain(
        lambda: rate_ticket(ticket, score, reasons, source=RatingSource.TRACKING)
    )
    if rated is not FAILED:
        flash(
            _("Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn."),
            "success",
        )
    return redirect(url_for("public.track", token=ticket.token) + "#rating")


@blueprint.app_template_global()
def rating_offer(ticket: Ticket) -> dict | None:
    """For the tracking page: the rating form of a served ticket, or the rating it got."""
    if ticket.status != TicketStatus.DONE or ticket.counter_id is None:
        return None
    rating = rating_of(ticket)
    return {
        "rating": rating,
        "score_label": SCORE_LABELS[rating.score] if rating else None,
        "scores": SCORES,
        "reasons": REASON_LABELS,
        "low_scores": [score.value for score in LOW_SCORES],
        "action": url_for("rating.rate_from_tracking", token=ticket.token),
    }
