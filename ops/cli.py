"""`flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.private_files import make_private_folder
from extensions import db
from ops.backup import BackupRefused, backup, checksum_path, restore


class Bar:
    """A click progress bar driven by (done, total) reports."""

    def __init__(self, label: str) -> None:
        self.label, self.bar, self.shown = label, None, 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def database_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


def run(action, label: str):
    bar = Bar(label)
    try:
        return action(bar)
    except BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    finally:
        bar.close()


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Back up the whole database to PATH while the desk keeps working; PATH.sha256 holds
    its checksum. Both are readable by their owner only, a folder made for them too."""
    url = database_url()
    make_private_folder(path.parent)
    run(lambda bar: backup(url, path, bar), "Đang sao lưu (backing up)")
    size = path.stat().st_size / 1024 / 1024
    click.echo(
        f"Đã sao lưu vào {path} ({size:.1f} MB), mã kiểm tra trong {checksum_path(path).name} "
        "(backup and checksum written)."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--without-checksum",
    is_flag=True,
    help="Restore a backup that has no PATH.sha256 beside it (made before checksums existed).",
)
def restore_command(path: Path, yes: bool, without_checksum: bool):
    """Replace EVERYTHING in the database with the backup at PATH (stop the app first), once
    its checksum (PATH.sha256) proves it whole."""
    url = database_url()
    if not yes:
        click.confirm(
            f"Toàn bộ dữ liệu hiện có trong {db.engine.url.render_as_string()} sẽ bị thay "
            f"bằng bản sao lưu {path}. Tiếp tục? (everything will be replaced; continue?)",
            abort=True,
        )
    db.session.remove()
    db.engine.dispose()  # no connection of ours stands in the way
    revision = run(
        lambda bar: restore(url, path, bar, checksum=not without_checksum),
        "Đang khôi phục (restoring)",
    )
    db.engine.dispose()
    click.echo(f"Đã khôi phục từ {path}; phiên bản lược đồ {revision} (restored).")
    click.echo(
        "Chạy `flask --app wsgi db upgrade` nếu bản sao lưu cũ hơn phần mềm, rồi khởi động "
        "lại ứng dụng (run db upgrade if the backup is older, then restart the app)."
    )
    current_app.logger.warning("Database restored from %s (revision %s)", path, revision)


commands = [backup_command, restore_command]
