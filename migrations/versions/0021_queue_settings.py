"""queue settings an admin may change

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07 16:00:00

`queue_setting`: the queue desk's settings changed on the admin screen, one row per key
(core.queue.settings), the configuration's value until then. The first is how many calls
a citizen gets before the ticket may be marked absent.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'queue_setting',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_queue_setting')),
    )


def downgrade():
    op.drop_table('queue_setting')
