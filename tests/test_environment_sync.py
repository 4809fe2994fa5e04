"""environment.yml must install exactly what pyproject.toml declares (conda users exist)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _canonical(requirement: str) -> tuple[str, frozenset[str], str]:
    parsed = Requirement(requirement)
    name = parsed.name.lower().replace("_", "-")
    return name, frozenset(parsed.extras), str(parsed.specifier)


def pyproject_requirements() -> set[tuple[str, frozenset[str], str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra, items in project["optional-dependencies"].items():
        if extra != "all":  # `all` only names the project's own extras
            requirements += items
    return {_canonical(item) for item in requirements}


def environment_requirements() -> set[tuple[str, frozenset[str], str]]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(
        entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)
    )
    return {_canonical(item) for item in pip_section if not item.startswith("-")}


def test_environment_names_the_same_requirements_as_pyproject() -> None:
    declared, conda = pyproject_requirements(), environment_requirements()
    assert conda - declared == set(), "environment.yml has requirements pyproject lacks"
    assert declared - conda == set(), "pyproject has requirements environment.yml lacks"


def test_environment_installs_the_project_and_cpu_torch() -> None:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_packages = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip_section = next(
        entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)
    )
    assert "--editable ." in pip_section
    assert any(package.startswith("pytorch-cpu") for package in conda_packages)
    assert any(package.startswith("python=3.1") for package in conda_packages)


def test_every_all_extra_exists() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (all_requirement,) = project["optional-dependencies"]["all"]
    named = Requirement(all_requirement).extras
    assert named == set(project["optional-dependencies"]) - {"all", "dev"}
