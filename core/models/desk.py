"""The counter desk: who works at which counter, and what citizens thought of the service."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import Device, User
from core.models.base import enum_column
from core.models.queue import Counter, Ticket
from extensions import db

OPEN_SESSION = text("ended_at IS NULL")


class CounterSession(db.Model):
    """An officer signed in to a counter for a local day, until they hand it back."""

    __tablename__ = "counter_session"
    __table_args__ = (
        # One officer per counter, and one counter per officer, at a time.
        Index(
            "uq_counter_session_open_counter",
            "counter_id",
            "day",
            unique=True,
            sqlite_where=OPEN_SESSION,
            postgresql_where=OPEN_SESSION,
        ),
        Index(
            "uq_counter_session_open_officer",
            "officer_id",
            "day",
            unique=True,
            sqlite_where=OPEN_SESSION,
            postgresql_where=OPEN_SESSION,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    counter: Mapped[Counter] = relationship()
    officer: Mapped[User] = relationship()


class RatingScore(enum.StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    UNSATISFIED = "unsatisfied"


class RatingSource(enum.StrEnum):
    COUNTER = "counter"  # the tablet at the counter
    TRACKING = "tracking"  # the citizen's phone, on the tracking page


class Rating(db.Model):
    """A citizen's satisfaction with one served ticket: at most one per ticket."""

    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    score: Mapped[RatingScore] = mapped_column(enum_column(RatingScore))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[RatingSource] = mapped_column(enum_column(RatingSource))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship()
    counter: Mapped[Counter] = relationship()
    officer: Mapped[User | None] = relationship()
    device: Mapped[Device | None] = relationship()
