"""The model call log: every call's cost and outcome, and the response cache it backs.

The cache key is (provider, model, input_hash), where ``input_hash`` is computed by the
caller from everything that shapes the answer (prompt, parameters); the log never holds
the prompt itself or any credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from aiwriter_kernel.store.records import GenerationRecord, NewGeneration, UsageRow
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import Generation, as_utc


class UTCDay(FunctionElement[str]):
    """The UTC calendar day of a timestamp as 'YYYY-MM-DD', on every supported backend."""

    type = String()
    inherit_cache = True


@compiles(UTCDay, "sqlite")
def _utc_day_sqlite(element: UTCDay, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores our timestamps as UTC wall-clock text.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UTCDay, "postgresql")
def _utc_day_postgresql(element: UTCDay, compiler: SQLCompiler, **kw: Any) -> str:
    # Without AT TIME ZONE the day would follow the session's TimeZone setting.
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


class GenerationsRepository(Repository):
    """Log model calls, look up cached answers, and sum up usage."""

    def log(self, generation: NewGeneration) -> GenerationRecord:
        with self._session() as session:
            row = Generation(**generation.model_dump())
            session.add(row)
            session.flush()
            return GenerationRecord.model_validate(row)

    def find_cached(self, provider: str, model: str, input_hash: str) -> GenerationRecord | None:
        """The latest successful answer to the same input from the same model, if any."""
        query = (
            select(Generation)
            .where(
                Generation.provider == provider,
                Generation.model == model,
                Generation.input_hash == input_hash,
                Generation.error.is_(None),
                Generation.output.is_not(None),
            )
            .order_by(Generation.created_at.desc(), Generation.id.desc())
            .limit(1)
        )
        with self._session() as session:
            found = session.scalars(query).one_or_none()
            return None if found is None else GenerationRecord.model_validate(found)

    def list_recent(self, limit: int = 50) -> list[GenerationRecord]:
        """The latest calls, newest first."""
        query = (
            select(Generation)
            .order_by(Generation.created_at.desc(), Generation.id.desc())
            .limit(limit)
        )
        with self._session() as session:
            return [GenerationRecord.model_validate(row) for row in session.scalars(query)]

    def usage_by_provider_and_day(self, *, since: datetime | None = None) -> list[UsageRow]:
        """Calls, tokens, cost, cache hits and errors per provider and UTC day, oldest first."""
        day = UTCDay(Generation.created_at)
        query = (
            select(
                Generation.provider,
                day.label("day"),
                func.count(Generation.id).label("calls"),
                func.coalesce(func.sum(Generation.prompt_tokens), 0).label("prompt_tokens"),
                func.coalesce(func.sum(Generation.completion_tokens), 0).label("completion_tokens"),
                func.coalesce(func.sum(Generation.cost_usd), 0.0).label("cost_usd"),
                _count_where(Generation.cache_hit.is_(True)).label("cache_hits"),
                _count_where(Generation.error.is_not(None)).label("errors"),
            )
            .group_by(Generation.provider, day)
            .order_by(day, Generation.provider)
        )
        if since is not None:
            query = query.where(Generation.created_at >= as_utc(since))
        with self._session() as session:
            rows = session.execute(query).mappings().all()
        return [UsageRow.model_validate(dict(row)) for row in rows]


def _count_where(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)
