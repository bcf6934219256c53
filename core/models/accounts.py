"""Staff accounts and the devices (kiosks, boards, counter keypads) that use the API."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.base import enum_column
from extensions import db

if TYPE_CHECKING:
    from core.models.agencies import Agency, ProcessingUnit
    from core.models.queue import Counter


class Role(enum.StrEnum):
    OFFICER = "officer"
    MANAGER = "manager"
    ADMIN = "admin"
    # The processing officers of an agency, scoped to it and (but the leader) to a unit.
    SPECIALIST = "specialist"  # chuyên viên
    UNIT_HEAD = "unit_head"  # lãnh đạo đơn vị
    AGENCY_LEADER = "agency_leader"  # lãnh đạo cơ quan


PROCESSING_ROLES = frozenset({Role.SPECIALIST, Role.UNIT_HEAD, Role.AGENCY_LEADER})


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    COUNTER = "counter"
    RATING = "rating"  # the rating tablet at a counter: rates, never calls or finishes


class User(UserMixin, db.Model):
    """An officer, manager or admin who signs in."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised to end every session of the account on every server (web.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Wrong passwords in a row since `failed_sign_ins_since`, and the refusal they earned
    # (core.accounts.sign_in).
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_sign_ins_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sign_in_refused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A processing officer's agency and unit (the agency's leader has no unit).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("processing_unit.id"))

    agency: Mapped[Agency | None] = relationship()
    unit: Mapped[ProcessingUnit | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class Device(db.Model):
    """A kiosk, display board or counter keypad that talks to the API with a secret key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeviceKind] = mapped_column(enum_column(DeviceKind))
    name: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    printer_url: Mapped[str | None] = mapped_column(String(255))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A display board's part of the hall: the counters of this agency and/or of this named
    # area (core.queue.areas); both None: the whole hall.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    area: Mapped[str | None] = mapped_column(String(64))

    counter: Mapped[Counter | None] = relationship()
