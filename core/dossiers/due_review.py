"""Open dossiers whose promised due time the current deadline rule would make earlier.

A due time printed on a receipt is a promise already made and is never rewritten. An
earlier rule counted a dossier received after the 15:00 cut-off (or an hour period after
it) from the next working day; this finds the open dossiers it promised later than the
rule of today would, for the desk to decide. It reads and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select

from core.clock import utcnow
from core.dossiers.states import OPEN
from core.dossiers.workdays import work_calendar
from core.models import Dossier
from extensions import db

ROWS_PER_FETCH = 2000


@dataclass(frozen=True)
class EarlierDue:
    """One open dossier the rule of today would have promised earlier."""

    code: str
    received_at: datetime
    clock_started_at: datetime  # receipt, or the return of a supplement (the restart)
    promised_due: datetime  # the rule's due at that start, as stored (not an apology's)
    rule_due: datetime
    apologised: bool
    imported: bool


@dataclass
class DueReview:
    checked: int = 0
    earlier: list[EarlierDue] = field(default_factory=list)


def open_dossiers():
    return Dossier.status.in_(OPEN)


def promised_due():
    """The due time promised when the clock last started: an apology's new date aside,
    unless the clock restarted after the apology."""
    kept_after_apology = and_(
        Dossier.apologised_at.is_not(None),
        Dossier.original_due_at.is_not(None),
        Dossier.clock_started_at <= Dossier.apologised_at,
    )
    return case((kept_after_apology, Dossier.original_due_at), else_=Dossier.due_at)


def review_due_times(
    progress: Callable[[Iterable, int], Iterable] = lambda rows, total: rows,
) -> DueReview:
    """Every open dossier's promised due time against the rule of today, counted from the
    same start; `progress` wraps the rows read and is told how many there are."""
    total, earliest = db.session.execute(
        select(func.count(Dossier.id), func.min(Dossier.clock_started_at)).where(open_dossiers())
    ).one()
    review = DueReview()
    if not total:
        return review
    calendar = work_calendar(earliest, through=utcnow())
    rows = db.session.execute(
        select(
            Dossier.code,
            Dossier.received_at,
            Dossier.clock_started_at,
            Dossier.processing_days,
            Dossier.processing_hours,
            promised_due().label("promised_due"),
            Dossier.apologised_at,
            Dossier.imported,
        )
        .where(open_dossiers())
        .order_by(Dossier.received_at, Dossier.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    for row in progress(rows, total):
        review.checked += 1
        rule_due = calendar.due(row.clock_started_at, row.processing_days, row.processing_hours)
        if rule_due < row.promised_due:
            review.earlier.append(
                EarlierDue(
                    code=row.code,
                    received_at=row.received_at,
                    clock_started_at=row.clock_started_at,
                    promised_due=row.promised_due,
                    rule_due=rule_due,
                    apologised=row.apologised_at is not None,
                    imported=row.imported,
                )
            )
    return review
