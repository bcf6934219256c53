"""The queue: services and their hours, counters, tickets, their daily numbers and calls."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db.types import UTCDateTime
from core.models.base import enum_column
from extensions import db

if TYPE_CHECKING:
    from core.models.accounts import User
    from core.models.agencies import Agency

AT_A_COUNTER = text("status IN ('called', 'serving')")


def format_ticket_number(prefix: str, digits: int, sequence: int) -> str:
    """The number as printed: the prefix and the zero-padded sequence, e.g. A001 or 1001."""
    return f"{prefix}{sequence:0{digits}d}"


def is_open(periods: Iterable[tuple[int, int, int]], local_moment: datetime) -> bool:
    """Whether a local time falls in one of the (weekday, opens, closes) minute periods."""
    minute = local_moment.hour * 60 + local_moment.minute
    weekday = local_moment.weekday()
    return any(day == weekday and opens <= minute < closes for day, opens, closes in periods)


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


counter_services = Table(
    "counter_service",
    db.metadata,
    Column("counter_id", ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class Counter(db.Model):
    """A numbered counter (quầy) where officers serve citizens."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The agency the counter belongs to (it may serve other agencies' services too) and
    # the named area of the hall it stands in ('' for none): what a board by area shows.
    # Nullable because SQLite adds the column without rebuilding the table (0035).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    area: Mapped[str] = mapped_column(String(64), default="", server_default="")

    agency: Mapped[Agency | None] = relationship()
    services: Mapped[list[Service]] = relationship(
        secondary=counter_services, back_populates="counters", order_by="Service.code"
    )


class Service(db.Model):
    """A queue of the desk, such as driving licences; tickets are numbered per service."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(3))
    digits: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # The agency whose queue this is (0035 gave existing services the first agency).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)

    agency: Mapped[Agency | None] = relationship()
    hours: Mapped[list[ServiceHours]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceHours.weekday"
    )
    counters: Mapped[list[Counter]] = relationship(
        secondary=counter_services, back_populates="services"
    )

    def format_number(self, sequence: int) -> str:
        return format_ticket_number(self.prefix, self.digits, sequence)

    def is_open_at(self, local_moment: datetime) -> bool:
        periods = ((hours.weekday, hours.opens_minute, hours.closes_minute) for hours in self.hours)
        return is_open(periods, local_moment)


class ServiceHours(db.Model):
    """One opening period of a service on one weekday (0 = Monday), in local minutes."""

    __tablename__ = "service_hours"
    __table_args__ = (UniqueConstraint("service_id", "weekday", "opens_minute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)

    service: Mapped[Service] = relationship(back_populates="hours")


class TicketSequence(db.Model):
    """A service's local day: the last number issued, how many tickets wait now, and how
    many times its tickets have changed.

    An atomic counter row. The waiting counts move in the same transaction as the tickets
    (issuing, and the state machine's moves into and out of the queue), so a kiosk tap
    reads the queue ahead from this one row instead of counting tickets. `moves` grows by
    one for every other committed change of a ticket (a call, a finish, a transfer...):
    with `last_value` it makes the day's change version (core.queue.board.board_version),
    a sum that any commit raises whatever order concurrent commits land in.
    """

    __tablename__ = "ticket_sequence"
    __table_args__ = (UniqueConstraint("service_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    day: Mapped[date] = mapped_column(Date)
    last_value: Mapped[int] = mapped_column(Integer)
    waiting: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waiting_priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    moves: Mapped[int] = mapped_column(Integer, server_default="0")


def _issuing_service(context) -> int:
    """A new ticket's number belongs to the service it is issued for."""
    return context.get_current_parameters()["service_id"]


class Ticket(db.Model):
    """A numbered ticket taken at a kiosk.

    `service_id` is the queue the ticket waits in now (a transfer changes it);
    `origin_service_id` is the service whose daily sequence gave its number.
    """

    __table_args__ = (
        UniqueConstraint("origin_service_id", "day", "sequence"),
        # A day's queues, and every ticket of one day (today, or a day being summarised:
        # closed days are read from their summaries), with one index for each tap to write.
        Index("ix_ticket_queue", "day", "service_id", "status", "priority"),
        # A counter has at most one ticket called or being served: the last guard of
        # `call_next` (core.queue.calling).
        Index(
            "uq_ticket_active_at_counter",
            "counter_id",
            unique=True,
            sqlite_where=AT_A_COUNTER,
            postgresql_where=AT_A_COUNTER,
        ),
    )

    # The queue's place (service, day, priority, status) keeps its old value when set, so
    # the day's waiting counts can be moved exactly at flush (core.queue.waiting_counts).
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), active_history=True)
    origin_service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id"), default=_issuing_service
    )
    day: Mapped[date] = mapped_column(Date, active_history=True)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    priority: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[TicketStatus] = mapped_column(
        enum_column(TicketStatus), default=TicketStatus.WAITING, active_history=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    serving_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    call_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A booked ticket: the start of its slot (it is called before walk-ins once it starts).
    booked_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Taken with a citizen ID card: its number, so the counter sees the citizen's dossiers.
    citizen_id: Mapped[str | None] = mapped_column(String(12))

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship()
    officer: Mapped[User | None] = relationship()


class CallKind(enum.StrEnum):
    CALL = "call"
    RECALL = "recall"


class CallEvent(db.Model):
    """One announcement of a ticket at a counter: what boards show and speak."""

    __tablename__ = "call_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    kind: Mapped[CallKind] = mapped_column(enum_column(CallKind))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship()
    counter: Mapped[Counter] = relationship()


class QueueSetting(db.Model):
    """A setting of the queue desk an admin may change (core.queue.settings)."""

    __tablename__ = "queue_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
