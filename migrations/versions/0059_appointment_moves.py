"""how many times a booking was moved to another time (capped by BOOKING_MAX_MOVES)

Revision ID: 0059
Revises: 0042
Create Date: 2026-12-07 20:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0059"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "appointment", sa.Column("moves", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade():
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("moves")
