"""The processing officers' pages and processes after review: who may open a dossier, a
refusal proposal withdrawn or weighed, the desk only at step 1, 10 MB result documents,
and bad input explained instead of a bare error."""

import io

import pytest
import time_machine
from test_in_tray import PDF, post_form
from test_processes import rows

from admin_support import StaffClient, text_of
from core.agencies.registry import find_agency
from core.dossiers import reception, states
from core.dossiers.procedures import find_procedure
from core.dossiers.workdays import work_calendar
from core.errors import DomainError, InvalidInput
from core.models import AuditEvent, Channel, DossierStatus, ResultDocument, User
from core.processes import flow, in_tray
from core.processes.definition import StepFields, define_process
from core.reports import evaluation
from extensions import db
from tests import factories

at = factories.november


@pytest.fixture
def centre(app, demo, runner):
    """The two agencies with their processes, and officers of a second unit (QLVT)."""
    officers = factories.two_agency_centre(runner)
    officers["cvqlvt"] = factories.process_officer("cvqlvt", "specialist", factories.HOME, "QLVT")
    officers["tpqlvt"] = factories.process_officer("tpqlvt", "unit_head", factories.HOME, "QLVT")
    return officers


def dossier_at_step_2():
    return factories.received(
        "GPLX-DOI", Channel.DIRECT, at(2, 9), agency=find_agency(factories.HOME)
    )


def officer(username: str) -> User:
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def actions_on(dossier) -> list[tuple[str, str]]:
    """(action, username) of the dossier's audit events, oldest first."""
    db.session.rollback()
    return [
        tuple(row)
        for row in db.session.execute(
            db.select(AuditEvent.action, User.username)
            .outerjoin(User, AuditEvent.user_id == User.id)
            .filter(AuditEvent.subject_type == "dossier", AuditEvent.subject_id == dossier.id)
            .order_by(AuditEvent.id)
        )
    ]


MOVES_AT = at(5, 9)


def act(function, dossier, username: str, *args, when=MOVES_AT, **kwargs):
    """A move made directly in the domain, committed (the pages are tested elsewhere)."""
    with time_machine.travel(when, tick=False):
        result = function(dossier, officer(username), *args, **kwargs)
        db.session.commit()
    return result


def test_only_the_steps_officers_its_units_head_and_past_handlers_open_a_dossier(centre, app):
    dossier = dossier_at_step_2()
    url = f"/in-tray/{dossier.id}"
    with time_machine.travel(at(5, 9), tick=False):
        for username in ("cvqlpt1", "cvqlpt2", "tpqlpt"):
            assert StaffClient(app, username).get(url).status_code == 200, username
        for username in ("gdso", "cvqlvt", "tpqlvt", "cvpc08"):
            assert StaffClient(app, username).get(url).status_code == 404, username
    act(flow.take, dossier, "cvqlpt1")
    act(flow.hand_on, dossier, "cvqlpt1")
    act(flow.take, dossier, "tpqlpt")
    act(flow.hand_on, dossier, "tpqlpt")
    act(flow.take, dossier, "gdso")
    with time_machine.travel(at(5, 10), tick=False):
        leader = StaffClient(app, "gdso")
        saved = post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(PDF), "kq.pdf")},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert saved.status_code == 302
        document = db.session.execute(db.select(ResultDocument)).scalar_one()
        # The specialist handled step 2: the dossier and its result stay open to them.
        assert StaffClient(app, "cvqlpt1").get(url).status_code == 200
        served = StaffClient(app, "cvqlpt1").get(f"{url}/results/{document.id}")
        assert served.status_code == 200 and served.data == PDF
        # The other specialist never handled it; the other unit's head never had it.
        for username in ("cvqlpt2", "tpqlvt"):
            assert StaffClient(app, username).get(url).status_code == 404, username
            reading = StaffClient(app, username).get(f"{url}/results/{document.id}")
            assert reading.status_code == 404, username
    assert ("dossier.result_read", "cvqlpt1") in actions_on(dossier)
    assert ("dossier.result_read", "cvqlpt2") not in actions_on(dossier)


def test_a_refusal_proposal_is_withdrawn_on_send_back_or_rejected_by_the_approver(centre, app):
    dossier = dossier_at_step_2()
    url = f"/in-tray/{dossier.id}"
    act(flow.take, dossier, "cvqlpt1")
    act(flow.propose_refusal, dossier, "cvqlpt1", "Giấy khám sức khỏe hết hạn")
    act(flow.take, dossier, "tpqlpt")
    act(flow.send_back, dossier, "tpqlpt", "Giấy khám còn hạn tới tháng 12")
    db.session.refresh(dossier)
    assert (dossier.step.position, dossier.refusal_proposal) == (2, "")
    act(flow.take, dossier, "cvqlpt1")
    act(flow.propose_refusal, dossier, "cvqlpt1", "Ảnh không đúng quy cách")
    act(flow.take, dossier, "tpqlpt")
    with pytest.raises(DomainError):  # only an approver weighs it
        act(flow.weigh_refusal, dossier, "cvqlpt1", confirm=False, reason="x")
    db.session.rollback()
    head = StaffClient(app, "tpqlpt")
    weigh = f"{url}/weigh-refusal"
    with time_machine.travel(at(5, 10), tick=False):
        page = text_of(head.get(url))
        assert 'id="weigh-refusal"' in page and "Ảnh không đúng quy cách" in page
        bare = post_form(head, url, weigh, {"weigh-reject": "1", "weigh-reason": " "})
        assert bare.status_code == 422
        assert "Hãy ghi lý do không đồng ý từ chối." in text_of(bare)
        db.session.refresh(dossier)
        assert dossier.refusal_proposal == "Ảnh không đúng quy cách"
        rejected = post_form(
            head, url, weigh, {"weigh-reject": "1", "weigh-reason": "Ảnh đã chụp lại đúng"}
        )
        assert rejected.status_code == 302
    db.session.refresh(dossier)
    assert dossier.refusal_proposal == ""
    act(flow.hand_on, dossier, "tpqlpt")
    act(flow.take, dossier, "gdso")
    leader = StaffClient(app, "gdso")
    with time_machine.travel(at(5, 11), tick=False):
        post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(PDF), "kq.pdf")},
            content_type="multipart/form-data",
        )  # fmt: skip
        page = text_of(leader.get(url))
        assert 'data-outcome="result"' in page and "TỪ CHỐI" not in page
        assert post_form(leader, url, f"{url}/to-desk", {"refusing": ""}).status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == DossierStatus.RESOLVED
    actions = [action for action, _ in actions_on(dossier)]
    assert actions.count("dossier.refusal_proposed") == 2
    assert "dossier.refusal_withdrawn" in actions and "dossier.refusal_rejected" in actions
    assert "dossier.refuse" not in actions


def test_a_confirmed_refusal_goes_to_the_desk_as_a_refusal_said_so(centre, app):
    dossier = dossier_at_step_2()
    url = f"/in-tray/{dossier.id}"
    act(flow.take, dossier, "cvqlpt1")
    act(flow.propose_refusal, dossier, "cvqlpt1", "Không đủ điều kiện đổi giấy phép")
    act(flow.take, dossier, "tpqlpt")
    with time_machine.travel(at(5, 10), tick=False):
        head = StaffClient(app, "tpqlpt")
        confirmed = post_form(head, url, f"{url}/weigh-refusal", {"weigh-confirm": "1"})
        assert confirmed.status_code == 302
        # Confirmed at this step: the head is told so and not asked again.
        page = text_of(head.get(url))
        assert 'id="refusal-confirmed"' in page and 'id="weigh-refusal"' not in page
        again = post_form(head, url, f"{url}/weigh-refusal", {"weigh-confirm": "1"})
        assert "đã được đồng ý ở bước này" in text_of(again)
    assert [action for action, _ in actions_on(dossier)].count("dossier.refusal_confirmed") == 1
    act(flow.hand_on, dossier, "tpqlpt")
    act(flow.take, dossier, "gdso")
    leader = StaffClient(app, "gdso")
    # The agency's leader weighs it in turn.
    assert 'id="weigh-refusal"' in text_of(leader.get(url))
    with time_machine.travel(at(5, 11), tick=False):
        post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(PDF), "tu-choi.pdf")},
            content_type="multipart/form-data",
        )  # fmt: skip
        page = text_of(leader.get(url))
        assert 'data-outcome="refusal"' in page
        assert "Chuyển bộ phận một cửa trả văn bản từ chối" in page
        # A page that still offered a result is refused: nothing moves.
        stale = post_form(leader, url, f"{url}/to-desk", {"refusing": ""}, follow_redirects=True)
        assert "Đề xuất từ chối hồ sơ" in text_of(stale)
        db.session.refresh(dossier)
        assert dossier.status == DossierStatus.PROCESSING
        sent = post_form(leader, url, f"{url}/to-desk", {"refusing": "1"})
        assert sent.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == DossierStatus.REFUSED
    assert ("dossier.refusal_confirmed", "tpqlpt") in actions_on(dossier)


def test_the_desk_acts_only_at_step_1(centre, app, runner):
    home, licence = find_agency(factories.HOME), find_procedure("GPLX-DOI")
    steps = [
        StepFields("desk", "4h"),
        StepFields("specialist", "3", "QLPT"),
        StepFields("desk", "1"),
        StepFields("agency_leader", "3.5h"),
    ]
    with pytest.raises(InvalidInput) as refused:
        define_process(home, licence, steps, None, work_calendar(at(2, 8)))
    assert "Bước 3: bộ phận một cửa chỉ làm bước 1" in refused.value.messages()["vi"]
    db.session.rollback()
    admin = StaffClient(app, "quantri")
    url = f"/admin/agencies/{home.id}/processes/{licence.id}"
    page = text_of(admin.get(url))
    row_2 = page[page.index('name="steps-1-role"') :]
    assert 'value="desk"' in page[: page.index('name="steps-1-role"')]
    assert 'value="desk"' not in row_2[: row_2.index("</select>")]
    data = rows(
        ("desk", "", "4h", ""),
        ("specialist", "QLPT", "3", ""),
        ("desk", "", "1", ""),
        ("agency_leader", "", "3,5h", ""),
    )
    posted = admin.submit(url, data)
    assert posted.status_code == 422
    body = text_of(posted)
    # Row 3 offers no desk: the choice itself is refused beside the row.
    assert 'id="steps-2-role-error"' in body


@pytest.mark.parametrize("allowance", ["nanh", "infh", "1e999h"])
def test_an_allowance_that_is_no_number_is_explained(centre, app, runner, allowance):
    result = runner.invoke(
        args=[
            "agencies", "process", factories.HOME, "GPLX-DOI",
            "--step", "desk:4h", "--step", f"specialist:QLPT:{allowance}",
        ]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Bước 2: thời gian phải là số ngày làm việc" in result.output
    assert not isinstance(result.exception, ValueError)
    home, licence = find_agency(factories.HOME), find_procedure("GPLX-DOI")
    url = f"/admin/agencies/{home.id}/processes/{licence.id}"
    posted = StaffClient(app, "quantri").submit(
        url,
        rows(("desk", "", "4h", ""), ("specialist", "QLPT", allowance, "")),
    )
    assert posted.status_code == 422
    body = text_of(posted)
    assert 'id="steps-1-allowance-error"' in body


@pytest.mark.parametrize("post", ["unit:abc", "agency:", "unit:999999", "x:1"])
def test_a_post_that_names_nothing_is_explained_beside_it(app, demo, post):
    admin = StaffClient(app, "quantri")
    account = {
        "username": "cvmoi", "full_name": "Cán bộ mới", "role": "specialist",
        "password": "Moi#2026-qlpt", "confirmation": "Moi#2026-qlpt", "post": post,
    }  # fmt: skip
    refused = admin.submit("/admin/users/new", account)
    assert refused.status_code == 422
    assert 'id="post-error"' in text_of(refused)
    assert db.session.execute(db.select(User).filter_by(username="cvmoi")).first() is None


def test_an_over_long_reason_is_explained_and_kept(centre, app):
    dossier = dossier_at_step_2()
    url = f"/in-tray/{dossier.id}"
    act(flow.take, dossier, "cvqlpt1")
    specialist = StaffClient(app, "cvqlpt1")
    long_reason = "Thiếu giấy tờ " * 80  # 1120 characters
    with time_machine.travel(at(5, 9), tick=False):
        refused = post_form(
            specialist, url, f"{url}/propose-refusal", {"refusal-reason": long_reason}
        )
        assert refused.status_code == 422
        body = text_of(refused)
        assert 'id="refusal-reason-error"' in body and "Tối đa 1000 ký tự." in body
        assert long_reason.strip() in body
        items = post_form(
            specialist, url, f"{url}/supplement",
            {"supplement-items": "Ảnh 3x4\n" * 300, "supplement-reason": "Ảnh mờ"},
        )  # fmt: skip
        assert items.status_code == 422
        assert 'id="supplement-items-error"' in text_of(items)
    db.session.refresh(dossier)
    assert (dossier.status, dossier.refusal_proposal) == (DossierStatus.PROCESSING, "")


def test_a_result_of_almost_10_mb_is_kept_and_a_larger_one_refused(centre, app):
    dossier = dossier_at_step_2()
    url = f"/in-tray/{dossier.id}"
    for username in ("cvqlpt1", "tpqlpt"):
        act(flow.take, dossier, username)
        act(flow.hand_on, dossier, username)
    act(flow.take, dossier, "gdso")
    leader = StaffClient(app, "gdso")
    megabyte = 1024 * 1024

    def upload(size: int, **kwargs):
        content = PDF + b"0" * (size - len(PDF))
        return post_form(
            leader, url, f"{url}/result", {"document": (io.BytesIO(content), "kq.pdf")},
            content_type="multipart/form-data", **kwargs,
        )  # fmt: skip

    with time_machine.travel(at(5, 11), tick=False):
        assert upload(int(9.9 * megabyte)).status_code == 302
        document = db.session.execute(db.select(ResultDocument)).scalar_one()
        assert document.size == int(9.9 * megabyte)
        too_big = upload(int(10.1 * megabyte), follow_redirects=True)
        assert "Tệp lớn quá 10 MB." in text_of(too_big)
        far_too_big = upload(12 * megabyte)
        assert far_too_big.status_code == 413
        assert "Dữ liệu gửi lên quá lớn" in text_of(far_too_big)
    assert len(db.session.execute(db.select(ResultDocument)).all()) == 1


def test_each_rule_of_the_steps_has_one_home(centre):
    assert flow.AT_STEP is states.AT_STEP
    assert in_tray.AT_STEP is states.AT_STEP and evaluation.AT_STEP is states.AT_STEP
    assert reception.STILL_OPEN is states.STILL_OPEN
    assert states.OPEN | {DossierStatus.RESOLVED} == states.STILL_OPEN
    dossier = dossier_at_step_2()
    head = officer("tpqlpt")
    officer("cvqlpt2").active = False
    db.session.commit()
    # The page's choices are exactly whom reassign accepts.
    chosen = flow.reassignable_officers(head, dossier)
    names = [user.username for user in chosen]
    assert "cvqlpt1" in names and "cvqlpt2" not in names and "cvqlvt" not in names
    with pytest.raises(InvalidInput):
        flow.reassign(dossier, head, officer("cvqlpt2"))
    db.session.rollback()
