"""PAS: a problem the reader knows, what it costs them, and the offer as the way out."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

PAS = register(
    CopyFramework(
        key="pas",
        name="PAS",
        title="Problem, Agitate, Solution",
        aliases=("problem-agitate-solution",),
        sections=(
            section("Problem", "problem", "name a problem the reader recognises"),
            section("Agitate", "agitate", "show what the problem costs if nothing changes"),
            section("Solution", "solution", "present the offer as the way out"),
        ),
    )
)
