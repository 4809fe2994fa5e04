"""4Ps: a promise, a picture of the result, proof, and a push to act."""

from __future__ import annotations

from aiwriter_kernel.copywriting.base import CopyFramework, section
from aiwriter_kernel.copywriting.registry import register

FOUR_PS = register(
    CopyFramework(
        key="4ps",
        name="4Ps",
        title="Promise, Picture, Proof, Push",
        aliases=("4p", "4-ps", "four-ps", "promise-picture-proof-push"),
        sections=(
            section("Promise", "promise", "make one clear promise to the reader"),
            section("Picture", "picture", "help the reader picture the result"),
            section("Proof", "proof", "back the promise with numbers, studies or customers"),
            section("Push", "action", "push the reader to act now"),
        ),
    )
)
