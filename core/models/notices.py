"""Messages to citizens (e-mail, SMS, Zalo): the durable outbox and the agreements behind it.

A notice is queued in the same transaction as the event it tells of (a call, a reception)
and sent after the commit by the worker (core/notices/outbox.py, notices/worker.py). A
citizen gets notices only on a channel they gave and agreed to: one `NoticeConsent` row per
channel and ticket, dossier or booking, with when and where the agreement was given.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.base import enum_column
from extensions import db


class NoticeChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"


class NoticeKind(enum.StrEnum):
    TURN_NEAR = "turn_near"
    CALLED = "called"
    DOSSIER_RECEIVED = "received"
    SUPPLEMENT = "supplement"
    NEW_DUE = "new_due"
    RESULT_READY = "result_ready"
    BOOKING_CONFIRMED = "booked"
    BOOKING_REMINDER = "reminder"


class NoticeStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # no longer to be sent: its booking was cancelled or moved, or erased


class Notice(db.Model):
    """One message to one recipient on one channel, kept with its outcome.

    `key` makes a notice once-only (a ticket's "turn near" is sent once, whatever the calls
    that follow): a second notice with the same key is never queued.
    """

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_queue", "status", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[NoticeChannel] = mapped_column(enum_column(NoticeChannel))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    status: Mapped[NoticeStatus] = mapped_column(
        enum_column(NoticeStatus), default=NoticeStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeConsent(db.Model):
    """A citizen's agreement to be told about one ticket, dossier or booking on one channel,
    at this address; erased with the rest of the personal data."""

    __tablename__ = "notice_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[NoticeChannel] = mapped_column(enum_column(NoticeChannel))
    recipient: Mapped[str] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agreed_where: Mapped[str] = mapped_column(String(16))  # kiosk, desk, booking
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
