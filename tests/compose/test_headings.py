"""Section headings: the author's heading when most of the evidence stands under it,
otherwise the candidate closest in meaning to this section and not to the others."""

from __future__ import annotations

import numpy as np

from aiwriter_kernel.compose.evidence import EvidenceSentence
from aiwriter_kernel.compose.headings import choose_heading, heading_candidates


def sentence(text: str, heading: str | None, source: int = 1) -> EvidenceSentence:
    return EvidenceSentence(text, source, f"c{source}", 0.5, heading)


BREWING = [
    sentence("Black tea suits water at a full boil.", "Water temperature"),
    sentence("Green tea wants cooler water near eighty degrees.", "Water temperature"),
    sentence("Steep black tea for three to five minutes.", "Steeping time"),
    sentence("A shorter steep keeps green tea from turning bitter.", "Steeping time", 2),
]
GROWING = [sentence("Tea bushes grow on rainy hillsides in acidic soil.", "Where tea grows")]


def test_the_aspect_or_the_authors_majority_heading_is_the_only_candidate() -> None:
    assert heading_candidates(BREWING, [GROWING], "how tea is brewed") == ["How Tea Is Brewed"]
    mostly = [*BREWING[:2], sentence("Soft water brews a clearer cup.", "Water temperature")]
    assert heading_candidates(mostly, [GROWING], None) == ["Water Temperature"]
    # the article's own title never names one of its sections
    others = heading_candidates(mostly, [GROWING], None, taken={"water temperature"})
    assert others and "Water Temperature" not in others


def test_mixed_evidence_offers_each_source_heading_and_its_own_phrases() -> None:
    candidates = heading_candidates(BREWING, [GROWING], None)
    assert candidates[:2] == ["Water Temperature", "Steeping Time"]
    assert len(candidates) == len({c.lower() for c in candidates}) <= 6
    assert all(2 <= len(c.split()) <= 6 for c in candidates)
    assert not any(" And " in c for c in candidates)  # no two unrelated words glued together


def fake_encode(texts):
    """A made-up embedding: brewing words point one way, growing words another."""
    rows = []
    for text in texts:
        lower = text.lower()
        rows.append([lower.count("steep") + lower.count("water"), lower.count("grow")])
    return np.array(rows, dtype=np.float32) + 0.01


def test_the_heading_closest_to_its_section_and_not_to_the_others_wins() -> None:
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)  # brewing, growing
    candidates = ["Where Tea Grows", "Steeping and Water", "Tea Basics"]
    assert choose_heading(candidates, 0, centroids, fake_encode, set()) == "Steeping and Water"
    assert choose_heading(candidates, 1, centroids, fake_encode, set()) == "Where Tea Grows"
    taken = {"steeping and water"}
    assert choose_heading(candidates, 0, centroids, fake_encode, taken) != "Steeping and Water"
    assert choose_heading([], 0, centroids, fake_encode, set()) is None
