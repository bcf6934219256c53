"""the hall of many agencies: services and counters of an agency, boards by area, and the
reports' agency dimension

Revision ID: 0035
Revises: 0026
Create Date: 2026-12-07 19:00:00

- `service.agency_id`, `counter.agency_id`: the agency a queue and a counter belong to (a
  counter may still serve other agencies' services through `counter_service`). Every
  existing service and counter becomes the first agency's, the one 0026 made of the desk:
  nothing changes meaning. `counter.area`: a named area of the hall ('' for none).
- `device.agency_id`, `device.area`: the part of the hall a display board shows (its
  agency's counters, a named area's counters, or both narrowed; NULL: the whole hall).
- `dossier_day.agency_id`: the per-day summaries gain the competent agency, so a report
  per agency or by agency reads the summaries too. The summaries are rebuilt on the next
  statistics read (every `report_day` row is deleted here); the report indexes cover
  `agency_id`, and the received- and resolved-day triggers watch it.

Every column is added in place (`ALTER TABLE … ADD COLUMN`), nullable, never by
recreating a table: on SQLite a recreated table would lose its triggers and, with foreign
keys on, cascade-delete what hangs from it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0026"
branch_labels = None
depends_on = None

OLD_REPORT_COLUMNS = [
    "field_name",
    "channel",
    "judged_due_at",
    "apologised_at",
    "withdrawn_at",
    "stopped_at",
    "id",
]
NEW_REPORT_COLUMNS = [*OLD_REPORT_COLUMNS[:-1], "agency_id", "id"]

RECEIVED_WATCH = (
    "received_at, withdrawn_at, channel, field_name, procedure_code, received_by_id, "
    "ticket_id, stopped_at"
)
RESOLVED_WATCH = (
    "resolved_at, judged_due_at, field_name, procedure_code, received_by_id, ticket_id"
)
FORGET = "DELETE FROM report_day WHERE ends_at > {row}.{column} AND starts_at <= {row}.{column};"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _report_indexes(columns: list[str]) -> dict[str, list[str]]:
    def but(name: str) -> list[str]:
        return [column for column in columns if column != name]

    return {
        "ix_dossier_report_received": ["received_at", "resolved_at", *columns],
        "ix_dossier_report_resolved": ["resolved_at", "received_at", *columns],
        "ix_dossier_report_withdrawn": [
            "withdrawn_at",
            "received_at",
            "resolved_at",
            *but("withdrawn_at"),
        ],
        "ix_dossier_report_stopped": ["stopped_at", "received_at", "resolved_at", *but("stopped_at")],
    }


def _replace_report_indexes(columns: list[str], apologies: list[str]) -> None:
    for name, indexed in _report_indexes(columns).items():
        op.drop_index(name, table_name="dossier")
        op.create_index(name, "dossier", indexed)
    op.drop_index("ix_dossier_apologised_at", table_name="dossier")
    op.create_index("ix_dossier_apologised_at", "dossier", apologies)


def _watch(name: str, columns: str, instant: str) -> None:
    """The received- or resolved-day trigger of 0011 (as 0016 and 0017 left it), watching
    `columns`."""
    if not _sqlite():
        op.execute(f"DROP TRIGGER IF EXISTS report_day_dossier_{name} ON dossier")
        op.execute(
            f"CREATE TRIGGER report_day_dossier_{name} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON dossier FOR EACH ROW "
            f"EXECUTE FUNCTION report_day_forget_dossier_{name}()"
        )
        return
    op.execute(f"DROP TRIGGER IF EXISTS report_day_dossier_{name}_update")
    body = " ".join(FORGET.format(row=row, column=instant) for row in ("OLD", "NEW"))
    op.execute(
        f"CREATE TRIGGER report_day_dossier_{name}_update AFTER UPDATE OF {columns} "
        f"ON dossier BEGIN {body} END"
    )


def _add_reference(table: str, column: str = "agency_id") -> None:
    constraint = f"fk_{table}_{column}_agency"
    if _sqlite():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {constraint} REFERENCES agency (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(constraint, table, "agency", [column], ["id"])


def _drop_reference(table: str, column: str = "agency_id") -> None:
    if not _sqlite():
        op.drop_constraint(f"fk_{table}_{column}_agency", table, type_="foreignkey")
    op.drop_column(table, column)


def upgrade():
    bind = op.get_bind()
    first = bind.execute(sa.text("SELECT MIN(id) FROM agency")).scalar()

    for table in ("service", "counter"):
        _add_reference(table)
        bind.execute(sa.text(f"UPDATE {table} SET agency_id = :first"), {"first": first})
        op.create_index(f"ix_{table}_agency_id", table, ["agency_id"])
    op.add_column(
        "counter", sa.Column("area", sa.String(length=64), nullable=False, server_default="")
    )
    _add_reference("device")
    op.add_column("device", sa.Column("area", sa.String(length=64), nullable=True))

    op.add_column("dossier_day", sa.Column("agency_id", sa.Integer(), nullable=True))
    _replace_report_indexes(NEW_REPORT_COLUMNS, ["apologised_at", "field_name", "agency_id"])
    _watch("received", RECEIVED_WATCH + ", agency_id", "received_at")
    _watch("resolved", RESOLVED_WATCH + ", agency_id", "resolved_at")
    # Every closed day is summarised again, with its agencies, on the next statistics read.
    op.execute("DELETE FROM report_day")
    op.execute("DELETE FROM dossier_day")


def downgrade():
    _watch("resolved", RESOLVED_WATCH, "resolved_at")
    _watch("received", RECEIVED_WATCH, "received_at")
    _replace_report_indexes(OLD_REPORT_COLUMNS, ["apologised_at", "field_name"])
    op.execute("DELETE FROM report_day")
    op.execute("DELETE FROM dossier_day")
    op.drop_column("dossier_day", "agency_id")
    op.drop_column("device", "area")
    _drop_reference("device")
    op.drop_column("counter", "area")
    for table in ("counter", "service"):
        op.drop_index(f"ix_{table}_agency_id", table_name=table)
        _drop_reference(table)
