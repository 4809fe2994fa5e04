"""FAB: what the offer has, what that does better, and what it means for the reader."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

FAB = register(
    CopyFramework(
        key="fab",
        name="FAB",
        title="Features, Advantages, Benefits",
        aliases=("features-advantages-benefits",),
        sections=(
            section("Features", "feature", "state what the offer is and what it has"),
            section("Advantages", "advantage", "say what those features do better"),
            section("Benefits", "benefit", "say what that means for the reader"),
        ),
    )
)
