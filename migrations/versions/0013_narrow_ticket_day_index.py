"""a narrow index on the ticket's day instead of the wide covering one

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 06:00:00

Closed days are read from their summaries (0011), so the raw ticket rows are read one
day at a time (today, or a day being summarised): a narrow index finds them, and every
kiosk tap and call no longer writes the nine-column entry. Plain CREATE/DROP INDEX, no
table rebuild, so the report triggers stay.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

WIDE_COLUMNS = [
    'day', 'service_id', 'counter_id', 'officer_id', 'status', 'issued_at', 'called_at',
    'serving_started_at', 'finished_at',
]


def upgrade():
    op.create_index('ix_ticket_day', 'ticket', ['day'])
    op.drop_index('ix_ticket_report_day', table_name='ticket')


def downgrade():
    op.create_index('ix_ticket_report_day', 'ticket', WIDE_COLUMNS)
    op.drop_index('ix_ticket_day', table_name='ticket')
