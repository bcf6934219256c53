"""Booking, cancelling and moving an appointment; the caller commits.

A slot's places are an atomic row (`AppointmentSlot`): the first booking writes it
(INSERT … ON CONFLICT DO NOTHING), and every booking takes a place with one conditional
`UPDATE … SET booked = booked + 1 WHERE booked < capacity`. PostgreSQL's row lock (and
SQLite's writer's turn) serialises concurrent bookers on that row, so a place is given at
most once; the check constraint `booked <= capacity` is the last guard.

The channels the citizen agreed to are recorded as their agreements to notices
(core.notices.consent), and "booking confirmed" is queued in the booking's own transaction,
again when the booking moves to another time (core.notices.events).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core.appointments.errors import (
    AlreadyBooked,
    AppointmentClosed,
    AppointmentNotFound,
    BookingRefused,
    NotBookable,
    SlotFull,
    SlotNotOffered,
    TooManyMoves,
)
from core.appointments.slots import booking_settings, is_offered
from core.audit import record_event
from core.clock import local_text, to_local, utcnow
from core.db.upsert import session_upsert
from core.models import Appointment, AppointmentSlot, AppointmentStatus, NoticeChannel, Service
from core.notices.consent import Contact, record_consent
from core.notices.events import booking_confirmed, withdraw_booking_notices
from core.queue.services import CODE_PATTERN
from core.vntext import is_valid_citizen_id, is_valid_email, is_valid_phone, normalise_phone
from extensions import db

CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # none that look alike
CODE_LENGTH = 6
MANAGE_PATH = "/dat-lich/"
CHANNELS = ("sms", "email", "zalo")
STATUS_WORDS = {
    AppointmentStatus.BOOKED: _l("còn hiệu lực"),
    AppointmentStatus.CHECKED_IN: _l("được xác nhận có mặt"),
    AppointmentStatus.CANCELLED: _l("bị hủy"),
}

_slots = AppointmentSlot.__table__


@dataclass
class Booker:
    """Who booked, how to reach them, and the channels they agreed to be told on (the
    notices' own `core.notices.consent.Contact` is one channel and address)."""

    name: str
    phone: str = ""
    email: str = ""
    citizen_id: str = ""
    consent: tuple[str, ...] = ()

    def cleaned(self) -> Booker:
        """The details as stored, or `BookingRefused` naming what is wrong."""
        name = " ".join((self.name or "").split())
        phone = normalise_phone(self.phone or "") if (self.phone or "").strip() else ""
        email = (self.email or "").strip().lower()
        citizen_id = re.sub(r"\s", "", self.citizen_id or "")
        if not 2 <= len(name) <= 200:
            raise BookingRefused(_l("Hãy nhập họ và tên (2 đến 200 ký tự)."), field="name")
        if not phone and not email:
            raise BookingRefused(
                _l("Hãy nhập số điện thoại hoặc địa chỉ e-mail để nhận xác nhận."), field="phone"
            )
        if phone and not is_valid_phone(phone):
            raise BookingRefused(
                _l("Số điện thoại phải là số Việt Nam 10 chữ số, ví dụ 0912 345 678."),
                field="phone",
            )
        if email and not is_valid_email(email):
            raise BookingRefused(_l("Địa chỉ e-mail không hợp lệ."), field="email")
        if citizen_id and not is_valid_citizen_id(citizen_id):
            raise BookingRefused(
                _l("Số CCCD phải gồm đúng 12 chữ số, ba chữ số đầu là mã tỉnh (001–096)."),
                field="citizen_id",
            )
        unknown = set(self.consent) - set(CHANNELS)
        if unknown:
            raise BookingRefused(
                _l("Kênh nhận thông báo không hợp lệ: {channels}."),
                field="consent",
                channels=", ".join(sorted(unknown)),
            )
        # A channel counts only with its contact detail: SMS and Zalo reach the phone.
        given = {"sms": bool(phone), "zalo": bool(phone), "email": bool(email)}
        consent = tuple(
            channel for channel in CHANNELS if channel in self.consent and given[channel]
        )
        return Booker(name, phone, email, citizen_id, consent)


def manage_url(token: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + MANAGE_PATH + token


def clean_code(text: str) -> str:
    """A code as typed or scanned: spaces and dashes dropped, upper-cased."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def find_service(code: str) -> Service:
    """The service with this code that takes bookings; a code no service could have (a NUL
    byte, which PostgreSQL refuses in a query, or anything else) is not looked up."""
    if not CODE_PATTERN.match(code or ""):
        raise NotBookable(service=(code or "")[:40])
    service = db.session.execute(db.select(Service).filter_by(code=code)).scalar_one_or_none()
    if service is None or booking_settings(service) is None:
        raise NotBookable(service=code)
    return service


def find_appointment(token: str, *, lock: bool = False) -> Appointment:
    statement = db.select(Appointment).filter_by(token=token)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    appointment = db.session.execute(statement).scalar_one_or_none()
    if appointment is None:
        raise AppointmentNotFound()
    return appointment


def take_place(service: Service, start: datetime) -> AppointmentSlot:
    """One place of the slot starting at `start`, or `SlotFull`."""
    settings = booking_settings(service)
    db.session.execute(
        session_upsert()(_slots)
        .values(
            service_id=service.id,
            day=to_local(start).date(),
            starts_at=start,
            capacity=settings.places,
            booked=0,
        )
        .on_conflict_do_nothing(index_elements=["service_id", "starts_at"])
    )
    slot_id = db.session.execute(
        update(_slots)
        .where(
            _slots.c.service_id == service.id,
            _slots.c.starts_at == start,
            _slots.c.booked < _slots.c.capacity,
        )
        .values(booked=_slots.c.booked + 1)
        .returning(_slots.c.id)
    ).scalar_one_or_none()
    if slot_id is None:
        raise SlotFull(start=local_text(start))
    return db.session.get(AppointmentSlot, slot_id, populate_existing=True)


def give_back_place(slot_id: int) -> None:
    db.session.execute(
        update(_slots).where(_slots.c.id == slot_id).values(booked=_slots.c.booked - 1)
    )


def _check_offered(service: Service, start: datetime, now: datetime) -> None:
    if start.tzinfo is None or not is_offered(service, start, now):
        raise SlotNotOffered(start=local_text(start) if start.tzinfo else start.isoformat())


# Tries at drawing a booking code not yet taken (31**6 codes: a second try is already rare).
CODE_TRIES = 5


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def _is_code_clash(appointment: Appointment) -> bool:
    """Another booking holds the new booking's code or token (the refusal came from their
    unique constraints, not from the partial unique indexes that mean "already booked")."""
    return (
        db.session.execute(
            db.select(Appointment.id)
            .where(
                db.or_(Appointment.code == appointment.code, Appointment.token == appointment.token)
            )
            .limit(1)
        ).first()
        is not None
    )


def _flush_or_already_booked(day) -> None:
    """The partial unique indexes refuse a second active booking of the same citizen."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AlreadyBooked(day=day.strftime("%d/%m/%Y")) from None


def _insert(appointment: Appointment) -> None:
    """Write a new booking; a clash of its drawn code (or token) with another booking's
    draws them again, a few times. Only the partial unique indexes mean "already booked"."""
    db.session.flush()
    for _ in range(CODE_TRIES):
        try:
            with db.session.begin_nested():
                db.session.add(appointment)
                db.session.flush()
            return
        except IntegrityError:
            if not _is_code_clash(appointment):
                break
            appointment.code = new_code()
            appointment.token = secrets.token_urlsafe(16)
    raise AlreadyBooked(day=appointment.day.strftime("%d/%m/%Y"))


def _already_booked(service_id: int, day, contact: Booker, but: int | None = None) -> bool:
    matches = [
        getattr(Appointment, column) == value
        for column, value in (
            ("phone", contact.phone),
            ("email", contact.email),
            ("citizen_id", contact.citizen_id),
        )
        if value
    ]
    statement = db.select(Appointment.id).where(
        Appointment.service_id == service_id,
        Appointment.day == day,
        Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]),
        db.or_(*matches),
    )
    if but is not None:
        statement = statement.where(Appointment.id != but)
    return db.session.execute(statement.limit(1)).first() is not None


def book(
    service_code: str, start: datetime, contact: Booker, now: datetime | None = None
) -> Appointment:
    """Book one place of a slot for a citizen; 422 with the reason, 409 when full."""
    now = now or utcnow()
    service = find_service(service_code)
    contact = contact.cleaned()
    _check_offered(service, start, now)
    day = to_local(start).date()
    if _already_booked(service.id, day, contact):
        raise AlreadyBooked(day=day.strftime("%d/%m/%Y"))
    slot = take_place(service, start)
    appointment = Appointment(
        code=new_code(),
        token=secrets.token_urlsafe(16),
        service=service,
        slot=slot,
        day=day,
        starts_at=slot.starts_at,
        status=AppointmentStatus.BOOKED,
        name=contact.name,
        phone=contact.phone or None,
        email=contact.email or None,
        citizen_id=contact.citizen_id or None,
        consent_sms="sms" in contact.consent,
        consent_email="email" in contact.consent,
        consent_zalo="zalo" in contact.consent,
        consent_at=now if contact.consent else None,
        created_at=now,
    )
    _insert(appointment)
    record_event(
        "appointment.booked",
        appointment,
        code=appointment.code,
        service=service.code,
        start=to_local(start).isoformat(timespec="minutes"),
        consent=list(contact.consent),
    )
    for channel in contact.consent:
        record_consent(
            Contact(NoticeChannel(channel), contact.email if channel == "email" else contact.phone),
            where="booking",
            appointment_id=appointment.id,
            now=now,
        )
    booking_confirmed(appointment, manage_url(appointment.token))
    return appointment


def _open_for_change(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentClosed(code=appointment.code, status=STATUS_WORDS[appointment.status])


def cancel(token: str, now: datetime | None = None) -> Appointment:
    """Cancel a booking not yet checked in, giving its place back."""
    appointment = find_appointment(token, lock=True)
    _open_for_change(appointment)
    give_back_place(appointment.slot_id)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now or utcnow()
    withdrawn = withdraw_booking_notices(appointment, "booking_cancelled")
    record_event(
        "appointment.cancelled", appointment, code=appointment.code, notices_withdrawn=withdrawn
    )
    return appointment


def move(token: str, start: datetime, now: datetime | None = None) -> Appointment:
    """Move a booking to another slot of its service: a place there first, then the old
    place back (a full slot changes nothing). At most `BOOKING_MAX_MOVES` times: each move
    sends the citizen a confirmation."""
    now = now or utcnow()
    appointment = find_appointment(token, lock=True)
    _open_for_change(appointment)
    service = appointment.service
    _check_offered(service, start, now)
    if start == appointment.starts_at:
        return appointment
    if appointment.moves >= current_app.config["BOOKING_MAX_MOVES"]:
        raise TooManyMoves(code=appointment.code, moves=appointment.moves)
    day = to_local(start).date()
    contact = Booker(
        appointment.name,
        appointment.phone or "",
        appointment.email or "",
        appointment.citizen_id or "",
    )
    if _already_booked(service.id, day, contact, but=appointment.id):
        raise AlreadyBooked(day=day.strftime("%d/%m/%Y"))
    old_start, old_slot_id = appointment.starts_at, appointment.slot_id
    slot = take_place(service, start)
    give_back_place(old_slot_id)
    appointment.slot = slot
    appointment.starts_at = slot.starts_at
    appointment.day = day
    appointment.moves += 1
    _flush_or_already_booked(day)
    withdrawn = withdraw_booking_notices(appointment, "booking_moved")
    record_event(
        "appointment.moved",
        appointment,
        code=appointment.code,
        start=to_local(start).isoformat(timespec="minutes"),
        previous=to_local(old_start).isoformat(timespec="minutes"),
        notices_withdrawn=withdrawn,
    )
    booking_confirmed(appointment, manage_url(appointment.token), moved=True)
    return appointment
