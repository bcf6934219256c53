"""a count of the day's ticket changes on the daily sequence row (the boards' change version)

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-07 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # Starts at 0 on every row: the version only needs to grow from now on (a server
    # upgraded mid-day reads a new version once, and boards fetch the state once).
    with op.batch_alter_table('ticket_sequence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moves', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('ticket_sequence', schema=None) as batch_op:
        batch_op.drop_column('moves')
