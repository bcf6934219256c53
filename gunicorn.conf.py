"""gunicorn's settings read from the project folder (gunicorn loads ./gunicorn.conf.py by
itself): `make run`, the tests' live servers and the systemd unit of docs/deploy.md.

The limits on a request's first line and headers sit above the app's own (MAX_URL_LENGTH,
MAX_HEADER_BYTES in config.py), so an address or a header that is too long reaches the app,
which answers with its own page in the visitor's language (414, 431); only what passes
gunicorn's limits too gets gunicorn's plain answer, and nginx (docs/deploy.md) stops that first.
"""

limit_request_line = 8190  # gunicorn's highest; the app refuses addresses above 4,096
limit_request_fields = 100  # headers in one request
limit_request_field_size = 8190  # bytes in one header; the app refuses above 6,144
