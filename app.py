"""The application factory: it wires extensions, blueprints, errors and commands, nothing more."""

import flask_babel
from babel import Locale
from flask import Flask, has_request_context, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

import core.db.transactions  # noqa: F401  (SQLite engine settings)
import security
from config import Config, config_from_environment
from core.i18n import locale_for
from extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: Config | None = None) -> Flask:
    """Build the app from `config`, or from the environment when none is given."""
    config = config or config_from_environment()
    app = Flask(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_object(config)
    check_printer_networks(app)
    check_gateways(app)
    trust_proxies(app)
    app.json.ensure_ascii = False
    register_extensions(app)
    register_request_hooks(app)
    security.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def check_printer_networks(app: Flask) -> None:
    """A `PRINTER_NETWORKS` setting that cannot be read stops the start, saying why."""
    from core.accounts.printer_addresses import PrinterNetworksInvalid, parse_printer_networks

    try:
        parse_printer_networks(app.config["PRINTER_NETWORKS"])
    except PrinterNetworksInvalid as error:
        raise RuntimeError(f"{error} (Cài đặt PRINTER_NETWORKS không đọc được).") from None


def check_gateways(app: Flask) -> None:
    """SMS or Zalo gateway settings that cannot make a request stop the start, saying which."""
    from notices.senders import check_gateway_settings

    check_gateway_settings(app.config)


def trust_proxies(app: Flask) -> None:
    """Behind nginx (TRUSTED_PROXIES=1), see the client's address and scheme, not the proxy's."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def select_locale() -> Locale:
    """Vietnamese unless the visitor chose English (?lang=en, remembered in a cookie).

    A request with neither a query string nor cookies (a kiosk's tap) is Vietnamese
    without parsing either.
    """
    if not has_request_context():
        return locale_for(None)
    if not request.environ.get("QUERY_STRING") and not request.environ.get("HTTP_COOKIE"):
        return locale_for(None)
    return locale_for(request.args.get("lang") or request.cookies.get("lang"))


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "error"
    login_manager.localize_callback = str
    from web.sessions import load_signed_in_user

    login_manager.user_loader(load_signed_in_user)


def register_request_hooks(app: Flask) -> None:
    from core.db.transactions import begin_write_transaction

    @app.before_request
    def choose_language():
        """Pick the language afresh for each request (an app context can outlive one)."""
        flask_babel.refresh()

    @app.before_request
    def writes_take_the_lock_first():
        """State changes come only by POST, PUT, PATCH or DELETE (never GET), so their
        transaction begins as a writer (unless the view begins its own)."""
        view = app.view_functions.get(request.endpoint)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(
            view, "commits_on_its_own", False
        ):
            begin_write_transaction()


def register_blueprints(app: Flask) -> None:
    from admin import blueprint as admin_blueprint
    from api import blueprint as api_blueprint
    from auth import blueprint as auth_blueprint
    from dashboard import blueprint as dashboard_blueprint
    from desk import blueprint as desk_blueprint
    from display import blueprint as display_blueprint
    from dossiers import blueprint as dossiers_blueprint
    from kiosk import blueprint as kiosk_blueprint
    from ops import blueprint as ops_blueprint
    from printing.admin import blueprint as printing_blueprint
    from privacy import blueprint as privacy_blueprint
    from processing import blueprint as processing_blueprint
    from public import blueprint as public_blueprint
    from rating import blueprint as rating_blueprint

    app.register_blueprint(public_blueprint)
    app.register_blueprint(kiosk_blueprint, url_prefix="/kiosk")
    app.register_blueprint(auth_blueprint, url_prefix="/auth")
    app.register_blueprint(desk_blueprint, url_prefix="/desk")
    app.register_blueprint(display_blueprint, url_prefix="/display")
    app.register_blueprint(api_blueprint, url_prefix="/api/v1")
    app.register_blueprint(dossiers_blueprint)
    app.register_blueprint(admin_blueprint, url_prefix="/admin")
    app.register_blueprint(rating_blueprint)
    app.register_blueprint(printing_blueprint, url_prefix="/admin/printers")
    app.register_blueprint(privacy_blueprint)
    app.register_blueprint(processing_blueprint)
    app.register_blueprint(ops_blueprint)
    app.register_blueprint(dashboard_blueprint, url_prefix="/dashboard")
    csrf.exempt(api_blueprint)


def register_error_handlers(app: Flask) -> None:
    from errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import LazyString, get_locale
    from sqlalchemy.exc import DBAPIError

    from core.accounts.users import ROLE_NAMES
    from core.clock import to_local
    from core.dossiers.settings import setting
    from core.i18n import format_figure
    from web.nav import staff_sections

    @app.template_filter("localtime")
    def localtime(moment, pattern="%H:%M"):
        return to_local(moment).strftime(pattern) if moment else ""

    @app.template_filter("figure")
    def figure(value, kind: str = "int") -> str:
        """A number as the page shows it (`core.i18n.format_figure`: Vietnamese separators
        unless the page is English); a change (`delta`, `delta_percent`) with its sign."""
        if value is None or value == "":
            return "–" if kind in ("decimal", "percent", "delta_percent") else ""
        if kind == "text" or isinstance(value, str):
            return str(value)
        decimals = 1 if kind in ("decimal", "percent", "delta_percent") else 0
        text = format_figure(value, decimals)
        if kind.startswith("delta") and value > 0:
            return f"+{text}"  # a change: the sign says which way
        return text

    def page_setting(key: str, config_key: str) -> str:
        """A setting for a page's header; the configured name while the database is down
        (the error page still renders)."""
        try:
            return setting(key)
        except DBAPIError:
            db.session.rollback()
            return app.config[config_key]

    @app.context_processor
    def inject_globals():
        return {
            "current_locale": str(get_locale()),
            # The names an admin set (core.dossiers.settings), read only by a page that
            # shows them, so the receipt and the page around it never disagree.
            "centre_name": LazyString(page_setting, "desk_name", "CENTRE_NAME"),
            "agency_name": LazyString(page_setting, "agency_name", "AGENCY_NAME"),
            "staff_sections": staff_sections,
            "staff_role_name": ROLE_NAMES.get,
        }

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and request.cookies.get("lang") != chosen:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def register_commands(app: Flask) -> None:
    """Every command, from the `cli` module of each package that has commands."""
    import cli
    from admin import cli as admin_cli
    from dashboard import cli as dashboard_cli
    from demo import cli as demo_cli
    from dossiers import cli as dossiers_cli
    from exports import cli as exports_cli
    from ops import cli as ops_cli
    from printing import cli as printing_cli
    from privacy import cli as privacy_cli

    for module in (
        cli,
        admin_cli,
        demo_cli,
        dossiers_cli,
        dashboard_cli,
        privacy_cli,
        printing_cli,
        ops_cli,
        exports_cli,
    ):
        for command in module.commands:
            app.cli.add_command(command)
