"""Files built in the background (the dossier register as XLSX or PDF): one row per
request, claimed by the export worker (core/exports/jobs.py). Times are stored in UTC."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import User
from core.models.base import enum_column
from extensions import db


class ExportJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file removed after the days it is kept


class ExportJob(db.Model):
    """One file to build: what (`kind`, `params`), how far (`done` of `total` rows), where
    (`file_path`, under the instance folder, owner-only) and for whom."""

    __tablename__ = "export_job"
    __table_args__ = (Index("ix_export_job_queue", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "register"
    file_format: Mapped[str] = mapped_column(String(8))  # "xlsx" or "pdf"
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ExportJobStatus] = mapped_column(
        enum_column(ExportJobStatus), default=ExportJobStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    file_path: Mapped[str | None] = mapped_column(String(500))
    file_size: Mapped[int | None] = mapped_column(Integer)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User | None] = relationship()
