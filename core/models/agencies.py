"""Agencies of the centre and their processing units.

One hall receives for many agencies (cơ quan): each has its national electronic code, the
`AGENCY` part of its dossiers' codes, a parent agency, its processing units (phòng, đơn
vị) and the procedures of the catalogue it is competent for (`agency_procedure`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from extensions import db

if TYPE_CHECKING:
    from core.models.dossiers import Procedure

# Which agency is competent for which procedure of the catalogue.
agency_procedures = Table(
    "agency_procedure",
    db.metadata,
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    Column("procedure_id", ForeignKey("procedure.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    """An agency the centre receives for (Sở, UBND xã, Công an tỉnh…)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The national electronic code (mã định danh), e.g. 000.17.22.H56.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent", order_by="Agency.code")
    units: Mapped[list[ProcessingUnit]] = relationship(
        back_populates="agency", order_by="ProcessingUnit.code"
    )
    procedures: Mapped[list[Procedure]] = relationship(
        secondary=agency_procedures, back_populates="agencies", order_by="Procedure.code"
    )


class ProcessingUnit(db.Model):
    """A processing unit of an agency (phòng, đơn vị), which handles its dossiers."""

    __tablename__ = "processing_unit"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship(back_populates="units")
