"""What the distribution installs: the kernel and the front ends under names of their own,
so installing the workbench never shadows a user's package called ``apps`` or ``widgets``,
with the files the front ends need at run time (the Streamlit pages, the prompts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]


def copy_checkout(target: Path) -> None:
    """The files git would commit (tracked, or new and not ignored), as they are now."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    copy_checkout(source)  # a build writes build/ and *.egg-info beside its sources
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_front_ends_install_under_their_own_names(wheel_names: list[str]) -> None:
    tops = {
        name.split("/")[0] for name in wheel_names if not name.split("/")[0].endswith(".dist-info")
    }
    assert tops == {"aiwriter_kernel", "aiwriter_apps", "aiwriter_widgets"}


def test_the_installed_front_ends_have_what_they_run(wheel_names: list[str]) -> None:
    assert "aiwriter_apps/streamlit/Home.py" in wheel_names
    assert "aiwriter_apps/api/app.py" in wheel_names
    assert "aiwriter_widgets/__init__.py" in wheel_names
    assert "aiwriter_kernel/prompts/rewrite.j2" in wheel_names
    assert any(name.startswith("aiwriter_apps/streamlit/pages/") for name in wheel_names)
    assert "aiwriter_apps/streamlit/.streamlit/config.toml" in wheel_names  # offline settings
