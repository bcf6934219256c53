"""A small dossier history built by hand, where every cell of the official table for
2–13 March 2026 is known in advance (see EXPECTED)."""

from datetime import datetime

from conftest import local_time
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Applicant, Reception, receive_dossier
from core.dossiers.states import Action, Move, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.models import Channel, Dossier
from extensions import db
from tests import factories

PERIOD = ("2026-03-02", "2026-03-13")
DRIVERS = "Đường bộ - Người lái"  # GPLX-DOI: 5 working days
ROADS = "Kết cấu hạ tầng giao thông"  # XQK: 2 working days
TRANSPORT = "Vận tải"  # PH-KD: 2 working days


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return local_time(2026, month, day, hour, minute)


def received(code: str, moment: datetime, channel: Channel = Channel.DIRECT) -> Dossier:
    procedure = find_procedure(code)
    reception = Reception(
        procedure,
        Applicant(**factories.APPLICANT),
        channel,
        [doc.position for doc in procedure.documents],
    )
    return receive_dossier(reception, user=factories.user(), now=moment)


def step(dossier: Dossier, action: Action, moment: datetime, **details) -> None:
    move(dossier, action, user=factories.user(), details=Move(**details), now=moment)


def asked_to_supplement(dossier: Dossier, moment: datetime, item: str) -> None:
    draft = SupplementDraft(items=[item], reason="Còn thiếu", contact="Phòng chuyên môn")
    request_supplement(dossier, draft, user=factories.user(), now=moment)


def taken_up(dossier: Dossier, moment: datetime) -> Dossier:
    step(dossier, Action.TRANSFER, moment)
    step(dossier, Action.START, moment)
    return dossier


def resolved(dossier: Dossier, moment: datetime) -> None:
    step(dossier, Action.RESOLVE, moment, note="Đã có kết quả")


def withdrawn(dossier: Dossier, moment: datetime) -> None:
    step(dossier, Action.WITHDRAW, moment, note="Người nộp xin rút")


def build_history() -> None:
    # Carried over from before 2 March.
    c1 = taken_up(received("GPLX-DOI", at(2, 23)), at(2, 23, 10))  # due 2/3 17:00
    resolved(c1, at(3, 2, 10))  # on the due day: on time
    c2 = taken_up(received("GPLX-DOI", at(2, 24)), at(2, 24, 10))  # due 3/3
    resolved(c2, at(3, 5, 10))  # late
    taken_up(received("GPLX-DOI", at(2, 25)), at(2, 25, 10))  # due 4/3, still open: overdue
    c4 = taken_up(received("GPLX-DOI", at(2, 26)), at(2, 26, 10))
    resolved(c4, at(2, 27, 10))  # resolved before the period: not in the table
    withdrawn(received("GPLX-DOI", at(2, 26)), at(2, 27))  # withdrawn before: not counted
    withdrawn(received("XQK", at(2, 27)), at(3, 3))  # withdrawn within: counted apart
    c7 = taken_up(received("GPLX-DOI", at(2, 27), Channel.ONLINE), at(2, 27, 10))  # due 6/3
    resolved(c7, at(3, 3, 10))  # early (carried over, not "received online" this period)

    # Received within the period.
    n1 = taken_up(received("GPLX-DOI", at(3, 2)), at(3, 2, 10))  # due 9/3 17:00
    resolved(n1, at(3, 9, 16))  # on time
    n2 = taken_up(received("GPLX-DOI", at(3, 2), Channel.ONLINE), at(3, 2, 10))
    resolved(n2, at(3, 4, 10))  # early
    n3 = taken_up(received("GPLX-DOI", at(3, 3), Channel.POST), at(3, 3, 10))  # due 10/3
    step(n3, Action.APOLOGISE, at(3, 9, 8), note="Chờ xác minh", new_due_at=at(3, 12, 17))
    resolved(n3, at(3, 11, 10))  # before the new date, after the legal one: late
    n4 = taken_up(received("GPLX-DOI", at(3, 3)), at(3, 3, 10))  # due 10/3
    asked_to_supplement(n4, at(3, 4, 10), "Giấy khám sức khỏe")  # in time
    step(n4, Action.SUPPLEMENT_RECEIVED, at(3, 6, 10))  # the clock restarts: due 13/3
    resolved(n4, at(3, 13, 11))  # on time against the restarted clock
    taken_up(received("GPLX-DOI", at(3, 5)), at(3, 5, 10))  # due 12/3, open: overdue
    taken_up(received("GPLX-DOI", at(3, 9)), at(3, 9, 10))  # due 16/3, open: in time
    n7 = taken_up(received("XQK", at(3, 2)), at(3, 2, 10))  # due 4/3
    asked_to_supplement(n7, at(3, 3, 10), "Bản vẽ")  # still awaited: in time
    n8 = taken_up(received("XQK", at(3, 4)), at(3, 4, 10))  # due 6/3
    step(n8, Action.REFUSE, at(3, 5, 10), note="Không đủ điều kiện")  # refusal: resolved early
    n9 = taken_up(received("XQK", at(3, 10)), at(3, 10, 10))  # due 12/3
    resolved(n9, at(3, 16, 10))  # resolved after the period: overdue at the cut-off
    withdrawn(received("PH-KD", at(3, 11), Channel.ONLINE), at(3, 12))  # counted apart
    n11 = received("PH-KD", at(3, 12), Channel.ONLINE)  # due 16/3
    withdrawn(n11, at(3, 16))  # withdrawn after the cut-off: pending at it
    received("PH-KD", at(3, 13, 16))  # after the 15:00 cut-off, still received this period

    received("GPLX-DOI", at(3, 16))  # after the period: not in the table
    db.session.commit()


def counts(
    online, direct, carried, early, on_time, late, pending_ok, overdue, withdrawn=0, stopped=0
):
    resolved_total = early + on_time + late
    return {
        "received_total": online + direct + carried,
        "received_online": online,
        "received_direct": direct,
        "carried_over": carried,
        "resolved_total": resolved_total,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "pending_total": pending_ok + overdue,
        "pending_on_time": pending_ok,
        "pending_overdue": overdue,
        "on_time_rate": round(100 * (early + on_time) / resolved_total, 1)
        if resolved_total
        else None,
        "withdrawn": withdrawn,
        "stopped": stopped,
        "evaluation_rate": round(100 * (early + on_time) / (online + direct + carried), 1)
        if online + direct + carried
        else None,
    }


EXPECTED = {
    "from": "2026-03-02",
    "to": "2026-03-13",
    "rows": [
        {"field": DRIVERS, **counts(1, 5, 4, 2, 3, 2, 1, 2), "apologies": 1},
        {"field": ROADS, **counts(0, 3, 0, 1, 0, 0, 1, 1, withdrawn=1), "apologies": 0},
        {"field": TRANSPORT, **counts(1, 1, 0, 0, 0, 0, 2, 0, withdrawn=1), "apologies": 0},
    ],
    "total": {**counts(2, 9, 4, 3, 3, 2, 4, 3, withdrawn=2), "apologies": 1},
}
