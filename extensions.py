"""Flask extensions, created unbound; `app.create_app` binds them."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SessionLoginManager(LoginManager):
    """Flask-Login for sign-ins that last a session (the app never sets "remember me").

    Flask-Login's after-request upkeep of the remember cookie reads the session on every
    answer, which marks it accessed and adds `Vary: Cookie` even to a device's API answer;
    a request that brought neither a session nor a remember cookie has nothing to keep up.
    """

    def _update_remember_cookie(self, response):
        config = current_app.config
        names = (
            config["SESSION_COOKIE_NAME"],
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        )
        if any(name in request.cookies for name in names):
            return super()._update_remember_cookie(response)
        return response


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = SessionLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
