"""Channel rewrites offline on the demo corpus: every channel from a stored article and
from a researched topic, each hard limit measured on the real output, sentences drawn from
the source, personas' banned words kept out, bad requests refused before anything is
stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aiwriter_kernel import Workbench
from aiwriter_kernel.channels import get, names
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.personas import Persona
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
NUMBERED = re.compile(r"^(\d+)/(\d+) ")
HASHTAG = re.compile(r"^#[^\W\d_]?\w*[^\W_]$")
MARKER = re.compile(r"\s?\[\d+(?:,\s*\d+)*\]")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        yield opened


@pytest.fixture(scope="module")
def article(workbench):
    return workbench.write("Email newsletters that people open", target_words=600)


def normalised(text: str) -> str:
    return " ".join(MARKER.sub("", strip_markdown(text)).split())


def assert_within_limits(result, max_chars: int | None = None) -> None:
    """Measure the real output against the channel's rules, independently of ``checks``."""
    rules = get(result.channel).rules
    parts = result.parts
    assert result.text == parts.render() and result.text.strip()
    assert len(result.text) <= (max_chars or rules.max_chars)
    assert not MARKER.search(result.text)
    assert result.checks and all(check.passed for check in result.checks), result.checks
    if rules.max_hashtags:
        assert len(parts.hashtags) <= rules.max_hashtags
        assert all(HASHTAG.match(tag) for tag in parts.hashtags)
        assert len({tag.lower() for tag in parts.hashtags}) == len(parts.hashtags)
        assert len(re.findall(r"(?<!\w)#\w+", result.text)) == len(parts.hashtags)
    if result.channel == "x-thread":
        assert 2 <= len(parts.posts) <= rules.max_posts
        for number, post in enumerate(parts.posts, 1):
            assert NUMBERED.match(post).groups() == (str(number), str(len(parts.posts)))
            assert len(post) <= rules.post_max_chars
    if result.channel == "email":
        assert 0 < len(parts.subject) <= 60 and 0 < len(parts.preview) <= 90
        assert parts.body
        assert parts.call_to_action or "the email has no call to action" in result.warnings
        assert result.text.startswith(f"Subject: {parts.subject}\nPreview: {parts.preview}\n")
    if result.channel in ("linkedin", "youtube"):
        assert 0 < len(parts.hook) <= rules.hook_max_chars
    if result.channel == "product":
        assert parts.lead and 1 <= len(parts.bullets) <= rules.max_items
        assert all(b.feature and b.benefit for b in parts.bullets)
    if result.channel == "youtube":
        assert 1 <= len(parts.beats) <= rules.max_items and parts.close
    if result.channel == "instagram":
        assert 1 <= len(parts.hashtags) <= 30 and parts.caption


def strings(value) -> list[str]:
    """Every string value in nested lists and dicts (keys are field names, not text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def post_sentences(result) -> list[str]:
    """The prose sentences of a post (no numbers, labels, bullets' features or hashtags)."""
    parts = result.parts
    texts = {
        "linkedin": lambda: [parts.hook, parts.body],
        "x-thread": lambda: [
            NUMBERED.sub("", post).removeprefix(f"{result.title}: ") for post in parts.posts
        ],
        "facebook": lambda: [parts.body],
        "instagram": lambda: [parts.caption],
        "email": lambda: [parts.preview, parts.body],
        "product": lambda: [parts.lead, *[b.benefit for b in parts.bullets]],
        "youtube": lambda: [parts.hook, *parts.beats],
    }[result.channel]()
    return [s for text in texts for s in split_sentences(text)]


@pytest.mark.parametrize("channel", sorted(names()))
def test_every_channel_from_a_stored_article(workbench, article, channel) -> None:
    before = workbench.db.drafts.list_versions(article.draft_id)
    events: list[PipelineEvent] = []
    result = workbench.rewrite(channel=channel, draft_id=article.draft_id, on_event=events.append)
    assert_within_limits(result)
    source = normalised(article.markdown)
    sentences = post_sentences(result)
    assert len(sentences) >= 2
    assert all(" ".join(s.split()) in source for s in sentences)  # drawn from the draft
    assert result.source_draft_id == article.draft_id and result.title == article.title
    assert {s.title for s in result.sources} == {c.title for c in article.citations}
    assert [e.stage for e in events][-1] == "done" and "generate" in [e.stage for e in events]
    draft = workbench.db.drafts.get_draft(result.draft_id)
    stored = workbench.db.drafts.get_version(result.draft_id)
    assert draft.kind == f"rewrite:{channel}" and stored.content == result.text
    assert stored.meta["source_draft_id"] == article.draft_id
    assert stored.meta["parts"] == result.parts.model_dump(mode="json")
    assert stored.meta["checks"] == [c.model_dump(mode="json") for c in result.checks]
    assert stored.meta["request"]["draft_id"] == article.draft_id
    assert workbench.db.drafts.list_versions(article.draft_id) == before  # never changed


@pytest.mark.parametrize("channel", sorted(names()))
def test_every_channel_from_a_topic(workbench, channel) -> None:
    result = workbench.rewrite(channel=channel, topic="repurposing articles for social channels")
    assert_within_limits(result)
    assert result.source_draft_id is None and result.title.startswith("Repurposing articles")
    assert "Repurposing long articles for social channels" in {s.title for s in result.sources}
    corpus = " ".join(normalised(p.read_text(encoding="utf-8")) for p in CORPUS.iterdir())
    assert all(" ".join(s.split()) in corpus for s in post_sentences(result))


def test_a_tighter_limit_and_a_keyword(workbench, article) -> None:
    result = workbench.rewrite(
        channel="linkedin", draft_id=article.draft_id, max_chars=600, keyword="subject lines"
    )
    assert_within_limits(result, max_chars=600)
    assert result.parts.hashtags[0] == "#SubjectLines"
    assert result.checks[0].limit == 600


def test_an_alias_and_a_pasted_text(workbench) -> None:
    text = (CORPUS / "social-repurposing.md").read_text(encoding="utf-8")
    result = workbench.rewrite(channel="thread", text=text)
    assert result.channel == "x-thread" and result.sources == []
    assert result.title == "Repurposing long articles for social channels"
    assert result.parts.posts[0].startswith(f"1/{len(result.parts.posts)} Repurposing long")
    assert_within_limits(result)


def test_a_persona_banned_word_never_appears(workbench, article) -> None:
    banned = ("newsletter", "hashtags", "subject lines", "open")
    workbench.save_persona(Persona(name="plain", banned_words=banned))
    results = [
        workbench.rewrite(channel=channel, draft_id=article.draft_id, persona="plain")
        for channel in ("email", "x-thread")
    ]
    results.append(
        workbench.rewrite(channel="instagram", topic="social media hashtags", persona="plain")
    )
    for result in results:
        assert_within_limits(result)
        stored = workbench.db.drafts.get_version(result.draft_id)
        draft = workbench.db.drafts.get_draft(result.draft_id)
        everything = " | ".join(
            strings(
                [
                    result.text,
                    result.title,
                    result.parts.model_dump(mode="json"),
                    result.warnings,
                    result.model_dump(mode="json")["sources"],
                    stored.content,
                    {k: v for k, v in stored.meta.items() if k != "checks"},
                    draft.title,
                    draft.topic,
                ]
            )
        )
        assert not find_banned(everything, banned), find_banned(everything, banned)
    with pytest.raises(ValidationError, match="keyword"):
        workbench.rewrite(channel="linkedin", text="A text.", keyword="open rates", persona="plain")


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"channel": "myspace", "text": "A text."}, ValidationError, "linkedin, x-thread"),
        ({"channel": "email"}, ValidationError, "exactly one of draft_id, text or topic"),
        ({"channel": "email", "text": "A.", "topic": "B"}, ValidationError, "got text, topic"),
        ({"channel": "email", "text": "  \n "}, ValidationError, "the text is empty"),
        ({"channel": "email", "topic": " "}, ValidationError, "the topic is empty"),
        ({"channel": "email", "draft_id": 99999}, NotFoundError, "no draft 99999"),
        ({"channel": "x", "text": "A.", "max_chars": 5000}, ValidationError, "at most 3360"),
        ({"channel": "email", "text": "A text.", "persona": "nobody"}, ValidationError, "nobody"),
        ({"channel": "email", "topic": "quantum chromodynamics"}, ValidationError, "no sources"),
    ],
)
def test_bad_requests_fail_before_anything_is_stored(workbench, fields, error, message) -> None:
    drafts = len(workbench.db.drafts.list_drafts())
    with pytest.raises(error, match=message):
        workbench.rewrite(**fields)
    assert len(workbench.db.drafts.list_drafts()) == drafts


def test_the_cli_prints_the_post_and_its_checks(tmp_path, monkeypatch) -> None:
    from aiwriter_kernel.cli import app

    monkeypatch.setenv("AIWRITER_HOME", str(tmp_path / "home"))
    text_file = tmp_path / "post.md"
    text_file.write_text((CORPUS / "email-newsletters.md").read_text(encoding="utf-8"))
    runner = CliRunner()
    shown = runner.invoke(app, ["rewrite", "--channel", "email", "--text-file", str(text_file)])
    assert shown.exit_code == 0, shown.output
    assert "Subject: " in shown.output and "ok subject:" in shown.output
    as_json = runner.invoke(
        app, ["rewrite", "-c", "thread", "-f", str(text_file), "--json", "--max-chars", "900"]
    )
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["channel"] == "x-thread" and len(data["text"]) <= 900
    assert all(check["passed"] for check in data["checks"])
    both = runner.invoke(app, ["rewrite", "-c", "email", "--topic", "x", "-f", str(text_file)])
    assert both.exit_code == 1
