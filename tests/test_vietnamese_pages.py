"""No page of the app speaks English in Vietnamese mode: every page each role can open, and
every form of those pages posted empty and with nonsense, searched for the English texts of
WTForms, Flask-WTF, Flask-Login and Werkzeug.

The walk reads `app.url_map` through the route walk's helpers (tests/test_route_walk.py), so a
page added later is walked without editing this file.
"""

from html.parser import HTMLParser

import factories
import pytest
from test_route_walk import ACCOUNTS, declared_roles, is_api, sample_path

from conftest import CSRF_FIELD
from core.models import Role

# The libraries' English defaults that must never reach a Vietnamese page.
ENGLISH_DEFAULTS = (
    # WTForms validators and fields
    "This field is required",
    "Field must be",
    "Field cannot be longer",
    "Number must be",
    "Date must be",
    "Invalid input",
    "Invalid email",
    "Invalid URL",
    "Invalid value",
    "Invalid Choice",
    "Not a valid",
    "is not a valid choice",
    "This field cannot be edited",
    "This field is disabled",
    # Flask-WTF and its CSRF check
    "CSRF token",
    "The CSRF",
    "File required",
    # Flask-Login
    "Please log in to access this page",
    # Werkzeug's error pages
    "Not Found",
    "Method Not Allowed",
    "Bad Request",
    "Unauthorized",
    "Forbidden",
    "Internal Server Error",
    "Request Entity Too Large",
    "Content Too Large",
    "URI Too Long",
    "Too Many Requests",
    "The requested URL",
    "The server could not",
    "You don't have the permission",
    "If you entered the URL manually",
    "Redirecting...",
)
# Nonsense for every kind of field: not a number, not a date, not a choice, too long.
NONSENSE = "x" * 300 + " <>?"


def english_in(page: str) -> list[str]:
    return [text for text in ENGLISH_DEFAULTS if text.lower() in page.lower()]


class Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("method") or "get").lower() == "post"
            if self.inside:
                self.forms.append((attrs.get("action") or "", []))
        elif (
            self.inside
            and tag in ("input", "select", "textarea")
            and attrs.get("name")
            and attrs.get("type") not in ("hidden", "submit", "button")
        ):
            self.forms[-1][1].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def post_forms_of(page: str, path: str) -> list[tuple[str, list[str]]]:
    parser = Forms()
    parser.feed(page)
    return [(action or path, fields) for action, fields in parser.forms]


@pytest.fixture
def walk_data(app, demo):
    """The demo desk, and a dossier so that the dossier pages have one to show."""
    return factories.dossier()


def sample(app, rule, dossier) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name == "code":
            values[name] = dossier.code
        elif name == "form":
            values[name] = "receipt"
        else:
            values[name] = 1 if type(converter).__name__ == "IntegerConverter" else "x"
    try:
        return app.url_map.bind("localhost").build(rule.endpoint, values)
    except Exception:
        return sample_path(app, rule)


def get_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" in rule.methods and not is_api(rule) and not rule.endpoint.endswith("static"):
            yield rule


FILES = ("/export", ".xlsx", ".docx", ".pdf", "/qr", ".png", ".svg", ".wav", ".mp3")


@pytest.mark.slow
def test_no_page_or_form_error_shows_an_english_default_in_vietnamese(app, walk_data, auth):
    dossier = walk_data
    problems = []
    pages_seen = forms_posted = 0
    roles = [Role.ADMIN, Role.OFFICER, Role.MANAGER, None]
    for role in roles:
        for rule in get_routes(app):
            admitted = declared_roles(app, rule)
            if role is not None and role not in (admitted or ()):
                continue
            client = app.test_client()
            if role is not None:
                auth.login(ACCOUNTS[role], client=client, form=False)
            path = sample(app, rule, dossier)
            response = client.get(path, follow_redirects=True)
            where = f"{role or 'visitor'} GET {path} ({rule.endpoint})"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            if response.mimetype != "text/html":
                continue
            pages_seen += 1
            page = response.get_data(as_text=True)
            if found := english_in(page):
                problems.append(f"{where}: {found}")
            if any(marker in path for marker in FILES):
                continue
            token = CSRF_FIELD.search(page)
            shown = response.request.full_path.rstrip("?")  # where the redirects led
            for action, fields in post_forms_of(page, shown) if token else ():
                if "logout" in action or "sign-out" in action:
                    continue
                for values in ({}, dict.fromkeys(fields, NONSENSE)):
                    posted = client.post(
                        action,
                        data={"csrf_token": token.group(1) or token.group(2), **values},
                        follow_redirects=True,
                    )
                    forms_posted += 1
                    what = f"{role or 'visitor'} POST {action} from {shown}"
                    if posted.status_code >= 500:
                        problems.append(f"{what}: {posted.status_code}")
                    if posted.mimetype == "text/html" and (
                        found := english_in(posted.get_data(as_text=True))
                    ):
                        problems.append(f"{what}: {found}")
    assert pages_seen > 60 and forms_posted > 40, (pages_seen, forms_posted)
    assert not problems, "\n".join(problems)


def test_the_error_pages_and_the_sign_in_prompt_are_vietnamese(client, demo):
    for path in ("/khong-co", "/dashboard/", "/auth/login?next=/admin/"):
        response = client.get(path, follow_redirects=True)
        assert not english_in(response.get_data(as_text=True)), path
    wrong_method = client.delete("/")
    assert wrong_method.status_code == 405
    assert "Phương thức không được hỗ trợ" in wrong_method.text
    assert not english_in(wrong_method.text)
