"""BAB: the reader's situation today, how it looks once solved, and the offer as the bridge."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

BAB = register(
    CopyFramework(
        key="bab",
        name="BAB",
        title="Before, After, Bridge",
        aliases=("before-after-bridge",),
        sections=(
            section("Before", "problem", "describe the reader's situation today"),
            section("After", "picture", "describe how things look once it is solved"),
            section("Bridge", "solution", "show how the offer gets the reader there"),
        ),
    )
)
