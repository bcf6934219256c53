"""dossier search (folded applicant name, list indexes) and background export jobs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:00:00

`dossier.applicant_search` holds the applicant's name folded for search (lower case,
without diacritics: core.vntext.search_key); older rows are filled here in batches of a
few thousand, so a register of a million dossiers is migrated without holding it all in
memory. The list's indexes serve its filters newest first. `export_job` holds the files
built in the background (the register as XLSX or PDF) and their progress.
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.add_column(
        "dossier",
        sa.Column("applicant_search", sa.String(length=200), server_default="", nullable=False),
    )
    backfill_search_names()
    op.create_index("ix_dossier_list_status", "dossier", ["status", "received_at", "id"])
    op.create_index("ix_dossier_list_procedure", "dossier", ["procedure_id", "received_at", "id"])
    op.create_index("ix_dossier_list_name", "dossier", ["applicant_search", "received_at", "id"])
    op.create_index("ix_dossier_list_id_number", "dossier", ["applicant_id_number"])
    op.create_index("ix_dossier_list_phone", "dossier", ["applicant_phone"])
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                "expired",
                name="exportjobstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_export_job_queue", "export_job", ["status", "id"])
    op.create_index("ix_export_job_requested_by_id", "export_job", ["requested_by_id"])


def search_key(name):
    """core.vntext.search_key as it stood at this revision (a migration does not move)."""
    text = name.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return " ".join(stripped.lower().split())


def backfill_search_names():
    """Fold every applicant's name, a batch of rows at a time in id order."""
    connection = op.get_bind()
    dossier = sa.table(
        "dossier",
        sa.column("id", sa.Integer()),
        sa.column("applicant_name", sa.String()),
        sa.column("applicant_search", sa.String()),
    )
    update = (
        sa.update(dossier)
        .where(dossier.c.id == sa.bindparam("row_id"))
        .values(applicant_search=sa.bindparam("folded"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(dossier.c.id, dossier.c.applicant_name)
            .where(dossier.c.id > last)
            .order_by(dossier.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            update,
            [{"row_id": row_id, "folded": search_key(name or "")[:200]} for row_id, name in rows],
        )
        last = rows[-1][0]


def downgrade():
    op.drop_index("ix_export_job_requested_by_id", table_name="export_job")
    op.drop_index("ix_export_job_queue", table_name="export_job")
    op.drop_table("export_job")
    for name in (
        "ix_dossier_list_phone",
        "ix_dossier_list_id_number",
        "ix_dossier_list_name",
        "ix_dossier_list_procedure",
        "ix_dossier_list_status",
    ):
        op.drop_index(name, table_name="dossier")
    # Plain DROP COLUMN (SQLite 3.35 and later drops in place), as in 0019.
    op.drop_column("dossier", "applicant_search")
