"""Personas (brand voices): what a persona is, and finding one by name for a pipeline.

``Persona`` here is the voice itself, validated; the database row it is stored in is
``store.tables.Persona`` (read as a ``PersonaRecord``), which only ``store`` uses.
A persona is stored per workspace. Every pipeline takes ``persona="name"``; it becomes
the task's ``Voice`` (so prompts and the offline composer follow it) and the pipeline
checks each output for the persona's banned words before storing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import Voice

if TYPE_CHECKING:
    from aiwriter_kernel.store.personas import PersonasRepository
    from aiwriter_kernel.store.records import PersonaRecord, WorkspaceRecord


class Persona(BaseModel):
    """A named voice: who it writes for, how it sounds, and what it never says."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    audience: str | None = Field(default=None, max_length=200)
    tone: str | None = Field(default=None, max_length=100)
    tone_words: tuple[str, ...] = Field(default=(), max_length=50)
    banned_words: tuple[str, ...] = Field(default=(), max_length=200)
    reading_level: float | None = Field(default=None, ge=1, le=20)  # a US school grade
    max_sentence_words: int | None = Field(default=None, ge=5, le=80)
    example_texts: tuple[str, ...] = Field(default=(), max_length=20)

    @field_validator("name")
    @classmethod
    def _name_is_clean(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a persona needs a name")
        return name

    @field_validator("tone_words", "banned_words")
    @classmethod
    def _words_are_clean(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned: list[str] = []
        for value in values:
            value = " ".join(value.split()).lower()
            if value and value not in cleaned:
                cleaned.append(value)
        return tuple(cleaned)

    @classmethod
    def from_record(cls, record: PersonaRecord) -> Persona:
        """The persona a stored row holds (its name is a column, the rest is the spec)."""
        return cls.model_validate({**record.spec, "name": record.name})

    def voice(self) -> Voice:
        """What a task needs to know to write in this voice."""
        return Voice(
            persona=self.name,
            audience=self.audience,
            tone=self.tone,
            tone_words=self.tone_words,
            banned_words=self.banned_words,
            reading_grade=self.reading_level,
            max_sentence_words=self.max_sentence_words,
        )


def load_persona(
    personas: PersonasRepository, space: WorkspaceRecord | None, name: str, workspace: str
) -> Persona:
    """The stored persona ``name`` of ``space`` (the workspace named ``workspace``, None when
    it does not exist); an unknown name is a ``ValidationError`` that lists the personas
    there are, raised before a pipeline does any work."""
    record = None if space is None else personas.get(space.id, " ".join(name.split()))
    if record is None:
        known = [] if space is None else [p.name for p in personas.list(space.id)]
        hint = (
            f"known: {', '.join(known)}" if known else "none are saved yet (aiwriter persona add)"
        )
        raise ValidationError(f"unknown persona {name!r} in workspace {workspace!r}; {hint}")
    return Persona.from_record(record)


def save_persona(personas: PersonasRepository, space: WorkspaceRecord, persona: Persona) -> Persona:
    """Create or replace the persona of that name in ``space``."""
    spec = persona.model_dump(mode="json", exclude={"name"})
    return Persona.from_record(personas.save(space.id, persona.name, spec))
