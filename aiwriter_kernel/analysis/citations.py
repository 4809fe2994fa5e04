"""Citation coverage of a draft: which sentences make claims, which of those cite a source,
which labels are wrong, and whether the References section matches the citations.

What is a *claim* is decided by ``aiwriter_kernel.text.claims``, the rule the fact checker
uses too: a declarative sentence with something a source could confirm (a number, a date,
a name, a comparison, a cause or a factual verb); questions, fragments, opinions and
imperatives are not claims.

Citation markers are ``[n]``, ``[n, m]`` or ``[n-m]``; a marker right after a sentence's
full stop ("... in 2020. [3]") belongs to that sentence, not the next one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.analysis.markup import (
    CITATION,
    citation_labels,
    prose,
    prose_sentences,
    split_references,
)
from aiwriter_kernel.text.claims import claim_features

# Linear in any line (see aiwriter_kernel.text.sentences): the rest of a reference line is
# stripped in Python, and a separator is matched only from the first of its spaces.
REFERENCE_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[(\d+)\][:.]?\s*(.*)$")
ORIGIN_SEPARATOR = re.compile(r"(?<!\s)\s+[\u2014\u2013]\s+|(?<!\s)\s+-{1,2}\s+")
CITATION_AFTER_STOP = re.compile(r"([.!?])((?:[ \t]*" + CITATION.pattern + ")+)")


class Sentence(BaseModel):
    """A body sentence, whether it is a claim (and why), and the labels it cites."""

    model_config = ConfigDict(frozen=True)

    text: str
    claim: bool
    reasons: list[str]
    labels: list[int]


class ReferenceEntry(BaseModel):
    """A line of the References section: ``[n] title — origin``."""

    model_config = ConfigDict(frozen=True)

    label: int
    title: str
    origin: str


class CitationReport(BaseModel):
    """Citation coverage and consistency of one draft."""

    model_config = ConfigDict(frozen=True)

    sentences: list[Sentence]
    claim_count: int
    cited_claim_count: int
    coverage: float  # cited claims / claims; 1.0 when there are no claims
    uncited_claims: list[str]
    cited_labels: list[int]
    invalid_citations: list[int]
    unused_sources: list[int]
    has_references_section: bool
    references: list[ReferenceEntry]
    missing_references: list[int]
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        """No errors: every label used names a real source."""
        return not self.errors


def citation_report(markdown: str, *, valid_labels: Collection[int]) -> CitationReport:
    """Check the citations of a Markdown draft against the labels of its real sources."""
    valid = set(valid_labels)
    body, reference_lines, has_section = split_references(markdown)
    sentences = [_sentence(text) for text in _body_sentences(body)]
    claims = [s for s in sentences if s.claim]
    cited_claims = [s for s in claims if s.labels]
    cited = sorted({label for s in sentences for label in s.labels})
    references = _references(reference_lines)
    listed = {entry.label for entry in references}
    invalid = [label for label in cited if label not in valid]
    missing = [label for label in cited if label not in listed]
    return CitationReport(
        sentences=sentences,
        claim_count=len(claims),
        cited_claim_count=len(cited_claims),
        coverage=round(len(cited_claims) / len(claims), 4) if claims else 1.0,
        uncited_claims=[s.text for s in claims if not s.labels],
        cited_labels=cited,
        invalid_citations=invalid,
        unused_sources=sorted(valid - set(cited)),
        has_references_section=has_section,
        references=references,
        missing_references=missing,
        errors=[f"[{label}] is cited but no source has that label." for label in invalid],
        warnings=_warnings(has_section, missing, references, valid),
    )


def _body_sentences(body: str) -> list[str]:
    """Body sentences with their citation markers, markers after a full stop moved before it
    so that the splitter keeps them with their sentence."""
    body = CITATION_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", body)
    return prose_sentences(prose(body, keep_citations=True).text)


def _sentence(text: str) -> Sentence:
    labels = sorted({n for m in CITATION.finditer(text) for n in citation_labels(m.group(1))})
    reasons = claim_features(CITATION.sub("", text).strip())
    return Sentence(text=text, claim=bool(reasons), reasons=reasons, labels=labels)


def _references(lines: list[str]) -> list[ReferenceEntry]:
    entries = []
    for line in lines:
        match = REFERENCE_LINE.match(line)
        if not match:
            continue
        title, origin = _title_and_origin(match.group(2).strip())
        entries.append(ReferenceEntry(label=int(match.group(1)), title=title, origin=origin))
    return entries


def _title_and_origin(rest: str) -> tuple[str, str]:
    """'Title — example.org' -> ('Title', 'example.org'); the last dash separates them."""
    parts = ORIGIN_SEPARATOR.split(rest)
    if len(parts) == 1:
        return rest.strip(), ""
    separator = list(ORIGIN_SEPARATOR.finditer(rest))[-1]
    return rest[: separator.start()].strip(), rest[separator.end() :].strip()


def _warnings(
    has_section: bool,
    missing: list[int],
    references: list[ReferenceEntry],
    valid: set[int],
) -> list[str]:
    warnings = []
    if missing and not has_section:
        warnings.append("The draft cites sources but has no References section.")
    elif missing:
        labels = ", ".join(f"[{label}]" for label in missing)
        warnings.append(f"No reference line for {labels} in the References section.")
    unknown = [entry.label for entry in references if entry.label not in valid]
    if unknown:
        labels = ", ".join(f"[{label}]" for label in unknown)
        warnings.append(f"The References section lists {labels}, which are not known sources.")
    return warnings
