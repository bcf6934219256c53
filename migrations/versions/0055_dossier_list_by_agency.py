"""the dossier list filtered by the competent agency

Revision ID: 0055
Revises: 0059
Create Date: 2026-12-07 20:10:00

An agency's dossiers newest first, a range of one index, as the list's other filters
(core/dossiers/search.py).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0055"
down_revision = "0059"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_dossier_list_agency", "dossier", ["agency_id", "received_at", "id"])


def downgrade():
    op.drop_index("ix_dossier_list_agency", table_name="dossier")
