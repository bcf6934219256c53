"""The models and the migrations describe the same schema."""

import ast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import PROJECT_DIR
from extensions import db


def test_autogenerate_finds_no_difference_between_the_migrated_database_and_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_index_is_declared_on_its_own_table():
    """Indexes are declared in their model's `__table_args__` (or a column's `index=True`),
    never by a module-level `Index(...)` attached to another module's table."""
    for module in sorted((PROJECT_DIR / "core" / "models").glob("*.py")):
        for statement in ast.parse(module.read_text()).body:
            call = getattr(statement, "value", None)
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Index":
                raise AssertionError(f"{module.name}:{statement.lineno} declares an index outside")
