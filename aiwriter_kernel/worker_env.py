"""What a worker process (a batch row's kernel, a job worker) needs to open the same home
with the same model choice as the process that started it: environment values, never a key.

Workers inherit the parent's environment, keys included. When the parent's workbench was
pointed at another OpenAI-compatible endpoint without a key (a session's own settings),
the inherited key is blanked, so it never goes to that endpoint.
"""

from __future__ import annotations

import os

from aiwriter_kernel.config import Settings

ENV_SETTINGS = {
    "AIWRITER_HOME": "home",
    "AIWRITER_DATABASE_URL": "database_url",
    "AIWRITER_CHROMA_URL": "chroma_url",
    "AIWRITER_PROVIDER": "provider",
    "AIWRITER_MODEL": "model",
    "AIWRITER_EMBEDDING_MODEL": "embedding_model",
    "AIWRITER_EMBEDDING_RUNTIME": "embedding_runtime",
    "AIWRITER_OPENAI_BASE_URL": "openai_base_url",
    "AIWRITER_MAX_BATCH_ROWS": "max_batch_rows",  # a batch job reads its CSV in the worker
}
OPENAI_KEY_VARIABLES = ("AIWRITER_OPENAI_API_KEY", "OPENAI_API_KEY")


def worker_env(settings: Settings) -> dict[str, str]:
    """The settings a worker must share with ``settings``, as environment values."""
    env: dict[str, str] = {}
    for name, field in ENV_SETTINGS.items():
        value = getattr(settings, field)
        if value is not None and value != "":
            env[name] = str(value)
    if settings.openai_base_url and settings.openai_api_key is None:
        for name in OPENAI_KEY_VARIABLES:
            if os.environ.get(name):
                env[name] = ""  # an empty key is no key (see Settings)
    return env
