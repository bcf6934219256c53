"""sign-in throttle and session generation on staff accounts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 13:00:00

`session_generation` is raised to end every session of an account on every server;
`failed_sign_ins`, `failed_sign_ins_since` and `sign_in_refused_until` throttle password
guessing per account, shared by every worker and server through the database.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_sign_ins_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sign_in_refused_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later drops in place): a batch would rebuild
    # user_account, and dropping the old table fails once any row refers to an account.
    for column in (
        'sign_in_refused_until', 'failed_sign_ins_since', 'failed_sign_ins', 'session_generation'
    ):
        op.drop_column('user_account', column)
