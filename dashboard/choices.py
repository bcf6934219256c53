"""The options of the statistics filters: agencies, fields, procedures, counters and officers."""

from sqlalchemy import select

from core.models import Agency, Counter, Field, Procedure, Role, User
from extensions import db


def filter_choices() -> dict:
    return {
        "agencies": db.session.execute(
            select(Agency.code, Agency.name).order_by(Agency.code)
        ).all(),
        "fields": list(db.session.execute(select(Field.name).order_by(Field.name)).scalars()),
        "procedures": db.session.execute(
            select(Procedure.code, Procedure.name).order_by(Procedure.code)
        ).all(),
        "counters": db.session.execute(
            select(Counter.id, Counter.name).order_by(Counter.number)
        ).all(),
        "officers": db.session.execute(
            select(User.id, User.full_name, User.username)
            .where(User.role == Role.OFFICER)
            .order_by(User.full_name)
        ).all(),
    }
