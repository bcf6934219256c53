"""Ticket printers and their durable print jobs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    true,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import Device, User
from core.models.base import enum_column
from core.models.queue import Ticket
from extensions import db


class PrinterState(enum.StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"


class PrintVia(enum.StrEnum):
    SERVER = "server"  # the print worker on the server sends the job
    AGENT = "agent"  # the print agent on the kiosk PC pulls the job


class PrintJobKind(enum.StrEnum):
    TICKET = "ticket"
    REPRINT = "reprint"
    TEST = "test"


class PrintJobStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Printer(db.Model):
    """How a kiosk's printer prints (paper, profile, mode, who sends) and how it was last seen.

    The address itself is the device's `printer_url`; a kiosk without a row here prints with
    the defaults for its address.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), unique=True)
    paper_dots: Mapped[int] = mapped_column(Integer, default=576, server_default="576")
    profile: Mapped[str] = mapped_column(String(32), default="NT-80-V-UL")
    mode: Mapped[str] = mapped_column(String(8), default="raster", server_default="raster")
    via: Mapped[PrintVia] = mapped_column(enum_column(PrintVia), default=PrintVia.SERVER)
    check_status: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    state: Mapped[PrinterState] = mapped_column(
        enum_column(PrinterState), default=PrinterState.UNKNOWN
    )
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_code: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agent_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    device: Mapped[Device] = relationship()


class PrintJob(db.Model):
    """One slip to print on one kiosk's printer; kept with its outcome."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_queue", "device_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    kind: Mapped[PrintJobKind] = mapped_column(enum_column(PrintJobKind))
    status: Mapped[PrintJobStatus] = mapped_column(
        enum_column(PrintJobStatus), default=PrintJobStatus.QUEUED, index=True
    )
    content: Mapped[dict] = mapped_column(JSON)
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    payload_size: Mapped[int | None] = mapped_column(Integer)
    render_ms: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_code: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    device: Mapped[Device] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
