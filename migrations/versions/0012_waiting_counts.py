"""waiting counts on the daily sequence row

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COUNT_WAITING = """
    SELECT count(*) FROM ticket
    WHERE ticket.service_id = ticket_sequence.service_id
      AND ticket.day = ticket_sequence.day
      AND ticket.status = 'waiting' {extra}
"""


def upgrade():
    with op.batch_alter_table('ticket_sequence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(
            sa.Column('waiting_priority', sa.Integer(), server_default='0', nullable=False)
        )
    # Tickets waiting now (a server upgraded mid-day) are counted once, here.
    op.execute(
        f"UPDATE ticket_sequence SET waiting = ({COUNT_WAITING.format(extra='')}), "
        f"waiting_priority = ({COUNT_WAITING.format(extra='AND ticket.priority')})"
    )


def downgrade():
    with op.batch_alter_table('ticket_sequence', schema=None) as batch_op:
        batch_op.drop_column('waiting_priority')
        batch_op.drop_column('waiting')
