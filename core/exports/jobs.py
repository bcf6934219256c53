"""Export jobs: a file asked for on a page (the dossier register as XLSX or PDF) is built
by the export worker (`flask --app wsgi jobs worker`, exports/worker.py), never inside a
web request that a worker timeout could kill.

A job is queued by the page, claimed atomically by one worker (an UPDATE … WHERE status is
still queued; `SKIP LOCKED` on PostgreSQL), reports its progress as it goes (`done` of
`total` rows), and ends done with its file under the instance folder (owner-only, core/
private_files.py) or failed with the reason. Files are kept `EXPORT_KEEP_DAYS` days; then
the file is removed and the job marked expired. Only whoever asked for a file (or an admin)
may download it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from core.audit import record_event
from core.clock import utcnow
from core.errors import DomainError, NotFound
from core.models import ExportJob, ExportJobStatus, Role
from extensions import db

FORMATS = ("xlsx", "pdf")
EXPORT_STATUS_LABELS = {
    ExportJobStatus.QUEUED: _l("Đang chờ xử lý"),
    ExportJobStatus.RUNNING: _l("Đang tạo tệp"),
    ExportJobStatus.DONE: _l("Đã xong"),
    ExportJobStatus.FAILED: _l("Không tạo được tệp"),
    ExportJobStatus.EXPIRED: _l("Tệp đã xóa sau thời hạn lưu"),
}
KINDS = ("register",)


class ExportNotFound(NotFound):
    code = "export_not_found"
    message = _l("Không tìm thấy tệp xuất này, hoặc tệp không phải do bạn yêu cầu.")


class ExportNotReady(DomainError):
    code = "export_not_ready"
    status = 409
    message = _l("Tệp chưa sẵn sàng để tải về.")


def export_folder() -> Path:
    """Where the files are written: `exports/` in the instance folder."""
    return Path(current_app.config["INSTANCE_PATH"]) / "exports"


def request_export(kind: str, file_format: str, params: dict, *, user) -> ExportJob:
    """Queue a file for the worker; audited; the caller commits."""
    if kind not in KINDS or file_format not in FORMATS:
        raise DomainError(_l("Định dạng tệp không được hỗ trợ."))
    job = ExportJob(
        kind=kind,
        file_format=file_format,
        params=params,
        status=ExportJobStatus.QUEUED,
        done=0,
        requested_by_id=user.id if user is not None else None,
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    record_event(f"{kind}.export_requested", job, user=user, format=file_format, **params)
    return job


def job_for(job_id: int, user) -> ExportJob:
    """The job, if `user` asked for it or is an admin; ExportNotFound otherwise (a job of
    someone else is not said to exist)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or not may_see(job, user):
        raise ExportNotFound()
    return job


def recent_jobs(user, kind: str, limit: int = 5) -> list[ExportJob]:
    """The user's latest files of this kind, newest first."""
    return list(
        db.session.execute(
            select(ExportJob)
            .where(ExportJob.kind == kind, ExportJob.requested_by_id == user.id)
            .order_by(ExportJob.id.desc())
            .limit(limit)
        ).scalars()
    )


def may_see(job: ExportJob, user) -> bool:
    if user is None:
        return False
    return job.requested_by_id == user.id or getattr(user, "role", None) == Role.ADMIN


def claim_next(worker: str, now: datetime | None = None) -> ExportJob | None:
    """Atomically take the oldest queued job; None when there is none. Two workers never
    take the same job: the UPDATE only matches a row still queued."""
    now = now or utcnow()
    oldest = (
        select(ExportJob.id)
        .where(ExportJob.status == ExportJobStatus.QUEUED)
        .order_by(ExportJob.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == oldest.scalar_subquery(), ExportJob.status == ExportJobStatus.QUEUED)
        .values(status=ExportJobStatus.RUNNING, started_at=now, claimed_by=worker[:64])
        .returning(ExportJob.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return db.session.execute(
        select(ExportJob).where(ExportJob.id == claimed).execution_options(populate_existing=True)
    ).scalar_one()


def expire_old_files(now: datetime | None = None) -> int:
    """Remove the files of jobs finished more than EXPORT_KEEP_DAYS ago; the caller commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["EXPORT_KEEP_DAYS"])
    old = db.session.execute(
        select(ExportJob).where(
            ExportJob.status.in_((ExportJobStatus.DONE, ExportJobStatus.FAILED)),
            ExportJob.finished_at < cutoff,
            ExportJob.file_path.is_not(None),
        )
    ).scalars()
    removed = 0
    for job in old:
        Path(job.file_path).unlink(missing_ok=True)
        job.file_path = None
        if job.status == ExportJobStatus.DONE:
            job.status = ExportJobStatus.EXPIRED
        removed += 1
    return removed


def percent(job: ExportJob) -> int:
    if job.status in (ExportJobStatus.DONE, ExportJobStatus.EXPIRED):
        return 100
    if not job.total:
        return 0
    return min(99, job.done * 100 // job.total)
