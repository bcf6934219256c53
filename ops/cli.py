"""`flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from extensions import db
from ops.backup import BackupRefused, backup, restore


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
    """Back up the whole database to PATH while the desk keeps working."""
    url = database_url()
    path.parent.mkdir(parents=True, exist_ok=True)
    run(lambda bar: backup(url, path, bar), "Đang sao lưu (backing up)")
    size = path.stat().st_size / 1024 / 1024
    click.echo(f"Đã sao lưu vào {path} ({size:.1f} MB) (backup written).")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool):
    """Replace EVERYTHING in the database with the backup at PATH (stop the app first)."""
    url = database_url()
    if not yes:
        click.confirm(
            f"Toàn bộ dữ liệu hiện có trong {db.engine.url.render_as_string()} sẽ bị thay "
            f"bằng bản sao lưu {path}. Tiếp tục? (everything will be replaced; continue?)",
            abort=True,
        )
    db.session.remove()
    db.engine.dispose()  # no connection of ours stands in the way
    revision = run(lambda bar: restore(url, path, bar), "Đang khôi phục (restoring)")
    db.engine.dispose()
    click.echo(f"Đã khôi phục từ {path}; phiên bản lược đồ {revision} (restored).")
    click.echo(
        "Chạy `flask --app wsgi db upgrade` nếu bản sao lưu cũ hơn phần mềm, rồi khởi động "
        "lại ứng dụng (run db upgrade if the backup is older, then restart the app)."
    )
    current_app.logger.warning("Database restored from %s (revision %s)", path, revision)


commands = [backup_command, restore_command]
