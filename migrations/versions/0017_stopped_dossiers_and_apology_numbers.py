"""stopped dossiers (form 05) and the apology letter's own number (form 04)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 13:00:00

`dossier.stopped_at`: when the agency stopped processing a dossier. A stopped dossier
leaves the reform report's table like a withdrawn one, so the report indexes (which cover
every column the report reads, core.models.dossiers.REPORT_COLUMNS) gain the column, a new
index serves the stopped-dossier corrections, and the received-day trigger of 0011 also
watches `stopped_at` (the received day's `received_kept` leaves stopped dossiers out).
`dossier.apology_number`: the apology letter's number in its year's series (the
`dossier_sequence` row of scope `apology`).

The downgrade turns stopped dossiers into withdrawn ones at the same moment (the older
schema has no stopped state; both leave the table the same way).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The report indexes' columns as 0016 left them.
OLD_REPORT_COLUMNS = [
    "field_name",
    "channel",
    "judged_due_at",
    "apologised_at",
    "withdrawn_at",
    "id",
]
NEW_REPORT_COLUMNS = [*OLD_REPORT_COLUMNS[:-1], "stopped_at", "id"]


def _report_indexes(columns: list[str]) -> dict[str, list[str]]:
    return {
        "ix_dossier_report_received": ["received_at", "resolved_at", *columns],
        "ix_dossier_report_resolved": ["resolved_at", "received_at", *columns],
        "ix_dossier_report_withdrawn": [
            "withdrawn_at",
            "received_at",
            "resolved_at",
            *(column for column in columns if column != "withdrawn_at"),
        ],
    }


def _received_day_columns(stopped: bool) -> str:
    columns = "received_at, withdrawn_at, channel, field_name, procedure_code, received_by_id, "
    return columns + ("ticket_id, stopped_at" if stopped else "ticket_id")


def _forget(row: str) -> str:
    return (
        f"DELETE FROM report_day WHERE ends_at > {row}.received_at "
        f"AND starts_at <= {row}.received_at;"
    )


def _watch_received_day(stopped: bool) -> None:
    """The received-day trigger of 0011 again, watching `stopped_at` or not."""
    columns = _received_day_columns(stopped)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_day_dossier_received ON dossier")
        op.execute(
            f"CREATE TRIGGER report_day_dossier_received AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON dossier FOR EACH ROW "
            "EXECUTE FUNCTION report_day_forget_dossier_received()"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS report_day_dossier_received_update")
    op.execute(
        f"CREATE TRIGGER report_day_dossier_received_update AFTER UPDATE OF {columns} "
        f"ON dossier BEGIN {_forget('OLD')} {_forget('NEW')} END"
    )


def _replace_report_indexes(columns: list[str]) -> None:
    for name, indexed in _report_indexes(columns).items():
        op.drop_index(name, table_name="dossier")
        op.create_index(name, "dossier", indexed)


def upgrade():
    # Plain ALTER TABLE ADD COLUMN (no batch): on SQLite a batch would recreate the table
    # and lose the report triggers of 0011.
    op.add_column("dossier", sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("dossier", sa.Column("apology_number", sa.Integer(), nullable=True))
    _replace_report_indexes(NEW_REPORT_COLUMNS)
    op.create_index(
        "ix_dossier_report_stopped",
        "dossier",
        [
            "stopped_at",
            "received_at",
            "resolved_at",
            *(column for column in NEW_REPORT_COLUMNS if column != "stopped_at"),
        ],
    )
    _watch_received_day(stopped=True)


def downgrade():
    op.execute(
        "UPDATE dossier SET status = 'withdrawn', withdrawn_at = stopped_at "
        "WHERE status = 'stopped'"
    )
    _watch_received_day(stopped=False)
    op.drop_index("ix_dossier_report_stopped", table_name="dossier")
    _replace_report_indexes(OLD_REPORT_COLUMNS)
    # SQLite (3.35 and later) drops a column in place, keeping the triggers.
    op.drop_column("dossier", "apology_number")
    op.drop_column("dossier", "stopped_at")
