"""personal data: when a dossier's or a slip's applicant details were erased

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('reception_slip', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('reception_slip', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
