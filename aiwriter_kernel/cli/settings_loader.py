"""Build ``Settings`` for a command, turning pydantic's report into one readable line."""

from __future__ import annotations

from pydantic import ValidationError as PydanticValidationError

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import ConfigError, plain_reason


def load_settings() -> Settings:
    """Settings from the environment and ``.env``, or a ConfigError naming the bad setting."""
    try:
        return Settings()
    except PydanticValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        reason = plain_reason(first)
        raise ConfigError(f"setting AIWRITER_{field.upper()} is invalid: {reason}") from None
