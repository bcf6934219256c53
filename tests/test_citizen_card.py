"""The citizen ID card's QR code: real-format texts read, malformed scans each refused with a
message that says why; the reception form's reader, and a ticket taken with the card."""

import unicodedata
from datetime import date

import pytest

from core.dossiers.citizen_card import InvalidCard, looks_like_card, parse_card

TODAY = date(2026, 3, 2)
# Every Vietnamese tone (sắc, huyền, hỏi, ngã, nặng) and every marked letter (ă â đ ê ô ơ ư).
EVERY_DIACRITIC = "Đặng Lê Nguyễn Thủy Ánh Hằng Lâm Thơ Trương"
MAN_1989 = (
    "001089012345|012345678|Nguyễn Văn An|15041989|Nam"
    "|Số 12 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội|20072021"
)
WOMAN_2001 = (
    f"079301001234||{EVERY_DIACRITIC}|02012001|Nữ"
    "|45 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh|10082022"
)


def test_a_man_born_in_1989_with_his_old_id():
    card = parse_card(MAN_1989, TODAY)
    assert card.number == "001089012345" and card.old_number == "012345678"
    assert card.name == "Nguyễn Văn An" and card.sex == "male"
    assert card.birth_date == date(1989, 4, 15) and card.issued_on == date(2021, 7, 20)
    assert card.address == "Số 12 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội"


def test_a_woman_born_in_2001_without_an_old_id_and_a_name_with_every_diacritic():
    card = parse_card(WOMAN_2001, TODAY)
    assert card.old_number == "" and card.sex == "female"
    assert card.name == EVERY_DIACRITIC and card.birth_date == date(2001, 1, 2)
    # A scanner or a phone may hand over decomposed letters: they are read as the same name.
    decomposed = unicodedata.normalize("NFD", WOMAN_2001)
    assert decomposed != WOMAN_2001 and parse_card(decomposed, TODAY).name == EVERY_DIACRITIC


def test_fields_some_cards_add_after_the_seven_are_ignored():
    assert parse_card(MAN_1989 + "|extra|fields", TODAY).number == "001089012345"
    assert looks_like_card(MAN_1989) and not looks_like_card("K7PW2M")


def replaced(text: str, index: int, value: str) -> str:
    fields = text.split("|")
    fields[index] = value
    return "|".join(fields)


@pytest.mark.parametrize(
    ("scan", "says_vi", "says_en"),
    [
        ("001089012345|012345678|Nguyễn Văn An", "cần 7 phần", "7 parts"),
        (replaced(MAN_1989, 0, "00108901234"), "đúng 12 chữ số", "exactly 12 digits"),
        (replaced(MAN_1989, 0, "003089012345"), "mã tỉnh “003”", "province code “003”"),
        (replaced(MAN_1989, 0, "001289012345"), "thế kỷ", "century"),
        (replaced(MAN_1989, 0, "001189012345"), "giới tính", "sex"),
        (replaced(MAN_1989, 0, "001090012345"), "năm sinh", "year of birth"),
        (replaced(MAN_1989, 1, "01234567"), "9 chữ số", "9 digits"),
        (replaced(MAN_1989, 3, "31021989"), "không có thật", "does not exist"),
        (replaced(MAN_1989, 3, "1989-04-15"), "ddmmyyyy", "ddmmyyyy"),
        (replaced(MAN_1989, 4, "X"), "Nam hoặc Nữ", "Nam or Nữ"),
        (replaced(MAN_1989, 5, ""), "nơi thường trú", "permanent address"),
        (replaced(MAN_1989, 6, "20072030"), "ngày cấp", "date of issue"),
        (replaced(MAN_1989, 2, "4"), "họ và tên", "full name"),
    ],
)
def test_malformed_scans_are_refused_saying_why(app, scan, says_vi, says_en):
    with pytest.raises(InvalidCard) as refused:
        parse_card(scan, TODAY)
    messages = refused.value.messages()
    assert says_vi in messages["vi"], messages["vi"]
    assert says_en in messages["en"], messages["en"]
    assert "{" not in messages["vi"] + messages["en"]


def test_the_reception_form_reads_a_card_and_refuses_a_bad_one(client, auth, demo):
    from conftest import csrf_token

    auth.login("canbo1")
    token = csrf_token(client, "/dossiers/receive?procedure=GPLX-DOI")
    read = client.post("/dossiers/citizen-card", data={"text": WOMAN_2001, "csrf_token": token})
    assert read.status_code == 200
    assert read.get_json() | {"message": ""} == {
        "id_number": "079301001234",
        "name": EVERY_DIACRITIC,
        "birth_date": "2001-01-02",
        "address": "45 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh",
        "message": "",
    }
    bad = client.post("/dossiers/citizen-card", data={"text": "abc|def", "csrf_token": token})
    assert bad.status_code == 422 and "cần 7 phần" in bad.get_json()["error"]
    page = client.get("/dossiers/receive?procedure=GPLX-DOI")
    assert "camera=(self)" in page.headers["Permissions-Policy"]


def test_a_ticket_taken_with_the_card_shows_the_citizens_open_dossiers(
    client, auth, demo, kiosk_headers
):
    import time_machine

    from conftest import local_time
    from core.models import Ticket
    from extensions import db
    from tests import factories

    with time_machine.travel(local_time(2026, 3, 2, 8, 0), tick=False):
        factories.dossier(id_number="001089012345", name="Nguyễn Văn An")
        taken = factories.kiosk_ticket(client, kiosk_headers, "GPLX", citizen_card=MAN_1989)
        ticket = db.session.execute(db.select(Ticket).filter_by(token=taken["token"])).scalar_one()
        assert ticket.citizen_id == "001089012345"
        factories.counter_session("canbo1", 1)
        factories.call(ticket, 1)
        db.session.commit()
        auth.login("canbo1")
        console = client.get("/desk/").get_data(as_text=True)
    assert 'data-field="open-dossiers"' in console
