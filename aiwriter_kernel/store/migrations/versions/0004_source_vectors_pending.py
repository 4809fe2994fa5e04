"""Sources remember whether their vectors are stored yet, so an interrupted ingest is repaired.

Existing sources are taken as complete (``false``); any of them that lack vectors are found by
``aiwriter doctor`` and rebuilt by ``aiwriter kb reindex``.

Revision ID: 0004_source_vectors_pending
Revises: 0003_jobs
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_source_vectors_pending"
down_revision: str | None = "0003_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column("vectors_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(op.f("ix_sources_vectors_pending"), "sources", ["vectors_pending"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sources_vectors_pending"), table_name="sources")
    with op.batch_alter_table("sources") as batch:  # SQLite rebuilds the table
        batch.drop_column("vectors_pending")
