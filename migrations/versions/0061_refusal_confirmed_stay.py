"""the stay at a step during which a refusal proposal was confirmed

Revision ID: 0061
Revises: 0060
Create Date: 2026-12-07 22:30:00

A refusal proposed at a step is weighed by the approver of each step after it (a unit head,
then the agency's leader). `dossier.refusal_confirmed_stay_id` keeps the stay
(`dossier_step`) during which it was last confirmed, so it is not weighed again before the
dossier moves on (core/processes/flow.py, `refusal_to_weigh`). A plain column, no foreign key: SQLite adds it
in place, without recreating `dossier` and its report triggers.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0061"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("dossier", sa.Column("refusal_confirmed_stay_id", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("dossier", "refusal_confirmed_stay_id")  # in place, as 0041's
