"""Settings: one object built from ``AIWRITER_*`` variables, a ``.env`` file and defaults.

Secrets are ``SecretStr`` so they never show up in ``repr``, logs or ``config show``;
provider keys are read under the names their own SDKs use (``OPENAI_API_KEY``...)
but are only ever handed to clients explicitly, never written back to the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aiwriter_kernel.redaction import redact_url, url_secrets

SECRET_MASK = "********"


def default_home() -> Path:
    """The per-user data directory; never the current directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("aiwriter", appauthor=False))


class Settings(BaseSettings):
    """Effective configuration of one workbench home."""

    model_config = SettingsConfigDict(
        env_prefix="AIWRITER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(
        default_factory=default_home, description="Holds database, vectors, exports."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite in the home."
    )
    chroma_url: str | None = Field(default=None, description="Chroma server; default is local.")
    redis_url: str | None = Field(default=None, description="Shared rate limits and jobs.")
    provider: str = Field(default="offline", description="Model provider name.")
    model: str | None = Field(default=None, description="Model name for the provider.")
    embedding_model: str | None = Field(
        default=None, description="Local path or id; default is the packaged all-MiniLM-L6-v2."
    )
    embedding_runtime: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="What runs the embedding model: onnx (no torch at run time), torch, "
        "or auto (onnx when it can, else torch).",
    )

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AIWRITER_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AIWRITER_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    # google-genai prefers GOOGLE_API_KEY when both are set; so do we.
    gemini_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "AIWRITER_GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY"
        ),
    )
    tavily_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AIWRITER_TAVILY_API_KEY", "TAVILY_API_KEY")
    )
    exa_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AIWRITER_EXA_API_KEY", "EXA_API_KEY")
    )
    serper_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AIWRITER_SERPER_API_KEY", "SERPER_API_KEY")
    )
    searxng_url: str | None = Field(default=None, description="Self-hosted SearXNG instance.")
    max_ingest_bytes: int = Field(default=50_000_000, gt=0, description="Largest file to ingest.")
    max_batch_rows: int = Field(
        default=1_000,
        gt=0,
        description="Most rows a batch topics CSV may have; a larger file is refused whole.",
    )
    chunk_chars: int = Field(default=1200, ge=100, le=20_000, description="Chunk size.")
    chunk_overlap: int = Field(default=200, ge=0, le=5_000, description="Chunk overlap.")
    fetch_allow_hosts: tuple[str, ...] = Field(
        default=(), description="Hosts/CIDRs the URL fetcher may reach despite the SSRF guard."
    )

    @field_validator(
        "openai_api_key",
        "gemini_api_key",
        "tavily_api_key",
        "exa_api_key",
        "serper_api_key",
        mode="before",
    )
    @classmethod
    def _blank_key_is_no_key(cls, value: Any) -> Any:
        """An empty key (``OPENAI_API_KEY=``) means none: workers get one to drop a key."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: Any) -> Any:
        if isinstance(value, str | Path) and str(value).strip():
            return Path(value).expanduser()
        return value

    @property
    def sqlite_path(self) -> Path:
        """Where the default SQLite database lives."""
        return self.home / "aiwriter.db"

    @property
    def chroma_path(self) -> Path:
        """Where the local Chroma directory lives."""
        return self.home / "chroma"

    @property
    def exports_path(self) -> Path:
        """Where Markdown/HTML exports and batch outputs go."""
        return self.home / "exports"

    def effective_database_url(self) -> str:
        """The database URL in force: the setting, or SQLite inside the home."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    def masked(self) -> dict[str, Any]:
        """All settings as plain values, with every secret replaced by a mask.

        A URL may carry a password or a token (in its user info or its query): URLs are
        shown by ``redact_url``, without either.
        """
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[name] = SECRET_MASK if value.get_secret_value() else None
            elif isinstance(value, Path):
                shown[name] = str(value)
            else:
                shown[name] = value
        shown["database_url"] = self.effective_database_url()
        for name, value in shown.items():
            if name.endswith("_url") and isinstance(value, str):
                shown[name] = redact_url(value)
        return shown

    def secrets(self) -> list[str]:
        """Every secret these settings hold (keys, and the credentials and query values of
        URLs), so messages about a failed call can be cleaned of them (``redact_text``)."""
        found: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                found.append(value.get_secret_value())
            elif name.endswith("_url") and isinstance(value, str):
                found.extend(url_secrets(value))
        return found
