"""The relational store: users, workspaces, sources and chunks, drafts, the model call log
and batch runs, on SQLite (default) or PostgreSQL, migrated with Alembic.

``Database.open(url)`` is the entry point; its repositories return frozen pydantic records.
"""

from aiwriter_kernel.store.database import Database

__all__ = ["Database"]
