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
TICKET_COLUMNS = (
    "day, service_id, counter_id, officer_id, status, issued_at, called_at, "
    "serving_started_at, finished_at"
)
DOSSIER_COLUMNS = (
    "received_at, resolved_at, withdrawn_at, due_at, original_due_at, apologised_at, "
    "clock_started_at, channel, field_name, procedure_code, received_by_id, ticket_id"
)
RATING_COLUMNS = "created_at, counter_id, officer_id, score"


def _forget_instant(row: str, column: str) -> str:
    return f"DELETE FROM report_day WHERE ends_at > {row}.{column} AND starts_at <= {row}.{column};"


def _sqlite_triggers() -> list[str]:
    def trigger(name, event, table, rows, statements):
        body = " ".join(statements(row) for row in rows)
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END"

    ticket = lambda row: f"DELETE FROM report_day WHERE day = {row}.day;"  # noqa: E731
    rating = lambda row: _forget_instant(row, "created_at")  # noqa: E731
    dossier = lambda row: (  # noqa: E731
        _forget_instant(row, "received_at") + " " + _forget_instant(row, "resolved_at")
    )
    statements = []
    for table, columns, forget in (
        ("ticket", TICKET_COLUMNS, ticket),
        ("rating", RATING_COLUMNS, rating),
        ("dossier", DOSSIER_COLUMNS, dossier),
    ):
        statements += [
            trigger(f"report_day_{table}_insert", "INSERT", table, ["NEW"], forget),
            trigger(
                f"report_day_{table}_update", f"UPDATE OF {columns}", table, ["OLD", "NEW"], forget
            ),
            trigger(f"report_day_{table}_delete", "DELETE", table, ["OLD"], forget),
        ]
    return statements


def _postgres_triggers() -> list[str]:
    def function(table, forget):
        return f"""
CREATE FUNCTION report_day_forget_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {forget("OLD")} END IF;
    IF TG_OP <> 'DELETE' THEN {forget("NEW")} END IF;
    RETURN NULL;
END $$"""

    def trigger(table, columns):
        return (
            f"CREATE TRIGGER report_day_{table} AFTER INSERT OR DELETE OR UPDATE OF {columns} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_day_forget_{table}()"
        )

    return [
        function("ticket", lambda row: f"DELETE FROM report_day WHERE day = {row}.day;"),
        trigger("ticket", TICKET_COLUMNS),
        function("rating", lambda row: _forget_instant(row, "created_at")),
        trigger("rating", RATING_COLUMNS),
        function(
            "dossier",
            lambda row: (
                _forget_instant(row, "received_at") + " " + _forget_instant(row, "resolved_at")
            ),
        ),
        trigger("dossier", DOSSIER_COLUMNS),
    ]


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
    if op.get_bind().dialect.name == "postgresql":
        for table in ("ticket", "rating", "dossier"):
            op.execute(f"DROP TRIGGER IF EXISTS report_day_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_day_forget_{table}()")
    else:
        for table in ("ticket", "rating", "dossier"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS report_day_{table}_{event}")
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
