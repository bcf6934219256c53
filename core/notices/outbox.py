"""The outbox: every message to a citizen is a row, queued in the transaction of its event,
claimed atomically by one sender, kept with its outcome.

The claim is one UPDATE that moves the oldest due notice from queued to sending, guarded by
`status = 'queued'` and, on PostgreSQL, picked with FOR UPDATE SKIP LOCKED (SQLite's
writers queue on its write lock), as print jobs are (printing/jobs.py). A failed try waits
a back-off that doubles each time; after `NOTICE_MAX_ATTEMPTS` the notice is failed and
shown to admins, who may queue it again. Callers commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, update

from core.audit import record_event
from core.clock import utcnow
from core.db.upsert import session_upsert
from core.errors import InvalidInput, NotFound
from core.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from core.notices.channels import channel_on
from core.notices.texts import wording
from extensions import db

# A notice still "sending" after this long lost its sender half-way (crash, power cut): it
# is tried again (a citizen may get a message twice, never none).
SENDING_LEASE = timedelta(minutes=5)
# Errors after which trying again cannot help (the gateway refused the address itself).
FINAL_ERRORS = {"channel_off", "bad_recipient", "bad_settings", "gateway_refused"}

STATUS_LABELS = {
    NoticeStatus.QUEUED: _l("Đang chờ gửi"),
    NoticeStatus.SENDING: _l("Đang gửi"),
    NoticeStatus.SENT: _l("Đã gửi"),
    NoticeStatus.FAILED: _l("Không gửi được"),
    NoticeStatus.WITHDRAWN: _l("Không gửi nữa"),
}
CHANNEL_LABELS = {
    NoticeChannel.EMAIL: _l("Thư điện tử"),
    NoticeChannel.SMS: _l("Tin nhắn SMS"),
    NoticeChannel.ZALO: _l("Zalo"),
}
KIND_LABELS = {
    NoticeKind.TURN_NEAR: _l("Sắp đến lượt"),
    NoticeKind.CALLED: _l("Mời đến quầy"),
    NoticeKind.DOSSIER_RECEIVED: _l("Đã tiếp nhận hồ sơ"),
    NoticeKind.SUPPLEMENT: _l("Cần bổ sung hồ sơ"),
    NoticeKind.NEW_DUE: _l("Hẹn trả kết quả mới"),
    NoticeKind.RESULT_READY: _l("Đã có kết quả"),
    NoticeKind.BOOKING_CONFIRMED: _l("Xác nhận lịch hẹn"),
    NoticeKind.BOOKING_REMINDER: _l("Nhắc lịch hẹn"),
}


class NoticeNotFound(NotFound):
    code = "notice_not_found"
    message = _l("Không tìm thấy thông báo này.")


def queue_notice(
    channel: NoticeChannel,
    recipient: str,
    kind: NoticeKind,
    *,
    key: str | None = None,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    appointment_id: int | None = None,
    now: datetime | None = None,
    **values,
) -> int | None:
    """Queue one notice in the caller's transaction; its id, or None when its channel is
    off, it has no recipient, or a notice with the same `key` was queued already (two
    counters calling at once never queue it twice: the insert skips the taken key)."""
    if not recipient or not channel_on(channel):
        return None
    now = now or utcnow()
    words = wording(kind, channel, **values)
    row = {
        "channel": channel,
        "kind": kind,
        "recipient": recipient[:200],
        "subject": words.subject[:200],
        "text": words.text,
        "key": key,
        "ticket_id": ticket_id,
        "dossier_id": dossier_id,
        "appointment_id": appointment_id,
        "status": NoticeStatus.QUEUED,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }
    statement = session_upsert()(Notice).values(**row)
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    notice_id = db.session.execute(statement.returning(Notice.id)).scalar_one_or_none()
    if notice_id is not None:
        record_event("notice.queued", ("notice", notice_id), kind=kind.value, channel=channel.value)
    return notice_id


def find_notice(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NoticeNotFound()
    return notice


def claim_next(
    sender: str, channel: NoticeChannel | None = None, now: datetime | None = None
) -> Notice | None:
    """Atomically take the oldest due notice (of `channel`); None when none is due. Two
    senders never take the same notice."""
    now = now or utcnow()
    oldest = (
        db.select(Notice.id)
        .where(Notice.status == NoticeStatus.QUEUED, Notice.next_attempt_at <= now)
        .order_by(Notice.next_attempt_at, Notice.id)
        .limit(1)
    )
    if channel is not None:
        oldest = oldest.where(Notice.channel == channel)
    if db.session.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        update(Notice)
        .where(Notice.id == oldest.scalar_subquery(), Notice.status == NoticeStatus.QUEUED)
        .values(
            status=NoticeStatus.SENDING,
            claimed_at=now,
            claimed_by=sender[:64],
            attempts=Notice.attempts + 1,
        )
        .returning(Notice.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return db.session.execute(
        db.select(Notice).where(Notice.id == claimed).execution_options(populate_existing=True)
    ).scalar_one()


def retry_delay(attempts: int) -> float:
    """Back-off: the first delay, doubled after each failure, up to the maximum."""
    config = current_app.config
    delay = config["NOTICE_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(delay, max(config["NOTICE_RETRY_MAX_SECONDS"], config["NOTICE_RETRY_SECONDS"]))


def record_outcome(
    notice: Notice, error_code: str | None, detail: str = "", now: datetime | None = None
) -> None:
    """Keep what happened: sent (no error), to be tried again after a back-off, or failed."""
    now = now or utcnow()
    if error_code is None:
        notice.status = NoticeStatus.SENT
        notice.sent_at = now
        notice.last_error = None
        record_event("notice.sent", notice, channel=notice.channel.value, attempts=notice.attempts)
        return
    notice.last_error = f"{error_code}: {detail}"[:500]
    if notice.status == NoticeStatus.WITHDRAWN:
        return  # withdrawn while it was being sent: not tried again
    if error_code in FINAL_ERRORS or notice.attempts >= current_app.config["NOTICE_MAX_ATTEMPTS"]:
        notice.status = NoticeStatus.FAILED
        notice.failed_at = now
        record_event(
            "notice.failed", notice, channel=notice.channel.value, attempts=notice.attempts,
            error=error_code,
        )  # fmt: skip
        return
    notice.status = NoticeStatus.QUEUED
    notice.next_attempt_at = now + timedelta(seconds=retry_delay(notice.attempts))


def retry(notice: Notice, user) -> None:
    """An admin sends a failed notice again: queued now, with a fresh count of tries."""
    if notice.status != NoticeStatus.FAILED:
        raise InvalidInput(_l("Chỉ gửi lại được thông báo không gửi được."))
    if not notice.recipient:
        raise InvalidInput(_l("Thông tin liên hệ của người nhận đã bị xóa."))
    notice.status = NoticeStatus.QUEUED
    notice.attempts = 0
    notice.failed_at = None
    notice.next_attempt_at = utcnow()
    record_event("notice.retried", notice, user=user, channel=notice.channel.value)


def sweep(now: datetime | None = None) -> int:
    """Queue again the notices whose sender vanished mid-send; those already tried
    `NOTICE_MAX_ATTEMPTS` times are failed instead (shown to admins), so a notice that
    stops its sender each time is not tried for ever. The number queued again."""
    now = now or utcnow()
    lost = (Notice.status == NoticeStatus.SENDING, Notice.claimed_at < now - SENDING_LEASE)
    cap = current_app.config["NOTICE_MAX_ATTEMPTS"]
    failed = db.session.execute(
        update(Notice)
        .where(*lost, Notice.attempts >= cap)
        .values(status=NoticeStatus.FAILED, failed_at=now, last_error="sender_lost: no outcome")
        .returning(Notice.id, Notice.channel, Notice.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    for notice_id, channel, attempts in failed:
        record_event(
            "notice.failed", ("notice", notice_id), channel=channel.value, attempts=attempts,
            error="sender_lost",
        )  # fmt: skip
    return db.session.execute(
        update(Notice)
        .where(*lost)
        .values(status=NoticeStatus.QUEUED, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def withdraw_notices(condition, reason: str, *, sending_too: bool = False) -> int:
    """Keep the queued notices `condition` selects from being sent (`reason`: why, e.g.
    "booking_cancelled"); with `sending_too`, those being sent too (a send that fails then is
    not tried again). Each gives its once-only key up (the same message may be queued again
    if it is wanted again) and is audited. The number withdrawn; the caller commits."""
    statuses = [NoticeStatus.QUEUED, NoticeStatus.SENDING] if sending_too else [NoticeStatus.QUEUED]
    withdrawn = db.session.execute(
        update(Notice)
        .where(condition, Notice.status.in_(statuses))
        .values(
            status=NoticeStatus.WITHDRAWN,
            last_error=reason,
            key=Notice.key + ":withdrawn:" + cast(Notice.id, String),
        )
        .returning(Notice.id, Notice.channel)
        .execution_options(synchronize_session=False)
    ).all()
    for notice_id, channel in withdrawn:
        record_event(
            "notice.withdrawn", ("notice", notice_id), channel=channel.value, reason=reason
        )
    return len(withdrawn)


def failed_notices(limit: int = 200) -> list[Notice]:
    """The failed notices, newest first: what the admins' page shows."""
    return list(
        db.session.execute(
            db.select(Notice)
            .where(Notice.status == NoticeStatus.FAILED)
            .order_by(Notice.failed_at.desc(), Notice.id.desc())
            .limit(limit)
        ).scalars()
    )


def outbox_counts() -> dict[NoticeStatus, int]:
    rows = db.session.execute(
        db.select(Notice.status, func.count(Notice.id)).group_by(Notice.status)
    ).all()
    counts = dict.fromkeys(NoticeStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


def recent_notices(limit: int = 50) -> list[Notice]:
    return list(
        db.session.execute(db.select(Notice).order_by(Notice.id.desc()).limit(limit)).scalars()
    )
