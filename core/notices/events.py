"""The events that tell a citizen something, each queuing its notices in the caller's
transaction (sent after the commit by the worker):

- a ticket is called: "called to counter X" to its citizen, and "your turn is near" to each
  citizen of the same queue who now has `NOTICE_TURN_NEAR_AHEAD` or fewer people ahead
  (once per ticket and channel);
- a dossier is received (with the look-up link), needs a supplement, gets a new return date
  after an apology, or has its result (core.dossiers.reception and core.dossiers.states);
- a booking is confirmed (booked or moved: core.appointments.booking), or its day is near
  (the reminder the working day before, core.appointments.reminders, queued by the worker),
  to the contacts the citizen gave and agreed to on the booking page or through the API.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_

from core.clock import to_local
from core.dossiers.links import lookup_link
from core.models import (
    Appointment,
    Counter,
    Dossier,
    Notice,
    NoticeConsent,
    NoticeKind,
    Ticket,
    TicketStatus,
)
from core.notices.consent import contacts_of
from core.notices.outbox import queue_notice, withdraw_notices
from core.notices.texts import moment_words
from core.queue.ordering import calling_order
from extensions import db


def ticket_called(ticket: Ticket, counter: Counter, now: datetime) -> None:
    """Tell the called citizen where to go, and those whose turn is now near. With nobody
    of the queue having agreed to notices this is one query on an empty join; otherwise
    one more, for the first places of the queue."""
    already_told = and_(
        Notice.ticket_id == NoticeConsent.ticket_id,
        Notice.kind == NoticeKind.TURN_NEAR,
        Notice.channel == NoticeConsent.channel,
    )
    rows = db.session.execute(
        db.select(Ticket.id, Ticket.number, NoticeConsent.channel, NoticeConsent.recipient)
        .join(NoticeConsent, NoticeConsent.ticket_id == Ticket.id)
        .outerjoin(Notice, already_told)
        .where(
            or_(
                Ticket.id == ticket.id,
                and_(
                    Ticket.day == ticket.day,
                    Ticket.service_id == ticket.service_id,
                    Ticket.status == TicketStatus.WAITING,
                    Notice.id.is_(None),
                ),
            )
        )
        .order_by(NoticeConsent.id)
    ).all()
    # One address per ticket and channel: the latest agreement.
    latest = {(row.id, row.channel): row for row in rows}
    waiting = [row for row in latest.values() if row.id != ticket.id]
    places = near_places(ticket, now) if waiting else {}
    for row in latest.values():
        if row.id == ticket.id:
            queue_notice(
                row.channel, row.recipient, NoticeKind.CALLED, ticket_id=ticket.id, now=now,
                number=ticket.number, counter=counter.number,
            )  # fmt: skip
        elif row.id in places:
            queue_notice(
                row.channel, row.recipient, NoticeKind.TURN_NEAR, ticket_id=row.id, now=now,
                key=f"turn_near:{row.id}:{row.channel.value}", number=row.number,
                ahead=places[row.id],
            )  # fmt: skip


def near_places(ticket: Ticket, now: datetime) -> dict[int, int]:
    """The waiting tickets of the called ticket's queue with `NOTICE_TURN_NEAR_AHEAD` or
    fewer people ahead at `now`, and how many: the first places in calling order
    (core.queue.ordering, as core.queue.positions.waiting_ahead counts them), read in one
    short query."""
    near = current_app.config["NOTICE_TURN_NEAR_AHEAD"]
    first = db.session.execute(
        db.select(Ticket.id)
        .where(
            Ticket.day == ticket.day,
            Ticket.service_id == ticket.service_id,
            Ticket.status == TicketStatus.WAITING,
        )
        .order_by(*calling_order(now))
        .limit(near + 1)
    ).scalars()
    return {ticket_id: ahead for ahead, ticket_id in enumerate(first)}


def _tell_dossier(dossier: Dossier, kind: NoticeKind, *, once: bool, **values) -> None:
    for contact in contacts_of(dossier_id=dossier.id):
        queue_notice(
            contact.channel,
            contact.recipient,
            kind,
            dossier_id=dossier.id,
            key=f"{kind.value}:{dossier.id}:{contact.channel.value}" if once else None,
            code=dossier.code,
            link=lookup_link(dossier.code),
            **values,
        )


def dossier_received(dossier: Dossier) -> None:
    _tell_dossier(dossier, NoticeKind.DOSSIER_RECEIVED, once=True, due=moment_words(dossier.due_at))


# A dossier's moves that the applicant is told of (core.dossiers.states.Action values).
MOVE_NOTICES = {
    "request_supplement": NoticeKind.SUPPLEMENT,
    "apologise": NoticeKind.NEW_DUE,
    "resolve": NoticeKind.RESULT_READY,
    "refuse": NoticeKind.RESULT_READY,  # the written refusal is the result to collect
}


def dossier_moved(dossier: Dossier, action: str) -> None:
    kind = MOVE_NOTICES.get(action)
    if kind is None:
        return
    _tell_dossier(
        dossier,
        kind,
        once=kind is not NoticeKind.SUPPLEMENT,  # a dossier may need several supplements
        due=moment_words(dossier.due_at),
    )


def booking_confirmed(appointment: Appointment, manage_url: str, *, moved: bool = False) -> None:
    """Queue the confirmation of a booking (its code, time and the link to see, move or
    cancel it) on each channel its citizen agreed to: once per booking and channel when it
    is made, and once per new time on a move (`moved`: moving back and forth between
    two times sends nothing new)."""
    moment = to_local(appointment.starts_at).strftime("%Y%m%d%H%M")
    _tell_booking(
        appointment,
        NoticeKind.BOOKING_CONFIRMED,
        manage_url,
        key=f"moved:{appointment.code}:{moment}" if moved else f"booked:{appointment.code}",
    )


def reminder_key(appointment: Appointment) -> str:
    """The reminder's key, less its channel: one per booking and time."""
    return f"reminder:{appointment.code}:{to_local(appointment.starts_at):%Y%m%d%H%M}"


def withdraw_booking_notices(appointment: Appointment, reason: str) -> int:
    """Keep a booking's unsent confirmations and reminders from going out once it is
    cancelled or moved (they name its old time); the number withdrawn."""
    return withdraw_notices(
        and_(
            Notice.appointment_id == appointment.id,
            Notice.kind.in_([NoticeKind.BOOKING_CONFIRMED, NoticeKind.BOOKING_REMINDER]),
        ),
        reason,
    )


def booking_reminder(
    appointment: Appointment, manage_url: str, already: frozenset[str] = frozenset()
) -> int:
    """Queue the reminder sent the working day before; once per booking, time and channel,
    so the reminder job may call it again safely (and a booking moved to another day before
    it is reminded of its new time). Keys in `already` are skipped without a write; the
    number of notices queued."""
    return _tell_booking(
        appointment,
        NoticeKind.BOOKING_REMINDER,
        manage_url,
        key=reminder_key(appointment),
        already=already,
    )


def _tell_booking(
    appointment: Appointment,
    kind: NoticeKind,
    manage_url: str,
    key,
    already: frozenset[str] = frozenset(),
) -> int:
    queued = 0
    for contact in contacts_of(appointment_id=appointment.id):
        channel_key = f"{key}:{contact.channel.value}" if key else None
        if channel_key in already:
            continue
        queued += (
            queue_notice(
                contact.channel,
                contact.recipient,
                kind,
                appointment_id=appointment.id,
                key=channel_key,
                code=appointment.code,
                service=appointment.service.name,
                start=moment_words(appointment.starts_at),
                link=manage_url,
            )
            is not None
        )
    return queued
