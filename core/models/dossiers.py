"""Dossier models: the procedure catalogue, the working-day calendar, dossiers and
their history. Times are stored in UTC."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.accounts import User
from core.models.agencies import Agency, agency_procedures
from core.models.base import enum_column
from core.models.queue import Ticket
from core.vntext import search_key

if TYPE_CHECKING:
    from core.models.processes import InternalProcess, ProcessStep
from extensions import db


class OnlineLevel(enum.StrEnum):
    FULL = "full"  # toàn trình
    PARTIAL = "partial"  # một phần


class DocumentKind(enum.StrEnum):
    ORIGINAL = "original"  # bản chính
    COPY = "copy"  # bản sao
    CERTIFIED_COPY = "certified"  # bản sao có chứng thực
    ANY = "any"  # bản chính hoặc bản sao


class Channel(enum.StrEnum):
    DIRECT = "direct"  # trực tiếp
    POST = "post"  # bưu chính
    ONLINE = "online"  # trực tuyến


class DossierStatus(enum.StrEnum):
    RECEIVED = "received"
    TRANSFERRED = "transferred"
    PROCESSING = "processing"
    SUPPLEMENT = "supplement"
    RESOLVED = "resolved"
    REFUSED = "refused"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"  # the agency stopped processing it (form 05)


class ApplicantKind(enum.StrEnum):
    PERSON = "person"  # cá nhân
    ORGANISATION = "organisation"  # tổ chức


class IdKind(enum.StrEnum):
    CITIZEN_ID = "citizen_id"  # căn cước / căn cước công dân (12 chữ số)
    PASSPORT = "passport"  # hộ chiếu (Việt Nam hoặc nước ngoài)
    TAX_CODE = "tax_code"  # mã số doanh nghiệp / mã số thuế
    OTHER = "other"  # giấy tờ khác, ghi rõ loại giấy tờ


class Collector(enum.StrEnum):
    """Who collected a dossier's result."""

    OWNER = "owner"  # chủ hồ sơ
    AUTHORISED = "authorised"  # người được ủy quyền
    POST = "post"  # bưu chính


class CalendarDayKind(enum.StrEnum):
    DAY_OFF = "day_off"  # ngày nghỉ (nghỉ bù, nghỉ lễ công bố)
    WORKING_DAY = "working_day"  # ngày làm việc bù (thứ Bảy làm bù)


class SlipKind(enum.StrEnum):
    SUPPLEMENT = "supplement"  # phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # phiếu từ chối tiếp nhận


class Field(db.Model):
    """A field of administrative procedures (lĩnh vực)."""

    __tablename__ = "procedure_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Procedure(db.Model):
    """An administrative procedure (thủ tục hành chính) of the catalogue.

    Its processing time and fee are the current ones; a dossier keeps a copy of the
    values in force when it was received.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    search_text: Mapped[str] = mapped_column(String(500), index=True, default="")
    field_id: Mapped[int] = mapped_column(ForeignKey("procedure_field.id"))
    processing_days: Mapped[int | None] = mapped_column(Integer)
    processing_hours: Mapped[int | None] = mapped_column(Integer)
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    processing_unit: Mapped[str] = mapped_column(String(200), default="")
    online_level: Mapped[OnlineLevel] = mapped_column(
        enum_column(OnlineLevel), default=OnlineLevel.PARTIAL
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    field: Mapped[Field] = relationship()
    # The agencies competent for it (several where a procedure is handled by each district's
    # or each commune's agency).
    agencies: Mapped[list[Agency]] = relationship(
        secondary=agency_procedures, back_populates="procedures", order_by="Agency.code"
    )
    documents: Mapped[list[ProcedureDocument]] = relationship(
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureDocument.position",
    )


class ProcedureDocument(db.Model):
    """One required document of a procedure (thành phần hồ sơ)."""

    __tablename__ = "procedure_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(400))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind), default=DocumentKind.ANY)
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class CalendarDay(db.Model):
    """A day the government announced as off or as a make-up working day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[CalendarDayKind] = mapped_column(enum_column(CalendarDayKind))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DossierSetting(db.Model):
    """A setting of the dossier desk an admin may change (agency, forms, cut-off)."""

    __tablename__ = "dossier_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DossierSequence(db.Model):
    """An atomic counter row: the day's dossier number, the year's register entry or the
    year's apology letter number."""

    __tablename__ = "dossier_sequence"
    __table_args__ = (UniqueConstraint("scope", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    last_value: Mapped[int] = mapped_column(Integer)


# What the official table reads of a dossier besides a period query's own key columns: the
# report indexes cover them all, so the corrections aggregated from raw rows come from index
# scans alone (core.reports.reform_queries, core.reports.summaries).
REPORT_COLUMNS = (
    "field_name",
    "channel",
    "judged_due_at",
    "apologised_at",
    "withdrawn_at",
    "stopped_at",
    "agency_id",
    "id",
)


class Dossier(db.Model):
    """A dossier (hồ sơ) received at the desk, with the procedure's terms at receipt."""

    __table_args__ = (
        UniqueConstraint("register_year", "register_number"),
        Index("ix_dossier_status_due", "status", "due_at"),
        # Dossiers received within a period.
        Index("ix_dossier_report_received", "received_at", "resolved_at", *REPORT_COLUMNS),
        # Dossiers received before a period and resolved since it began (or never resolved).
        Index("ix_dossier_report_resolved", "resolved_at", "received_at", *REPORT_COLUMNS),
        # What the withdrawn-dossier corrections read.
        Index(
            "ix_dossier_report_withdrawn",
            "withdrawn_at",
            "received_at",
            "resolved_at",
            *(column for column in REPORT_COLUMNS if column != "withdrawn_at"),
        ),
        # What the stopped-dossier corrections read.
        Index(
            "ix_dossier_report_stopped",
            "stopped_at",
            "received_at",
            "resolved_at",
            *(column for column in REPORT_COLUMNS if column != "stopped_at"),
        ),
        # The apology count.
        Index("ix_dossier_apologised_at", "apologised_at", "field_name", "agency_id"),
        # The dossier list (core/dossiers/search.py): newest first, within a filter.
        Index("ix_dossier_list_status", "status", "received_at", "id"),
        Index("ix_dossier_list_procedure", "procedure_id", "received_at", "id"),
        Index("ix_dossier_list_agency", "agency_id", "received_at", "id"),
        Index("ix_dossier_list_name", "applicant_search", "received_at", "id"),
        Index("ix_dossier_list_id_number", "applicant_id_number"),
        Index("ix_dossier_list_phone", "applicant_phone"),
        # The in-trays: the dossiers at a step (in a state of work), by the step's due time.
        Index("ix_dossier_in_tray", "step_id", "status", "step_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    register_year: Mapped[int] = mapped_column(Integer)
    register_number: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    # The competent agency. Filled for every dossier since migration 0026 (the first agency
    # for those received before); nullable because SQLite adds it without rebuilding the table.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(String(400))
    field_name: Mapped[str] = mapped_column(String(200), index=True)
    processing_unit: Mapped[str] = mapped_column(String(200), default="")
    processing_days: Mapped[int | None] = mapped_column(Integer)
    processing_hours: Mapped[int | None] = mapped_column(Integer)
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    sets: Mapped[int] = mapped_column(Integer, default=1)

    # The applicant is the owner of the request (a person or an organisation); whoever
    # handed it in for them is the submitter, with the authorisation they showed. An empty
    # submitter name means the owner submitted the dossier themselves.
    applicant_name: Mapped[str] = mapped_column(String(200))
    # The name folded for search (core.vntext.search_key): kept by `_fold_name` below, by
    # the history writers, and filled for older rows by migration 0020.
    applicant_search: Mapped[str] = mapped_column(String(200), default="", server_default="")
    applicant_kind: Mapped[ApplicantKind] = mapped_column(
        enum_column(ApplicantKind), default=ApplicantKind.PERSON, server_default="person"
    )
    applicant_id_kind: Mapped[IdKind] = mapped_column(
        enum_column(IdKind), default=IdKind.CITIZEN_ID, server_default="citizen_id"
    )
    applicant_id_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    applicant_id_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    applicant_phone: Mapped[str] = mapped_column(String(16), default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    applicant_address: Mapped[str] = mapped_column(String(400), default="")
    # A person's date of birth, when known (read from the citizen ID card's QR code).
    applicant_birth_date: Mapped[date | None] = mapped_column(Date)
    submitter_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    submitter_id_kind: Mapped[IdKind | None] = mapped_column(enum_column(IdKind))
    submitter_id_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    submitter_id_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    submitter_phone: Mapped[str] = mapped_column(String(16), default="", server_default="")
    submitter_authorisation: Mapped[str] = mapped_column(String(300), default="", server_default="")
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    status: Mapped[DossierStatus] = mapped_column(enum_column(DossierStatus))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    transfer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The due time the report and the control slip judge the dossier against: the one set
    # at reception, moved only when the clock restarts after a supplement asked for in
    # time; an apology's new date or a late request's restart leaves it where it was.
    judged_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    apology_reason: Mapped[str] = mapped_column(Text, default="")
    apologised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The apology letter's own number in the year's series (form 04), not the register's.
    apology_number: Mapped[int | None] = mapped_column(Integer)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    result_note: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the result was collected (in person, by post, online) and by whom.
    collected_via: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    collected_by: Mapped[Collector | None] = mapped_column(enum_column(Collector))
    collector_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplement_items: Mapped[list] = mapped_column(JSON, default=list)
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the applicant's details were erased after retention (core/dossiers/privacy.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its internal process (the version in force when it was received; none for a dossier
    # received before its procedure had one), the step it is at, since when and until when,
    # and the officer who took it there (none while it waits in the step's in-tray).
    process_id: Mapped[int | None] = mapped_column(ForeignKey("internal_process.id"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("process_step.id"))
    step_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # A refusal proposed at a step, with its reason, for the next steps to approve; the stay
    # at a step (dossier_step) during which it was last confirmed (migration 0061).
    refusal_proposal: Mapped[str] = mapped_column(Text, default="", server_default="")
    refusal_confirmed_stay_id: Mapped[int | None] = mapped_column(Integer)

    procedure: Mapped[Procedure | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    process: Mapped[InternalProcess | None] = relationship()
    step: Mapped[ProcessStep | None] = relationship()
    holder: Mapped[User | None] = relationship(foreign_keys=[holder_id])
    ticket: Mapped[Ticket | None] = relationship()
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierDocument.position"
    )
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id"
    )
    supplement_requests: Mapped[list[DossierSupplementRequest]] = relationship(
        back_populates="dossier", order_by="DossierSupplementRequest.id"
    )

    @property
    def withdrawn(self) -> bool:
        return self.status == DossierStatus.WITHDRAWN

    @property
    def by_organisation(self) -> bool:
        return self.applicant_kind == ApplicantKind.ORGANISATION

    @property
    def submitted_by_proxy(self) -> bool:
        """Whether an authorised person handed the dossier in for its owner."""
        return bool(self.submitter_name)


@event.listens_for(Dossier, "before_insert")
@event.listens_for(Dossier, "before_update")
def _fold_name(mapper, connection, target) -> None:
    target.applicant_search = search_key(target.applicant_name or "")[:200]


class DossierDocument(db.Model):
    """A document received with a dossier, as ticked at the counter."""

    __tablename__ = "dossier_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(400))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class DossierEvent(db.Model):
    """One step of a dossier's path (append-only): who moved it, from what to what, when.

    Hand-overs between units are the rows of the processing control slip.
    """

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    from_unit: Mapped[str] = mapped_column(String(200), default="")
    to_unit: Mapped[str] = mapped_column(String(200), default="")
    receiver_name: Mapped[str] = mapped_column(String(200), default="")
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verdict: Mapped[str | None] = mapped_column(String(16))

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    @property
    def is_handover(self) -> bool:
        return bool(self.to_unit)


@event.listens_for(DossierEvent, "before_update")
@event.listens_for(DossierEvent, "before_delete")
def _history_is_append_only(mapper, connection, target) -> None:
    raise ValueError("dossier history is append-only")


class DossierSupplementRequest(db.Model):
    """A request for a supplement during processing (form 02), all the missing items at
    once, with how it stood against the limits (core/dossiers/supplements.py)."""

    __tablename__ = "dossier_supplement_request"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # the request's own number in its year
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    items: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(400))
    due_before: Mapped[datetime] = mapped_column(UTCDateTime)  # judged due before the request
    limit_at: Mapped[datetime] = mapped_column(UTCDateTime)  # end of the working days allowed
    within_limit: Mapped[bool] = mapped_column(Boolean)
    before_due: Mapped[bool] = mapped_column(Boolean)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmation_reason: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restarted_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="supplement_requests")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    @property
    def late(self) -> bool:
        """After the limit or after the due time: the unit's fault."""
        return not (self.within_limit and self.before_due)


class ReceptionSlip(db.Model):
    """A dossier not accepted at the counter: a supplement request or a refusal."""

    __tablename__ = "reception_slip"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SlipKind] = mapped_column(enum_column(SlipKind))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    procedure_name: Mapped[str] = mapped_column(String(400))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_kind: Mapped[ApplicantKind] = mapped_column(
        enum_column(ApplicantKind), default=ApplicantKind.PERSON, server_default="person"
    )
    applicant_phone: Mapped[str] = mapped_column(String(16), default="")
    applicant_address: Mapped[str] = mapped_column(String(400), default="")
    submitter_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    submitter_phone: Mapped[str] = mapped_column(String(16), default="", server_default="")
    items: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[User | None] = relationship()
