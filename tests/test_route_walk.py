"""Walk every route of the app: nothing protected answers a stranger or the wrong role,
and no HTML form is accepted without its CSRF token.

The walk reads `app.url_map`, so routes added later are covered without editing this file:
a new route must either be listed below as public, or declare its roles with
`web.roles.roles_required` (or `blueprint_roles_required`); JSON API routes that are not
public must answer 401 to anyone without a device key.
"""

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from conftest import csrf_token
from core.models import Role
from desk_support import fresh_user_per_request, snapshot  # noqa: F401  (fixture)

# Pages and endpoints anyone may open. Keep this list short and say why.
PUBLIC_ENDPOINTS = {
    "static",  # CSS, JS, fonts
    "public.home",
    "public.track",  # the unguessable token printed on the ticket is the permission
    "public.tracking_qr",
    "rating.rate_from_tracking",  # the same token; a served ticket is rated once
    "kiosk.index",  # the page; issuing a ticket needs the kiosk's device key
    "rating.tablet",  # the page; its data needs the counter's device key
    "display.board",  # the page; its data needs the display's device key
    "auth.login",
    "auth.logout",
    "api.health",
    "ops.healthz",  # the load balancer's health check: says only whether the database answers
    "api.openapi",
    "api.list_services",  # what the kiosk shows: names and queue lengths
    "api.show_ticket",  # by unguessable token, for the tracking page
    "dossiers.lookup",  # by code and the check part on the receipt; no name; rate-limited
    "public.booking_page",  # booking an appointment; rate-limited per address
    "public.booking",  # a booking's page: its unguessable token (the link) is the permission
    "public.booking_qr",  # the same token
    "api.list_slots",  # free slots: times and counts, nothing personal
    "api.create_appointment",  # booking from a phone; rate-limited per address
}
ACCOUNTS = {
    Role.OFFICER: "canbo1",
    Role.MANAGER: "lanhdao",
    Role.ADMIN: "quantri",
    Role.SPECIALIST: "chuyenvien",
    Role.UNIT_HEAD: "truongphong",
    Role.AGENCY_LEADER: "giamdoc",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def declared_roles(app: Flask, rule: Rule):
    """The roles a route admits: from its view, else from its blueprint; None if undeclared."""
    view = app.view_functions[rule.endpoint]
    if hasattr(view, "allowed_roles"):
        return view.allowed_roles
    blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
    return getattr(blueprint, "allowed_roles", None)


def sample_path(app: Flask, rule: Rule) -> str:
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def protected_routes(app: Flask):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        for method in METHODS:
            if method in rule.methods:
                yield rule, method, sample_path(app, rule)


def refused_as_stranger(response, api: bool) -> bool:
    if api:
        return response.status_code == 401 and response.is_json
    login_redirect = response.status_code in (302, 303) and response.headers["Location"].startswith(
        "/auth/login"
    )
    return response.status_code == 401 or login_redirect


@pytest.fixture
def walk_app(app, demo):
    """Roles alone decide here: CSRF is proven separately below."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_the_public_list_is_short_and_real(app):
    # 15, the load balancer's health check, and booking (its page, a booking's page and QR
    # code by the booking's token, the API's free slots and booking)
    assert len(PUBLIC_ENDPOINTS) <= 21
    missing = PUBLIC_ENDPOINTS - set(app.view_functions)
    assert not missing, f"public endpoints that no longer exist: {missing}"


def test_no_protected_route_answers_a_stranger_or_the_wrong_role(walk_app, auth):
    app = walk_app
    routes = list(protected_routes(app))
    assert len(routes) >= 20, "the walk must see the desk, API and rating routes"
    before = snapshot()
    problems = []
    for rule, method, path in routes:
        where = f"{method} {rule.rule} ({rule.endpoint})"
        stranger = app.test_client().open(path, method=method)
        if not refused_as_stranger(stranger, is_api(rule)):
            problems.append(f"{where}: a stranger got {stranger.status_code}")
        roles = declared_roles(app, rule)
        if roles is None and not is_api(rule):
            problems.append(f"{where}: declare its roles with roles_required, or make it public")
            continue
        for role, username in ACCOUNTS.items():
            if role in (roles or ()) and method != "GET":
                continue  # an admitted POST would really act (lock an account, say)
            client = app.test_client()
            auth.login(username, client=client, form=False)  # hundreds of sign-ins
            response = client.open(path, method=method)
            if role in (roles or ()):
                if method == "GET" and response.status_code in (401, 403):
                    problems.append(f"{where}: {role} is admitted but got {response.status_code}")
            elif response.status_code not in (401, 403):
                problems.append(f"{where}: {role} must be refused, got {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot() == before, "a refused request changed something"


def test_the_desk_declares_its_roles(walk_app):
    roles = declared_roles(walk_app, next(walk_app.url_map.iter_rules("desk.index")))
    assert roles == {Role.OFFICER, Role.MANAGER}
    release = next(walk_app.url_map.iter_rules("desk.release_counter"))
    assert declared_roles(walk_app, release) == {Role.MANAGER}


def html_post_routes(app: Flask):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "POST" in rule.methods and not is_api(rule) and not rule.endpoint.endswith("static"):
            yield rule


def test_every_html_form_post_is_refused_without_a_csrf_token(app, demo, auth):
    routes = list(html_post_routes(app))
    assert {"auth.login", "desk.call_next", "rating.rate_from_tracking"} <= {
        rule.endpoint for rule in routes
    }
    problems = []
    for rule in routes:
        roles = declared_roles(app, rule)
        client = app.test_client()
        if roles:
            auth.login(ACCOUNTS[sorted(roles)[0]], client=client, form=False)
        path = sample_path(app, rule)
        token = csrf_token(client)
        before = snapshot()
        response = client.post(path, data={"ticket": "", "counter": "1", "score": "satisfied"})
        page = response.get_data(as_text=True)
        if response.status_code != 400 or "Biểu mẫu đã hết hạn" not in page:
            problems.append(f"POST {rule.rule}: accepted without a token ({response.status_code})")
        if snapshot() != before:
            problems.append(f"POST {rule.rule}: wrote something without a token")
        # The control: with the page's real token, the CSRF check lets the same request in.
        control = client.post(path, data={"csrf_token": token})
        if "Biểu mẫu đã hết hạn" in control.get_data(as_text=True):
            problems.append(f"POST {rule.rule}: refused even with a valid token")
    assert not problems, "\n".join(problems)
