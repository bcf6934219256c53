"""indexes for the statistics and the reform report

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-28 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index(
            'ix_dossier_resolved_received', ['resolved_at', 'received_at'], unique=False
        )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_day', ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_day')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_resolved_received')
