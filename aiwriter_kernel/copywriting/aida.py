"""AIDA: the classic funnel from a line that stops the reader to the action asked of them."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

AIDA = register(
    CopyFramework(
        key="aida",
        name="AIDA",
        title="Attention, Interest, Desire, Action",
        aliases=("attention-interest-desire-action",),
        sections=(
            section("Attention", "hook", "stop the reader with one sharp, specific line"),
            section("Interest", "interest", "give the facts that make the reader want more"),
            section("Desire", "benefit", "show what the reader gains from the offer"),
            section("Action", "action", "tell the reader exactly what to do next"),
        ),
    )
)
