"""internal processes: versioned steps per procedure and agency

Revision ID: 0030
Revises: 0041
Create Date: 2026-12-07 19:00:00

New tables only: nothing existing changes meaning. A dossier received before any process
was defined keeps being handled as before (by the desk on the units' behalf).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "internal_process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_internal_process_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure.id"],
            name=op.f("fk_internal_process_procedure_id_procedure"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_internal_process_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_process")),
        sa.UniqueConstraint(
            "agency_id",
            "procedure_id",
            "version",
            name=op.f("uq_internal_process_agency_id_procedure_id_version"),
        ),
    )
    op.create_table(
        "process_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.Enum("desk", "specialist", "unit_head", "agency_leader",
                                  name="steprole", native_enum=False, length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("allowance_days", sa.Integer(), nullable=True),
        sa.Column("allowance_hours", sa.Float(), nullable=True),
        sa.Column("next_positions", sa.JSON(), nullable=False),
        sa.Column("back_position", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["internal_process.id"],
            name=op.f("fk_process_step_process_id_internal_process"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["processing_unit.id"], name=op.f("fk_process_step_unit_id_processing_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_step")),
        sa.UniqueConstraint(
            "process_id", "position", name=op.f("uq_process_step_process_id_position")
        ),
    )
    op.create_index(
        op.f("ix_process_step_process_id"), "process_step", ["process_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_process_step_process_id"), table_name="process_step")
    op.drop_table("process_step")
    op.drop_table("internal_process")
