"""Configuration classes, read from the environment when the app is created."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

MIN_SECRET_KEY_LENGTH = 32
# Words of the examples people copy (the deployment guide's own included), never of a key.
PLACEHOLDER_WORDS = (
    "replace",
    "change",
    "example",
    "placeholder",
    "insecure",
    "random-characters",
    "your-secret",
    "secret-key-here",
    "xxxxxxxx",
)


class ConfigurationError(RuntimeError):
    """A setting the app cannot safely start with; wsgi.py prints it and stops."""


def check_secret_key(key: str) -> None:
    """Refuse a missing, short or placeholder SECRET_KEY, saying so in Vietnamese and English."""
    lowered = key.lower()
    if (
        len(key) < MIN_SECRET_KEY_LENGTH
        or any(word in lowered for word in PLACEHOLDER_WORDS)
        or len(set(key)) < 10
    ):
        raise ConfigurationError(
            "SECRET_KEY thiếu, quá ngắn (dưới 32 ký tự) hoặc là giá trị mẫu: hãy đặt một chuỗi "
            "ngẫu nhiên, ví dụ tạo bằng "
            '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"`.\n'
            "SECRET_KEY is missing, too short (under 32 characters) or a placeholder: set a "
            "random value, e.g. one made by "
            '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"`.'
        )


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment; each value comes from the environment."""

    # Where the server's print worker may connect (docs/security.md, "Printers"): the
    # private ranges on the raw printing port, never the server itself or the internet.
    DEFAULT_PRINTER_NETWORKS = "10.0.0.0/8:9100,172.16.0.0/12:9100,192.168.0.0/16:9100"

    def __init__(self) -> None:
        env = os.environ
        self.INSTANCE_PATH = str(Path(env.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve())
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.use_database(
            env.get("DATABASE_URL", f"sqlite:///{Path(self.INSTANCE_PATH) / 'onestop.db'}")
        )
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.TIMEZONE = env.get("TIMEZONE", "Asia/Ho_Chi_Minh")
        self.CENTRE_NAME = env.get("CENTRE_NAME", "Bộ phận tiếp nhận và trả kết quả")
        self.AGENCY_NAME = env.get("AGENCY_NAME", "Sở Giao thông vận tải")
        # The province on forms and reports until `init-db` or an admin stores it.
        self.PROVINCE = env.get("PROVINCE", "")
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = self.TIMEZONE
        self.LANGUAGES = ("vi", "en")
        # The whole request body; the JSON API lowers it for its own routes.
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024))
        self.API_MAX_BODY_BYTES = int(env.get("API_MAX_BODY_BYTES", 16 * 1024))
        # An address (path and query) or one header longer than these is refused by the app
        # with its own page (414, 431), below gunicorn's limits (gunicorn.conf.py), which stay
        # below nginx's (docs/deploy.md): the app answers first.
        self.MAX_URL_LENGTH = int(env.get("MAX_URL_LENGTH", 4096))
        self.MAX_HEADER_BYTES = int(env.get("MAX_HEADER_BYTES", 6144))
        # Minutes one citizen takes at the counter, when there is no history yet.
        self.DEFAULT_SERVICE_MINUTES = float(env.get("DEFAULT_SERVICE_MINUTES", 6))
        self.KIOSK_RETURN_SECONDS = int(env.get("KIOSK_RETURN_SECONDS", 20))
        # Without a touch for this long, a kiosk off its start screen starts afresh.
        self.KIOSK_IDLE_SECONDS = int(env.get("KIOSK_IDLE_SECONDS", 60))
        # A booking checks in at the kiosk from this long before its slot to this long after.
        self.CHECK_IN_EARLY_MINUTES = int(env.get("CHECK_IN_EARLY_MINUTES", 30))
        self.CHECK_IN_LATE_MINUTES = int(env.get("CHECK_IN_LATE_MINUTES", 15))
        self.BOOKING_RATE_LIMIT = env.get("BOOKING_RATE_LIMIT", "10 per minute;50 per day")
        # Posts to a booking's own page (move, cancel): per caller's address and per booking.
        self.BOOKING_CHANGE_RATE_LIMIT = env.get(
            "BOOKING_CHANGE_RATE_LIMIT", "10 per minute;30 per day"
        )
        # Moves of one booking to another time (each sends a confirmation on every channel).
        self.BOOKING_MAX_MOVES = int(env.get("BOOKING_MAX_MOVES", 3))
        self.TRACKING_REFRESH_SECONDS = int(env.get("TRACKING_REFRESH_SECONDS", 10))
        # The counter desk: calls before a ticket may be marked absent, console refresh,
        # and how long the counter's rating tablet offers a just-finished ticket.
        self.NO_SHOW_AFTER_CALLS = int(env.get("NO_SHOW_AFTER_CALLS", 3))
        self.DESK_REFRESH_SECONDS = int(env.get("DESK_REFRESH_SECONDS", 5))
        self.RATING_WINDOW_MINUTES = int(env.get("RATING_WINDOW_MINUTES", 10))
        # How often display boards ask whether anything changed (a cheap 304 when not).
        self.DISPLAY_POLL_MILLISECONDS = int(env.get("DISPLAY_POLL_MILLISECONDS", 500))
        # How often the managers' live view refreshes itself.
        self.DASHBOARD_REFRESH_SECONDS = int(env.get("DASHBOARD_REFRESH_SECONDS", 10))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None
        # Flask-Limiter: Redis shares the counts between servers and workers; memory://
        # counts per worker process. RATELIMIT_ENABLED=false turns every limit off.
        self.RATELIMIT_STORAGE_URI = env.get(
            "RATELIMIT_STORAGE_URI", env.get("REDIS_URL") or "memory://"
        )
        # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto are believed;
        # 0 (the default) when clients reach gunicorn directly.
        self.TRUSTED_PROXIES = int(env.get("TRUSTED_PROXIES", 0))
        self.RATELIMIT_ENABLED = env.get("RATELIMIT_ENABLED", "true").lower() != "false"
        # No X-RateLimit-* or Retry-After on answers that were not refused (a kiosk's 201);
        # a refusal (429) says when to come back (errors.py).
        self.RATELIMIT_HEADERS_ENABLED = False
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")
        # Per kiosk: a guard against a stuck button or a script, not a busy morning.
        self.TICKET_RATE_LIMIT = env.get("TICKET_RATE_LIMIT", "60 per minute")
        # Staff are signed out after this many minutes without a click (polling aside).
        self.SESSION_IDLE_MINUTES = int(env.get("SESSION_IDLE_MINUTES", 30))
        # ... and after this many hours since they signed in, whatever they did.
        self.SESSION_MAX_HOURS = float(env.get("SESSION_MAX_HOURS", 12))
        # How staff passwords are hashed (werkzeug's method string): scrypt at its full cost.
        self.PASSWORD_HASH_METHOD = "scrypt"
        # Personal data of finished dossiers is erased after this many days (0: never).
        self.PERSONAL_DATA_RETENTION_DAYS = int(env.get("PERSONAL_DATA_RETENTION_DAYS", 1825))
        # HSTS on HTTPS responses (0 turns it off).
        self.HSTS_SECONDS = int(env.get("HSTS_SECONDS", 31536000))
        # Dossier desk defaults; admins may override them in the dossier settings screen.
        self.DOSSIER_AGENCY_CODE = env.get("DOSSIER_AGENCY_CODE", "000.17.22.H56")
        self.DOSSIER_CUTOFF = env.get("DOSSIER_CUTOFF", "15:00")
        self.DOSSIER_OFFICE_HOURS = env.get("DOSSIER_OFFICE_HOURS", "07:30-11:30,13:30-17:00")
        self.LOOKUP_RATE_LIMIT = env.get("LOOKUP_RATE_LIMIT", "30 per minute")
        # Ticket printing (docs/printing.md): back-off between tries, give-up rules, logo.
        self.PRINT_RETRY_SECONDS = float(env.get("PRINT_RETRY_SECONDS", 10))
        self.PRINT_RETRY_MAX_SECONDS = float(env.get("PRINT_RETRY_MAX_SECONDS", 60))
        self.PRINT_MAX_ATTEMPTS = int(env.get("PRINT_MAX_ATTEMPTS", 5))
        self.PRINT_EXPIRE_SECONDS = float(env.get("PRINT_EXPIRE_SECONDS", 300))
        self.PRINT_POLL_SECONDS = float(env.get("PRINT_POLL_SECONDS", 0.5))
        self.PRINT_STATUS_SECONDS = float(env.get("PRINT_STATUS_SECONDS", 60))
        self.PRINT_WORKER_NICE = int(env.get("PRINT_WORKER_NICE", 19))
        self.TICKET_LOGO = env.get("TICKET_LOGO", "")
        # Files built in the background (the register as XLSX/PDF, core/exports/jobs.py):
        # kept this many days; the export worker looks for new jobs this often, niced.
        self.EXPORT_KEEP_DAYS = int(env.get("EXPORT_KEEP_DAYS", 7))
        self.EXPORT_POLL_SECONDS = float(env.get("EXPORT_POLL_SECONDS", 2))
        self.EXPORT_WORKER_NICE = int(env.get("EXPORT_WORKER_NICE", 10))
        self.PRINTER_NETWORKS = env.get("PRINTER_NETWORKS", self.DEFAULT_PRINTER_NETWORKS)
        # Notices to citizens (docs/notices.md): a channel without its settings is off.
        # E-mail over SMTP, named as the Flask mail extensions name them.
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", 25))
        self.MAIL_USE_TLS = env.get("MAIL_USE_TLS", "false").lower() == "true"
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "")
        # SMS and Zalo through an HTTP gateway: address, method, headers (JSON) and a body
        # template with $phone, $phone84, $text and $sender (core/notices/channels.py).
        for channel in ("SMS", "ZALO"):
            for name, default in (
                ("URL", ""),
                ("METHOD", "POST"),
                ("HEADERS", '{"Content-Type": "application/json"}'),
                ("BODY", '{"phone": "$phone", "message": "$text"}'),
            ):
                setting = f"{channel}_GATEWAY_{name}"
                setattr(self, setting, env.get(setting, default))
        self.SMS_SENDER = env.get("SMS_SENDER", "")  # the registered brand name
        self.SMS_ASCII = env.get("SMS_ASCII", "false").lower() == "true"  # no diacritics
        # "Your turn is near" when this many people are ahead of the ticket.
        self.NOTICE_TURN_NEAR_AHEAD = int(env.get("NOTICE_TURN_NEAR_AHEAD", 3))
        # The worker's tries: back-off doubled from the first delay up to the maximum.
        self.NOTICE_RETRY_SECONDS = float(env.get("NOTICE_RETRY_SECONDS", 30))
        self.NOTICE_RETRY_MAX_SECONDS = float(env.get("NOTICE_RETRY_MAX_SECONDS", 1800))
        self.NOTICE_MAX_ATTEMPTS = int(env.get("NOTICE_MAX_ATTEMPTS", 6))
        self.NOTICE_POLL_SECONDS = float(env.get("NOTICE_POLL_SECONDS", 1))
        self.NOTICE_SEND_TIMEOUT = float(env.get("NOTICE_SEND_TIMEOUT", 10))

    def use_database(self, url: str) -> None:
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url)
        # A lost server connection is noticed before use (PostgreSQL); a file needs no ping.
        is_file = self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        self.SQLALCHEMY_ENGINE_OPTIONS = {} if is_file else {"pool_pre_ping": True}
        # A database error's message never carries the values (applicants' details) to logs.
        self.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] = True


class DevelopmentConfig(Config):
    """`make run` on one machine (APP_ENV=development), with the embedded SQLite database;
    the secret key is checked as in production."""

    APP_ENV = "development"

    def __init__(self) -> None:
        super().__init__()
        check_secret_key(self.SECRET_KEY)

    # A printer emulator on the demo machine itself, on the raw printing port.
    DEFAULT_PRINTER_NETWORKS = Config.DEFAULT_PRINTER_NETWORKS + ",127.0.0.1/32:9100"


class TestingConfig(Config):
    """The test suite: the database URL is given by the fixture."""

    APP_ENV = "testing"

    def __init__(self, database_url: str, instance_path: str) -> None:
        super().__init__()
        self.TESTING = True
        self.INSTANCE_PATH = instance_path
        self.SECRET_KEY = "test-secret-key"
        self.use_database(database_url)
        self.PUBLIC_BASE_URL = "http://testserver.local"
        self.RATELIMIT_STORAGE_URI = "memory://"  # each test's counts start at zero
        # The fake printers listen on loopback at whatever port is free.
        self.PRINTER_NETWORKS = Config.DEFAULT_PRINTER_NETWORKS + ",127.0.0.0/8:1-65535"
        # scrypt at 1/32 of its cost: each test's demo accounts and sign-ins would otherwise
        # spend a third of a second hashing (the format and the checks stay the same).
        self.PASSWORD_HASH_METHOD = "scrypt:1024:8:1"

    @classmethod
    def from_environment(cls) -> "TestingConfig":
        """APP_ENV=testing: the database and instance folder of the environment."""
        config = Config()
        return cls(config.SQLALCHEMY_DATABASE_URI, config.INSTANCE_PATH)


class ProductionConfig(Config):
    """A real centre, and the default: refuses to start without a proper secret key."""

    APP_ENV = "production"

    def __init__(self) -> None:
        super().__init__()
        check_secret_key(self.SECRET_KEY)
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "true") == "true"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig.from_environment,
}


def config_from_environment() -> Config:
    """Pick the config class named by APP_ENV: production unless told otherwise."""
    name = os.environ.get("APP_ENV", "production")
    if name not in CONFIGS:
        raise ConfigurationError(
            f"APP_ENV {name!r} không có; hãy dùng một trong {sorted(CONFIGS)}.\n"
            f"Unknown APP_ENV {name!r}; use one of {sorted(CONFIGS)}."
        )
    return CONFIGS[name]()
