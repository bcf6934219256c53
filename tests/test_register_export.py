"""The dossier register for a period: on screen a page at a time; as XLSX or PDF built by
the export worker in the background (a job with its progress, a download for whoever asked),
and from the command line with a progress bar."""

import io
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import PROJECT_DIR, SERVER_SETTINGS, count, local_time, wait_until
from core.clock import utcnow
from core.dossiers.applicants import Applicant
from core.dossiers.procedures import find_procedure
from core.dossiers.reception import Reception, receive_dossier
from core.models import AuditEvent, Channel, Dossier, ExportJob, ExportJobStatus
from exports import worker as export_worker
from extensions import db
from tests import factories

ENTRIES = 240
FAMILIES = ("Trần", "Lê", "Phạm", "Hoàng")
GIVEN = ("Bích", "Lan", "Hùng", "Minh", "Thảo", "Dũng")


def name_of(index: int) -> str:
    return f"{FAMILIES[index % 4]} Thị {GIVEN[index // 4 % 6]} {GIVEN[index // 24 % 6]}"


MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def auth(auth, app, demo):
    app.config["WTF_CSRF_ENABLED"] = False
    return auth


@pytest.fixture
def march(app, demo):
    """ENTRIES dossiers received in March 2026 (three days), and one in April."""
    officer = factories.user()
    procedure = find_procedure("GPLX-DOI")
    positions = [document.position for document in procedure.documents]
    codes = []
    for index in range(ENTRIES):
        day = 2 + index // 100
        with time_machine.travel(local_time(2026, 3, day, 8, index % 100 // 2), tick=False):
            applicant = Applicant(name_of(index), "001099012345", "0912345678", "Hà Đông")
            reception = Reception(procedure, applicant, Channel.DIRECT, positions)
            codes.append(receive_dossier(reception, user=officer).code)
    with time_machine.travel(local_time(2026, 4, 1, 9, 0), tick=False):
        receive_dossier(
            Reception(
                procedure,
                Applicant("Ngoài Kỳ", "001099012345", "0912345678", "Hà Đông"),
                Channel.DIRECT,
                positions,
            ),
            user=officer,
        )
    db.session.commit()
    return codes


def ask_for(client, file_format: str, period=MARCH) -> int:
    response = client.post(
        "/dossiers/register/export",
        data={"start": period["from"], "end": period["to"], "file_format": file_format},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert response.headers["Location"].endswith(f"/dossiers/exports/{job_id}")
    return job_id


def test_the_register_pages_on_screen(auth, client, march):
    auth.login()
    page = client.get("/dossiers/register?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert "TỪ NGÀY 01/03/2026 ĐẾN NGÀY 31/03/2026" in page
    assert march[0] in page and march[99] in page and march[100] not in page
    assert "Trang 1/3" in page and "240 hồ sơ" in page
    last = client.get("/dossiers/register?from=2026-03-01&to=2026-03-31&page=3")
    text = last.get_data(as_text=True)
    assert march[239] in text and march[199] not in text and "Ngoài Kỳ" not in text
    bad = client.get("/dossiers/register?from=2026-03-31&to=2026-03-01", follow_redirects=True)
    assert bad.status_code == 200
    assert "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc." in bad.get_data(as_text=True)


def test_an_xlsx_is_built_by_the_worker_with_its_progress(auth, client, march, monkeypatch):
    auth.login()
    job_id = ask_for(client, "xlsx")
    job = db.session.get(ExportJob, job_id)
    assert job.status == ExportJobStatus.QUEUED and job.requested_by.username == "canbo1"
    assert count(AuditEvent, action="register.export_requested", subject_id=job_id) == 1
    state = client.get(f"/dossiers/exports/{job_id}.json").get_json()
    assert state["status"] == "queued" and state["download_url"] is None
    page = client.get(f"/dossiers/exports/{job_id}").get_data(as_text=True)
    assert "data-export-bar" in page and "Đang chờ xử lý" in page

    seen = []
    write = export_worker.set_progress
    monkeypatch.setattr(export_worker, "PROGRESS_EVERY", 50)
    monkeypatch.setattr(
        export_worker,
        "set_progress",
        lambda job, **values: (seen.append(values), write(job, **values)),
    )
    db.session.commit()
    assert export_worker.run_once() is True
    assert export_worker.run_once() is False  # nothing else is queued
    assert seen == [{"total": ENTRIES, "done": 0}, *({"done": n} for n in (50, 100, 150, 200))]

    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.done, job.total) == (ExportJobStatus.DONE, ENTRIES, ENTRIES)
    assert oct(os.stat(job.file_path).st_mode & 0o777) == "0o600"
    state = client.get(f"/dossiers/exports/{job_id}.json").get_json()
    assert state["percent"] == 100 and state["download_url"].endswith("/download")
    response = client.get(state["download_url"])
    assert response.status_code == 200
    assert "so-theo-doi-ho-so-20260301-20260331.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [row[1] for row in rows] == march
    assert rows[0][3] == name_of(0)
    assert count(AuditEvent, action="register.downloaded", subject_id=job_id) == 1


def test_a_pdf_is_built_page_by_page(auth, client, march):
    auth.login()
    job_id = ask_for(client, "pdf")
    db.session.commit()
    assert export_worker.run_once() is True
    response = client.get(f"/dossiers/exports/{job_id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # Strict: a page spooled out of place or a wrong offset in the cross-reference table
    # (the file is written object by object) is an error, not something a reader repairs.
    reader = PdfReader(io.BytesIO(response.data), strict=True)
    assert len(reader.pages) >= 5
    offsets = reader.xref[0]
    assert len(offsets) > 2 * len(reader.pages)
    assert all(
        response.data[offset:].split(b" ", 1)[0] == str(number).encode()
        for number, offset in offsets.items()
    )
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Trang 1" in text
    assert all(code in text for code in (march[0], march[120], march[-1]))
    assert "Ngoài Kỳ" not in text


def test_only_whoever_asked_downloads(auth, client, march, app):
    auth.login()
    job_id = ask_for(client, "xlsx")
    db.session.commit()
    export_worker.run_once()
    auth.logout()
    auth.login("canbo2")
    assert client.get(f"/dossiers/exports/{job_id}/download").status_code == 404
    assert client.get(f"/dossiers/exports/{job_id}.json").status_code == 404
    assert client.get(f"/dossiers/exports/{job_id}").status_code == 404
    auth.logout()
    auth.login("lanhdao")  # a manager sees masked names only: no register at all
    assert client.get(f"/dossiers/exports/{job_id}/download").status_code == 403
    assert client.post("/dossiers/register/export", data={**MARCH}).status_code == 403
    auth.logout()
    auth.login("quantri")
    assert client.get(f"/dossiers/exports/{job_id}/download").status_code == 200


def test_a_file_not_ready_is_not_downloaded_and_a_bad_request_changes_nothing(auth, client, march):
    auth.login()
    job_id = ask_for(client, "pdf")
    assert client.get(f"/dossiers/exports/{job_id}/download").status_code == 409
    response = client.post(
        "/dossiers/register/export",
        data={"start": "2026-13-01", "end": "2026-03-31", "file_format": "pdf"},
        follow_redirects=True,
    )
    assert "năm-tháng-ngày" in response.get_data(as_text=True)
    bad_format = client.post(
        "/dossiers/register/export", data={**MARCH, "start": "2026-03-01", "file_format": "doc"}
    )
    assert bad_format.status_code == 302
    assert count(ExportJob) == 1


def test_a_job_left_running_by_a_dead_worker_is_queued_again(auth, client, march):
    auth.login()
    job_id = ask_for(client, "xlsx")
    job = db.session.get(ExportJob, job_id)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    job.status = ExportJobStatus.RUNNING
    job.claimed_by = f"{export_worker.socket.gethostname()}:{int(dead.stdout)}:exports"
    db.session.commit()
    assert export_worker.requeue_abandoned() == 1
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == ExportJobStatus.QUEUED
    job = db.session.get(ExportJob, job_id)
    job.status, job.claimed_by = ExportJobStatus.RUNNING, export_worker.worker_name()
    db.session.commit()
    assert export_worker.requeue_abandoned() == 0  # this very process is alive
    # A worker on a machine gone for good (a container replaced under a new name): its job
    # is queued again once it has been building longer than the lease, by any worker.
    now = utcnow()
    job.claimed_by = "worker-old-7f9c:41:exports"
    job.started_at = now - export_worker.EXPORT_LEASE + timedelta(minutes=5)
    db.session.commit()
    assert export_worker.requeue_abandoned(now) == 0  # maybe still building
    assert export_worker.requeue_abandoned(now + timedelta(minutes=6)) == 1
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == ExportJobStatus.QUEUED
    assert export_worker.run_once()
    db.session.expire_all()
    built = db.session.get(ExportJob, job_id)
    assert built.status == ExportJobStatus.DONE and os.path.exists(built.file_path)
    assert [name for name in os.listdir(os.path.dirname(built.file_path)) if ".part" in name] == []


def test_old_files_are_removed(auth, client, march, app):
    auth.login()
    job_id = ask_for(client, "xlsx")
    db.session.commit()
    with time_machine.travel(local_time(2026, 12, 1, 10, 0), tick=False):
        export_worker.run_once()
    path = db.session.get(ExportJob, job_id).file_path
    days = app.config["EXPORT_KEEP_DAYS"]
    with time_machine.travel(local_time(2026, 12, days, 10, 0), tick=False):
        assert export_worker.sweep() == 0
        assert os.path.exists(path)
    with time_machine.travel(local_time(2026, 12, 1 + days, 10, 1), tick=False):
        assert export_worker.sweep() == 1
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert job.status == ExportJobStatus.EXPIRED and job.file_path is None
    assert not os.path.exists(path)


def test_the_command_writes_the_register_with_a_progress_bar(runner, march, tmp_path):
    output = tmp_path / "register.xlsx"
    result = runner.invoke(
        args=[
            "dossiers", "register", "--from", "2026-03-01", "--to", "2026-03-31",
            "--format", "xlsx", "--output", str(output),
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Đã ghi {ENTRIES} hồ sơ" in result.output
    sheet = load_workbook(output, read_only=True).active
    assert [row[1] for row in sheet.iter_rows(min_row=5, values_only=True)] == march
    pdf = tmp_path / "register.pdf"
    result = runner.invoke(
        args=[
            "dossiers", "register", "--from", "2026-03-02", "--to", "2026-03-02",
            "--format", "pdf", "--output", str(pdf),
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert march[99] in text and march[100] not in text
    bad = runner.invoke(
        args=["dossiers", "register", "--from", "2026-03-31", "--to", "2026-03-01",
              "--format", "pdf", "--output", str(pdf)]
    )  # fmt: skip
    assert bad.exit_code == 2 and "Ngày bắt đầu" in bad.output


@pytest.mark.slow
def test_the_worker_process_builds_a_queued_file(auth, client, march, database_url, app):
    """`flask --app wsgi jobs worker`, as `make run` starts it, stopped with Ctrl+C."""
    auth.login()
    job_id = ask_for(client, "pdf")
    db.session.commit()
    instance = app.config["INSTANCE_PATH"]
    log = open(os.path.join(instance, "export-worker.log"), "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            **SERVER_SETTINGS,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": instance,
            "EXPORT_POLL_SECONDS": "0.2",
            "EXPORT_WORKER_NICE": "0",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def finished():
            db.session.rollback()
            return db.session.get(ExportJob, job_id, populate_existing=True).status in (
                ExportJobStatus.DONE,
                ExportJobStatus.FAILED,
            )

        assert wait_until(finished, 120), Path(log.name).read_text()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        log.close()
    job = db.session.get(ExportJob, job_id)
    assert job.status == ExportJobStatus.DONE, job.error
    state = client.get(f"/dossiers/exports/{job_id}.json").get_json()
    assert state["done"] == state["total"] == ENTRIES
    data = client.get(state["download_url"]).data
    assert march[-1] in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert count(Dossier) == ENTRIES + 1
