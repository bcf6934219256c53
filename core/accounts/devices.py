"""Devices (kiosks, boards, counter keypads) and their secret keys, stored hashed."""

import hashlib
import secrets
import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.clock import utcnow
from core.errors import InvalidInput, Unauthorized
from core.models import Counter, Device, DeviceKind, User
from extensions import db


def hash_key(key: str) -> str:
    """Device keys are long random strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_device(
    kind: str,
    name: str,
    printer_url: str | None = None,
    counter_number: int | None = None,
    actor: User | None = None,
) -> tuple[Device, str]:
    """Register a device and return it with its secret key, which is shown only once.

    `actor` is the admin registering it, if any.
    """
    try:
        device_kind = DeviceKind(kind)
    except ValueError:
        raise InvalidInput(_l("Loại thiết bị không hợp lệ: {kind}."), kind=kind) from None
    name = name.strip()
    if not name:
        raise InvalidInput(_l("Tên thiết bị không được để trống."))
    counter = None
    if counter_number is not None:
        counter = db.session.execute(
            db.select(Counter).filter_by(number=counter_number)
        ).scalar_one_or_none()
        if counter is None:
            raise InvalidInput(_l("Không có quầy số {number}."), number=counter_number)
    key = secrets.token_urlsafe(32)
    device = Device(
        kind=device_kind,
        name=name,
        key_hash=hash_key(key),
        printer_url=printer_url or None,
        counter=counter,
    )
    db.session.add(device)
    db.session.flush()
    record_event("device.created", device, user=actor, kind=device_kind.value, name=name)
    return device, key


def authenticate_device(key: str | None, kind: DeviceKind) -> Device:
    """The active device holding `key`, which must be of `kind`."""
    if not key:
        raise Unauthorized()
    device = db.session.execute(
        db.select(Device).filter_by(key_hash=hash_key(key))
    ).scalar_one_or_none()
    if device is None or device.revoked_at is not None or device.kind != kind:
        raise Unauthorized()
    return device


DEVICE_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class KnownDevice:
    """What hot paths need of an authenticated device, remembered briefly."""

    id: int
    name: str
    printer_url: str | None


_known_devices: dict[tuple[str, DeviceKind], tuple[float, KnownDevice]] = {}


def authenticated_device(key: str | None, kind: DeviceKind) -> KnownDevice:
    """Like `authenticate_device`, for hot paths: a valid key is remembered for 10 seconds.

    Only successes are remembered, so a revoked key stops working on every app server
    within DEVICE_CACHE_SECONDS and a new key works at once.
    """
    now = time.monotonic()
    cache_key = (hash_key(key), kind) if key else None
    known = _known_devices.get(cache_key)
    if known is not None and now - known[0] < DEVICE_CACHE_SECONDS:
        return known[1]
    device = authenticate_device(key, kind)
    identity = KnownDevice(device.id, device.name, device.printer_url)
    _known_devices[cache_key] = (now, identity)
    return identity


def forget_known_devices() -> None:
    """Drop remembered keys (tests, and right after a revocation in this process)."""
    _known_devices.clear()


def revoke_device(device: Device, actor: User | None = None, **details) -> None:
    """Stop accepting the device's key (`actor`: the admin revoking it, if any)."""
    device.revoked_at = utcnow()
    record_event("device.revoked", device, user=actor, **details)
    forget_known_devices()
