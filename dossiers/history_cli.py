"""`flask --app wsgi dossiers import FILE`: the history of an earlier register."""

from __future__ import annotations

from pathlib import Path

import click

from core.db.transactions import begin_write_transaction
from core.dossiers.importing import ImportRejected, import_history
from core.errors import DomainError
from extensions import db


def run_import(path: Path) -> None:
    begin_write_transaction()

    def progress(rows):
        with click.progressbar(rows, label="Kiểm tra và nhập hồ sơ", show_pos=True) as bar:
            yield from bar

    try:
        result = import_history(path, progress=progress)
        db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        for line, problem in rejected.problems:
            click.echo(f"Dòng {line}: {problem}", err=True)
        raise click.ClickException(rejected.messages()["vi"]) from None
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.messages()["vi"]) from None
    click.echo(
        f"Đã nhập {result.imported} hồ sơ; {result.already_present} hồ sơ đã có từ trước, bỏ qua."
    )
