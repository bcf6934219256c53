"""Settings of the queue desk an admin may change: the configuration gives the default,
a row of `queue_setting` overrides it (the same shape as the dossier desk's settings in
`core.dossiers.settings`, for the queue's own rules).

Each is a whole number within bounds; saving checks every value first, stores only what
changed and records one audit event with the old and new values.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.errors import InvalidInput
from core.models import QueueSetting
from extensions import db

NO_SHOW_AFTER_CALLS = "no_show_after_calls"


@dataclass(frozen=True)
class QueueSettingSpec:
    key: str
    label: object
    config_key: str
    minimum: int
    maximum: int


SPECS = [
    QueueSettingSpec(
        NO_SHOW_AFTER_CALLS,
        _l("Số lần gọi trước khi được đánh dấu vắng mặt"),
        "NO_SHOW_AFTER_CALLS",
        1,
        9,
    ),
]
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def default_value(spec: QueueSettingSpec) -> int:
    """The configuration's value, brought within the setting's bounds."""
    value = int(current_app.config.get(spec.config_key) or spec.minimum)
    return min(spec.maximum, max(spec.minimum, value))


def queue_settings() -> dict[str, int]:
    """Every setting: the stored value where an admin changed it, else the configuration's."""
    stored = dict(db.session.execute(db.select(QueueSetting.key, QueueSetting.value)).all())
    values = {}
    for spec in SPECS:
        raw = stored.get(spec.key, "")
        values[spec.key] = (
            int(raw) if raw.isdigit() and spec.minimum <= int(raw) <= spec.maximum else None
        ) or default_value(spec)
    return values


def queue_setting(key: str) -> int:
    return queue_settings()[key]


def validate_setting(key: str, value) -> int:
    """A whole number within the setting's bounds, or a refusal naming the setting."""
    spec = SPEC_BY_KEY[key]
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not spec.minimum <= int(text) <= spec.maximum:
        raise InvalidInput(
            _l("“{label}” phải là số nguyên từ {minimum} đến {maximum}."),
            label=spec.label,
            minimum=spec.minimum,
            maximum=spec.maximum,
            field=key,
        )
    return int(text)


def save_queue_settings(values: dict, user=None) -> list[str]:
    """Check every value first, then store the changed ones; the caller commits."""
    current = queue_settings()
    cleaned = {key: validate_setting(key, values[key]) for key in values if key in SPEC_BY_KEY}
    changed = [key for key, value in cleaned.items() if value != current[key]]
    for key in changed:
        row = db.session.get(QueueSetting, key)
        if row is None:
            db.session.add(QueueSetting(key=key, value=str(cleaned[key])))
        else:
            row.value = str(cleaned[key])
    if changed:
        record_event(
            "queue.settings_changed",
            ("queue_setting", None),
            user=user,
            **{key: [current[key], cleaned[key]] for key in changed},
        )
        db.session.flush()
    return changed
