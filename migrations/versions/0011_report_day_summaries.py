"""per-day summaries of closed days for the statistics, kept current by triggers

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-28 05:00:00

The triggers delete the `report_day` row of every local day a changed ticket, rating or
dossier feeds; the statistics rebuild days without a row (core/report_summaries.py).
On SQLite, a later `batch_alter_table` on ticket, rating or dossier recreates the table
and drops its triggers: such a migration must create them again (see TRIGGERS below).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

WITHDRAWN_COLUMNS = [
    "withdrawn_at",
    "received_at",
    "resolved_at",
    "field_name",
    "channel",
    "due_at",
    "original_due_at",
    "apologised_at",
    "clock_started_at",
    "id",
]


def _forget_instant(column: str):
    def forget(row: str) -> str:
        return (
            f"DELETE FROM report_day WHERE ends_at > {row}.{column} "
            f"AND starts_at <= {row}.{column};"
        )

    return forget


def _forget_ticket_day(row: str) -> str:
    return f"DELETE FROM report_day WHERE day = {row}.day;"


# (name, table, the columns whose update matters, how a row's day is forgotten).
# Dossier: the received day holds channel counts and whether it was withdrawn since; the
# resolved day holds the result's class. Steps of an open dossier touch neither.
WATCHES = [
    (
        "ticket",
        "ticket",
        "day, service_id, counter_id, officer_id, status, issued_at, called_at, "
        "serving_started_at, finished_at",
        _forget_ticket_day,
    ),
    (
        "rating",
        "rating",
        "created_at, counter_id, officer_id, score",
        _forget_instant("created_at"),
    ),
    (
        "dossier_received",
        "dossier",
        "received_at, withdrawn_at, channel, field_name, procedure_code, received_by_id, ticket_id",
        _forget_instant("received_at"),
    ),
    (
        "dossier_resolved",
        "dossier",
        "resolved_at, due_at, original_due_at, apologised_at, clock_started_at, field_name, "
        "procedure_code, received_by_id, ticket_id",
        _forget_instant("resolved_at"),
    ),
]


def _sqlite_triggers() -> list[str]:
    statements = []
    for name, table, columns, forget in WATCHES:
        for event, rows in (
            ("INSERT", ["NEW"]),
            (f"UPDATE OF {columns}", ["OLD", "NEW"]),
            ("DELETE", ["OLD"]),
        ):
            body = " ".join(forget(row) for row in rows)
            suffix = event.split()[0].lower()
            statements.append(
                f"CREATE TRIGGER report_day_{name}_{suffix} AFTER {event} ON {table} "
                f"BEGIN {body} END"
            )
    return statements


def _postgres_triggers() -> list[str]:
    statements = []
    for name, table, columns, forget in WATCHES:
        statements += [
            f"""
CREATE FUNCTION report_day_forget_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {forget("OLD")} END IF;
    IF TG_OP <> 'DELETE' THEN {forget("NEW")} END IF;
    RETURN NULL;
END $$""",
            f"CREATE TRIGGER report_day_{name} AFTER INSERT OR DELETE OR UPDATE OF {columns} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_day_forget_{name}()",
        ]
    return statements


def upgrade():
    op.create_table(
        "report_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_day")),
    )
    op.create_index(op.f("ix_report_day_ends_at"), "report_day", ["ends_at"])

    def desk():
        return [
            sa.Column("counter_id", sa.Integer(), nullable=True),
            sa.Column("officer_id", sa.Integer(), nullable=True),
        ]

    tables = {
        "ticket_day_figures": [
            sa.Column("service_id", sa.Integer(), nullable=False),
            *desk(),
            sa.Column("wait_minute", sa.Integer(), nullable=True),
            sa.Column("issued", sa.Integer(), nullable=False),
            sa.Column("served", sa.Integer(), nullable=False),
            sa.Column("no_show", sa.Integer(), nullable=False),
            sa.Column("waited", sa.Integer(), nullable=False),
            sa.Column("wait_seconds", sa.Float(), nullable=True),
            sa.Column("quick", sa.Integer(), nullable=False),
            sa.Column("timed", sa.Integer(), nullable=False),
            sa.Column("service_seconds", sa.Float(), nullable=True),
        ],
        "ticket_day_service_minutes": [
            sa.Column("service_id", sa.Integer(), nullable=False),
            *desk(),
            sa.Column("minute", sa.Integer(), nullable=False),
            sa.Column("tickets", sa.Integer(), nullable=False),
        ],
        "ticket_day_hours": [
            sa.Column("hour", sa.Integer(), nullable=False),
            *desk(),
            sa.Column("issued", sa.Integer(), nullable=False),
            sa.Column("served", sa.Integer(), nullable=False),
            sa.Column("waited", sa.Integer(), nullable=False),
            sa.Column("wait_seconds", sa.Float(), nullable=True),
            sa.Column("quick", sa.Integer(), nullable=False),
        ],
        "rating_day": [
            sa.Column("counter_id", sa.Integer(), nullable=False),
            sa.Column("officer_id", sa.Integer(), nullable=True),
            sa.Column("score", sa.String(length=20), nullable=False),
            sa.Column("ratings", sa.Integer(), nullable=False),
        ],
        "dossier_day": [
            sa.Column("field_name", sa.String(length=200), nullable=False),
            sa.Column("procedure_code", sa.String(length=40), nullable=False),
            sa.Column("received_by_id", sa.Integer(), nullable=True),
            sa.Column("counter_id", sa.Integer(), nullable=True),
            *[
                sa.Column(name, sa.Integer(), nullable=False)
                for name in (
                    "received_online",
                    "received_direct",
                    "received_kept",
                    "resolved",
                    "resolved_early",
                    "resolved_on_time",
                    "resolved_late",
                )
            ],
        ],
    }
    for name, columns in tables.items():
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            *columns,
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        op.create_index(op.f(f"ix_{name}_day"), name, ["day"])
    op.create_index("ix_dossier_report_withdrawn", "dossier", WITHDRAWN_COLUMNS)
    op.create_index("ix_dossier_apologised_at", "dossier", ["apologised_at", "field_name"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)


def downgrade():
    for name, table, _, _ in WATCHES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS report_day_{name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_day_forget_{name}()")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS report_day_{name}_{event}")
    op.drop_index("ix_dossier_apologised_at", table_name="dossier")
    op.drop_index("ix_dossier_report_withdrawn", table_name="dossier")
    for name in (
        "dossier_day",
        "rating_day",
        "ticket_day_hours",
        "ticket_day_service_minutes",
        "ticket_day_figures",
    ):
        op.drop_index(op.f(f"ix_{name}_day"), table_name=name)
        op.drop_table(name)
    op.drop_index(op.f("ix_report_day_ends_at"), table_name="report_day")
    op.drop_table("report_day")
