"""dossiers at the steps of their process, processing officers, result documents; the
agency code has one source

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 19:30:00

A dossier records its process version, the step it is at (with its due time) and its
holder; each stay at a step is a `dossier_step` row. Staff accounts get an agency and a
unit (the new processing roles are values of the existing role column). Dossiers already
received have no process and keep being handled by the desk as before.

The agency code has one source, the first agency's row (made by 0026 from the settings):
a code an admin stored in the settings since then is carried onto that row (where no other
agency has it), and the setting row goes; the settings page reads and renames the row.

On SQLite the new `dossier` and `user_account` columns are added in place (`ALTER TABLE …
ADD COLUMN … REFERENCES`), never by recreating the tables: a recreated `dossier` would lose
the report triggers of 0011 and, with foreign keys on, cascade-delete its documents.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

# table, column, type (SQL), the table it refers to (or None)
NEW_COLUMNS = [
    ("dossier", "process_id", "INTEGER", "internal_process"),
    ("dossier", "step_id", "INTEGER", "process_step"),
    ("dossier", "step_entered_at", "DATETIME", None),
    ("dossier", "step_due_at", "DATETIME", None),
    ("dossier", "holder_id", "INTEGER", "user_account"),
    ("user_account", "agency_id", "INTEGER", "agency"),
    ("user_account", "unit_id", "INTEGER", "processing_unit"),
]
STEP_ROLES = ("desk", "specialist", "unit_head", "agency_leader")
OUTCOMES = ("handed_on", "sent_back", "supplement", "to_desk", "ended")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _fk(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def _add_columns() -> None:
    for table, column, sql_type, target in NEW_COLUMNS:
        if _sqlite():
            reference = f" CONSTRAINT {_fk(table, column, target)} REFERENCES {target} (id)"
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"
                + (reference if target else "")
            )
            continue
        kind = sa.Integer() if sql_type == "INTEGER" else sa.DateTime(timezone=True)
        op.add_column(table, sa.Column(column, kind, nullable=True))
        if target:
            op.create_foreign_key(_fk(table, column, target), table, target, [column], ["id"])
    if _sqlite():
        op.execute("ALTER TABLE dossier ADD COLUMN refusal_proposal TEXT DEFAULT '' NOT NULL")
    else:
        op.add_column(
            "dossier",
            sa.Column("refusal_proposal", sa.Text(), server_default="", nullable=False),
        )
    op.create_index(
        "ix_dossier_in_tray", "dossier", ["step_id", "status", "step_due_at"], unique=False
    )
    op.create_index(op.f("ix_dossier_holder_id"), "dossier", ["holder_id"], unique=False)


def _one_agency_code() -> None:
    bind = op.get_bind()
    stored = bind.execute(
        sa.text("SELECT value FROM dossier_setting WHERE key = 'agency_code'")
    ).scalar()
    first = bind.execute(sa.text("SELECT id, code FROM agency ORDER BY id LIMIT 1")).first()
    if stored and first is not None and stored.strip() and stored.strip() != first.code:
        clash = bind.execute(
            sa.text("SELECT id FROM agency WHERE code = :code"), {"code": stored.strip()}
        ).scalar()
        if clash is None:
            bind.execute(
                sa.text("UPDATE agency SET code = :code WHERE id = :id"),
                {"code": stored.strip(), "id": first.id},
            )
    bind.execute(sa.text("DELETE FROM dossier_setting WHERE key = 'agency_code'"))


def upgrade():
    op.create_table(
        "dossier_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(*STEP_ROLES, name="steprole", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowance_hours", sa.Float(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="stepoutcome", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("worked_hours", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_dossier_step_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_step_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["user_account.id"],
            name=op.f("fk_dossier_step_handled_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["step_id"], ["process_step.id"], name=op.f("fk_dossier_step_step_id_process_step")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["processing_unit.id"],
            name=op.f("fk_dossier_step_unit_id_processing_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_step")),
    )
    op.create_index(
        "ix_dossier_step_agency_left", "dossier_step", ["agency_id", "left_at"], unique=False
    )
    op.create_index(
        "ix_dossier_step_officer_left",
        "dossier_step",
        ["handled_by_id", "left_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_dossier_step_dossier_id"), "dossier_step", ["dossier_id"], unique=False
    )
    op.create_table(
        "result_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_result_document_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_result_document_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_document")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_result_document_stored_name")),
    )
    op.create_index(
        op.f("ix_result_document_dossier_id"), "result_document", ["dossier_id"], unique=False
    )
    _add_columns()
    _one_agency_code()


def downgrade():
    bind = op.get_bind()
    first = bind.execute(sa.text("SELECT code FROM agency ORDER BY id LIMIT 1")).scalar()
    if first:
        bind.execute(
            sa.text("INSERT INTO dossier_setting (key, value) VALUES ('agency_code', :code)"),
            {"code": first},
        )
    op.drop_index(op.f("ix_dossier_holder_id"), table_name="dossier")
    op.drop_index("ix_dossier_in_tray", table_name="dossier")
    op.drop_column("dossier", "refusal_proposal")
    for table, column, _sql_type, target in reversed(NEW_COLUMNS):
        if target and not _sqlite():
            op.drop_constraint(_fk(table, column, target), table, type_="foreignkey")
        # SQLite 3.35 and later drops a column-level reference in place.
        op.drop_column(table, column)
    op.drop_index(op.f("ix_result_document_dossier_id"), table_name="result_document")
    op.drop_table("result_document")
    op.drop_index(op.f("ix_dossier_step_dossier_id"), table_name="dossier_step")
    op.drop_index("ix_dossier_step_officer_left", table_name="dossier_step")
    op.drop_index("ix_dossier_step_agency_left", table_name="dossier_step")
    op.drop_table("dossier_step")
