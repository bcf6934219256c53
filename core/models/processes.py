"""Internal processes (quy trình nội bộ): for each procedure and agency, the ordered steps a
dossier goes through after reception, each with its role, its unit and its time allowance.

A process is versioned: defining it again adds a new version, and a dossier keeps the
version it was received under (`dossier.process_id`), so a change applies only to dossiers
received after it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import User
from core.models.agencies import Agency, ProcessingUnit
from core.models.base import enum_column
from core.models.dossiers import Dossier, Procedure
from extensions import db


class StepRole(enum.StrEnum):
    """Who acts at a step."""

    DESK = "desk"  # bộ phận tiếp nhận và trả kết quả
    SPECIALIST = "specialist"  # chuyên viên xử lý
    UNIT_HEAD = "unit_head"  # lãnh đạo đơn vị (trưởng phòng)
    AGENCY_LEADER = "agency_leader"  # lãnh đạo cơ quan


class InternalProcess(db.Model):
    """One version of the internal process of a procedure at an agency."""

    __tablename__ = "internal_process"
    __table_args__ = (UniqueConstraint("agency_id", "procedure_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency] = relationship()
    procedure: Mapped[Procedure] = relationship()
    created_by: Mapped[User | None] = relationship()
    steps: Mapped[list[ProcessStep]] = relationship(
        back_populates="process", order_by="ProcessStep.position", cascade="all, delete-orphan"
    )

    def step_at(self, position: int) -> ProcessStep | None:
        for step in self.steps:
            if step.position == position:
                return step
        return None


class ProcessStep(db.Model):
    """A step of a process: its role, its unit (none for the desk and the agency's leader)
    and its allowance in working days or working hours; the steps it may hand on to
    (`next_positions`, by default the next one) and the one it sends back to
    (`back_position`, by default the previous one; none for the first)."""

    __tablename__ = "process_step"
    __table_args__ = (UniqueConstraint("process_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("internal_process.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… in the order of the process
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StepRole] = mapped_column(enum_column(StepRole))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("processing_unit.id"))
    allowance_days: Mapped[int | None] = mapped_column(Integer)
    allowance_hours: Mapped[float | None] = mapped_column(Float)
    next_positions: Mapped[list] = mapped_column(JSON, default=list)
    back_position: Mapped[int | None] = mapped_column(Integer)

    process: Mapped[InternalProcess] = relationship(back_populates="steps")
    unit: Mapped[ProcessingUnit | None] = relationship()


class StepOutcome(enum.StrEnum):
    """How a dossier left a step."""

    HANDED_ON = "handed_on"  # chuyển bước tiếp
    SENT_BACK = "sent_back"  # trả lại bước trước
    SUPPLEMENT = "supplement"  # yêu cầu bổ sung (qua bộ phận một cửa)
    TO_DESK = "to_desk"  # chuyển kết quả về bộ phận một cửa
    ENDED = "ended"  # rút, dừng giải quyết


class DossierStep(db.Model):
    """One stay of a dossier at a step of its process: when it came, when it was due (the
    step's allowance from then), who took it, when and how it left, and the working hours
    it stayed against the allowance. The evaluation of units and officers reads these."""

    __tablename__ = "dossier_step"
    __table_args__ = (
        # The evaluation's covering index (migration 0050): an agency's stays by the time
        # they were left, with every column the evaluation reads.
        Index(
            "ix_dossier_step_evaluation",
            "agency_id",
            "left_at",
            "unit_id",
            "role",
            "handled_by_id",
            "outcome",
            "verdict",
            "worked_hours",
            "allowance_hours",
        ),
        Index("ix_dossier_step_officer_left", "handled_by_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("process_step.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("processing_unit.id"))
    role: Mapped[StepRole] = mapped_column(enum_column(StepRole))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    allowance_hours: Mapped[float] = mapped_column(Float)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[StepOutcome | None] = mapped_column(enum_column(StepOutcome))
    worked_hours: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str | None] = mapped_column(String(16))

    dossier: Mapped[Dossier] = relationship()
    step: Mapped[ProcessStep] = relationship()
    unit: Mapped[ProcessingUnit | None] = relationship()
    handled_by: Mapped[User | None] = relationship()


class ResultDocument(db.Model):
    """The document of a dossier's result (a decision, a licence, a refusal letter), as
    uploaded by the officer who recorded it; the file lies in the instance folder."""

    __tablename__ = "result_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    uploaded_by: Mapped[User | None] = relationship()
