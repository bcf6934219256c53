"""agencies, their processing units and the procedures they are competent for

Revision ID: 0026
Revises: 0019
Create Date: 2026-12-07 16:00:00

What was one agency becomes the first agency: its code and name are the desk's settings
(`dossier_setting` rows where an admin set them, else the configuration's
`DOSSIER_AGENCY_CODE` and `AGENCY_NAME`), it is competent for every procedure of the
catalogue, and every dossier already received is its dossier (`dossier.agency_id`). Dossier
codes, registers and reports read nothing new, so nothing existing changes meaning.

On SQLite `dossier.agency_id` is added in place (`ALTER TABLE … ADD COLUMN … REFERENCES`),
never by recreating the table: a recreated `dossier` would lose the report triggers of 0011
and, with foreign keys on, cascade-delete its documents. The downgrade drops it in place too.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None

FALLBACK_CODE, FALLBACK_NAME = "000.00.00.H00", "Cơ quan tiếp nhận"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _configured(key: str) -> str:
    """A value of the running application's configuration, where there is one."""
    try:
        from flask import current_app

        return str(current_app.config.get(key) or "")
    except RuntimeError:
        return ""


def _first_agency() -> tuple[str, str]:
    """The agency the desk worked for: the settings' code and name, as the desk used them."""
    stored = dict(
        op.get_bind()
        .execute(
            sa.text(
                "SELECT key, value FROM dossier_setting WHERE key IN ('agency_code', 'agency_name')"
            )
        )
        .all()
    )
    code = (stored.get("agency_code") or "").strip() or _configured("DOSSIER_AGENCY_CODE")
    name = (stored.get("agency_name") or "").strip() or _configured("AGENCY_NAME")
    return code or FALLBACK_CODE, name or FALLBACK_NAME


def upgrade():
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["agency.id"], name=op.f("fk_agency_parent_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("code", name=op.f("uq_agency_code")),
    )
    op.create_index(op.f("ix_agency_parent_id"), "agency", ["parent_id"], unique=False)
    op.create_table(
        "processing_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_processing_unit_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_unit")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_processing_unit_agency_id_code")),
    )
    op.create_index(
        op.f("ix_processing_unit_agency_id"), "processing_unit", ["agency_id"], unique=False
    )
    op.create_table(
        "agency_procedure",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_agency_procedure_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure.id"],
            name=op.f("fk_agency_procedure_procedure_id_procedure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agency_id", "procedure_id", name=op.f("pk_agency_procedure")),
    )

    bind = op.get_bind()
    code, name = _first_agency()
    bind.execute(
        sa.text(
            "INSERT INTO agency (code, name, parent_id, active, created_at) "
            "VALUES (:code, :name, NULL, :active, CURRENT_TIMESTAMP)"
        ),
        {"code": code, "name": name, "active": True},
    )
    first = bind.execute(sa.text("SELECT id FROM agency WHERE code = :code"), {"code": code})
    first_id = first.scalar_one()
    bind.execute(
        sa.text(
            "INSERT INTO agency_procedure (agency_id, procedure_id) "
            "SELECT :agency, id FROM procedure"
        ),
        {"agency": first_id},
    )

    if _sqlite():
        op.execute(
            "ALTER TABLE dossier ADD COLUMN agency_id INTEGER "
            "CONSTRAINT fk_dossier_agency_id_agency REFERENCES agency (id)"
        )
    else:
        op.add_column("dossier", sa.Column("agency_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_dossier_agency_id_agency"), "dossier", "agency", ["agency_id"], ["id"]
        )
    # agency_id is not among the columns the report triggers of 0011 watch: filling it
    # leaves the day summaries as they are.
    bind.execute(sa.text("UPDATE dossier SET agency_id = :agency"), {"agency": first_id})
    op.create_index(op.f("ix_dossier_agency_id"), "dossier", ["agency_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_dossier_agency_id"), table_name="dossier")
    if not _sqlite():
        op.drop_constraint(op.f("fk_dossier_agency_id_agency"), "dossier", type_="foreignkey")
    # SQLite 3.35 and later drops a column-level reference in place.
    op.drop_column("dossier", "agency_id")
    op.drop_table("agency_procedure")
    op.drop_index(op.f("ix_processing_unit_agency_id"), table_name="processing_unit")
    op.drop_table("processing_unit")
    op.drop_index(op.f("ix_agency_parent_id"), table_name="agency")
    op.drop_table("agency")
