"""Product copy: a lead, then feature: benefit bullets."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.channels.base import (
    Channel,
    ChannelRules,
    Edit,
    LimitCheck,
    OfflineMaterial,
    Parts,
    limit_check,
)
from aiwriter_kernel.channels.common import LIST_ITEM, join_blocks, keep_items, label_pattern
from aiwriter_kernel.channels.registry import register
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.titles import title_case
from aiwriter_kernel.text.words import terms

LEAD = label_pattern("lead", "description")
FEATURES = label_pattern("features", "benefits", "bullets")
# Matched from the first space of a run only (linear; see text.sentences).
FEATURE_SEPARATOR = re.compile("(?<!\\s)\\s*(?::|\\s[\u2014\u2013-]\\s|->|\u2192)\\s*")


class Bullet(BaseModel):
    """A product feature and what it does for the buyer."""

    model_config = ConfigDict(frozen=True)

    feature: str = ""
    benefit: str = ""

    def render(self) -> str:
        if self.feature and self.benefit:
            return f"- {self.feature}: {self.benefit}"
        return f"- {self.feature or self.benefit}"


class ProductParts(Parts):
    channel: Literal["product"] = "product"
    lead: str = ""
    bullets: list[Bullet] = Field(default_factory=list)

    def render(self) -> str:
        return join_blocks(self.lead, "\n".join(bullet.render() for bullet in self.bullets))

    def map_texts(self, edit: Edit) -> Self:
        bullets = [Bullet(feature=edit(b.feature), benefit=edit(b.benefit)) for b in self.bullets]
        kept = [bullet for bullet in bullets if bullet.benefit or bullet.feature]
        return self.model_copy(update={"lead": edit(self.lead), "bullets": kept})


class Product(Channel):
    rules = ChannelRules(name="product", max_chars=2000, target_chars=700, max_items=7)
    parts = ProductParts
    shrink_order = ("bullets", "lead")

    def limit_clauses(self, max_chars: int) -> list[str]:
        return [
            f"at most {max_chars} characters in total",
            f"at most {self.rules.max_items} bullets",
        ]

    def shape(self) -> str:
        return (
            "<the lead: one or two sentences>\n\n"
            "- <Feature>: <the benefit it brings>\n"
            "- <Feature>: <the benefit it brings>"
        )

    def read(self, text: str) -> ProductParts:
        """Paragraphs before the first list item are the lead; list items are the bullets,
        each split into feature and benefit at its first colon or dash."""
        lead: list[str] = []
        bullets: list[Bullet] = []
        for line in text.splitlines():
            item = LIST_ITEM.match(line)
            if item:
                bullets.append(bullet_of(item.group(1)))
            elif not bullets and not FEATURES.match(line):
                lead.append(LEAD.sub(r"\1", line))
        return ProductParts(lead="\n".join(lead).strip(), bullets=bullets)

    def repair(self, parts: Parts, warnings: list[str]) -> Parts:
        return keep_items(parts, "bullets", self.rules.max_items, warnings)

    def more_checks(self, parts: Parts) -> list[LimitCheck]:
        assert isinstance(parts, ProductParts)
        if not self.rules.max_items:
            return []
        return [limit_check("bullets", self.rules.max_items, len(parts.bullets))]

    def offline_format(self, material: OfflineMaterial) -> str:
        """A lead sentence, then feature: benefit bullets; a bullet's feature is the text's
        best key phrase its sentence uses (the thing the sentence says something about)."""
        sentences = material.sentences
        lead = sentences[0] if sentences else ""
        phrases = extract_keyphrases([" ".join(material.reading)], top=60)
        ranked = sorted(phrases, key=lambda k: " " not in k.phrase)  # two-word phrases first
        bullets: list[str] = []
        features: set[str] = set()
        budget = material.target - len(lead) - 2
        for sentence in sentences[1:]:
            said = f" {' '.join(terms(sentence))} "
            feature = next(
                (
                    title_case(k.phrase)
                    for k in ranked
                    if f" {' '.join(terms(k.phrase))} " in said and k.phrase.lower() not in features
                ),
                "",
            )
            bullet = f"- {feature}: {sentence}" if feature else f"- {sentence}"
            if len(bullets) >= (self.rules.max_items or 7) or len(bullet) + 1 > budget:
                continue
            features.add(feature.lower())
            bullets.append(bullet)
            budget -= len(bullet) + 1
        return "\n\n".join(part for part in [lead, "\n".join(bullets)] if part)


def bullet_of(item: str) -> Bullet:
    """A list item as a bullet: "Feature: benefit" split at its first colon or dash."""
    parts = FEATURE_SEPARATOR.split(item.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1] and len(parts[0].split()) <= 6:
        return Bullet(feature=parts[0].strip(), benefit=parts[1].strip())
    return Bullet(benefit=item.strip())


PRODUCT = register(Product())
