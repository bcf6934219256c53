"""Receiving dossiers at the counter: checks, the dossier code, the register entry and
the promised return time; slips for dossiers not accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.agencies.registry import competent_agencies, home_agency
from core.audit import record_event
from core.clock import local_today, to_local, utcnow
from core.dossiers.applicants import Applicant, Submitter, checked_parties, party_columns
from core.dossiers.errors import DossierNotFound, TicketNotReceivable
from core.dossiers.procedures import terms_at_receipt
from core.dossiers.sequences import day_scope, next_value
from core.dossiers.settings import dossier_settings
from core.dossiers.states import STILL_OPEN, Action, due_for, move, record_receipt
from core.dossiers.workdays import work_calendar
from core.errors import InvalidInput
from core.models import (
    Agency,
    Channel,
    Dossier,
    DossierDocument,
    DossierStatus,
    IdKind,
    Procedure,
    ReceptionSlip,
    SlipKind,
    Ticket,
    TicketStatus,
)
from core.notices.consent import Contact, record_consent
from core.notices.events import dossier_received
from core.processes.definition import current_process
from core.processes.steps import enter as enter_step
from extensions import db

CODE_IN_TEXT = re.compile(r"([A-Z0-9][A-Z0-9.]*-\d{6}-\d{4,})", re.IGNORECASE)


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """AGENCYCODE-YYMMDD-NNNN, e.g. 000.17.22.H56-270203-0001."""
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def next_register_number(year: int) -> int:
    return next_value("register", str(year))


@dataclass
class Reception:
    """What the officer entered at the counter."""

    procedure: Procedure
    applicant: Applicant
    channel: Channel
    received_documents: list[int] = field(default_factory=list)  # positions ticked
    sets: int = 1
    ticket: Ticket | None = None
    submitter: Submitter | None = None  # who filed it for the applicant, if not themselves
    # The channels on which the applicant agreed to be told about the dossier.
    contacts: list[Contact] = field(default_factory=list)
    # The competent agency, where several handle the procedure (else the one that does).
    agency: Agency | None = None


def receivable_ticket(ticket_id: int, now: datetime | None = None) -> Ticket:
    """A ticket of today that is being called or served: the citizen at the counter."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotReceivable(number=f"#{ticket_id}")
    if ticket.day != local_today(now) or ticket.status not in (
        TicketStatus.CALLED,
        TicketStatus.SERVING,
    ):
        raise TicketNotReceivable(number=ticket.number)
    return ticket


def received_for_ticket(ticket_id: int) -> list[Dossier]:
    """The dossiers received from a ticket (the citizen at the counter), in receipt order."""
    return list(
        db.session.execute(
            db.select(Dossier).where(Dossier.ticket_id == ticket_id).order_by(Dossier.id)
        ).scalars()
    )


def open_dossiers_of(citizen_id: str | None) -> list[Dossier]:
    """The open dossiers of the citizen whose ID card number a ticket was taken with."""
    if not citizen_id:
        return []
    return list(
        db.session.execute(
            db.select(Dossier)
            .where(
                Dossier.applicant_id_kind == IdKind.CITIZEN_ID,
                Dossier.applicant_id_number == citizen_id,
                Dossier.status.in_(STILL_OPEN),
            )
            .order_by(Dossier.id)
        ).scalars()
    )


def missing_documents(procedure: Procedure, ticked: list[int]) -> list[str]:
    return [doc.name for doc in procedure.documents if doc.position not in set(ticked)]


def receive_dossier(reception: Reception, *, user=None, now: datetime | None = None) -> Dossier:
    """Accept a complete dossier: code, register entry, due time; the caller commits."""
    now = now or utcnow()
    procedure = reception.procedure
    if not procedure.active:
        raise InvalidInput(_l("Thủ tục “{name}” đã ngừng áp dụng."), name=procedure.name)
    parties = checked_parties(reception.applicant, reception.submitter)
    missing = missing_documents(procedure, reception.received_documents)
    if missing:
        raise InvalidInput(
            _l("Hồ sơ còn thiếu: {missing}. Hãy lập phiếu yêu cầu bổ sung thay vì tiếp nhận."),
            missing="; ".join(missing),
        )
    if not 1 <= reception.sets <= 20:
        raise InvalidInput(_l("Số bộ hồ sơ phải từ 1 đến 20."))
    if reception.ticket is not None:
        receivable_ticket(reception.ticket.id, now)
    agency = competent_agency(procedure, reception.agency)
    calendar = work_calendar(now)
    local = to_local(now)
    dossier = Dossier(
        code=dossier_code(
            agency.code, local.date(), next_value(day_scope(agency), local.strftime("%Y-%m-%d"))
        ),
        agency=agency,
        register_year=local.year,
        register_number=next_register_number(local.year),
        **terms_at_receipt(procedure),
        sets=reception.sets,
        **party_columns(parties),
        channel=reception.channel,
        status=DossierStatus.RECEIVED,
        ticket=reception.ticket,
        received_by_id=user.id if user is not None else None,
        received_at=now,
        clock_started_at=now,
        transfer_due_at=calendar.transfer_due(now),
        supplement_items=[],
    )
    dossier.due_at = dossier.judged_due_at = due_for(dossier, now, calendar)
    dossier.documents = [
        DossierDocument(position=doc.position, name=doc.name, kind=doc.kind, quantity=doc.quantity)
        for doc in procedure.documents
    ]
    db.session.add(dossier)
    db.session.flush()
    record_receipt(dossier, user)
    process = current_process(agency.id, procedure.id)
    record_event(
        "dossier.receive",
        dossier,
        user=user,
        code=dossier.code,
        agency=agency.code,
        ticket=reception.ticket.number if reception.ticket else None,
        channel=reception.channel.value,
        due_at=dossier.due_at.isoformat(),
        process_version=process.version if process else None,
    )
    for contact in reception.contacts:
        record_consent(contact, where="desk", dossier_id=dossier.id, user=user, now=now)
    if process is not None:
        route(dossier, process, user, now, calendar)
    dossier_received(dossier)
    return dossier


def competent_agency(procedure: Procedure, chosen: Agency | None) -> Agency:
    """The agency a dossier of `procedure` is received for: the one chosen, which must be
    competent; else the only one competent; else, when none is, the desk's own."""
    competent = competent_agencies(procedure)
    if chosen is not None:
        if chosen not in competent:
            raise InvalidInput(
                _l("Cơ quan “{agency}” không giải quyết thủ tục “{procedure}”."),
                agency=chosen.name,
                procedure=procedure.name,
                field="agency_id",
            )
        return chosen
    if len(competent) > 1:
        raise InvalidInput(
            _l(
                "Thủ tục “{procedure}” do nhiều cơ quan giải quyết: hãy chọn cơ quan có thẩm quyền."
            ),
            procedure=procedure.name,
            field="agency_id",
        )
    if competent:
        return competent[0]
    agency = home_agency(dossier_settings()["agency_code"])
    if agency is None:
        raise InvalidInput(_l("Chưa có cơ quan nào: hãy khai báo cơ quan trước khi tiếp nhận."))
    return agency


def route(dossier: Dossier, process, user, now: datetime, calendar) -> None:
    """Put a dossier on its process: at the desk's step, then handed on to the first
    processing step at once, unless it is on paper and came after the cut-off (or on a day
    off): then the desk hands it on at the opening of the next working day (Decree
    61/2018, art. 20), with the Transfer move."""
    dossier.process = process
    enter_step(dossier, process.steps[0], now, calendar)
    same_day = calendar.transfer_due(now) > now and (
        calendar.local(calendar.transfer_due(now)).date() == calendar.local(now).date()
    )
    if dossier.channel == Channel.ONLINE or same_day:
        move(dossier, Action.TRANSFER, user=user, now=now, calendar=calendar)


def issue_slip(
    kind: SlipKind,
    procedure: Procedure,
    applicant: Applicant,
    *,
    items: list[str],
    reason: str,
    ticket: Ticket | None = None,
    user=None,
    submitter: Submitter | None = None,
) -> ReceptionSlip:
    """A supplement request or a refusal at the counter: the dossier is not accepted. The
    slip keeps the owner's and the submitter's names and phones, no identity document."""
    parties = checked_parties(applicant, submitter, identity=False)
    items = [item.strip() for item in items if item.strip()]
    if kind == SlipKind.SUPPLEMENT and not items:
        raise InvalidInput(_l("Hãy ghi ít nhất một giấy tờ cần bổ sung, hoàn thiện."))
    if kind == SlipKind.REFUSAL and not reason.strip():
        raise InvalidInput(_l("Hãy ghi lý do từ chối tiếp nhận."))
    slip = ReceptionSlip(
        kind=kind,
        procedure_id=procedure.id,
        procedure_name=procedure.name,
        applicant_name=parties.applicant.name,
        applicant_kind=parties.applicant.kind,
        applicant_phone=parties.applicant.phone,
        applicant_address=parties.applicant.address,
        submitter_name=parties.submitter.name if parties.submitter else "",
        submitter_phone=parties.submitter.phone if parties.submitter else "",
        items=items,
        reason=reason.strip(),
        ticket_id=ticket.id if ticket else None,
        officer_id=user.id if user is not None else None,
    )
    db.session.add(slip)
    db.session.flush()
    record_event(f"reception.{kind.value}", slip, user=user, procedure=procedure.code, items=items)
    return slip


def code_from_scan(text: str) -> str:
    """The dossier code in what was typed or scanned (a code or a look-up address)."""
    match = CODE_IN_TEXT.search(text.strip())
    return match.group(1).upper() if match else text.strip().upper()


def find_dossier(code: str) -> Dossier:
    code = code_from_scan(code or "")
    if not code or len(code) > 48:
        raise DossierNotFound(code=code[:48])
    dossier = db.session.execute(
        db.select(Dossier)
        .filter_by(code=code)
        .options(selectinload(Dossier.documents), selectinload(Dossier.events))
    ).scalar_one_or_none()
    if dossier is None:
        raise DossierNotFound(code=code)
    return dossier
