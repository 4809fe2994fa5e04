"""Where a run's files live: ``<home>/batches/<run name>/<row file stem>.*``.

Row keys come from users, so a key that is not a safe file name gets a cleaned stem plus
a short hash of the key, keeping two different keys from sharing files.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class RowFiles(BaseModel):
    model_config = ConfigDict(frozen=True)

    notebook: Path
    markdown: Path
    analysis: Path
    result: Path

    def task_paths(self) -> dict[str, str]:
        """These paths as the ``RowTask`` fields that name them."""
        return {
            "notebook_path": str(self.notebook),
            "markdown_path": str(self.markdown),
            "analysis_path": str(self.analysis),
            "result_path": str(self.result),
        }


def run_dir(home: Path, run_name: str, workspace_id: int | None = None) -> Path:
    """A run's folder; a user's runs (in an owned workspace) get a folder per workspace, so
    two users' runs of the same name never share files."""
    batches = Path(home) / "batches"
    if workspace_id is not None:
        batches = batches / f"workspace-{workspace_id}"
    return batches / file_stem(run_name)


def file_stem(key: str) -> str:
    cleaned = _UNSAFE.sub("-", key).strip(".-")[:80]
    if cleaned == key:
        return key
    return f"{cleaned or 'row'}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def row_files(directory: Path, row_key: str) -> RowFiles:
    stem = file_stem(row_key)
    return RowFiles(
        notebook=directory / f"{stem}.ipynb",
        markdown=directory / f"{stem}.md",
        analysis=directory / f"{stem}.analysis.json",
        result=directory / f"{stem}.result.json",
    )
