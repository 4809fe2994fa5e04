"""The offline composer writes real, cited, non-repetitive text from its sources alone."""

from __future__ import annotations

import re

import pytest

from aiwriter_kernel.channels import get, names
from aiwriter_kernel.compose.composer import NO_EVIDENCE, OfflineComposer
from aiwriter_kernel.llm.tasks import (
    AnswerTask,
    MetaDescriptionTask,
    OutlineTask,
    RewriteTask,
    SectionTask,
    SourcePassage,
    SummaryTask,
    TitleTask,
)
from aiwriter_kernel.text.sentences import split_sentences

COMPOSTING = """# Home composting

Composting turns kitchen scraps and garden waste into a dark, crumbly soil improver.
Microorganisms break down organic matter when they have air, moisture and a balance of
materials. A healthy heap needs both green materials, which are rich in nitrogen, and brown
materials, which are rich in carbon.

## Greens and browns

Green materials include vegetable peelings, coffee grounds and fresh grass clippings.
Brown materials include dry leaves, shredded cardboard and straw. Gardeners often aim for
roughly three parts brown material to one part green material by volume. Too many greens make
a heap wet and smelly, while too many browns slow decomposition down.

## Turning and moisture

Turning the heap every few weeks adds oxygen and speeds up decomposition considerably. The
heap should feel as damp as a wrung-out sponge. A hot heap can reach temperatures high enough
to kill many weed seeds and pathogens.
"""

WORMS = """Worm composting, also called vermicomposting, uses red wiggler worms kept in a bin.
The worms eat food scraps and leave behind castings that are rich in nutrients. A worm bin
works well in a flat or a small garden because it takes little space. Worm bins should be kept
out of direct sun and away from frost, since the worms prefer mild temperatures. Citrus peel,
onions and meat should be kept out of a worm bin because they harm the worms or attract pests.
"""

SOURCES = (
    SourcePassage(label=1, title="Home composting", origin="compost.md", text=COMPOSTING),
    SourcePassage(label=2, title="Worm bins", origin="worms.txt", text=WORMS),
)
SOURCE_TEXT = COMPOSTING + " " + WORMS
CITED_SENTENCE = re.compile(r"^(?P<body>.+?) \[(?P<label>\d+)\](?P<end>[.!?])$")


@pytest.fixture
def composer() -> OfflineComposer:
    return OfflineComposer()


def cited_sentences(text: str) -> list[re.Match[str]]:
    sentences = split_sentences(text)
    matches = [CITED_SENTENCE.match(sentence) for sentence in sentences]
    assert all(matches), f"uncited sentence in: {sentences}"
    return matches  # type: ignore[return-value]


def normalise(text: str) -> str:
    return " ".join(text.split())


def test_outline_has_a_title_distinct_sections_and_cited_points(composer) -> None:
    outline = composer.run(OutlineTask(topic="home composting", sources=SOURCES, sections=3))
    lines = outline.splitlines()
    assert lines[0] == "# Home Composting"
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert len(headings) == 3 and len(set(headings)) == 3
    points = [line for line in lines if line.startswith("- ")]
    assert points and all(re.search(r"\[[12]\]$", point) for point in points)


def test_section_sentences_come_from_the_sources_with_valid_citations(composer) -> None:
    section = composer.run(
        SectionTask(
            topic="home composting", heading="Greens and browns", sources=SOURCES, target_words=80
        )
    )
    matches = cited_sentences(section)
    assert len(matches) >= 3
    source_text = normalise(SOURCE_TEXT)
    for match in matches:
        assert int(match["label"]) in (1, 2)
        assert normalise(match["body"] + match["end"]) in source_text  # extractive, not invented
    bodies = [match["body"] for match in matches]
    assert len(bodies) == len(set(bodies))
    assert "nitrogen" in section or "brown" in section.lower()  # relevant to the heading
    assert "Use only facts" not in section  # not the prompt echoed back


def test_section_respects_the_word_budget_and_avoids_used_sentences(composer) -> None:
    first = composer.run(
        SectionTask(topic="composting", heading="Worm bins", sources=SOURCES, target_words=40)
    )
    used = [m["body"] + m["end"] for m in cited_sentences(first)]
    second = composer.run(
        SectionTask(
            topic="composting",
            heading="Worm bins",
            sources=SOURCES,
            target_words=40,
            avoid_sentences=tuple(used),
        )
    )
    assert not {m["body"] for m in cited_sentences(first)} & {
        m["body"] for m in cited_sentences(second)
    }
    longest_sentence = max(len(s.split()) for s in split_sentences(WORMS + COMPOSTING))
    assert len(re.sub(r"\[\d+\]", "", first).split()) <= 40 + longest_sentence


def test_composer_is_deterministic(composer) -> None:
    task = SectionTask(topic="composting", heading="Turning and moisture", sources=SOURCES)
    assert composer.run(task) == OfflineComposer().run(task)


def test_answer_cites_evidence_or_refuses(composer) -> None:
    answer = composer.run(
        AnswerTask(question="Which food should stay out of a worm bin?", sources=SOURCES)
    )
    assert "Citrus peel" in answer and "[2]" in answer
    refusal = composer.run(
        AnswerTask(question="What is the boiling point of mercury?", sources=SOURCES)
    )
    assert refusal == NO_EVIDENCE


def test_summary_stays_within_its_word_limit(composer) -> None:
    summary = composer.run(SummaryTask(sources=SOURCES, max_words=60))
    assert len(re.sub(r"\[\d+\]", "", summary).split()) <= 60
    assert {m["label"] for m in cited_sentences(summary)} <= {"1", "2"}


def test_titles_fit_and_carry_the_keyword(composer) -> None:
    titles = composer.run(TitleTask(text=COMPOSTING, keyword="composting", count=3)).splitlines()
    assert len(titles) == 3 and len(set(titles)) == 3
    for title in titles:
        assert len(title) <= 60 and "composting" in title.lower()


def test_meta_description_is_within_limits(composer) -> None:
    meta = composer.run(MetaDescriptionTask(text=COMPOSTING, keyword="heap"))
    assert 120 <= len(meta) <= 160
    assert "heap" in meta.lower()


@pytest.mark.parametrize("channel", sorted(names()))
def test_rewrites_stay_within_the_channel_limits(composer, channel) -> None:
    text = composer.run(RewriteTask(text=COMPOSTING + WORMS, channel=channel))
    rules = get(channel).rules
    assert 0 < len(text) <= rules.max_chars
    assert not re.search(r"\[\d+\]", text)
    hashtags = re.findall(r"#\w+", text)
    assert len(hashtags) <= rules.max_hashtags


def test_thread_posts_are_numbered_and_short(composer) -> None:
    thread = composer.run(RewriteTask(text=COMPOSTING + WORMS, channel="x-thread"))
    posts = thread.split("\n\n")
    assert len(posts) >= 2
    for number, post in enumerate(posts, 1):
        assert post.startswith(f"{number}/{len(posts)} ")
        assert len(post) <= 280


def test_rewrite_honours_a_tighter_limit(composer) -> None:
    text = composer.run(RewriteTask(text=COMPOSTING, channel="linkedin", max_chars=200))
    assert len(text) <= 200
