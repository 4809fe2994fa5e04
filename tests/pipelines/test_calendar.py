"""The content calendar offline on the demo corpus: dated, rotated, never repeated, spread
over the knowledge base's topics, exported to CSV and iCalendar, each entry writable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench
from icalendar import Calendar

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.calendar import ContentCalendar, send_entry
from aiwriter_kernel.pipelines.calendar_export import CSV_HEADER, to_csv, to_ics
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.sentences import split_sentences

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
START, END = dt.date(2026, 12, 1), dt.date(2027, 1, 31)
THEME = "Growing an email newsletter"
CHANNELS = ("article", "linkedin", "x-thread", "email")
BANNED = ("newsletter", "subject lines")
TINY = """# Sourdough starters

A sourdough starter is a mix of flour and water that wild yeast has colonised. Feeding the
sourdough starter every day keeps the yeast active. A regular feeding schedule matters more
than the exact flour.

Rye flour makes a sourdough starter bubble faster than white flour. If the feeding schedule
slips for a week, the starter recovers after two or three feeds.
"""


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        tiny = tmp_path_factory.mktemp("tiny") / "sourdough.md"
        tiny.write_text(TINY)
        opened.ingest(tiny, workspace="tiny")
        yield opened


@pytest.fixture(scope="module")
def planned(workbench) -> tuple[ContentCalendar, list[PipelineEvent]]:
    events: list[PipelineEvent] = []
    calendar = workbench.calendar(
        theme=THEME,
        audience="small business owners",
        start=START,
        end=END,
        on_event=events.append,
    )
    return calendar, events


def source_text(workbench: Workbench, source_id: int) -> str:
    return " ".join(workbench.db.sources.get_source_text(source_id).split())


def test_entries_fall_on_allowed_weekdays_within_the_range(planned) -> None:
    calendar, _ = planned
    dates = [entry.date for entry in calendar.entries]
    assert len(dates) >= 20  # about 3 a week for 9 weeks, all topics found
    assert dates == sorted(dates)
    assert all(START <= day <= END and day.weekday() < 5 for day in dates)
    assert max(Counter(day.isocalendar()[:2] for day in dates).values()) == 3


def test_channels_are_rotated(planned) -> None:
    calendar, _ = planned
    channels = [entry.channel for entry in calendar.entries]
    assert channels == [CHANNELS[i % len(CHANNELS)] for i in range(len(channels))]


def test_no_title_or_keyword_is_repeated(planned) -> None:
    calendar, _ = planned
    titles = [entry.title.lower() for entry in calendar.entries]
    keywords = [entry.focus_keyword.lower() for entry in calendar.entries]
    assert len(set(titles)) == len(titles)
    assert len(set(keywords)) == len(keywords)
    assert all(keyword in title for keyword, title in zip(keywords, titles, strict=True))


def test_topics_spread_over_the_clusters_most_relevant_first(planned, workbench) -> None:
    calendar, _ = planned
    clusters = [entry.cluster for entry in calendar.entries]
    ranked = [cluster.label for cluster in calendar.clusters]
    assert len(set(clusters)) >= 4
    relevances = [cluster.relevance for cluster in calendar.clusters]
    assert relevances == sorted(relevances, reverse=True)
    # round-robin: the first entries each come from a different cluster, best first
    assert clusters[:3] == [label for label in ranked if label in clusters][:3]
    first_sources = {
        workbench.db.sources.get_source(i).title for i in calendar.entries[0].source_ids
    }
    assert first_sources == {"Email newsletters that people open"}


def test_briefs_are_short_and_quote_the_entry_sources(planned, workbench) -> None:
    calendar, _ = planned
    for entry in calendar.entries:
        sentences = split_sentences(entry.brief)
        assert 1 <= len(sentences) <= 2 and entry.source_ids
        texts = [source_text(workbench, source_id) for source_id in entry.source_ids]
        for sentence in sentences:
            assert any(sentence in text for text in texts), (entry.title, sentence)
        assert entry.focus_keyword.lower() in entry.brief.lower()


def test_the_calendar_is_stored_as_a_calendar_draft(planned, workbench) -> None:
    calendar, events = planned
    (draft,) = workbench.drafts(kind="calendar")
    assert (draft.id, draft.topic) == (calendar.draft_id, THEME)
    stored = workbench.version(calendar.draft_id)
    assert stored.version == calendar.version
    assert [e["title"] for e in stored.meta["entries"]] == [e.title for e in calendar.entries]
    assert all(entry.title in stored.content for entry in calendar.entries)
    stages = [event.stage for event in events]
    assert stages[0] == "research" and stages[-2:] == ["store", "done"]
    assert stages.count("generate") == len(calendar.entries)


def test_the_ics_export_parses_back(planned) -> None:
    calendar, _ = planned
    parsed = Calendar.from_ical(to_ics(calendar))
    assert str(parsed["version"]) == "2.0" and "AI-Writer" in str(parsed["prodid"])
    events = parsed.walk("VEVENT")
    assert len(events) == len(calendar.entries)
    assert len({str(event["uid"]) for event in events}) == len(events)
    for event, entry in zip(events, calendar.entries, strict=True):
        start = event["dtstart"].dt
        assert type(start) is dt.date and start == entry.date
        assert str(event["summary"]) == f"[{entry.channel}] {entry.title}"
        assert entry.focus_keyword in str(event["description"])
        assert entry.brief in str(event["description"])
        assert event["dtstamp"].dt.tzinfo is not None
    again = Calendar.from_ical(to_ics(calendar)).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]  # stable


def test_the_csv_export_parses_back(planned) -> None:
    calendar, _ = planned
    rows = list(csv.reader(io.StringIO(to_csv(calendar))))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [
        [e.date.isoformat(), e.channel, e.title, e.focus_keyword, e.brief, e.cluster]
        for e in calendar.entries
    ]


def test_an_entry_sent_to_the_article_pipeline_is_stored_as_an_article(planned, workbench):
    calendar, _ = planned
    entry = next(e for e in calendar.entries if e.channel == "article")
    request = entry.article_request()
    assert (request.topic, request.keywords, request.audience) == (
        entry.title,
        (entry.focus_keyword,),
        "small business owners",
    )
    result = send_entry(workbench, entry)
    assert result.draft_id in [draft.id for draft in workbench.drafts(kind="article")]
    assert result.citations and "## References" in result.markdown


def test_an_entry_becomes_a_rewrite_request_for_its_channel(planned) -> None:
    rewrite = pytest.importorskip("aiwriter_kernel.pipelines.rewrite")
    calendar, _ = planned
    entry = next(e for e in calendar.entries if e.channel == "linkedin")
    request = entry.rewrite_request()
    assert isinstance(request, rewrite.RewriteRequest)
    assert (request.channel, request.topic, request.keyword) == (
        "linkedin",
        entry.title,
        entry.focus_keyword,
    )


def test_a_small_knowledge_base_gives_fewer_entries_and_says_so(workbench) -> None:
    calendar = workbench.calendar(theme="baking bread", start=START, end=END, workspace="tiny")
    assert 1 <= len(calendar.entries) < 20
    keywords = [entry.focus_keyword.lower() for entry in calendar.entries]
    titles = [entry.title.lower() for entry in calendar.entries]
    assert len(set(keywords)) == len(keywords) and len(set(titles)) == len(titles)
    assert any("distinct topics" in warning for warning in calendar.warnings)
    assert "sourdough starter" in keywords


def test_an_empty_knowledge_base_is_a_clear_error(workbench) -> None:
    with pytest.raises(ValidationError, match="is empty: ingest some sources"):
        workbench.calendar(theme="anything", start=START, end=END, workspace="nothing-here")


def test_persona_banned_words_never_appear(planned, workbench) -> None:
    baseline, _ = planned
    said = " ".join(f"{e.title} {e.focus_keyword} {e.brief}" for e in baseline.entries)
    assert find_banned(said, BANNED)  # without the persona they would appear
    workbench.save_persona(name="plain", banned_words=BANNED)
    calendar = workbench.calendar(theme=THEME, start=START, end=END, persona="plain")
    assert len(calendar.entries) >= 10
    for entry in calendar.entries:
        assert entry.persona == "plain"
        assert not find_banned(f"{entry.title} {entry.focus_keyword} {entry.brief}", BANNED)
    assert not find_banned(to_csv(calendar), BANNED)  # nor in the exported plan


def test_a_chat_model_writes_titles_and_briefs_checked_like_any_other(tmp_path, fake_openai):
    (tmp_path / "sourdough.md").write_text(TINY)
    with openai_workbench(tmp_path / "home", fake_openai) as chat:
        chat.ingest(tmp_path / "sourdough.md")
        chat.save_persona(name="plain", banned_words=("synergy",))
        fake_openai.reply(
            '1. "Sourdough Starter Synergy Secrets"\n2. **Keeping a Sourdough Starter Alive**',
            "Synergy makes every starter better [1]. Feed the sourdough starter daily [1]. "
            "Rye flour wakes it up [2]. Warm kitchens help too [1].",
        )
        calendar = chat.calendar(
            theme="baking",
            start=dt.date(2026, 12, 7),
            end=dt.date(2026, 12, 11),
            per_week=1,
            persona="plain",
        )
    (entry,) = calendar.entries
    assert entry.title == "Keeping a Sourdough Starter Alive"
    assert entry.brief == "Feed the sourdough starter daily. Rye flour wakes it up."
    assert any("banned word" in warning for warning in calendar.warnings)
    title_prompt, brief_prompt = (r.json["messages"][-1]["content"] for r in fake_openai.requests)
    assert f'<keywords untrusted="true">\n{entry.focus_keyword}\n</keywords>' in title_prompt
    assert '<banned untrusted="true">\nsynergy\n</banned>' in title_prompt
    assert "sourdough starter" in brief_prompt and "synergy" in brief_prompt


def test_chunk_vectors_reads_every_stored_vector_in_document_order(workbench) -> None:
    import numpy as np

    pairs = workbench.kb.chunk_vectors()
    space = workbench.db.workspaces.get_or_create("default")
    chunks = list(workbench.db.sources.iter_chunks(space.id))
    assert [chunk.id for chunk, _ in pairs] == [chunk.id for chunk in chunks]
    chunk, vector = pairs[3]
    expected = workbench.kb.vectors.embedder.encode([chunk.text])[0]
    assert np.allclose(vector, expected, atol=1e-4)
    assert workbench.kb.vectors.count(space.id) == len(pairs)  # nothing added or removed


def test_a_range_without_publishing_days_plans_nothing_and_says_why(workbench) -> None:
    weekend = workbench.calendar(
        theme="SEO", start=dt.date(2026, 12, 5), end=dt.date(2026, 12, 6), workspace="tiny"
    )
    assert weekend.entries == []
    assert weekend.warnings == ["no day in the range falls on the chosen weekdays: nothing to plan"]
