"""The facade opens a home: creates it, migrates it, and refuses unusable ones clearly."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ConfigError, SchemaTooNewError, StoreError
from aiwriter_kernel.store.schema import head_revision


def test_open_creates_and_migrates_a_new_home(tmp_path: Path) -> None:
    home = tmp_path / "new-home"
    with Workbench.open(home=home) as workbench:
        assert workbench.settings.home == home
        workspace = workbench.db.workspaces.get_or_create("default")
        assert workspace.name == "default"
    with sqlite3.connect(home / "aiwriter.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )


def test_open_reads_the_environment(home: Path) -> None:
    with Workbench.open() as workbench:
        assert workbench.settings.home == home
    assert (home / "aiwriter.db").is_file()


def test_data_survives_reopening(tmp_path: Path) -> None:
    with Workbench.open(home=tmp_path) as workbench:
        workbench.db.workspaces.get_or_create("research")
    with Workbench.open(home=tmp_path) as workbench:
        assert [w.name for w in workbench.db.workspaces.list()] == ["research"]


def test_database_url_override_keeps_the_home_for_files(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    with Workbench.open(home=tmp_path / "home", database_url=f"sqlite:///{elsewhere}") as workbench:
        assert workbench.settings.home == tmp_path / "home"
    assert elsewhere.is_file()
    assert not (tmp_path / "home" / "aiwriter.db").exists()


def test_unwritable_home_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="AIWRITER_HOME"):
        Workbench.open(home=blocker / "sub")


def test_corrupted_database_is_a_store_error_and_untouched(tmp_path: Path) -> None:
    garbage = os.urandom(4096)
    (tmp_path / "aiwriter.db").write_bytes(garbage)
    with pytest.raises(StoreError, match=r"aiwriter\.db"):
        Workbench.open(home=tmp_path)
    assert (tmp_path / "aiwriter.db").read_bytes() == garbage


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Workbench.open(home=tmp_path).close()
    with sqlite3.connect(tmp_path / "aiwriter.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'zzzz_newer'")
    with pytest.raises(SchemaTooNewError, match="zzzz_newer"):
        Workbench.open(home=tmp_path)
