"""The dossier list: search by code, name (with or without diacritics), ID and phone;
filters by status, procedure, received dates, due today and overdue (the live view's rule);
pages of 50 with the count; bad parameters ignored with a message; managers' searches match
no more than the masked names they see."""

import re

import pytest
import time_machine

from conftest import local_time
from core.dossiers.applicants import Applicant
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Reception, receive_dossier
from core.dossiers.states import Action, Move, move
from core.models import ApplicantKind, Channel, IdKind
from core.reports.live import live_state
from extensions import db
from tests import factories

CODE = re.compile(r">(000\.17\.22\.H56-\d{6}-\d{4})</a>")


def listed(client, query: str = "") -> list[str]:
    page = client.get(f"/dossiers/?{query}")
    assert page.status_code == 200
    return CODE.findall(page.get_data(as_text=True))


def text_of(client, query: str = "") -> str:
    return client.get(f"/dossiers/?{query}").get_data(as_text=True)


@pytest.fixture
def desk(app, demo):
    """Four dossiers: two on 2 March (GPLX-DOI), one on 5 March (XQK, transferred), one of
    an organisation on 5 March."""
    with time_machine.travel(local_time(2026, 3, 2, 9, 0), tick=False):
        an = factories.dossier(name="Nguyễn Văn An", id_number="001099012345", phone="0912345678")
        dung = factories.dossier(
            name="Đặng Thị Dung", id_number="079188000111", phone="0987 111 222"
        )
    with time_machine.travel(local_time(2026, 3, 5, 10, 0), tick=False):
        binh = factories.dossier("XQK", name="Trần Văn Bình", id_number="001077000999")
        move(binh, Action.TRANSFER, user=factories.user(), details=Move(receiver_name="Lê Cường"))
        company = factories.dossier(
            name="Công ty TNHH Vận tải Nguyễn Gia",
            kind=ApplicantKind.ORGANISATION,
            id_kind=IdKind.TAX_CODE,
            id_number="0101234567",
            phone="0243 111 222",
        )
    db.session.commit()
    return {"an": an.code, "dung": dung.code, "binh": binh.code, "company": company.code}


@time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False)
def test_names_are_found_with_or_without_diacritics(auth, client, desk):
    auth.login()
    assert listed(client, "q=Nguyễn+Văn+An") == [desk["an"]]
    assert listed(client, "q=nguyen+van+an") == [desk["an"]]
    assert listed(client, "q=VAN+AN") == [desk["an"]]
    assert listed(client, "q=dang+dung") == [desk["dung"]]  # đ folds to d
    assert listed(client, "q=Đặng") == [desk["dung"]]
    assert set(listed(client, "q=nguyen")) == {desk["an"], desk["company"]}
    page = text_of(client, "q=nguyen+van+an")
    assert "Tìm thấy 1 hồ sơ" in page and 'value="nguyen van an"' in page
    assert "Không có hồ sơ nào khớp" in text_of(client, "q=Phạm+Thị+Xuân")


@time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False)
def test_codes_ids_and_phones_are_found(auth, client, desk):
    auth.login()
    assert listed(client, f"q={desk['binh']}") == [desk["binh"]]
    assert listed(client, f"q={desk['binh'].lower()}") == [desk["binh"]]
    assert listed(client, "q=260302-0002") == [desk["dung"]]  # the code's tail
    assert set(listed(client, "q=000.17.22.H56-260302")) == {desk["an"], desk["dung"]}
    assert listed(client, "q=079188000111") == [desk["dung"]]
    assert listed(client, "q=0987+111+222") == [desk["dung"]]
    assert listed(client, "q=%2B84987111222") == [desk["dung"]]
    assert listed(client, "q=0101234567") == [desk["company"]]
    assert listed(client, "q=0912345679") == []


@time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False)
def test_filters_combine_and_keep_their_values(auth, client, desk):
    auth.login()
    xqk = find_procedure("XQK").id
    assert listed(client, "status=transferred") == [desk["binh"]]
    assert listed(client, f"procedure={xqk}") == [desk["binh"]]
    assert set(listed(client, "received_from=2026-03-02&received_to=2026-03-02")) == {
        desk["an"],
        desk["dung"],
    }
    assert set(listed(client, "received_from=2026-03-05")) == {desk["binh"], desk["company"]}
    assert listed(client, "received_to=2026-03-01") == []
    assert listed(client, "q=van+b&received_from=2026-03-05") == [desk["binh"]]
    page = text_of(client, f"status=transferred&procedure={xqk}&received_from=2026-03-05")
    assert f'<option value="{xqk}" selected>' in page
    assert '<option value="transferred" selected>' in page
    assert 'value="2026-03-05"' in page and "Xóa bộ lọc" in page
    assert 'id="scan-code"' in page  # the find-by-scan box stays


def test_due_today_and_overdue_follow_the_live_view(auth, client, desk):
    auth.login()
    # The dossiers of 2 March and the XQK one are due 9 March at 17:00; the company's on
    # 12 March.
    late = {desk["an"], desk["dung"], desk["binh"]}
    with time_machine.travel(local_time(2026, 3, 9, 9, 0), tick=False):
        assert set(listed(client, "due=today")) == late
        assert listed(client, "due=overdue") == []
        assert live_state()["dossiers"]["due_today"] == 3
    with time_machine.travel(local_time(2026, 3, 10, 9, 0), tick=False):
        overdue = listed(client, "due=overdue")
        assert set(overdue) == late
        assert live_state()["dossiers"]["overdue"] == len(overdue)
        assert listed(client, "due=today") == []
        assert listed(client, "due=overdue&q=dung") == [desk["dung"]]


@time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False)
def test_bad_parameters_are_ignored_with_a_message(auth, client, desk):
    auth.login()
    every = set(desk.values())
    for query in (
        "status=lost",
        "procedure=abc",
        "received_from=2026-02-30",
        "received_to=yesterday",
        "due=later",
        "page=-1",
        "page=abc",
        "received_from=2026-03-06&received_to=2026-03-01",
        "q=" + "x" * 3000,  # longer than any name, within the address limit
    ):
        response = client.get(f"/dossiers/?{query}")
        assert response.status_code == 200, query
        if not query.startswith("q="):
            assert "Đã bỏ qua" in response.get_data(as_text=True), query
            assert set(CODE.findall(response.get_data(as_text=True))) == every, query


def test_pages_of_fifty_with_the_count(auth, client, app, demo):
    procedure = find_procedure("GPLX-DOI")
    positions = [document.position for document in procedure.documents]
    codes = []
    for index in range(120):
        with time_machine.travel(local_time(2026, 3, 2 + index // 60, 8, index % 60), tick=False):
            applicant = Applicant("Phạm Văn Tâm", "001099012345", "0912345678", "Hà Đông")
            reception = Reception(procedure, applicant, Channel.DIRECT, positions)
            codes.append(receive_dossier(reception, user=factories.user()).code)
    db.session.commit()
    auth.login()
    newest_first = codes[::-1]
    first = text_of(client)
    assert "Tổng cộng 120 hồ sơ" in first and "trang 1/3" in first
    assert CODE.findall(first) == newest_first[:50]
    assert CODE.findall(text_of(client, "page=2")) == newest_first[50:100]
    last = text_of(client, "q=pham+tam&page=3")
    assert CODE.findall(last) == newest_first[100:]
    assert "Tìm thấy 120 hồ sơ" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert "q=pham+tam&amp;page=2" in last  # the other pages keep the search
    assert CODE.findall(text_of(client, "page=99")) == newest_first[100:]  # the last page


@time_machine.travel(local_time(2026, 3, 6, 9, 0), tick=False)
def test_managers_find_no_more_than_the_masked_names_show(auth, client, desk):
    auth.login("lanhdao")
    page = text_of(client)
    assert "Nguyễn V** A**" in page and "Nguyễn Văn An" not in page
    assert "Công ty TNHH Vận tải Nguyễn Gia" in page  # an organisation is not masked
    assert set(listed(client, "q=nguyen")) == {desk["an"], desk["company"]}  # family names
    # The given names are hidden: searching by them would reveal them.
    assert listed(client, "q=nguyen+van+an") == []
    assert listed(client, "q=An") == []
    assert listed(client, "q=van+tai+nguyen+gia") == [desk["company"]]
    hidden = text_of(client, "q=079188000111")
    assert CODE.findall(hidden) == [] and "không tìm theo số giấy tờ" in hidden
    assert CODE.findall(text_of(client, "q=0987111222")) == []
    assert listed(client, f"q={desk['an']}") == [desk["an"]]  # codes are shown: searchable


def test_the_list_filters_by_the_competent_agency(auth, client, runner, demo):
    """Dossiers of two agencies received at one desk: each agency's alone, the choice kept;
    an unknown agency is ignored with a message."""
    from core.agencies.registry import find_agency

    factories.two_agency_centre(runner)
    home = factories.received(
        "GPLX-DOI", Channel.DIRECT, factories.november(2, 9), agency=find_agency(factories.HOME)
    )
    police = factories.received(
        "GPLX-DOI", Channel.DIRECT, factories.november(2, 10), agency=find_agency(factories.POLICE)
    )
    auth.login()
    with time_machine.travel(factories.november(3, 9), tick=False):
        codes = re.compile(r">(000\.\d\d\.\d\d\.H56-\d{6}-\d{4})</a>")
        every = codes.findall(text_of(client))
        assert set(every) == {home.code, police.code}
        page = text_of(client, f"agency={factories.POLICE}")
        assert codes.findall(page) == [police.code]
        assert f'<option value="{factories.POLICE}" selected>' in page
        assert "Xóa bộ lọc" in page
        home_page = text_of(client, "agency=000.17.22.h56")  # case forgiven
        assert codes.findall(home_page) == [home.code]
        for bad in ("000.99.99.H56", "not-a-code"):
            page = text_of(client, f"agency={bad}")
            assert "Đã bỏ qua: cơ quan không có trong danh mục" in page
            assert set(codes.findall(page)) == {home.code, police.code}
