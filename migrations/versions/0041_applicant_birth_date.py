"""the applicant's date of birth on a dossier (read from the citizen ID card's QR code)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: rebuilding the dossier table on SQLite would drop its triggers (0011).
    op.add_column("dossier", sa.Column("applicant_birth_date", sa.Date(), nullable=True))


def downgrade():
    op.drop_column("dossier", "applicant_birth_date")
