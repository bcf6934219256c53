"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from app import create_app
from config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    raise SystemExit(str(error)) from None
gc.freeze()
