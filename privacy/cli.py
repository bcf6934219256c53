"""`flask --app wsgi privacy anonymise` and `flask --app wsgi privacy export`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cli import commit_or_fail
from core.clock import to_local, utcnow
from core.dossiers.applicants import id_number_is_valid
from core.dossiers.privacy import anonymise_finished, personal_data_of
from core.models import IdKind
from core.private_files import write_private_file
from extensions import db

privacy_group = AppGroup("privacy", help="Dữ liệu cá nhân (personal data).")


@privacy_group.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Retention in days (PERSONAL_DATA_RETENTION_DAYS by default).",
)
def anonymise(dry_run: bool, days: int | None) -> None:
    """Erase applicants' details of finished dossiers and slips older than the retention
    period; statistics stay intact; safe to run again."""
    days = days or current_app.config["PERSONAL_DATA_RETENTION_DAYS"]
    if days <= 0:
        click.echo("Không giới hạn thời hạn lưu (PERSONAL_DATA_RETENTION_DAYS=0): không xóa gì.")
        return

    now = utcnow()

    def erase():
        """Count, then erase with the same cutoff, in one writer's transaction."""
        found = anonymise_finished(days, dry_run=True, now=now)
        total = len(found.dossiers) + found.slips + found.bookings
        if total == 0:
            return found
        with click.progressbar(length=total, label="Đang ẩn danh") as bar:
            return anonymise_finished(days, now=now, progress=bar.update)

    if dry_run:
        result = anonymise_finished(days, dry_run=True, now=now)  # reads only
        db.session.rollback()
    else:
        result = commit_or_fail(erase)
    cutoff = to_local(result.cutoff).strftime("%d/%m/%Y %H:%M")
    verb = "Sẽ ẩn danh" if dry_run else "Đã ẩn danh"
    erased = not dry_run and (result.dossiers or result.slips or result.bookings)
    kept = "; số liệu thống kê giữ nguyên" if erased else ""
    bookings = f", {result.bookings} lịch hẹn" if result.bookings else ""
    click.echo(
        f"{verb} {len(result.dossiers)} hồ sơ và {result.slips} phiếu kết thúc trước {cutoff}"
        f"{bookings} (thời hạn lưu {days} ngày){kept}."
    )


@privacy_group.command("export")
@click.argument("id_number")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The JSON file to write.",
)
def export(id_number: str, output: Path) -> None:
    """Write everything held about the person with ID_NUMBER (a citizen ID of 12 digits or
    a passport number) to a JSON file: the dossiers they own and those they filed for others."""
    number = "".join(id_number.split()).upper()
    if not (
        id_number_is_valid(IdKind.CITIZEN_ID, number) or id_number_is_valid(IdKind.PASSPORT, number)
    ):
        raise click.BadParameter(
            "số CCCD (12 chữ số) hoặc số hộ chiếu (6–20 chữ cái, chữ số)", param_hint="ID_NUMBER"
        )
    data = commit_or_fail(lambda: export_to(number, output))
    click.echo(
        f"Đã ghi {len(data['dossiers']) + len(data['filed_for_others'])} hồ sơ và "
        f"{len(data['reception_slips'])} phiếu vào {output}."
    )


def export_to(id_number: str, output: Path) -> dict:
    """Write the person's data (the export is an audit event, committed with it)."""
    data = personal_data_of(id_number)
    write_private_file(output, json.dumps(data, ensure_ascii=False, indent=2).encode())
    return data


commands = [privacy_group]
