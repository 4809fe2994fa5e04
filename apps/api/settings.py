"""The API's own settings (``AIWRITER_API_*``): limits and CORS, beside the workbench's."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the HTTP front end protects itself; every limit has a safe default."""

    model_config = SettingsConfigDict(
        env_prefix="AIWRITER_API_", env_file=".env", extra="ignore", populate_by_name=True
    )

    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; empty (the default): CORS off."
    )
    max_body_bytes: int = Field(
        default=2_000_000, gt=0, description="Largest request body; larger ones get 413."
    )
    request_timeout_s: float = Field(
        default=120.0, gt=0, description="A synchronous route taking longer answers 504."
    )
    rate_limit_per_minute: int = Field(
        default=120, gt=0, description="Requests per API key per minute; more get 429."
    )
    sse_streams_per_user: int = Field(
        default=4,
        ge=1,
        description="Event streams a user may hold open per API process; 429 above.",
    )
    sse_stream_max_s: float = Field(
        default=900.0,
        gt=0,
        description="An event stream ends after this with a retry hint; Last-Event-ID resumes it.",
    )
    auth_failures_per_minute: int = Field(
        default=30,
        ge=0,
        description=(
            "Failed authentications per client address (IPv6: per /64) per minute; more get "
            "429 before any key lookup. 0 turns the limit off."
        ),
    )
    job_workers: int = Field(default=1, ge=1, le=32, description="Jobs run at the same time.")
    job_executor: Literal["local", "dask"] = Field(
        default="local", description="Where jobs run: a local process pool, or a Dask cluster."
    )
    job_scheduler: str | None = Field(
        default=None, description="The Dask scheduler address (tcp://host:port) for jobs."
    )
