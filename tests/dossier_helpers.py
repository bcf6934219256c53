"""Shared helpers for the dossier tests."""

from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Applicant, Reception, receive_dossier
from core.models import Channel, User
from extensions import db

GOOD_APPLICANT = dict(
    name="Nguyễn Văn An", id_number="001099012345", phone="0912 345 678", address="Hà Đông, Hà Nội"
)


def officer(username: str = "canbo1") -> User:
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def receive(code: str = "GPLX-DOI", *, ticket=None, **applicant):
    procedure = find_procedure(code)
    reception = Reception(
        procedure,
        Applicant(**{**GOOD_APPLICANT, **applicant}),
        Channel.DIRECT,
        [doc.position for doc in procedure.documents],
        ticket=ticket,
    )
    dossier = receive_dossier(reception, user=officer())
    db.session.commit()
    return dossier


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
