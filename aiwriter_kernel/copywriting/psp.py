"""PSP: a problem, the offer as its solution, and evidence that it works."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

PSP = register(
    CopyFramework(
        key="psp",
        name="PSP",
        title="Problem, Solution, Proof",
        aliases=("problem-solution-proof",),
        sections=(
            section("Problem", "problem", "name a problem the reader recognises"),
            section("Solution", "solution", "present the offer as the answer"),
            section("Proof", "proof", "show evidence that the solution works"),
        ),
    )
)
