"""notices of a booking: the agreements given on the booking page, and the notices sent

Revision ID: 0042
Revises: 0031
Create Date: 2026-12-07 20:00:00

A booking's agreements to be told (`notice_consent.appointment_id`) and the notices sent
about it (`notice.appointment_id`: confirmation and reminder), erased with the booking's
personal data (core/appointments/privacy.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0042"
down_revision = "0031"
branch_labels = None
depends_on = None

TABLES = ("notice", "notice_consent")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_appointment_id_appointment"),
                "appointment",
                ["appointment_id"],
                ["id"],
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_appointment_id"), ["appointment_id"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_appointment_id"))
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_appointment_id_appointment"), type_="foreignkey"
            )
            batch_op.drop_column("appointment_id")
