"""A citizen's agreement to be told, on a channel and at an address they gave: recorded with
when and where (kiosk, desk, booking), read when a notice is due, erased with the rest of
the personal data (core/dossiers/privacy.py for dossiers, core/appointments/privacy.py for
bookings; a ticket's after its day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update

from core.audit import record_event
from core.clock import local_today, utcnow
from core.errors import DomainError, InvalidInput
from core.models import Notice, NoticeChannel, NoticeConsent, Ticket, TicketStatus
from core.notices.channels import PHONE_CHANNELS, channel_on
from core.notices.outbox import withdraw_notices
from core.vntext import is_valid_email, is_valid_phone, normalise_phone
from extensions import db

PLACES = ("kiosk", "desk", "booking")


@dataclass(frozen=True)
class Contact:
    """Where one citizen agreed to be told: a channel and an address on it."""

    channel: NoticeChannel
    recipient: str


def checked_contact(channel: NoticeChannel | str, recipient: str) -> Contact:
    """The contact cleaned (a phone as 0xxxxxxxxx), or InvalidInput saying what is wrong."""
    channel = NoticeChannel(channel)
    recipient = (recipient or "").strip()
    if channel in PHONE_CHANNELS:
        recipient = normalise_phone(recipient)
        if not is_valid_phone(recipient):
            raise InvalidInput(
                _l("Số điện thoại “{phone}” không đúng: cần 10 chữ số, bắt đầu bằng 0."),
                phone=recipient,
            )
    elif not is_valid_email(recipient):
        raise InvalidInput(_l("Địa chỉ thư điện tử “{email}” không đúng."), email=recipient[:60])
    return Contact(channel, recipient)


def record_consent(
    contact: Contact,
    *,
    where: str,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    appointment_id: int | None = None,
    user=None,
    device=None,
    now: datetime | None = None,
) -> NoticeConsent:
    """Record the agreement to be told about one ticket, dossier or booking (audited,
    without the address); the caller commits."""
    subjects = {"ticket": ticket_id, "dossier": dossier_id, "appointment": appointment_id}
    given = [(name, value) for name, value in subjects.items() if value is not None]
    assert where in PLACES and len(given) == 1
    consent = NoticeConsent(
        channel=contact.channel,
        recipient=contact.recipient,
        ticket_id=ticket_id,
        dossier_id=dossier_id,
        appointment_id=appointment_id,
        agreed_at=now or utcnow(),
        agreed_where=where,
        user_id=user.id if user is not None else None,
        device_id=device.id if device is not None else None,
    )
    db.session.add(consent)
    record_event(
        "notice.consent_given",
        given[0],
        user=user,
        device=device,
        channel=contact.channel.value,
        where=where,
    )
    return consent


def contacts_of(
    *,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    appointment_id: int | None = None,
) -> list[Contact]:
    """The channels a ticket's, a dossier's or a booking's citizen agreed to, one contact per
    channel (the latest agreement on it)."""
    if ticket_id is not None:
        condition = NoticeConsent.ticket_id == ticket_id
    elif dossier_id is not None:
        condition = NoticeConsent.dossier_id == dossier_id
    else:
        condition = NoticeConsent.appointment_id == appointment_id
    rows = db.session.execute(
        db.select(NoticeConsent.channel, NoticeConsent.recipient)
        .where(condition)
        .order_by(NoticeConsent.id)
    ).all()
    latest = {channel: recipient for channel, recipient in rows}
    return [Contact(channel, recipient) for channel, recipient in latest.items()]


def consents_of_dossier(dossier_id: int) -> list[NoticeConsent]:
    """Every agreement given for a dossier, oldest first (the person's data export)."""
    return list(
        db.session.execute(
            db.select(NoticeConsent)
            .where(NoticeConsent.dossier_id == dossier_id)
            .order_by(NoticeConsent.id)
        ).scalars()
    )


def forget_notices(condition) -> None:
    """Erase the addresses of the notices `condition` selects; a queued one is not sent."""
    withdraw_notices(condition, "erased", sending_too=True)
    db.session.execute(
        update(Notice)
        .where(condition)
        .values(recipient="")
        .execution_options(synchronize_session=False)
    )


def forget_dossier_contacts(dossier_id: int) -> None:
    """Erase a dossier's contacts and its notices' addresses (with its personal data)."""
    db.session.execute(delete(NoticeConsent).where(NoticeConsent.dossier_id == dossier_id))
    forget_notices(Notice.dossier_id == dossier_id)


def forget_booking_contacts(appointment_ids: list[int]) -> None:
    """Erase bookings' contacts and their notices' addresses (with their personal data)."""
    if not appointment_ids:
        return
    db.session.execute(
        delete(NoticeConsent)
        .where(NoticeConsent.appointment_id.in_(appointment_ids))
        .execution_options(synchronize_session=False)
    )
    forget_notices(Notice.appointment_id.in_(appointment_ids))


def forget_ticket_contacts(before: date) -> int:
    """Erase the contacts given for tickets of days before `before`, and their notices'
    addresses: a ticket's notices are of its day only. The number of agreements erased."""
    ticket_ids = list(
        db.session.execute(
            db.select(NoticeConsent.ticket_id)
            .join(Ticket, Ticket.id == NoticeConsent.ticket_id)
            .where(Ticket.day < before)
            .distinct()
        ).scalars()
    )
    if not ticket_ids:
        return 0
    erased = db.session.execute(
        delete(NoticeConsent)
        .where(NoticeConsent.ticket_id.in_(ticket_ids))
        .execution_options(synchronize_session=False)
    ).rowcount
    forget_notices(Notice.ticket_id.in_(ticket_ids))
    return erased


class NoticesOff(DomainError):
    code = "notices_off"
    status = 409
    message = _l("Máy này chưa nhắn tin được; xin theo dõi lượt bằng mã QR.")


class TicketNotWaiting(InvalidInput):
    code = "ticket_not_waiting"
    status = 409
    message = _l("Số {number} không còn chờ trong hàng: không cần nhắn tin báo lượt.")


def ticket_contact_given(
    ticket: Ticket, channel: NoticeChannel | str, phone: str, *, device=None, user=None
) -> Contact:
    """The kiosk (or a guide) records the phone a citizen agreed to be told on about their
    ticket: "your turn is near" and "called to counter X". The caller commits."""
    channel = NoticeChannel(channel)
    if channel not in channels_on_for_phones():
        raise NoticesOff()
    contact = checked_contact(channel, phone)
    if ticket.status != TicketStatus.WAITING or ticket.day != local_today():
        raise TicketNotWaiting(number=ticket.number)
    record_consent(contact, where="kiosk", ticket_id=ticket.id, device=device, user=user)
    return contact


def channels_on_for_phones() -> list[NoticeChannel]:
    return [channel for channel in PHONE_CHANNELS if channel_on(channel)]


def masked_phone(phone: str) -> str:
    """'0912345678' → '091****678': what a screen shows of a phone."""
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else phone


def masked_recipient(recipient: str) -> str:
    """A phone as `masked_phone`, an e-mail as 'n***@example.vn': for lists on screens."""
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return f"{name[:1]}***@{domain}"
    return masked_phone(recipient)
