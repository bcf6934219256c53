"""The app's own pages for what goes wrong with a request (an unknown address, a very long
one, an oversize body or header), in the visitor's language; and the validators' messages of
every form in Vietnamese, each beside its field, the required fields marked."""

import socket
import urllib.parse

import pytest

from conftest import LiveServer, csrf_token
from web.forms import Form, SubForm

ENGLISH_SERVER_TEXTS = ("Not Found", "Request-URI Too", "Bad Request", "Too Large", "Entity")


def assert_own_page(response, status: int, *texts: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "Không thực hiện được" in page and f"Mã lỗi: {status}" in page
    for text in texts:
        assert text in page
    for english in ENGLISH_SERVER_TEXTS:
        assert english not in page
    return page


def test_an_unknown_address_is_the_apps_own_page_in_either_language(client):
    assert_own_page(client.get("/khong-co-trang-nay"), 404, "Không tìm thấy trang")
    english = client.get("/no-such-page?lang=en")
    assert english.status_code == 404 and "Không thực hiện được" not in english.text
    assert "not found" in english.text.lower() and '<html lang="en">' in english.text


def test_a_very_long_address_is_refused_before_routing(client, app):
    long_path = "/dossiers/" + "a" * app.config["MAX_URL_LENGTH"]
    assert_own_page(client.get(long_path), 414, "Địa chỉ trang quá dài")
    long_query = "/?q=" + "x" * app.config["MAX_URL_LENGTH"]
    assert_own_page(client.get(long_query), 414)
    assert client.get("/?q=" + "x" * 1000).status_code == 200  # a long but sane one passes


def test_an_oversize_header_is_the_apps_own_431(client, app):
    value = "x" * (app.config["MAX_HEADER_BYTES"] + 1)
    assert_own_page(client.get("/", headers={"X-Forwarded-Note": value}), 431, "cookie")
    assert client.get("/", headers={"X-Forwarded-Note": "x" * 1000}).status_code == 200


def test_an_oversize_body_is_the_apps_own_413_saying_the_limit(client, demo, auth, app):
    auth.login("quantri")
    token = csrf_token(client, "/admin/")
    body = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/auth/logout", data={"csrf_token": token, "pad": body})
    assert_own_page(response, 413, "Dữ liệu gửi lên quá lớn (tối đa 2 MB)")


@pytest.mark.slow
def test_gunicorn_lets_the_app_answer_a_long_address_and_header(app, demo, database_url, tmp_path):
    """A real gunicorn (its limits from gunicorn.conf.py): the app's page, not gunicorn's."""
    server = LiveServer(database_url, tmp_path, workers=1)
    try:
        import requests

        long_url = server.url + "/tra-cuu?code=" + "9" * 6000
        response = requests.get(long_url, timeout=10)
        assert response.status_code == 414
        assert "Địa chỉ trang quá dài" in response.text and "Mã lỗi: 414" in response.text
        header = requests.get(server.url + "/", headers={"X-Long": "y" * 7000}, timeout=10)
        assert header.status_code == 431 and "Mã lỗi: 431" in header.text
        # Above gunicorn's own ceiling (8,190 bytes a line) gunicorn answers; nginx's
        # large_client_header_buffers (docs/deploy.md) stops such requests before it.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            path = "/" + urllib.parse.quote("z" * 9000)
            raw.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert raw.recv(200).startswith(b"HTTP/1.1 414 URI Too Long")
    finally:
        server.stop()


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_form_of_the_app_speaks_the_request_language(app):
    from flask_wtf import FlaskForm
    from wtforms import Form as PlainForm

    ours = {cls for cls in all_subclasses(FlaskForm) if cls.__module__.split(".")[0] != "flask_wtf"}
    assert len(ours) > 20
    strays = [cls.__qualname__ for cls in ours if not issubclass(cls, Form)]
    assert strays == []
    project = ("admin", "auth", "dashboard", "desk", "dossiers", "printing", "web")
    subforms = [
        cls
        for cls in all_subclasses(PlainForm)
        if cls.__module__.split(".")[0] in project and not issubclass(cls, (FlaskForm, SubForm))
    ]
    assert subforms == []


def test_validator_defaults_in_vietnamese_and_in_english(app):
    from wtforms import DateField, DecimalField, IntegerField, StringField
    from wtforms.validators import URL, DataRequired, EqualTo, Length, NumberRange

    class Probe(Form):
        name = StringField("n", validators=[DataRequired(), Length(min=3, max=5)])
        code = StringField("c", validators=[Length(max=2)])
        again = StringField("a", validators=[EqualTo("name")])
        count = IntegerField("k", validators=[NumberRange(min=1, max=9)])
        money = DecimalField("m")
        day = DateField("d")
        site = StringField("e", validators=[URL()])

    data = {"code": "abc", "again": "x", "count": "x", "money": "x", "day": "32/13", "site": "x"}
    expected_vi = {
        "name": "Vui lòng nhập trường này.",
        "code": "Không được dài quá 2 ký tự.",
        "again": "Giá trị phải trùng với ô name.",
        "count": "Hãy nhập một số nguyên.",
        "money": "Vui lòng nhập một số (dùng dấu phẩy hoặc dấu chấm cho phần thập phân).",
        "day": "Ngày không đúng dạng (ngày/tháng/năm).",
        "site": "Địa chỉ URL không hợp lệ.",
    }
    for query, expected in (("", expected_vi), ("?lang=en", None)):
        with app.test_request_context("/" + query, method="POST", data=data):
            from flask_babel import refresh

            refresh()
            form = Probe(meta={"csrf": False})
            assert not form.validate()
            found = {name: errors[0] for name, errors in form.errors.items()}
            if expected:
                assert found == expected
            else:
                assert found["name"] == "This field is required."
                assert found["count"] == "Not a valid integer value."


def test_login_marks_its_required_fields_and_says_each_error_beside_it(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert page.count('aria-required="true"') == 2
    assert page.count('class="form__required"') == 2
    token = csrf_token(client)
    response = client.post("/auth/login", data={"csrf_token": token})
    page = response.get_data(as_text=True)
    assert page.count("Vui lòng nhập trường này.") == 2
    assert 'aria-invalid="true"' in page and 'id="username-error"' in page
    assert "This field is required" not in page


def test_our_catalogue_translates_every_message_wtforms_ships():
    """A WTForms upgrade that adds a message fails here until it has its Vietnamese."""
    from pathlib import Path

    from babel.messages.pofile import read_po
    from wtforms.i18n import messages_path

    with (Path(messages_path()) / "wtforms.pot").open("rb") as handle:
        shipped = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }
    ours = Path(__file__).resolve().parent.parent / "translations/vi/LC_MESSAGES"
    with (ours / "wtforms.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id and (message.string if isinstance(message.string, str) else message.string[0])
    }
    assert shipped - translated == set()
    from babel.support import Translations

    compiled = Translations.load(str(ours.parent.parent), ["vi"], domain="wtforms")
    assert all(
        compiled.ugettext(message) != message
        for message in shipped - {"Invalid field name '%s'."}
        if "%(" not in message
    )
