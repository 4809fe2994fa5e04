"""Alembic environment for aiwriter, run only through ``aiwriter_kernel.store.schema``.

The caller passes an open connection in ``config.attributes["connection"]``; there is no
``alembic.ini`` and no offline (SQL script) mode. To write the next migration, autogenerate
it against a database at head, then review it by hand::

    from alembic import command
    from aiwriter_kernel.store import schema
    from aiwriter_kernel.store.engine import create_engine_for

    engine = create_engine_for("sqlite:////tmp/dev.db")
    schema.upgrade(engine)
    with engine.begin() as connection:
        config = schema.alembic_config(connection)
        command.revision(config, "what changed", autogenerate=True, rev_id="0002_what_changed")
"""

from __future__ import annotations

from alembic import context

from aiwriter_kernel.store.tables import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "aiwriter migrations need a connection: run `aiwriter db upgrade` "
            "or use aiwriter_kernel.store.schema"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("aiwriter migrations do not support offline (--sql) mode")
run_migrations()
