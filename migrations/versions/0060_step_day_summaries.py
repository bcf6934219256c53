"""per-day summaries of the stays at steps, for the evaluation of units and officers

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-07 22:00:00

The evaluation of a year added up every stay left in it (some 700,000 in a centre of ten
agencies). `step_day` holds, for each closed local day, the stays left by agency, unit,
role and officer, with each stay's working hours for the exact 90th percentiles
(core/reports/summaries.py builds it with the other summaries). Triggers on `dossier_step`
forget the day a stay was left (before and after a change), as those on ticket, rating and
dossier do (migration 0011); every `report_day` row is deleted so that the next statistics
read builds the new table for every closed day.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0060"
down_revision = "0050"
branch_labels = None
depends_on = None

WATCHED = (
    "left_at, outcome, verdict, worked_hours, allowance_hours, agency_id, unit_id, role, "
    "handled_by_id"
)


def _forget(row: str) -> str:
    return f"DELETE FROM report_day WHERE ends_at > {row}.left_at AND starts_at <= {row}.left_at;"


def upgrade():
    op.create_table(
        "step_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("worked_hours", sa.Float(), nullable=False),
        sa.Column("allowance_hours", sa.Float(), nullable=False),
        sa.Column("hours_taken", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_day")),
    )
    op.create_index(op.f("ix_step_day_day"), "step_day", ["day"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
CREATE FUNCTION report_day_forget_dossier_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_forget("OLD")} END IF;
    IF TG_OP <> 'DELETE' THEN {_forget("NEW")} END IF;
    RETURN NULL;
END $$"""
        )
        op.execute(
            f"CREATE TRIGGER report_day_dossier_step AFTER INSERT OR DELETE OR UPDATE OF "
            f"{WATCHED} ON dossier_step FOR EACH ROW "
            f"EXECUTE FUNCTION report_day_forget_dossier_step()"
        )
    else:
        for event, rows in (
            ("INSERT", ["NEW"]),
            (f"UPDATE OF {WATCHED}", ["OLD", "NEW"]),
            ("DELETE", ["OLD"]),
        ):
            body = " ".join(_forget(row) for row in rows)
            suffix = event.split()[0].lower()
            op.execute(
                f"CREATE TRIGGER report_day_dossier_step_{suffix} AFTER {event} "
                f"ON dossier_step BEGIN {body} END"
            )
    op.execute("DELETE FROM report_day")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_day_dossier_step ON dossier_step")
        op.execute("DROP FUNCTION IF EXISTS report_day_forget_dossier_step()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS report_day_dossier_step_{event}")
    op.drop_index(op.f("ix_step_day_day"), table_name="step_day")
    op.drop_table("step_day")
