"""tickets: the queue index leads with the day and serves day-wide reads; the day index goes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00

The queue index, led by the day, finds a day's queues and every ticket of one day (today,
or a day being summarised), so the narrow day index of 0013 is no longer needed and every
kiosk tap writes one index entry fewer. Plain CREATE/DROP INDEX, no table rebuild, so the
report triggers stay.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', ['day', 'service_id', 'status', 'priority'])
    op.drop_index('ix_ticket_day', table_name='ticket')


def downgrade():
    op.create_index('ix_ticket_day', 'ticket', ['day'])
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', ['service_id', 'day', 'status', 'priority'])
