"""the evaluation's covering index on the stays at steps

Revision ID: 0050
Revises: 0055
Create Date: 2026-12-07 20:30:00

The evaluation of units and officers counts, sums and ranks the stays left in a period per
agency, unit, role and officer in SQL (core/reports/evaluation.py). The index on an agency's
stays by the time they were left (`ix_dossier_step_agency_left`) becomes one that also holds
every column those statements read, so a year of a centre is read from the index alone,
without a look-up of each stay's row. Its leading columns are the old index's: whatever used
that one uses this one.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0050"
down_revision = "0055"
branch_labels = None
depends_on = None

COLUMNS = [
    "agency_id",
    "left_at",
    "unit_id",
    "role",
    "handled_by_id",
    "outcome",
    "verdict",
    "worked_hours",
    "allowance_hours",
]


def upgrade():
    op.drop_index("ix_dossier_step_agency_left", table_name="dossier_step")
    op.create_index("ix_dossier_step_evaluation", "dossier_step", COLUMNS, unique=False)


def downgrade():
    op.drop_index("ix_dossier_step_evaluation", table_name="dossier_step")
    op.create_index(
        "ix_dossier_step_agency_left", "dossier_step", ["agency_id", "left_at"], unique=False
    )
