"""Is the knowledge base about the topic: a topic named in a passage that matches it
loosely counts as covered; paragraphs far from the best match stay out."""

from __future__ import annotations

import numpy as np

from aiwriter_kernel.compose.grounding import (
    COVERED_AT,
    LOOSE_AT,
    Coverage,
    names_topic,
    on_topic,
    unit_rows,
)


def test_a_topic_is_named_by_its_content_words_in_order() -> None:
    passage = "Each newsletter should have one clear call to action, such as a reply."
    assert names_topic("Clear calls to action", [passage])
    assert names_topic("Active voice", ["## Active voice\n\nActive sentences name the actor."])
    assert not names_topic("Action calls clear", [passage])  # the words, not in order
    assert not names_topic("Clear calls to action", ["A clear layout calls readers to act."])
    assert not names_topic("Readability", ["Readability formulas count syllables."])  # one word


def test_a_named_topic_needs_only_a_loose_match_and_an_unnamed_one_the_full_bar() -> None:
    between = (LOOSE_AT + COVERED_AT) / 2
    assert Coverage(score=between, named=True).covered
    assert not Coverage(score=between, named=False).covered
    assert not Coverage(score=LOOSE_AT - 0.01, named=True).covered
    assert Coverage(score=COVERED_AT, words_found=1.0).covered
    assert not Coverage(score=COVERED_AT, words_found=0.0).covered  # meaning alone is not enough


def test_only_passages_near_the_best_or_in_its_document_are_on_topic() -> None:
    topic = unit_rows(np.array([[1.0, 0.0, 0.0]]))
    passages = unit_rows(
        np.array(
            [
                [0.9, 0.1, 0.0],  # the best match, source 1
                [0.45, 0.9, 0.0],  # loosely related, same source: stays
                [0.45, 0.0, 0.9],  # as loosely related, another source: out
                [0.0, 1.0, 0.0],  # unrelated, same source: out
            ]
        )
    )
    assert on_topic(passages, topic, [1, 1, 2, 1]).tolist() == [True, True, False, False]
    assert on_topic(passages[:0], topic, []).tolist() == []
