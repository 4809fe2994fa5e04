"""Which packages the distribution installs, and under what names (the metadata is in
pyproject.toml).

The front ends live in the repository's ``apps/`` and ``widgets/`` folders but install as
``aiwriter_apps`` and ``aiwriter_widgets``: top-level packages named ``apps`` or
``widgets`` would collide with a user's own. Setuptools' declarative ``packages.find``
cannot rename a package, so the mapping is written here.
"""

from setuptools import find_packages, setup

RENAMED = {"aiwriter_apps": "apps", "aiwriter_widgets": "widgets"}


def packages() -> list[str]:
    """The kernel's packages as they are, the front ends' under their installed names."""
    found = find_packages(include=["aiwriter_kernel", "aiwriter_kernel.*"])
    for name, folder in RENAMED.items():
        inside = find_packages(include=[folder, f"{folder}.*"])
        found += [name + package[len(folder) :] for package in inside]
    return found


setup(packages=packages(), package_dir=RENAMED)
