"""covering indexes for the statistics and the reform report

Revision ID: 0008
Revises: 0010
Create Date: 2026-11-28 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None

REPORT_COLUMNS = [
    'field_name', 'channel', 'due_at', 'original_due_at', 'apologised_at',
    'clock_started_at', 'withdrawn_at', 'id',
]


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index(
            'ix_dossier_report_received', ['received_at', 'resolved_at', *REPORT_COLUMNS]
        )
        batch_op.create_index(
            'ix_dossier_report_resolved', ['resolved_at', 'received_at', *REPORT_COLUMNS]
        )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(
            'ix_ticket_report_day',
            ['day', 'service_id', 'counter_id', 'officer_id', 'status', 'issued_at',
             'called_at', 'serving_started_at', 'finished_at'],
        )


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_report_day')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_report_resolved')
        batch_op.drop_index('ix_dossier_report_received')
