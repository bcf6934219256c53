"""The models and the migrations describe the same schema."""

import ast

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import PROJECT_DIR
from extensions import db


def test_autogenerate_finds_no_difference_between_the_migrated_database_and_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_index_is_declared_on_its_own_table():
    """Indexes are declared in their model's `__table_args__` (or a column's `index=True`),
    never by a module-level `Index(...)` attached to another module's table."""
    for module in sorted((PROJECT_DIR / "core" / "models").glob("*.py")):
        for statement in ast.parse(module.read_text()).body:
            call = getattr(statement, "value", None)
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Index":
                raise AssertionError(f"{module.name}:{statement.lineno} declares an index outside")


def test_0018_widens_the_id_number_on_sqlite_keeping_rows_documents_and_triggers(tmp_path):
    """SQLite cannot change a column's type in place: 0018 renames, adds and copies rather
    than recreate `dossier`, which would drop the report triggers of 0011 and, with foreign
    keys on, delete the dossiers' documents. Its downgrade refuses what 12 digits cannot hold."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import create_app
    from config import TestingConfig

    directory = str(PROJECT_DIR / "migrations")
    app = create_app(TestingConfig(f"sqlite:///{tmp_path / 'old.db'}", str(tmp_path)))
    with app.app_context():
        upgrade(directory=directory, revision="0015")

        def run(sql: str):
            with db.engine.begin() as connection:
                return connection.execute(text(sql))

        def triggers() -> list[str]:
            return sorted(
                run("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
            )

        before = triggers()
        # An account the dossier refers to: 0019's downgrade must not rebuild user_account.
        run(
            "INSERT INTO user_account (id, username, full_name, password_hash, role, active, "
            "created_at) VALUES (1, 'canbo1', 'Nguyễn Thị Lan', 'x', 'officer', 1, "
            "'2026-03-02 02:00:00')"
        )
        run("INSERT INTO procedure_field (id, name) VALUES (1, 'Đường bộ')")
        run(
            "INSERT INTO procedure (id, code, name, search_text, field_id, processing_days, "
            "fee_vnd, processing_unit, online_level, active, updated_at) "
            "VALUES (1, 'P', 'P', '', 1, 5, 0, '', 'partial', 1, '2026-03-02 02:00:00')"
        )
        run(
            "INSERT INTO dossier (id, code, register_year, register_number, procedure_code, "
            "procedure_name, field_name, processing_unit, fee_vnd, sets, applicant_name, "
            "applicant_id_number, applicant_phone, applicant_email, applicant_address, channel, "
            "status, received_at, clock_started_at, due_at, apology_reason, refused, "
            "result_note, supplement_items, imported, created_at, received_by_id) VALUES (1, "
            "'H56-260302-0001', 2026, 1, 'P', 'P', 'Đường bộ', '', 0, 1, 'Nguyễn Văn An', "
            "'001099012345', '', '', '', 'direct', 'received', '2026-03-02 02:00:00', "
            "'2026-03-02 02:00:00', '2026-03-09 10:00:00', '', 0, '', '[]', 0, "
            "'2026-03-02 02:00:00', 1)"
        )
        run(
            "INSERT INTO dossier_document (id, dossier_id, position, name, kind, quantity) "
            "VALUES (1, 1, 0, 'Đơn', 'original', 1)"
        )
        upgrade(directory=directory)
        steps = [f"report_day_dossier_step_{event}" for event in ("delete", "insert", "update")]
        assert triggers() == sorted(before + steps) and len(before) == 12  # 0060 adds steps
        assert run(
            "SELECT applicant_id_number, applicant_kind, applicant_id_kind, submitter_name, "
            "collected_via FROM dossier"
        ).all() == [("001099012345", "person", "citizen_id", "", None)]
        assert run("SELECT COUNT(*) FROM dossier_document").scalar() == 1
        run("UPDATE dossier SET applicant_id_kind = 'passport', applicant_id_number = 'C1234567'")
        with pytest.raises(SystemExit):
            downgrade(directory=directory, revision="0015")
        run(
            "UPDATE dossier SET applicant_id_kind = 'citizen_id', "
            "applicant_id_number = '001099012345'"
        )
        downgrade(directory=directory, revision="0015")
        assert triggers() == before
        assert run("SELECT applicant_id_number FROM dossier").scalar() == "001099012345"
        assert run("SELECT COUNT(*) FROM dossier_document").scalar() == 1
        assert run("SELECT received_by_id FROM dossier").scalar() == 1
        db.engine.dispose()
