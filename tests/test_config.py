"""Settings: where values come from, and that secrets never show."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwriter_kernel.config import SECRET_MASK, Settings
from aiwriter_kernel.redaction import redact_url


def test_default_home_is_the_per_user_data_dir_not_the_cwd(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.home == tmp_path / "xdg" / "aiwriter"
    assert (
        settings.effective_database_url()
        == f"sqlite:///{tmp_path / 'xdg' / 'aiwriter' / 'aiwriter.db'}"
    )


def test_environment_and_dotenv_are_read(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("AIWRITER_PROVIDER=gemini\nAIWRITER_MODEL=from-dotenv\n")
    monkeypatch.setenv("AIWRITER_MODEL", "from-env")
    monkeypatch.setenv("AIWRITER_HOME", "~/somewhere")
    settings = Settings()
    assert settings.provider == "gemini"  # .env
    assert settings.model == "from-env"  # the environment wins over .env
    assert settings.home == Path("~/somewhere").expanduser()


def test_provider_keys_use_their_sdk_names(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-123")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-456")
    settings = Settings()
    assert settings.openai_api_key.get_secret_value() == "sk-openai-123"
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1"
    assert settings.gemini_api_key.get_secret_value() == "gemini-456"


def test_google_api_key_wins_over_gemini_api_key_as_in_google_genai(monkeypatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-456")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-789")
    assert Settings().gemini_api_key.get_secret_value() == "google-789"


@pytest.mark.parametrize(
    "variable", ["OPENAI_API_KEY", "GEMINI_API_KEY", "TAVILY_API_KEY", "AIWRITER_SERPER_API_KEY"]
)
def test_secrets_are_masked_everywhere_they_are_shown(monkeypatch, variable) -> None:
    secret = "sk-very-secret-value-0042"
    monkeypatch.setenv(variable, secret)
    settings = Settings()
    assert secret not in repr(settings)
    assert secret not in str(settings.masked())
    assert SECRET_MASK in settings.masked().values()


def test_credentials_and_tokens_inside_urls_are_masked(monkeypatch) -> None:
    monkeypatch.setenv("AIWRITER_DATABASE_URL", "postgresql+psycopg://writer:hunter2@db:5432/aiw")
    monkeypatch.setenv("AIWRITER_REDIS_URL", "redis://:redispass@127.0.0.1:6379/0")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw-6612@127.0.0.1:9/v1?token=tok-4471")
    shown = Settings().masked()
    assert shown["database_url"] == "postgresql+psycopg://db:5432/aiw"
    assert shown["redis_url"] == "redis://127.0.0.1:6379/0"
    assert shown["openai_base_url"] == "http://127.0.0.1:9/v1?token=***"
    for secret in ("hunter2", "redispass", "pw-6612", "tok-4471"):
        assert secret not in str(shown)


def test_settings_list_their_secrets_for_redaction(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-listed-0042")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw-6612@127.0.0.1:9/v1?token=tok-4471")
    secrets = Settings().secrets()
    assert {"sk-listed-0042", "pw-6612", "tok-4471"} <= set(secrets)
    assert "127.0.0.1" not in " ".join(secrets)


def test_redaction_leaves_urls_without_credentials_alone() -> None:
    assert redact_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert redact_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"
