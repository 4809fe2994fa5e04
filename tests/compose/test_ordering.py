"""The opening of an article is the lead of its first section, in order."""

from __future__ import annotations

from aiwriter_kernel.compose.evidence import EvidenceSentence
from aiwriter_kernel.compose.ordering import opening

SECTION = [
    EvidenceSentence("Readers on the web scan before they read.", 1, "c", 0.0, None),
    EvidenceSentence("Most look at headings and the first words of paragraphs.", 1, "c", 0.1, None),
    EvidenceSentence("Readable writing respects that habit.", 1, "c", 0.2, None),
]


def test_the_lead_is_the_first_sentences_that_fit() -> None:
    assert opening(SECTION, 20) == SECTION[:2]  # 8 + 10 words fit, the third would not
    assert opening(SECTION, 100) == SECTION
    assert opening(SECTION, 3) == SECTION[:1]  # always at least one
    assert opening([], 50) == []
