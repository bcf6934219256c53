"""The dossier register (sổ theo dõi hồ sơ, form 07) for any period: its entries in the
order they were received, a page at a time on screen, or streamed in batches for a file
(exports/register_files.py), so 50,000 entries never sit in memory at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from core.agencies.registry import find_agency
from core.clock import day_bounds, local_today
from core.dossiers import forms as dossier_forms
from core.dossiers.settings import dossier_settings, issued_by
from core.errors import InvalidInput
from core.models import Agency, Dossier
from extensions import db

STREAM_BATCH = 500
LONGEST_PERIOD_DAYS = 3660  # ten years: a register is kept by year; a longer one is a slip


@dataclass(frozen=True)
class RegisterPeriod:
    """Dossiers received from `start` to `end`, local days, both included."""

    start: date
    end: date
    # One agency's register (its code), or, without, every agency's dossiers.
    agency: str | None = None

    @classmethod
    def year(cls, year: int, agency: str | None = None) -> RegisterPeriod:
        return cls(date(year, 1, 1), date(year, 12, 31), agency)

    @property
    def whole_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (
            1,
            1,
            12,
            31,
        ) and (self.start.year == self.end.year)

    @property
    def slug(self) -> str:
        dates = (
            str(self.start.year) if self.whole_year else f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"
        )
        return f"{self.agency}-{dates}" if self.agency else dates

    @property
    def title_suffix(self) -> str:
        if self.whole_year:
            return f" NĂM {self.start.year}"
        return f" TỪ NGÀY {self.start:%d/%m/%Y} ĐẾN NGÀY {self.end:%d/%m/%Y}"

    def as_params(self) -> dict:
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return params | ({"agency": self.agency} if self.agency else {})

    @classmethod
    def from_params(cls, params: dict) -> RegisterPeriod:
        return cls(
            date.fromisoformat(params["from"]),
            date.fromisoformat(params["to"]),
            params.get("agency") or None,
        )


def parse_period(
    start: str | None, end: str | None, year: int | None = None, agency: str | None = None
) -> RegisterPeriod:
    """The period of a page or a command: YYYY-MM-DD dates, or a year, or this year; and
    the agency whose register it is (its code; every agency's without)."""
    if agency:
        agency = find_agency(agency).code
    if not start and not end:
        return RegisterPeriod.year(year or local_today().year, agency or None)
    try:
        first = date.fromisoformat((start or "").strip())
        last = date.fromisoformat((end or "").strip())
    except ValueError:
        raise InvalidInput(
            _l("Hãy nhập ngày theo dạng năm-tháng-ngày, ví dụ 2026-01-31.")
        ) from None
    if first > last:
        raise InvalidInput(_l("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc."))
    if (last - first).days > LONGEST_PERIOD_DAYS or first.year < 2000:
        raise InvalidInput(_l("Kỳ của sổ theo dõi dài quá mười năm."))
    return RegisterPeriod(first, last, agency or None)


def _in_period(period: RegisterPeriod) -> tuple:
    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    within = (Dossier.received_at >= start, Dossier.received_at < end)
    if period.agency:
        agency_id = select(Agency.id).where(Agency.code == period.agency).scalar_subquery()
        return (*within, Dossier.agency_id == agency_id)
    return within


def count_entries(period: RegisterPeriod) -> int:
    return db.session.execute(
        select(func.count(Dossier.id)).where(*_in_period(period))
    ).scalar_one()


def entry_page(period: RegisterPeriod, page: int, size: int) -> list[Dossier]:
    """One page of the register on screen, in the order of reception."""
    return list(
        db.session.execute(
            select(Dossier)
            .where(*_in_period(period))
            .order_by(Dossier.received_at, Dossier.id)
            .limit(size)
            .offset((page - 1) * size)
        ).scalars()
    )


def stream_entries(period: RegisterPeriod, batch: int = STREAM_BATCH) -> Iterator[Dossier]:
    """Every entry of the period in the order of reception, `batch` rows per query (a
    range of the received-at index after the last row read): memory holds one batch."""
    after = None
    while True:
        statement = select(Dossier).where(*_in_period(period))
        if after is not None:
            received, last_id = after
            statement = statement.where(
                or_(
                    Dossier.received_at > received,
                    and_(Dossier.received_at == received, Dossier.id > last_id),
                )
            )
        rows = list(
            db.session.execute(
                statement.order_by(Dossier.received_at, Dossier.id).limit(batch)
            ).scalars()
        )
        if not rows:
            return
        after = (rows[-1].received_at, rows[-1].id)
        yield from rows
        for row in rows:
            db.session.expunge(row)
        del rows


def register_heading(period: RegisterPeriod, rows: list[Dossier] | None = None):
    """Form 07's heading (and, on screen, a page of its rows) for the period."""
    settings = dossier_settings()
    if period.agency:
        settings = issued_by(settings, find_agency(period.agency))
    document = dossier_forms.register(rows or [], period.start.year, settings)
    document.title = document.title.removesuffix(f" NĂM {period.start.year}") + period.title_suffix
    return document
