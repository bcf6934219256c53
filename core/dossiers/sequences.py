"""The desk's atomic counters (`DossierSequence` rows): the day's dossier numbers, the
year's register entries and the year's apology letters."""

from __future__ import annotations

from core.db.upsert import session_upsert
from core.models import Agency, DossierSequence
from extensions import db


def next_value(scope: str, period: str) -> int:
    """Atomically take the next number of a counter row (one upsert with RETURNING)."""
    insert = session_upsert()
    statement = (
        insert(DossierSequence)
        .values(scope=scope, period=period, last_value=1)
        .on_conflict_do_update(
            index_elements=["scope", "period"],
            set_={"last_value": DossierSequence.last_value + 1},
        )
        .returning(DossierSequence.last_value)
    )
    return db.session.execute(statement).scalar_one()


def bump_to_at_least(scope: str, period: str, value: int) -> None:
    """Make sure the counter has passed `value` (after importing history)."""
    row = db.session.execute(
        db.select(DossierSequence).filter_by(scope=scope, period=period)
    ).scalar_one_or_none()
    if row is None:
        db.session.add(DossierSequence(scope=scope, period=period, last_value=value))
    elif row.last_value < value:
        row.last_value = value
    db.session.flush()


def day_scope(agency) -> str:
    """The counter of an agency's day numbers: the desk's own agency (the first) keeps the
    counter the desk always used, `day`; each other agency has its own, `day:<id>`."""
    first = db.session.execute(db.select(Agency.id).order_by(Agency.id).limit(1)).scalar()
    return "day" if agency.id == first else f"day:{agency.id}"
