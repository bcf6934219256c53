"""Receiving dossiers and moving them through the one-stop lifecycle."""

from datetime import datetime

import pytest
import time_machine

from conftest import count, local_time
from core.dossiers.errors import (
    DossierRuleBroken,
    IllegalTransition,
    InvalidApplicant,
    TicketNotReceivable,
)
from core.dossiers.procedures import find_procedure, save_procedure
from core.dossiers.reception import Applicant, Reception, code_from_scan, receive_dossier
from core.dossiers.states import Action, Move, allowed_actions, move
from core.dossiers.supplements import SupplementDraft, request_supplement
from core.errors import InvalidInput
from core.models import (
    AuditEvent,
    Channel,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierStatus,
    TicketStatus,
)
from extensions import db
from tests import factories


def iso(moment: datetime) -> str:
    return moment.astimezone(local_time(2026, 1, 1, 0, 0).tzinfo).isoformat()


def test_codes_register_numbers_and_due_times(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        first, second = factories.dossier(), factories.dossier("XQK")
    with time_machine.travel(local_time(2026, 3, 3, 15, 30), tick=False):
        third = factories.dossier()
    with time_machine.travel(local_time(2027, 1, 4, 8, 0), tick=False):
        next_year = factories.dossier()
    assert [first.code, second.code, third.code, next_year.code] == [
        "000.17.22.H56-260302-0001",
        "000.17.22.H56-260302-0002",
        "000.17.22.H56-260303-0001",
        "000.17.22.H56-270104-0001",
    ]
    assert [d.register_number for d in (first, second, third, next_year)] == [1, 2, 3, 1]
    assert iso(first.due_at) == "2026-03-09T17:00:00+07:00"  # 5 working days
    assert iso(second.due_at) == "2026-03-04T17:00:00+07:00"  # 2 working days
    # after 15:00: the period still starts the next day; the transfer waits for the morning
    assert iso(third.due_at) == "2026-03-10T17:00:00+07:00"
    assert iso(third.transfer_due_at) == "2026-03-04T07:30:00+07:00"
    assert iso(first.transfer_due_at) == "2026-03-02T17:00:00+07:00"
    assert first.fee_vnd == 135000 and first.field_name == "Đường bộ - Người lái"
    assert [doc.name for doc in first.documents][0] == "Đơn đề nghị đổi giấy phép lái xe"


@pytest.mark.parametrize(
    ("applicant", "fragment"),
    [
        ({"id_number": "00109901234"}, "12 chữ số"),
        ({"id_number": "00109901234A"}, "12 chữ số"),
        ({"phone": "091234567"}, "số điện thoại"),
        ({"phone": "0112345678"}, "số điện thoại"),
        ({"name": " "}, "họ tên"),
    ],
)
@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_bad_applicant_details_are_refused_and_nothing_is_written(demo, applicant, fragment):
    with pytest.raises(InvalidApplicant) as error:
        factories.dossier(**applicant)
    db.session.rollback()
    assert fragment in error.value.messages()["vi"]
    assert error.value.messages()["en"] != error.value.messages()["vi"]
    assert count(Dossier) == 0
    assert count(DossierSequence) == 0


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_phone_forms_are_normalised(demo):
    assert factories.dossier(phone="+84 912.345.678").applicant_phone == "0912345678"


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_an_incomplete_dossier_is_not_received(demo):
    procedure = find_procedure("GPLX-DOI")
    reception = Reception(
        procedure,
        Applicant("Trần Thị Bình", "001199012345", "0987654321"),
        Channel.POST,
        [0],
    )
    with pytest.raises(InvalidInput) as error:
        receive_dossier(reception, user=factories.user())
    db.session.rollback()
    assert "Giấy khám sức khỏe" in error.value.messages()["vi"]
    assert count(Dossier) == 0


def test_full_path_with_control_slip_verdicts_and_audit(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
    steps = [
        ((2026, 3, 2, 10, 0), Action.TRANSFER, Move(receiver_name="Lê Văn Cường")),
        ((2026, 3, 2, 11, 0), Action.START, Move()),
        (
            (2026, 3, 5, 9, 0),
            Action.HAND_OVER,
            Move(to_unit="Lãnh đạo Sở", receiver_name="Ông Hùng"),
        ),
        ((2026, 3, 9, 16, 0), Action.RESOLVE, Move(note="Đã cấp GPLX")),
        ((2026, 3, 10, 8, 0), Action.RETURN, Move()),
    ]
    for moment, action, details in steps:
        with time_machine.travel(local_time(*moment), tick=False):
            move(dossier, action, user=factories.user(), details=details)
            db.session.commit()
    assert dossier.status == DossierStatus.RETURNED
    events = (
        db.session.execute(
            db.select(DossierEvent).filter_by(dossier_id=dossier.id).order_by(DossierEvent.id)
        )
        .scalars()
        .all()
    )
    assert [e.action for e in events] == [
        "receive",
        "transfer",
        "start",
        "hand_over",
        "resolve",
        "return",
    ]
    handovers = [(e.from_unit, e.to_unit, e.verdict) for e in events if e.to_unit]
    assert handovers == [
        ("Bộ phận tiếp nhận và trả kết quả", "Phòng Quản lý phương tiện và người lái", "on_time"),
        ("Phòng Quản lý phương tiện và người lái", "Lãnh đạo Sở", "early"),
        ("Lãnh đạo Sở", "Bộ phận tiếp nhận và trả kết quả", "on_time"),
    ]
    assert iso(dossier.resolved_at) == "2026-03-09T16:00:00+07:00"
    assert iso(dossier.returned_at) == "2026-03-10T08:00:00+07:00"
    actions = (
        db.session.execute(
            db.select(AuditEvent.action)
            .where(AuditEvent.subject_id == dossier.id, AuditEvent.subject_type == "dossier")
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert actions == [
        "dossier.receive",
        "dossier.transfer",
        "dossier.start",
        "dossier.hand_over",
        "dossier.resolve",
        "dossier.return",
    ]
    assert allowed_actions(dossier) == []


@time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False)
def test_illegal_moves_are_refused_with_a_clear_message_and_change_nothing(demo):
    dossier = factories.dossier()
    events_before, audit_before = count(DossierEvent), count(AuditEvent)
    with pytest.raises(IllegalTransition) as error:
        move(dossier, Action.RETURN, user=factories.user())
    db.session.rollback()
    assert error.value.messages()["vi"] == (
        f"Hồ sơ {dossier.code} đang ở trạng thái “Đã tiếp nhận”, không thể trả kết quả."
    )
    assert "cannot" in error.value.messages()["en"]
    db.session.refresh(dossier)
    assert dossier.status == DossierStatus.RECEIVED and dossier.returned_at is None
    assert (count(DossierEvent), count(AuditEvent)) == (events_before, audit_before)


def test_supplement_after_review_restarts_the_clock_from_zero(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(dossier, Action.TRANSFER, user=factories.user())
        move(dossier, Action.START, user=factories.user())
    with time_machine.travel(local_time(2026, 3, 4, 9, 0), tick=False):
        with pytest.raises(InvalidInput):  # only through a recorded request (form 02)
            move(
                dossier,
                Action.REQUEST_SUPPLEMENT,
                user=factories.user(),
                details=Move(note="Giấy khám sức khỏe còn hạn"),
            )
        request_supplement(
            dossier,
            SupplementDraft(
                items=["Giấy khám sức khỏe còn hạn"], reason="Hết hạn", contact="Phòng QLPT"
            ),
            user=factories.user(),
        )
        db.session.commit()
    assert dossier.status == DossierStatus.SUPPLEMENT
    with time_machine.travel(local_time(2026, 3, 9, 10, 0), tick=False):
        move(dossier, Action.SUPPLEMENT_RECEIVED, user=factories.user())
        db.session.commit()
    assert dossier.status == DossierStatus.PROCESSING
    assert iso(dossier.clock_started_at) == "2026-03-09T10:00:00+07:00"
    assert iso(dossier.due_at) == "2026-03-16T17:00:00+07:00"
    assert dossier.judged_due_at == dossier.due_at  # asked in time: judged afresh too
    assert iso(dossier.received_at) == "2026-03-02T09:00:00+07:00"


def test_apology_sets_a_new_date_once_and_only_before_the_deadline(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(dossier, Action.TRANSFER, user=factories.user())
        db.session.commit()
    new_due = local_time(2026, 3, 13, 16, 0)
    with time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False):
        with pytest.raises(InvalidInput):  # no reason given
            move(dossier, Action.APOLOGISE, user=factories.user(), details=Move(new_due_at=new_due))
        move(
            dossier,
            Action.APOLOGISE,
            user=factories.user(),
            details=Move(note="Chờ xác minh", new_due_at=new_due),
        )
        db.session.commit()
    assert iso(dossier.original_due_at) == "2026-03-09T17:00:00+07:00"
    assert iso(dossier.due_at) == "2026-03-13T16:00:00+07:00"
    assert dossier.status == DossierStatus.TRANSFERRED
    with (
        time_machine.travel(local_time(2026, 3, 10, 9, 0), tick=False),
        pytest.raises(DossierRuleBroken) as error,
    ):
        move(
            dossier,
            Action.APOLOGISE,
            user=factories.user(),
            details=Move(note="Lần hai", new_due_at=local_time(2026, 3, 20, 16, 0)),
        )
    db.session.rollback()
    assert "một lần" in error.value.messages()["vi"]
    assert iso(dossier.due_at) == "2026-03-13T16:00:00+07:00"


def test_apology_after_the_deadline_is_refused(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier("XQK")
        move(dossier, Action.TRANSFER, user=factories.user())
        db.session.commit()
    with (
        time_machine.travel(local_time(2026, 3, 5, 9, 0), tick=False),
        pytest.raises(DossierRuleBroken) as error,
    ):
        move(
            dossier,
            Action.APOLOGISE,
            user=factories.user(),
            details=Move(note="Muộn", new_due_at=local_time(2026, 3, 9, 16, 0)),
        )
    assert "trước hạn" in error.value.messages()["vi"]


def test_refusal_needs_a_reason_and_counts_as_a_result(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(dossier, Action.TRANSFER, user=factories.user())
        with pytest.raises(InvalidInput):
            move(dossier, Action.REFUSE, user=factories.user())
        move(
            dossier, Action.REFUSE, user=factories.user(), details=Move(note="GPLX đang bị tạm giữ")
        )
        db.session.commit()
    assert dossier.status == DossierStatus.REFUSED and dossier.refused
    assert dossier.resolved_at is not None
    assert Action.RETURN in allowed_actions(dossier)


def test_new_terms_of_a_procedure_leave_received_dossiers_alone(demo):
    from core.dossiers.procedures import ProcedureData, terms_of  # noqa: F401

    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        before = factories.dossier()
    procedure = find_procedure("GPLX-DOI")
    from core.dossiers.procedures import DocumentSpec

    data = ProcedureData(
        code="GPLX-DOI",
        name=procedure.name,
        field=procedure.field.name,
        processing_days=3,
        processing_hours=None,
        fee_vnd=150000,
        processing_unit=procedure.processing_unit,
        online_level=procedure.online_level,
        documents=[DocumentSpec(d.name, d.kind, d.quantity) for d in procedure.documents],
    )
    save_procedure(procedure, data, user=factories.user("quantri"))
    db.session.commit()
    with time_machine.travel(local_time(2026, 3, 2, 9, 30), tick=False):
        after = factories.dossier()
    assert (before.fee_vnd, before.processing_days, iso(before.due_at)) == (
        135000,
        5,
        "2026-03-09T17:00:00+07:00",
    )
    assert (after.fee_vnd, after.processing_days, iso(after.due_at)) == (
        150000,
        3,
        "2026-03-05T17:00:00+07:00",
    )
    change = db.session.execute(
        db.select(AuditEvent).filter_by(action="procedure.updated")
    ).scalar_one()
    assert change.details["changes"]["fee_vnd"] == [135000, 150000]


def test_only_a_ticket_being_served_today_can_bring_a_dossier(demo):
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        ticket = factories.ticket("GPLX")
        with pytest.raises(TicketNotReceivable) as error:
            factories.dossier(ticket=ticket)
        db.session.rollback()
        assert "A001" in error.value.messages()["vi"]
        ticket.status = TicketStatus.SERVING
        db.session.commit()
        dossier = factories.dossier(ticket=ticket)
        assert dossier.ticket_id == ticket.id
    with (
        time_machine.travel(local_time(2026, 3, 3, 9, 0), tick=False),
        pytest.raises(TicketNotReceivable),
    ):
        factories.dossier(ticket=ticket)


@pytest.mark.parametrize(
    ("scanned", "code"),
    [
        ("000.17.22.h56-270203-0001", "000.17.22.H56-270203-0001"),
        ("http://127.0.0.1:5000/tra-cuu?ma=000.17.22.H56-270203-0001", "000.17.22.H56-270203-0001"),
        ("  H15.50.05.13-261008-0975 ", "H15.50.05.13-261008-0975"),
    ],
)
def test_code_from_a_scan(scanned, code):
    assert code_from_scan(scanned) == code
