"""Channel rewrites: a stored draft, a pasted text or a researched topic -> a post for one
channel (LinkedIn, an X thread, an email...), within the channel's hard limits, stored as a
new draft of kind ``rewrite:<channel>``.

Whatever the provider returns is parsed into the channel's parts, the persona's banned
words are dropped, and every limit is enforced and measured (the channel's module in
``channels/``), so a model that ignores the limits still yields a post that fits,
with a warning for each repair. The source draft is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiwriter_kernel.channels import (
    ChannelParts,
    ChannelRules,
    LimitCheck,
    Parts,
    get,
    resolve_channel,
)
from aiwriter_kernel.channels.common import normalize_hashtag
from aiwriter_kernel.errors import AIWriterError, ValidationError
from aiwriter_kernel.llm.tasks import NO_EVIDENCE, RewriteTask, SummaryTask, Voice
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import MARKER, labels_in
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.evidence import EvidenceRegistry
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.pipelines.summary import missing_terms, redact
from aiwriter_kernel.text.banned import drop_banned_sentences, find_banned
from aiwriter_kernel.text.sentences import find_headings

TOPIC_HITS = 8  # passages researched for a topic
TOPIC_WORDS = 250  # the summary of the evidence a topic's post is written from
MIN_COVERAGE = 0.5  # share of the topic's words a passage must use to count as about it
MIN_MAX_CHARS = 100  # below this no channel's shape fits
TITLE_CHARS = 120
REFERENCES = re.compile(r"^\s{0,3}#{1,6}\s*(references|sources)\s*$", re.IGNORECASE | re.MULTILINE)
FIRST_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+)$", re.MULTILINE)  # see find_headings


# -- the request and the result --------------------------------------------------------------


class RewriteRequest(BaseModel):
    """What to rewrite (exactly one of a draft, a text or a topic) and for which channel."""

    model_config = ConfigDict(frozen=True)

    channel: str
    draft_id: int | None = Field(default=None, ge=1)
    text: str | None = Field(default=None, max_length=200_000)
    topic: str | None = Field(default=None, max_length=300)
    keyword: str | None = Field(default=None, max_length=100)
    max_chars: int | None = Field(default=None, ge=MIN_MAX_CHARS)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, channel: str) -> str:
        try:
            return resolve_channel(channel)
        except AIWriterError as error:
            raise ValueError(str(error)) from None

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            raise ValueError("the text is empty: give the text to rewrite")
        return text.strip() if text is not None else None

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, topic: str | None) -> str | None:
        if topic is not None and not topic.strip():
            raise ValueError("the topic is empty: say what the post is about")
        return " ".join(topic.split()) if topic is not None else None

    @field_validator("keyword")
    @classmethod
    def _clean_keyword(cls, keyword: str | None) -> str | None:
        return " ".join(keyword.split()) or None if keyword is not None else None

    @model_validator(mode="after")
    def _one_source_within_limits(self) -> RewriteRequest:
        given = [name for name in ("draft_id", "text", "topic") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of draft_id, text or topic"
                + (f" (got {', '.join(given)})" if given else "")
            )
        most = get(self.channel).rules.max_chars
        if self.max_chars is not None and self.max_chars > most:
            raise ValueError(f"max_chars: {self.channel} allows at most {most} characters")
        return self


class SourceRef(BaseModel):
    """A source the post draws on: the documents behind the draft or the topic's research."""

    model_config = ConfigDict(frozen=True)

    title: str
    origin: str


class RewriteResult(BaseModel):
    """The stored post: as pasted (``text``), in its parts, and measured against each limit."""

    draft_id: int
    version: int
    channel: str
    title: str
    text: str
    parts: ChannelParts
    checks: list[LimitCheck]
    warnings: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    source_draft_id: int | None = None
    provider: str

    @property
    def passed(self) -> bool:
        """Every hard limit holds."""
        return all(limit.passed for limit in self.checks)


class Material(BaseModel):
    """What is rewritten: its text, a title for the new draft, and where it came from."""

    title: str
    topic: str
    text: str
    sources: list[SourceRef] = Field(default_factory=list)
    source_draft_id: int | None = None
    warnings: list[str] = Field(default_factory=list)


# -- the pipeline ----------------------------------------------------------------------------


class RewritePipeline:
    """Rewrites material for one channel of one workbench."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: RewriteRequest, on_event: OnEvent = quiet) -> RewriteResult:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        banned = voice.banned_words if voice else ()
        if request.keyword and find_banned(request.keyword, banned):
            raise ValidationError(f"the keyword uses a word persona {request.persona!r} bans")
        channel = get(request.channel)
        rules = channel.rules
        limit = request.max_chars or rules.max_chars
        material = self._material(request, voice, on_event)
        warnings = list(material.warnings)
        task = RewriteTask(
            text=material.text,
            channel=request.channel,
            max_chars=limit,
            keyword=request.keyword,
            voice=voice,
        )
        on_event(PipelineEvent(stage="generate", message=f"rewriting for {request.channel}"))
        output = self.context.models.text(task, request)
        on_event(PipelineEvent(stage="check", message=f"enforcing the {request.channel} limits"))
        parts = self._parsed(task, output, warnings)
        parts = without_banned(parts, banned, warnings)
        parts = with_keyword_tag(parts, request.keyword, rules)
        parts, repairs = channel.enforce(parts, limit)
        warnings += repairs
        text = parts.render()
        if parts.is_empty():
            raise ValidationError(
                "nothing of the text survived the checks (does every sentence use a banned word?)"
            )
        if find_banned(text, banned):
            raise ValidationError("the post cannot avoid the persona's banned words")
        warnings += keyword_warnings(text, request.keyword)
        checks = channel.check(parts, limit)
        return self._store(request, material, parts, checks, warnings, banned, on_event)

    # -- what to rewrite -----------------------------------------------------------------------

    def _material(self, request: RewriteRequest, voice: Voice | None, on_event) -> Material:
        if request.draft_id is not None:
            return self._from_draft(request, on_event)
        if request.topic is not None:
            return self._from_topic(request, voice, on_event)
        text = request.text or ""
        headings = find_headings(FIRST_HEADING, text)
        title = headings[0] if headings else " ".join(MARKER.sub("", text).split()[:10])
        return Material(title=title[:TITLE_CHARS], topic=title[:TITLE_CHARS], text=text)

    def _from_draft(self, request: RewriteRequest, on_event) -> Material:
        """The draft's latest version without its reference list; the sources it cites."""
        on_event(PipelineEvent(stage="research", message=f"reading draft {request.draft_id}"))
        draft = self.context.scope.draft_in(request.draft_id, request.workspace)
        latest = self.context.scope.drafts.get_version(draft.id)
        text = REFERENCES.split(latest.content, maxsplit=1)[0].strip() if latest else ""
        if not MARKER.sub("", text).strip():
            raise ValidationError(f"draft {draft.id} has no text to rewrite yet")
        citations = latest.meta.get("citations", []) if latest else []
        sources = [SourceRef(title=c["title"], origin=c["origin"]) for c in citations]
        return Material(
            title=draft.title,
            topic=draft.topic,
            text=text,
            sources=sources,
            source_draft_id=draft.id,
        )

    def _from_topic(self, request: RewriteRequest, voice: Voice | None, on_event) -> Material:
        """Research the topic and summarise the evidence (as an article's introduction is
        written); the cited summary is what gets rewritten."""
        topic = request.topic or ""
        on_event(PipelineEvent(stage="research", message=f"searching sources for {topic!r}"))
        query = " ".join(part for part in (topic, request.keyword) if part)
        hits = self.context.knowledge.search(
            query, k=TOPIC_HITS, workspace=request.workspace, diversify=True
        )
        relevant = [h for h in hits if missing_terms(topic, [h.text])[1] >= MIN_COVERAGE]
        if not relevant:
            raise ValidationError(
                f"the knowledge base ({request.workspace}) has no sources on {topic!r}: "
                "ingest some first (aiwriter ingest PATH)"
            )
        registry = EvidenceRegistry()
        passages = registry.passages(relevant)
        task = SummaryTask(sources=passages, max_words=TOPIC_WORDS, voice=voice)
        on_event(PipelineEvent(stage="generate", message="summarising the evidence"))
        summary = self.context.models.text(task, request)
        banned = voice.banned_words if voice else ()
        summary, dropped = drop_banned_sentences(summary.strip(), banned)
        if not summary.strip() or summary.strip() == NO_EVIDENCE:
            raise ValidationError(f"the sources found for {topic!r} hold nothing to rewrite")
        warnings = [f"dropped {dropped} summary sentences using banned words"] if dropped else []
        valid = {passage.label for passage in passages}
        cited = [label for label in labels_in(summary) if label in valid] or sorted(valid)
        sources = [
            SourceRef(title=registry.citation(label).title, origin=registry.citation(label).origin)
            for label in cited
        ]
        heading = topic[:1].upper() + topic[1:]
        return Material(
            title=heading,
            topic=topic,
            text=f"# {heading}\n\n{summary}",
            sources=sources,
            warnings=warnings,
        )

    # -- checking --------------------------------------------------------------------------------

    def _parsed(self, task: RewriteTask, output: str, warnings: list[str]) -> Parts:
        """The model's output in the channel's parts; the offline composer's when the model
        gave nothing usable (said so in a warning)."""
        channel = get(task.channel)
        parts = channel.parse(output)
        if parts.is_empty():
            warnings.append("the model's rewrite was empty; used the offline rewrite")
            parts = channel.parse(self.context.models.fallback(task))
        return parts

    # -- storing ---------------------------------------------------------------------------------

    def _store(self, request, material: Material, parts, checks, warnings, banned, on_event):
        on_event(PipelineEvent(stage="store", message="saving the rewrite"))
        title = redact(material.title, banned) or request.channel
        sources = [
            SourceRef(title=redact(s.title, banned), origin=redact(s.origin, banned))
            for s in material.sources
        ]
        stored_request = request.model_dump(mode="json")
        for field in ("text", "topic"):
            if stored_request[field] is not None:
                stored_request[field] = redact(stored_request[field], banned)
        draft, version = self.context.drafts.save(
            f"rewrite:{request.channel}",
            workspace=request.workspace,
            title=title,
            topic=redact(material.topic, banned),
            content=parts.render(),
            stage="rewrite",
            meta={
                "request": stored_request,
                "channel": request.channel,
                "parts": parts.model_dump(mode="json"),
                "checks": [c.model_dump(mode="json") for c in checks],
                "source_draft_id": material.source_draft_id,
                "sources": [s.model_dump(mode="json") for s in sources],
                "warnings": warnings,
            },
        )
        on_event(PipelineEvent(stage="done", message=f"{request.channel} draft {draft.id}"))
        return RewriteResult(
            draft_id=draft.id,
            version=version.version,
            channel=request.channel,
            title=title,
            text=parts.render(),
            parts=parts,
            checks=checks,
            warnings=warnings,
            sources=sources,
            source_draft_id=material.source_draft_id,
            provider=self.context.models.provider_of(request),
        )


# -- repairs shared by every channel ---------------------------------------------------------


def without_banned(parts: Parts, banned: Sequence[str], warnings: list[str]) -> Parts:
    """``parts`` without the sentences and hashtags that use a banned word."""
    if not banned:
        return parts
    dropped = 0

    def clean(text: str) -> str:
        nonlocal dropped
        kept, removed = drop_banned_sentences(text, banned)
        dropped += removed
        return kept

    parts = parts.map_texts(clean)
    if dropped:
        warnings.append(f"dropped {dropped} sentences using the persona's banned words")
    tags = list(getattr(parts, "hashtags", []))
    kept_tags = [tag for tag in tags if not find_banned(tag_words(tag), banned)]
    if len(kept_tags) < len(tags):
        warnings.append(f"dropped {len(tags) - len(kept_tags)} hashtags using banned words")
        parts = parts.model_copy(update={"hashtags": kept_tags})
    return parts


def tag_words(tag: str) -> str:
    """A hashtag's words: "#BrandSynergy" -> "Brand Synergy"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", tag.lstrip("#"))


def with_keyword_tag(parts: Parts, keyword: str | None, rules: ChannelRules) -> Parts:
    """The keyword as the first hashtag, on channels that use hashtags."""
    tag = normalize_hashtag(keyword) if keyword else None
    if tag is None or not rules.max_hashtags or not hasattr(parts, "hashtags"):
        return parts
    others = [t for t in parts.hashtags if t.lower() != tag.lower()]  # type: ignore[attr-defined]
    return parts.model_copy(update={"hashtags": [tag, *others]})


def keyword_warnings(text: str, keyword: str | None) -> list[str]:
    """A warning when the post's words (hashtags aside) never use the keyword."""
    if not keyword:
        return []
    words = " ".join(token for token in text.split() if not token.startswith("#"))
    if keyword.lower() in " ".join(words.lower().split()):
        return []
    return [f"the keyword {keyword!r} does not appear in the post"]
