"""The migrations are the schema's only source: they must match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.extensions import db


# Autogenerate can neither reflect nor compare an index on an expression (it warns and skips it):
# those are checked by name in test_every_model_index_was_created_by_the_migrations.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_the_models(app):
    """The session fixture built the schema with ``flask db upgrade``; autogenerate must find nothing."""
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_model_table_was_created_by_the_migrations(app):
    from sqlalchemy import inspect

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_every_model_index_was_created_by_the_migrations(app):
    """Every index the models declare exists by name, expression indexes included (autogenerate skips those)."""
    declared = {index.name for table in db.metadata.tables.values() for index in table.indexes}
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        else:
            found = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")))
    assert "ix_attendance_events_user_fix" in declared
    assert declared - found == set()
