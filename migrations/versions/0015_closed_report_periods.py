"""closed report periods: the reform report's figures as they were reported, when and by whom

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:00:00

One row per closed period (its first and last local day, unique); reopening a period deletes
its row. A new table only: the report triggers of 0011 stay as they are.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'closed_report_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['closed_by_id'],
            ['user_account.id'],
            name=op.f('fk_closed_report_period_closed_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_report_period')),
        sa.UniqueConstraint(
            'period_start',
            'period_end',
            name=op.f('uq_closed_report_period_period_start_period_end'),
        ),
    )


def downgrade():
    op.drop_table('closed_report_period')
