"""Models of the admin screens: a ticket numbering change waiting for the next day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import User
from core.models.queue import Service
from extensions import db


class ServiceNumberingChange(db.Model):
    """A new prefix or width for a service's numbers, taking effect on `effective_on`.

    A change made after the day's first ticket waits for the next day, so that one
    day's tickets of a service are all printed in the same format.
    """

    __tablename__ = "service_numbering_change"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(String(3))
    digits: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    requested_by: Mapped[User | None] = relationship()
