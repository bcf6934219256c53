"""Devices (kiosks, boards, counter keypads, rating tablets), their secret keys (stored
hashed), and the admin screens' devices: register, rename, printer, counter, revoke, new key.

A rating tablet has a key of its own kind, bound to one counter, that can only rate the
tickets served there; a counter keypad's key can call and finish tickets too. Tablets paired
with a keypad's key before rating keys existed keep working (`RATING_KINDS`) until they are
given a rating key (docs/security.md says how).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.accounts.printer_addresses import allowed_printer_url
from core.audit import record_event
from core.clock import utcnow
from core.errors import InvalidInput, Unauthorized
from core.models import Counter, Device, DeviceKind, User
from extensions import db

BOUND_TO_A_COUNTER = {DeviceKind.COUNTER, DeviceKind.RATING}
# Keys the rating endpoints accept: a rating tablet's, and a keypad's for tablets paired
# before rating keys existed.
RATING_KINDS = (DeviceKind.RATING, DeviceKind.COUNTER)
RATING_NEEDS_A_COUNTER = _l("Máy đánh giá phải gắn với một quầy: hãy chọn quầy.")


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
    printer_url = allowed_printer_url(printer_url)
    counter = None
    if counter_number is not None:
        counter = db.session.execute(
            db.select(Counter).filter_by(number=counter_number)
        ).scalar_one_or_none()
        if counter is None:
            raise InvalidInput(_l("Không có quầy số {number}."), number=counter_number)
    if device_kind == DeviceKind.RATING and counter is None:
        raise InvalidInput(RATING_NEEDS_A_COUNTER, field="counter_id")
    key = secrets.token_urlsafe(32)
    device = Device(
        kind=device_kind,
        name=name,
        key_hash=hash_key(key),
        printer_url=printer_url,
        counter=counter,
    )
    db.session.add(device)
    db.session.flush()
    record_event("device.created", device, user=actor, kind=device_kind.value, name=name)
    return device, key


def authenticate_device(key: str | None, kind: DeviceKind | tuple[DeviceKind, ...]) -> Device:
    """The active device holding `key`, which must be of `kind` (or one of these kinds)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not key:
        raise Unauthorized()
    device = db.session.execute(
        db.select(Device).filter_by(key_hash=hash_key(key))
    ).scalar_one_or_none()
    if device is None or device.revoked_at is not None or device.kind not in kinds:
        raise Unauthorized()
    return device


DEVICE_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class KnownDevice:
    """What hot paths need of an authenticated device, remembered briefly."""

    id: int
    name: str
    printer_url: str | None
    # A display board's part of the hall (core.queue.areas): an agency's id, a named area.
    board_agency_id: int | None = None
    board_area: str | None = None


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
    identity = KnownDevice(
        device.id, device.name, device.printer_url, device.agency_id, device.area
    )
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


KIND_NAMES = {
    DeviceKind.KIOSK: _l("Máy lấy số (kiosk)"),
    DeviceKind.DISPLAY: _l("Màn hình hiển thị"),
    DeviceKind.COUNTER: _l("Thiết bị tại quầy"),
    DeviceKind.RATING: _l("Máy đánh giá tại quầy"),
}


def list_devices() -> list[Device]:
    """Every device: working ones first, newest first; revoked ones after."""
    return list(
        db.session.execute(
            db.select(Device)
            .options(selectinload(Device.counter))
            .order_by(Device.revoked_at.is_not(None), Device.id.desc())
        ).scalars()
    )


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 128:
        raise InvalidInput(_l("Tên thiết bị cần có, tối đa 128 ký tự."), field="name")
    return name


def counter_for(kind: DeviceKind, counter_id: int | None) -> Counter | None:
    """The counter a counter device or rating tablet is bound to (a tablet must be); other
    kinds are bound to none."""
    if counter_id is None:
        if kind == DeviceKind.RATING:
            raise InvalidInput(RATING_NEEDS_A_COUNTER, field="counter_id")
        return None
    if kind not in BOUND_TO_A_COUNTER:
        raise InvalidInput(
            _l("Chỉ thiết bị tại quầy và máy đánh giá mới gắn với một quầy."), field="counter_id"
        )
    counter = db.session.get(Counter, counter_id)
    if counter is None:
        raise InvalidInput(_l("Quầy đã chọn không tồn tại."), field="counter_id")
    return counter


def register_device(
    kind: str, name: str, printer_url: str | None, counter_id: int | None, actor: User
) -> tuple[Device, str]:
    """Register a device; returns it with its secret key, to be shown once."""
    try:
        device_kind = DeviceKind(kind)
    except ValueError:
        raise InvalidInput(
            _l("Loại thiết bị không hợp lệ: {kind}."), field="kind", kind=kind
        ) from None
    name = clean_name(name)
    counter = counter_for(device_kind, counter_id)
    device, key = create_device(
        device_kind.value,
        name,
        printer_url=printer_url,
        counter_number=counter.number if counter else None,
        actor=actor,
    )
    return device, key


def working(device: Device) -> Device:
    if device.revoked_at is not None:
        raise InvalidInput(
            _l("Thiết bị “{name}” đã bị thu hồi, không sửa được nữa."), name=device.name
        )
    return device


def update_device(
    device: Device, name: str, printer_url: str | None, counter_id: int | None, actor: User
) -> None:
    """Rename a device, set its printer and, for a counter device, its counter."""
    working(device)
    name = clean_name(name)
    printer_url = allowed_printer_url(printer_url)
    counter = counter_for(device.kind, counter_id)
    changes = {}
    for field, old, new in (
        ("name", device.name, name),
        ("printer_url", device.printer_url, printer_url),
        (
            "counter",
            device.counter.number if device.counter else None,
            counter.number if counter else None,
        ),
    ):
        if old != new:
            changes[field] = [old, new]
    device.name, device.printer_url, device.counter = name, printer_url, counter
    if changes:
        record_event("device.updated", device, user=actor, changes=changes)


def revoke(device: Device, actor: User) -> None:
    """Stop accepting the device's key, for good."""
    revoke_device(working(device), actor=actor)


def rotate_key(device: Device, actor: User) -> tuple[Device, str]:
    """Revoke the device and register its replacement with the same settings and a new key."""
    working(device)
    revoke_device(device, actor=actor, reason="rotated")
    replacement, key = create_device(
        device.kind.value,
        device.name,
        printer_url=device.printer_url,
        counter_number=device.counter.number if device.counter else None,
        actor=actor,
    )
    # A board's replacement shows the same part of the hall.
    replacement.agency_id, replacement.area = device.agency_id, device.area
    record_event("device.key_rotated", replacement, user=actor, replaces=device.id)
    return replacement, key
