"""The extension points are declared once (aiwriter_kernel/extension_points.py), and each
registry loads plugins from the group declared there."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from aiwriter_kernel.extension_points import ALL, ExtensionPoint

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("point", ALL, ids=lambda point: point.group)
def test_each_registry_loads_the_declared_group(point: ExtensionPoint) -> None:
    registry = importlib.import_module(point.registry)
    assert point.group == registry.ENTRY_POINT_GROUP
    folder = ROOT / Path(point.built_ins).parent
    assert folder.is_dir() and any(folder.glob(Path(point.built_ins).name.replace("<name>", "*")))


def test_groups_are_distinct_and_named_for_the_project() -> None:
    groups = [point.group for point in ALL]
    assert len(set(groups)) == len(groups)
    assert all(group.startswith("aiwriter.") for group in groups)
