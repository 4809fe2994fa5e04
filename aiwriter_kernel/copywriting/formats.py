"""The copy formats (ad, landing page, email) and how long copy of each may be."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CopyFormat = Literal["ad", "landing", "email"]


class CopyLimits(BaseModel):
    """How long copy of one format may be: per section, in all, and how many sentences a
    section holds (a section never exceeds its share of the total)."""

    model_config = ConfigDict(frozen=True)

    section_chars: int = Field(ge=20)
    total_chars: int = Field(ge=20)
    sentences: int = Field(ge=1)


FORMAT_LIMITS: dict[str, CopyLimits] = {
    "ad": CopyLimits(section_chars=160, total_chars=600, sentences=1),
    "landing": CopyLimits(section_chars=320, total_chars=1200, sentences=2),
    "email": CopyLimits(section_chars=480, total_chars=1800, sentences=3),
}
COPY_FORMATS: tuple[str, ...] = tuple(FORMAT_LIMITS)
