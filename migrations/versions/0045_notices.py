"""notices to citizens: the outbox and the agreements behind it

Revision ID: 0045
Revises: 0035
Create Date: 2026-12-07 19:00:00

`notice` is the durable outbox of every message to a citizen (e-mail, SMS, Zalo), sent by
the worker with retries; `notice_consent` records on which channel and address a citizen
agreed to be told about a ticket or a dossier, when and where (core/notices).
"""

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0045"
down_revision = "0035"
branch_labels = None
depends_on = None

CHANNELS = ("email", "sms", "zalo")
KINDS = (
    "turn_near",
    "called",
    "received",
    "supplement",
    "new_due",
    "result_ready",
    "booked",
    "reminder",
)
STATUSES = ("queued", "sending", "sent", "failed")


def enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade():
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", enum(CHANNELS, "noticechannel"), nullable=False),
        sa.Column("kind", enum(KINDS, "noticekind"), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), server_default="", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("status", enum(STATUSES, "noticestatus"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("next_attempt_at", moment, nullable=False),
        sa.Column("claimed_at", moment, nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", moment, nullable=True),
        sa.Column("failed_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_notice_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_notice_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("key", name=op.f("uq_notice_key")),
    )
    op.create_index("ix_notice_queue", "notice", ["status", "next_attempt_at", "id"])
    op.create_index(op.f("ix_notice_ticket_id"), "notice", ["ticket_id"])
    op.create_index(op.f("ix_notice_dossier_id"), "notice", ["dossier_id"])
    op.create_table(
        "notice_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", enum(CHANNELS, "noticechannel"), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("agreed_at", moment, nullable=False),
        sa.Column("agreed_where", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_notice_consent_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_notice_consent_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_notice_consent_ticket_id_ticket")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notice_consent_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_consent")),
    )
    op.create_index(op.f("ix_notice_consent_ticket_id"), "notice_consent", ["ticket_id"])
    op.create_index(op.f("ix_notice_consent_dossier_id"), "notice_consent", ["dossier_id"])


def downgrade():
    op.drop_table("notice_consent")
    op.drop_table("notice")
