"""Applicants' personal data (Decree 13/2023/NĐ-CP): who may see it, how long it is kept,
and everything held about one person.

Personal data are, on a dossier, the owner's name, identity document, phone, e-mail and
address (and the addresses they agreed to be told on, core/notices/consent.py), the
authorised submitter's name, identity document, phone and authorisation, and the name of
whoever collected the result; on a reception slip, the owner's and the submitter's names
and phones and the address. Officers and admins see them; managers see statistics and
masked names (an organisation's name is not personal data and is not masked). After the
retention period a finished dossier (returned, refused, withdrawn or stopped) keeps
everything the statistics count — the procedure, field, channel, dates, status,
timeliness — and loses the details of everyone it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func

from core.appointments.privacy import count_bookings_due, erase_bookings
from core.audit import record_event
from core.clock import to_local, utcnow
from core.models import Dossier, DossierStatus, ReceptionSlip, Role
from core.notices.consent import consents_of_dossier, forget_dossier_contacts
from core.vntext import mask_name
from extensions import db

# Who sees applicants' details in full; everyone else sees masked names only.
# The processing officers read the dossiers they handle (their views are audited).
PERSONAL_DATA_ROLES = frozenset(
    {Role.OFFICER, Role.ADMIN, Role.SPECIALIST, Role.UNIT_HEAD, Role.AGENCY_LEADER}
)
FINISHED = (
    DossierStatus.RETURNED,
    DossierStatus.REFUSED,
    DossierStatus.WITHDRAWN,
    DossierStatus.STOPPED,
)
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
    """When a dossier was finished: returned, withdrawn, stopped, or answered with a refusal."""
    return func.coalesce(
        Dossier.returned_at, Dossier.withdrawn_at, Dossier.stopped_at, Dossier.resolved_at
    )


@dataclass
class AnonymiseResult:
    cutoff: datetime
    dossiers: list[str]  # codes
    slips: int
    bookings: int = 0  # booked appointments (core.appointments.privacy)


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
    result = AnonymiseResult(
        cutoff, [dossier.code for dossier in dossiers], len(slips), count_bookings_due(cutoff)
    )
    if dry_run:
        return result
    for dossier in dossiers:
        erase_parties(dossier)
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
        slip.submitter_name = ""
        slip.submitter_phone = ""
        slip.anonymised_at = now
        record_event("reception_slip.anonymised", slip, user=user, days=retention_days)
        if progress:
            progress(1)
    erase_bookings(cutoff, user=user, days=retention_days, progress=progress)
    db.session.flush()
    return result


def erase_parties(dossier: Dossier) -> None:
    """Erase the owner's, the submitter's and the collector's details. The kinds (person or
    organisation, which document, how the result was collected) stay: they name no one."""
    dossier.applicant_name = ANONYMISED_NAME
    dossier.applicant_id_number = ""
    dossier.applicant_id_note = ""
    dossier.applicant_phone = ""
    dossier.applicant_email = ""
    dossier.applicant_address = ""
    dossier.applicant_birth_date = None
    if dossier.submitter_name:
        dossier.submitter_name = ANONYMISED_NAME
    dossier.submitter_id_number = ""
    dossier.submitter_id_note = ""
    dossier.submitter_phone = ""
    dossier.submitter_authorisation = ""
    if dossier.collector_name:
        dossier.collector_name = ANONYMISED_NAME
    forget_dossier_contacts(dossier.id)  # the addresses agreed to for notices, and sent to


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
            "kind": dossier.applicant_kind.value,
            "name": dossier.applicant_name,
            "id_kind": dossier.applicant_id_kind.value,
            "id_number": dossier.applicant_id_number,
            "id_note": dossier.applicant_id_note,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "birth_date": (
                dossier.applicant_birth_date.isoformat() if dossier.applicant_birth_date else None
            ),
        },
        "submitter": {
            "name": dossier.submitter_name,
            "id_kind": dossier.submitter_id_kind.value,
            "id_number": dossier.submitter_id_number,
            "id_note": dossier.submitter_id_note,
            "phone": dossier.submitter_phone,
            "authorisation": dossier.submitter_authorisation,
        }
        if dossier.submitted_by_proxy
        else None,
        "result_collected": {
            "via": dossier.collected_via.value,
            "by": dossier.collected_by.value if dossier.collected_by else None,
            "name": dossier.collector_name,
        }
        if dossier.collected_via
        else None,
        "received_at": moment(dossier.received_at),
        "due_at": moment(dossier.due_at),
        "resolved_at": moment(dossier.resolved_at),
        "returned_at": moment(dossier.returned_at),
        "withdrawn_at": moment(dossier.withdrawn_at),
        "stopped_at": moment(dossier.stopped_at),
        "result_note": dossier.result_note,
        "documents": [
            {"name": doc.name, "kind": doc.kind.value, "quantity": doc.quantity}
            for doc in dossier.documents
        ],
        "notices_agreed": [
            {
                "channel": consent.channel.value,
                "address": consent.recipient,
                "agreed_at": moment(consent.agreed_at),
                "where": consent.agreed_where,
            }
            for consent in consents_of_dossier(dossier.id)
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
            "kind": slip.applicant_kind.value,
            "name": slip.applicant_name,
            "phone": slip.applicant_phone,
            "address": slip.applicant_address,
        },
        "submitter": {"name": slip.submitter_name, "phone": slip.submitter_phone}
        if slip.submitter_name
        else None,
        "items": slip.items,
        "reason": slip.reason,
        "created_at": moment(slip.created_at),
    }


def as_submitter(record: dict) -> dict:
    """A dossier the person only filed for someone else: the owner's details are the
    owner's, not theirs, and stay out of the export."""
    return {**record, "applicant": None, "notices_agreed": []}


def personal_data_of(id_number: str, *, user=None, now: datetime | None = None) -> dict:
    """Everything held about the person with this ID number (citizen ID, passport…): the
    dossiers they own or filed for someone else (with documents and history) and the
    reception slips issued to the same name and phone. The export itself is audit-logged,
    by dossier code (never by the ID number)."""
    id_number = "".join(id_number.split()).upper()
    owned, filed = [], []
    if id_number:
        owned = list(
            db.session.execute(
                db.select(Dossier)
                .where(Dossier.applicant_id_number == id_number)
                .order_by(Dossier.received_at)
            ).scalars()
        )
        filed = list(
            db.session.execute(
                db.select(Dossier)
                .where(
                    Dossier.submitter_id_number == id_number,
                    Dossier.applicant_id_number != id_number,
                )
                .order_by(Dossier.received_at)
            ).scalars()
        )
    people = {(d.applicant_name, d.applicant_phone) for d in owned if d.applicant_phone}
    helpers = {(d.submitter_name, d.submitter_phone) for d in filed if d.submitter_phone}
    slips = []
    for name, phone in sorted(people):
        slips.extend(
            db.session.execute(
                db.select(ReceptionSlip)
                .filter_by(applicant_name=name, applicant_phone=phone)
                .order_by(ReceptionSlip.created_at)
            ).scalars()
        )
    for name, phone in sorted(helpers):
        slips.extend(
            db.session.execute(
                db.select(ReceptionSlip)
                .filter_by(submitter_name=name, submitter_phone=phone)
                .order_by(ReceptionSlip.created_at)
            ).scalars()
        )
    codes = [dossier.code for dossier in owned + filed]
    record_event("privacy.exported", ("person", None), user=user, dossiers=codes, slips=len(slips))
    db.session.flush()
    return {
        "citizen_id": id_number,
        "exported_at": moment(now or utcnow()),
        "dossiers": [dossier_record(dossier) for dossier in owned],
        "filed_for_others": [as_submitter(dossier_record(dossier)) for dossier in filed],
        "reception_slips": [slip_record(slip) for slip in slips],
    }
