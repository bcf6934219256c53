"""Applicants' personal data (Decree 13/2023/NĐ-CP): who may see it, how long it is kept,
and everything held about one person.

Personal data are the applicant's name, citizen ID number, phone, e-mail and address on a
dossier, and the name, phone and address on a reception slip. Officers and admins see
them; managers see statistics and masked names. After the retention period a finished
dossier (returned, refused or withdrawn) keeps everything the statistics count — the
procedure, field, channel, dates, status, timeliness — and loses the applicant's details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func

from core.audit import record_event
from core.clock import to_local, utcnow
from core.models import Dossier, DossierStatus, ReceptionSlip, Role
from core.vntext import mask_name
from extensions import db

# Who sees applicants' details in full; everyone else sees masked names only.
PERSONAL_DATA_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
FINISHED = (DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.WITHDRAWN)
# Stored in place of an erased name: data printed on forms, in Vietnamese.
ANONYMISED_NAME = "(đã ẩn danh)"


def sees_personal_data(user) -> bool:
    return getattr(user, "role", None) in PERSONAL_DATA_ROLES


def shown_name(name: str, user=None, *, organisation: bool = False) -> str:
    """The applicant's name as `user` may see it (no user: the public). An organisation's
    name is not personal data and is shown as it is, to everyone."""
    if organisation or sees_personal_data(user) or name == ANONYMISED_NAME:
        return name
    return mask_name(name)


def finished_at():
    """When a dossier was finished: returned, withdrawn, or answered with a refusal."""
    return func.coalesce(Dossier.returned_at, Dossier.withdrawn_at, Dossier.resolved_at)


@dataclass
class AnonymiseResult:
    cutoff: datetime
    dossiers: list[str]  # codes
    slips: int


def due_for_anonymising(cutoff: datetime):
    """Finished dossiers and slips older than `cutoff` that still hold personal data."""
    dossiers = db.select(Dossier).where(
        Dossier.status.in_(FINISHED),
        Dossier.anonymised_at.is_(None),
        finished_at() < cutoff,
    )
    slips = db.select(ReceptionSlip).where(
        ReceptionSlip.anonymised_at.is_(None), ReceptionSlip.created_at < cutoff
    )
    return dossiers.order_by(Dossier.id), slips.order_by(ReceptionSlip.id)


def anonymise_finished(
    retention_days: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    user=None,
    progress: Callable[[int], None] | None = None,
) -> AnonymiseResult:
    """Erase the applicant's details of finished dossiers (and of reception slips) older
    than `retention_days`; idempotent; one audit event per record; the caller commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    dossier_query, slip_query = due_for_anonymising(cutoff)
    dossiers = list(db.session.execute(dossier_query).scalars())
    slips = list(db.session.execute(slip_query).scalars())
    result = AnonymiseResult(cutoff, [dossier.code for dossier in dossiers], len(slips))
    if dry_run:
        return result
    for dossier in dossiers:
        dossier.applicant_name = ANONYMISED_NAME
        dossier.applicant_id_number = ""
        dossier.applicant_phone = ""
        dossier.applicant_email = ""
        dossier.applicant_address = ""
        dossier.anonymised_at = now
        record_event(
            "dossier.anonymised", dossier, user=user, code=dossier.code, days=retention_days
        )
        if progress:
            progress(1)
    for slip in slips:
        slip.applicant_name = ANONYMISED_NAME
        slip.applicant_phone = ""
        slip.applicant_address = ""
        slip.anonymised_at = now
        record_event("reception_slip.anonymised", slip, user=user, days=retention_days)
        if progress:
            progress(1)
    db.session.flush()
    return result


def moment(value: datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def dossier_record(dossier: Dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure_code, "name": dossier.procedure_name},
        "field": dossier.field_name,
        "channel": dossier.channel.value,
        "status": dossier.status.value,
        "applicant": {
            "name": dossier.applicant_name,
            "citizen_id": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "received_at": moment(dossier.received_at),
        "due_at": moment(dossier.due_at),
        "resolved_at": moment(dossier.resolved_at),
        "returned_at": moment(dossier.returned_at),
        "withdrawn_at": moment(dossier.withdrawn_at),
        "result_note": dossier.result_note,
        "documents": [
            {"name": doc.name, "kind": doc.kind.value, "quantity": doc.quantity}
            for doc in dossier.documents
        ],
        "history": [
            {
                "action": event.action,
                "at": moment(event.occurred_at),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "to_unit": event.to_unit,
            }
            for event in dossier.events
        ],
    }


def slip_record(slip: ReceptionSlip) -> dict:
    return {
        "kind": slip.kind.value,
        "procedure": slip.procedure_name,
        "applicant": {
            "name": slip.applicant_name,
            "phone": slip.applicant_phone,
            "address": slip.applicant_address,
        },
        "items": slip.items,
        "reason": slip.reason,
        "created_at": moment(slip.created_at),
    }


def personal_data_of(citizen_id: str, *, user=None, now: datetime | None = None) -> dict:
    """Everything held about the person with this citizen ID number: their dossiers (with
    documents and history) and the reception slips issued to the same name and phone.
    The export itself is audit-logged, by dossier code (never by the ID number)."""
    citizen_id = "".join(citizen_id.split())
    dossiers = []
    if citizen_id:
        dossiers = list(
            db.session.execute(
                db.select(Dossier)
                .where(Dossier.applicant_id_number == citizen_id)
                .order_by(Dossier.received_at)
            ).scalars()
        )
    people = {(d.applicant_name, d.applicant_phone) for d in dossiers if d.applicant_phone}
    slips = []
    for name, phone in sorted(people):
        slips.extend(
            db.session.execute(
                db.select(ReceptionSlip)
                .filter_by(applicant_name=name, applicant_phone=phone)
                .order_by(ReceptionSlip.created_at)
            ).scalars()
        )
    codes = [dossier.code for dossier in dossiers]
    record_event("privacy.exported", ("person", None), user=user, dossiers=codes, slips=len(slips))
    db.session.flush()
    return {
        "citizen_id": citizen_id,
        "exported_at": moment(now or utcnow()),
        "dossiers": [dossier_record(dossier) for dossier in dossiers],
        "reception_slips": [slip_record(slip) for slip in slips],
    }
