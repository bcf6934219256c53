"""Internal processes (quy trình nội bộ): for each procedure and agency, the ordered steps a
dossier goes through after reception, each with its role, its unit and its time allowance.

A process is versioned: defining it again adds a new version, and a dossier keeps the
version it was received under (`dossier.process_id`), so a change applies only to dossiers
received after it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import User
from core.models.agencies import Agency, ProcessingUnit
from core.models.base import enum_column
from core.models.dossiers import Procedure
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
