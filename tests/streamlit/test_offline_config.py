"""The app's offline settings hold however it is started: ``aiwriter serve app`` passes them
as flags, and the ``.streamlit/config.toml`` beside ``Home.py`` (which Streamlit reads from
any working directory) says the same, for ``streamlit run`` by hand."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from aiwriter_kernel.cli import app
from aiwriter_kernel.cli.serve_cmd import STREAMLIT_OFFLINE

CONFIG = Path(__file__).resolve().parents[2] / "apps" / "streamlit" / ".streamlit" / "config.toml"
OFFLINE = {
    "browser.gatherUsageStats": "false",  # no telemetry host called from the browser
    "client.toolbarMode": "minimal",  # no "Deploy" button, no developer menu
    "client.showErrorLinks": "false",  # no "ask Google" links under an error
    "server.showEmailPrompt": "false",
}


def test_serve_app_starts_streamlit_offline_with_no_developer_toolbar(home: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "app", "--dry-run"])
    assert result.exit_code == 0, result.output
    argv = json.loads(result.stdout)["argv"]
    for option, value in OFFLINE.items():
        assert argv[argv.index(f"--{option}") + 1] == value


def test_the_config_beside_home_says_what_the_flags_say() -> None:
    config = tomllib.loads(CONFIG.read_text())
    in_file = {
        f"{section}.{name}": str(value).lower()
        for section, options in config.items()
        for name, value in options.items()
    }
    flags = dict(zip(STREAMLIT_OFFLINE[::2], STREAMLIT_OFFLINE[1::2], strict=True))
    assert {option.removeprefix("--"): value for option, value in flags.items()} == OFFLINE
    assert {option: in_file.get(option) for option in OFFLINE} == OFFLINE
