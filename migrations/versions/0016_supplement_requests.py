"""supplement requests during processing, and the due time a dossier is judged against

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:00:00

- `dossier_supplement_request`: one row per request for a supplement during processing
  (form 02), with its items, reason, contact, limits and the manager's confirmation.
- `dossier.judged_due_at`: the due time the report and the control slip judge a dossier
  against. Existing rows get the value the report computed until now: the due time before
  an apology when the apology came after the clock last started, else `due_at` (every
  supplement recorded before this revision counts as asked in time).
- The report indexes read `judged_due_at` instead of `due_at`, `original_due_at` and
  `clock_started_at`: rebuilt on both databases, and the resolved-day trigger of 0011
  watches `judged_due_at` instead of those columns.

SQLite cannot add a NOT NULL column without a default, and recreating `dossier` would
cascade-delete its documents (foreign keys are on): there the column is added with a
placeholder default that the update below overwrites on every existing row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_REPORT_COLUMNS = [
    'field_name', 'channel', 'due_at', 'original_due_at', 'apologised_at',
    'clock_started_at', 'withdrawn_at', 'id',
]
NEW_REPORT_COLUMNS = ['field_name', 'channel', 'judged_due_at', 'apologised_at', 'withdrawn_at', 'id']

OLD_RESOLVED_WATCH = (
    "resolved_at, due_at, original_due_at, apologised_at, clock_started_at, field_name, "
    "procedure_code, received_by_id, ticket_id"
)
NEW_RESOLVED_WATCH = "resolved_at, judged_due_at, field_name, procedure_code, received_by_id, ticket_id"
FORGET_RESOLVED_DAY = (
    "DELETE FROM report_day WHERE ends_at > {row}.resolved_at AND starts_at <= {row}.resolved_at;"
)

JUDGED_DUE = """
UPDATE dossier SET judged_due_at = CASE
    WHEN apologised_at IS NOT NULL AND original_due_at IS NOT NULL
         AND clock_started_at <= apologised_at THEN original_due_at
    ELSE due_at END
"""


def _report_indexes(columns):
    withdrawn = [column for column in columns if column != 'withdrawn_at']
    return {
        'ix_dossier_report_received': ['received_at', 'resolved_at', *columns],
        'ix_dossier_report_resolved': ['resolved_at', 'received_at', *columns],
        'ix_dossier_report_withdrawn': ['withdrawn_at', 'received_at', 'resolved_at', *withdrawn],
    }


def _replace_report_indexes(old, new):
    for name in _report_indexes(old):
        op.drop_index(name, table_name='dossier')
    for name, columns in _report_indexes(new).items():
        op.create_index(name, 'dossier', columns)


def _replace_resolved_trigger(columns):
    """The resolved-day trigger of 0011, watching `columns`."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER report_day_dossier_resolved ON dossier")
        op.execute(
            f"CREATE TRIGGER report_day_dossier_resolved AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON dossier FOR EACH ROW EXECUTE FUNCTION report_day_forget_dossier_resolved()"
        )
        return
    op.execute("DROP TRIGGER report_day_dossier_resolved_update")
    body = " ".join(FORGET_RESOLVED_DAY.format(row=row) for row in ('OLD', 'NEW'))
    op.execute(
        f"CREATE TRIGGER report_day_dossier_resolved_update AFTER UPDATE OF {columns} "
        f"ON dossier BEGIN {body} END"
    )


def upgrade():
    op.create_table(
        'dossier_supplement_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('contact', sa.String(length=400), nullable=False),
        sa.Column('due_before', sa.DateTime(timezone=True), nullable=False),
        sa.Column('limit_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('within_limit', sa.Boolean(), nullable=False),
        sa.Column('before_due', sa.Boolean(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmation_reason', sa.Text(), nullable=False),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('restarted_due_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['dossier_id'], ['dossier.id'],
            name=op.f('fk_dossier_supplement_request_dossier_id_dossier'),
        ),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['user_account.id'],
            name=op.f('fk_dossier_supplement_request_requested_by_id_user_account'),
        ),
        sa.ForeignKeyConstraint(
            ['confirmed_by_id'], ['user_account.id'],
            name=op.f('fk_dossier_supplement_request_confirmed_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_supplement_request')),
        sa.UniqueConstraint(
            'year', 'number', name=op.f('uq_dossier_supplement_request_year_number')
        ),
    )
    op.create_index(
        op.f('ix_dossier_supplement_request_dossier_id'),
        'dossier_supplement_request',
        ['dossier_id'],
    )

    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.add_column('dossier', sa.Column('judged_due_at', sa.DateTime(timezone=True)))
        op.execute(JUDGED_DUE)
        op.alter_column('dossier', 'judged_due_at', nullable=False)
    else:
        op.execute(
            "ALTER TABLE dossier ADD COLUMN judged_due_at DATETIME NOT NULL "
            "DEFAULT '1970-01-01 00:00:00.000000'"
        )
        op.execute(JUDGED_DUE)
    _replace_report_indexes(OLD_REPORT_COLUMNS, NEW_REPORT_COLUMNS)
    _replace_resolved_trigger(NEW_RESOLVED_WATCH)


def downgrade():
    _replace_resolved_trigger(OLD_RESOLVED_WATCH)
    _replace_report_indexes(NEW_REPORT_COLUMNS, OLD_REPORT_COLUMNS)
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_column('dossier', 'judged_due_at')
    else:
        op.execute("ALTER TABLE dossier DROP COLUMN judged_due_at")
    op.drop_index(
        op.f('ix_dossier_supplement_request_dossier_id'),
        table_name='dossier_supplement_request',
    )
    op.drop_table('dossier_supplement_request')
