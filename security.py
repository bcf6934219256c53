"""Security headers on every response, set in one place.

The Content-Security-Policy allows scripts, styles, fonts and images from the app's own
origin only: no inline script, no inline `style=` attribute, no `eval`. Pages pass data to
their scripts through data- attributes; scripts may still set CSS variables through the
DOM (`element.style.setProperty`), which a policy does not restrict. QR codes and voice
clips are served by the app itself; `data:` and `blob:` are not needed anywhere.
"""

from flask import Flask, current_app, request

from core.accounts.devices import hash_key

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# A page that reads QR codes with the camera (dossier reception on a tablet) allows it for
# itself only; every other page keeps the camera off.
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=(), payment=()"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response):
    """Every response gets the headers; HSTS only over HTTPS (directly or via the proxy,
    whose X-Forwarded-Proto ProxyFix turns into `request.is_secure`)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = current_app.config.get("HSTS_SECONDS", 0)
    if request.is_secure and seconds:
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def ticket_limit() -> str:
    return current_app.config["TICKET_RATE_LIMIT"]


def device_bucket() -> str:
    """Rate-limit key of a device: a digest of its key (the key itself is never stored,
    not even in the limiter's storage); without a key, the caller's address."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return "device:" + hash_key(key.strip())[:32]
    return "address:" + (request.remote_addr or "unknown")


def booking_limit() -> str:
    """Bookings per caller's address, shared by the booking page and the API."""
    return current_app.config["BOOKING_RATE_LIMIT"]


def booking_change_limit() -> str:
    """Moves and cancellations on a booking's own page, counted per caller's address and
    per booking (its token's digest: the token itself is never stored by the limiter)."""
    return current_app.config["BOOKING_CHANGE_RATE_LIMIT"]


def booking_bucket() -> str:
    token = (request.view_args or {}).get("token", "")
    return "booking:" + hash_key(token)[:32]
