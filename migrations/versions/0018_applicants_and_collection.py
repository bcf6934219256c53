"""applicants of every kind: ID kinds, owner and authorised submitter, how results are collected

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 13:00:00

Existing dossiers and slips become what they were: a person with a citizen ID who
submitted the dossier themselves; how their results were collected was not recorded, so it
stays empty. `dossier.applicant_id_number` widens from 12 to 40 characters (passports,
enterprise codes with a branch suffix, other documents). On SQLite the column is widened by
renaming, adding and copying, never by recreating the table: a recreated `dossier` would
lose the report triggers of 0011 and, with foreign keys on, cascade-delete its documents.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = "0017"
branch_labels = None
depends_on = None

APPLICANT_KINDS = ('person', 'organisation')
ID_KINDS = ('citizen_id', 'passport', 'tax_code', 'other')
CHANNELS = ('direct', 'post', 'online')
COLLECTORS = ('owner', 'authorised', 'post')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _text(name, length):
    return sa.Column(name, sa.String(length=length), server_default='', nullable=False)


DOSSIER_COLUMNS = [
    lambda: sa.Column(
        'applicant_kind',
        _enum(APPLICANT_KINDS, 'applicantkind'),
        server_default='person',
        nullable=False,
    ),
    lambda: sa.Column(
        'applicant_id_kind', _enum(ID_KINDS, 'idkind'), server_default='citizen_id', nullable=False
    ),
    lambda: _text('applicant_id_note', 200),
    lambda: _text('submitter_name', 200),
    lambda: sa.Column('submitter_id_kind', _enum(ID_KINDS, 'idkind'), nullable=True),
    lambda: _text('submitter_id_number', 40),
    lambda: _text('submitter_id_note', 200),
    lambda: _text('submitter_phone', 16),
    lambda: _text('submitter_authorisation', 300),
    lambda: sa.Column('collected_via', _enum(CHANNELS, 'channel'), nullable=True),
    lambda: sa.Column('collected_by', _enum(COLLECTORS, 'collector'), nullable=True),
    lambda: _text('collector_name', 200),
]
SLIP_COLUMNS = [
    lambda: sa.Column(
        'applicant_kind',
        _enum(APPLICANT_KINDS, 'applicantkind'),
        server_default='person',
        nullable=False,
    ),
    lambda: _text('submitter_name', 200),
    lambda: _text('submitter_phone', 16),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _resize_id_number(length: int) -> None:
    """Give dossier.applicant_id_number a new length, keeping its values."""
    if not _sqlite():
        op.alter_column(
            'dossier',
            'applicant_id_number',
            existing_type=sa.String(),
            type_=sa.String(length=length),
            existing_nullable=False,
        )
        return
    op.execute('ALTER TABLE dossier RENAME COLUMN applicant_id_number TO applicant_id_number_old')
    op.execute(
        f"ALTER TABLE dossier ADD COLUMN applicant_id_number VARCHAR({length}) DEFAULT '' NOT NULL"
    )
    op.execute('UPDATE dossier SET applicant_id_number = applicant_id_number_old')
    op.execute('ALTER TABLE dossier DROP COLUMN applicant_id_number_old')


def upgrade():
    for column in DOSSIER_COLUMNS:
        op.add_column('dossier', column())
    for column in SLIP_COLUMNS:
        op.add_column('reception_slip', column())
    _resize_id_number(40)
    if not _sqlite():
        op.alter_column('dossier', 'applicant_id_number', server_default='')


def downgrade():
    # The old schema knows only citizen IDs of 12 digits and owners who submit themselves:
    # going back with anything else would change what the rows mean, so it is refused.
    kept = op.get_bind().execute(
        sa.text(
            "SELECT COUNT(*) FROM dossier WHERE applicant_id_kind <> 'citizen_id' "
            "OR applicant_kind <> 'person' OR submitter_name <> '' "
            "OR LENGTH(applicant_id_number) > 12"
        )
    ).scalar() + op.get_bind().execute(
        sa.text(
            "SELECT COUNT(*) FROM reception_slip "
            "WHERE applicant_kind <> 'person' OR submitter_name <> ''"
        )
    ).scalar()
    if kept:
        raise RuntimeError(
            f'{kept} dossiers hold applicants the old schema cannot hold '
            '(other ID kinds, organisations or authorised submitters); not downgrading.'
        )
    if not _sqlite():
        op.alter_column('dossier', 'applicant_id_number', server_default=None)
    _resize_id_number(12)
    for column in reversed(SLIP_COLUMNS):
        op.drop_column('reception_slip', column().name)
    for column in reversed(DOSSIER_COLUMNS):
        op.drop_column('dossier', column().name)
