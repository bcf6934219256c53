"""The document of a dossier's result, uploaded by the officer who records it: a PDF or an
image (JPEG, PNG) of at most 10 MB, its type read from its first bytes, not its name. It is
kept with the dossier under the instance folder (`results/<dossier id>/`), readable by the
server's owner only.

The file is written before its row: a transaction that then fails leaves a file no row
names (harmless, never served), never a row without its file.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.clock import utcnow
from core.errors import InvalidInput
from core.models import Dossier, ResultDocument, User
from core.private_files import make_private_folder, write_private_file
from core.processes.flow import check_at_step
from extensions import db

MAX_BYTES = 10 * 1024 * 1024
# The first bytes of each type accepted: (content type, extension).
SIGNATURES = (
    (b"%PDF-", ("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", "png")),
    (b"\xff\xd8\xff", ("image/jpeg", "jpg")),
)


def results_folder() -> Path:
    return Path(current_app.instance_path) / "results"


def file_kind(content: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


def record_result(
    dossier: Dossier,
    user: User,
    file_name: str,
    content: bytes,
    *,
    now: datetime | None = None,
) -> ResultDocument:
    """Keep the result's document with the dossier, or refuse saying why."""
    check_at_step(dossier, user)
    now = now or utcnow()
    if not content:
        raise InvalidInput(_l("Hãy chọn tệp văn bản kết quả."), field="document")
    if len(content) > MAX_BYTES:
        raise InvalidInput(_l("Tệp lớn quá 10 MB."), field="document")
    kind = file_kind(content)
    if kind is None:
        raise InvalidInput(_l("Chỉ nhận tệp PDF, JPEG hoặc PNG."), field="document")
    content_type, extension = kind
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    folder = results_folder() / str(dossier.id)
    make_private_folder(folder)
    write_private_file(folder / stored_name, content)
    name = Path(file_name or "").name.strip()[:200] or f"ket-qua.{extension}"
    document = ResultDocument(
        dossier_id=dossier.id,
        file_name=name,
        stored_name=stored_name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=now,
        uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    record_event(
        "dossier.result_recorded",
        dossier,
        user=user,
        code=dossier.code,
        file_name=name,
        content_type=content_type,
        size=len(content),
        sha256=document.sha256,
    )
    return document


def result_documents(dossier: Dossier) -> list[ResultDocument]:
    return list(
        db.session.execute(
            db.select(ResultDocument).filter_by(dossier_id=dossier.id).order_by(ResultDocument.id)
        ).scalars()
    )


def document_path(document: ResultDocument) -> Path:
    return results_folder() / str(document.dossier_id) / document.stored_name
