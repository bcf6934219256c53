"""Shared pieces of the printing tests: a sample slip, the jobs, an in-process worker."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from core.models import PrintJob
from extensions import db
from printing.slip import Slip
from printing.worker import PrintWorker

SAMPLE_URL = "http://192.168.1.10:5000/t/Zx3kP9qLmN2vB7cD4eF6gH"
# A slip as the kiosk prints it, for the printing tests and bench/printing.py.
SAMPLE_SLIP = Slip(
    agency="Sở Giao thông vận tải",
    centre="Bộ phận tiếp nhận và trả kết quả",
    heading="SỐ THỨ TỰ",
    number="A012",
    service="Cấp, đổi giấy phép lái xe",
    badges=("ƯU TIÊN",),
    lines=("Trước bạn: 4 người", "Giờ lấy số: 08:15 · 02/03/2026"),
    qr=SAMPLE_URL,
    footer=(
        "Quét mã QR để theo dõi lượt trên điện thoại.",
        "Xin vui lòng chờ gọi số trên màn hình.",
    ),
)

FAST_PRINTING = {
    "PRINT_RETRY_SECONDS": 0.5,
    "PRINT_RETRY_MAX_SECONDS": 1.0,
    "PRINT_POLL_SECONDS": 0.05,
    "PRINT_MAX_ATTEMPTS": 3,
}


def post(client, url: str, **kwargs):
    """POST as a fresh request would: the test client shares this test's database session,
    so end its read first (a server's request never starts inside an older transaction)."""
    db.session.rollback()
    return client.post(url, **kwargs)


@contextmanager
def running_worker(app):
    """The real print worker, in threads of this process, stopped at the end."""
    worker = PrintWorker(app)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the worker stops when asked"


def jobs() -> list[PrintJob]:
    db.session.rollback()
    return list(db.session.execute(db.select(PrintJob).order_by(PrintJob.id)).scalars())
