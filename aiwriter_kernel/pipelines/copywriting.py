"""The copywriting pipeline: material (a text, a stored draft or a knowledge-base topic) ->
short copy in a framework (AIDA, PAS, BAB, FAB, 4Ps, PSP) -> checked -> a stored draft of
kind ``copy:<framework>``.

A model (or the offline composer) answers with one ``Label: text`` block per section. The
answer is parsed into exactly the framework's sections: stray text and extra sections go,
a missing or empty section is written by the offline composer instead, each section is cut
to its format's limit at a sentence boundary, no sentence is used twice, and no sentence
with the persona's banned words survives. Every repair is a warning, never silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from aiwriter_kernel.copywriting import (
    CopyFormat,
    CopyFramework,
    CopyLimits,
    resolve_framework,
)
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import CopyTask, SourcePassage, Voice
from aiwriter_kernel.pipelines.article_models import Citation, PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import CITED
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.evidence import EvidenceRegistry
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.text.banned import drop_banned_sentences, find_banned
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.sentences import split_sentences
from aiwriter_kernel.text.words import words

TOPIC_HITS = 8
# A line that opens a labelled block: "Attention: ...", "**Attention:** ...", "- Proof: ...".
# Its runs of spaces are possessive (\s*+): two plain \s* around an optional part split a
# run in every way, in time quadratic in its length for each length of the label.
LABEL_LINE = re.compile(
    r"^\s*+(?:[-*>#]+\s*+)?(?:\*\*|__)?\s*+(?P<label>[A-Za-z0-9][A-Za-z0-9 '&/-]{0,30}?)\s*+"
    r"(?:\*\*|__)?\s*+:\s*+(?:\*\*|__)?\s*+(?P<text>.*)$"
)
# The bold section labels of stored copy ("**Problem:** ..."), so copy can be rewritten.
BOLD_LABEL = re.compile(r"^\*\*[^*\n]{1,40}:\*\*\s*", re.MULTILINE)
REFERENCES = re.compile(r"^#{1,6}\s*References\s*$", re.MULTILINE | re.IGNORECASE)


# -- the request and the result --------------------------------------------------------------


class CopyRequest(BaseModel):
    """What copy to write and from what: exactly one of ``text``, ``draft_id`` or ``topic``
    (a knowledge-base search) is the material."""

    model_config = ConfigDict(frozen=True)

    framework: str
    format: CopyFormat = "ad"
    offer: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=200_000)
    draft_id: int | None = Field(default=None, ge=1)
    topic: str | None = Field(default=None, max_length=300)
    audience: str | None = Field(default=None, max_length=200)
    cta: str | None = Field(default=None, max_length=200)
    keyword: str | None = Field(default=None, max_length=100)
    max_chars: int | None = Field(default=None, ge=60, le=5000)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    @field_validator("framework")
    @classmethod
    def _known_framework(cls, name: str) -> str:
        try:
            return resolve_framework(name).key
        except ValueError as error:
            raise PydanticCustomError("unknown_framework", str(error)) from None

    @field_validator("offer", "topic", "audience", "cta", "keyword")
    @classmethod
    def _tidy(cls, value: str | None) -> str | None:
        return (" ".join(value.split()) or None) if value is not None else None

    @model_validator(mode="after")
    def _one_material(self) -> CopyRequest:
        given = [name for name in ("text", "draft_id", "topic") if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "material", "give exactly one of text, draft_id or topic as the material"
            )
        if self.text is not None and not self.text.strip():
            raise PydanticCustomError(
                "empty_text", "the text is empty: give the copy something to work from"
            )
        return self

    @property
    def copy_framework(self) -> CopyFramework:
        return resolve_framework(self.framework)


class CopySection(BaseModel):
    label: str
    text: str
    chars: int


class CopyCheck(BaseModel):
    """One rule of the format (a length, the call to action, the keyword) and whether the
    copy keeps it."""

    name: str
    ok: bool
    detail: str


class CopyResult(BaseModel):
    """The stored copy: its sections in the framework's order and how it fares against the
    format's limits. ``reason`` says why a section is empty, when one is."""

    framework: str
    format: CopyFormat
    sections: list[CopySection]
    markdown: str
    total_chars: int
    checks: list[CopyCheck]
    citations: list[Citation] = Field(default_factory=list)
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)
    provider: str
    draft_id: int
    version: int


# -- parsing and repairing the model's answer --------------------------------------------------


def _label_key(label: str) -> str:
    """Labels compare without case or a plural 's' ('benefit' is 'Benefits')."""
    return " ".join(label.lower().split()).removesuffix("s")


def parse_copy(answer: str, framework: CopyFramework) -> tuple[dict[str, str], list[str]]:
    """The answer's text per framework label, and warnings about what was left out: text
    before the first block, blocks with other labels, a label given twice."""
    known = {_label_key(label): label for label in framework.labels}
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    stray, extra, repeated = False, [], []
    for line in answer.splitlines():
        match = LABEL_LINE.match(line)
        if match and _label_key(match["label"]) in known:
            label = known[_label_key(match["label"])]
            if label in blocks:
                repeated.append(label)
                current = None
                continue
            current = blocks[label] = [match["text"]]
        elif match and len(match["label"].split()) <= 3 and match["label"][0].isupper():
            extra.append(match["label"].strip())
            current = None
        elif current is not None:
            current.append(line)
        elif line.strip():
            stray = True
    warnings = []
    if stray:
        warnings.append("dropped the model's text outside the copy's sections")
    if extra:
        warnings.append(f"dropped sections the {framework.name} framework has not: {extra}")
    if repeated:
        warnings.append(f"kept the first of repeated sections {repeated}")
    texts = {label: " ".join(" ".join(lines).split()) for label, lines in blocks.items()}
    return texts, warnings


def trim_to(text: str, limit: int) -> str:
    """Whole sentences from the start that fit ``limit``; the first one cut if it alone
    does not."""
    kept: list[str] = []
    for sentence in split_sentences(text):
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept) if kept else fit(text, limit)


def _sentence_key(sentence: str) -> str:
    """Sentences are the same when their words and numbers are, whatever the case."""
    return " ".join(re.findall(r"\w+", sentence.lower()))


class CopyRepair:
    """Turns one answer into exactly the framework's sections, recording every repair."""

    def __init__(
        self,
        task: CopyTask,
        limits: CopyLimits,
        warnings: list[str],
        offline: Callable[[CopyTask], str],
    ) -> None:
        self.task = task
        self.offline = offline  # the offline writer's copy, asked through the gateway
        self.limits = limits
        self.warnings = warnings
        self.banned = task.voice.banned_words if task.voice else ()
        self.used: set[str] = set()
        self._offline: dict[str, str] | None = None

    def sections(self, answer: str) -> dict[str, str]:
        parsed, notes = parse_copy(answer, self.task.framework)
        self.warnings.extend(notes)
        texts: dict[str, str] = {}
        for label in self.task.framework.labels:
            text = self._cleaned(label, parsed.get(label, ""))
            if not text:
                text = self._filled(label, missing=label not in parsed)
            texts[label] = text
        return texts

    def _cleaned(self, label: str, text: str) -> str:
        """No citation markers, no banned word, no sentence said before, within the limit."""
        text = " ".join(CITED.sub("", text).split())
        text, dropped = drop_banned_sentences(text, self.banned)
        if dropped:
            self.warnings.append(f"dropped {dropped} sentences with banned words from {label}")
        text = self._unused(label, text)
        if len(text) > self.limits.section_chars:
            text = trim_to(text, self.limits.section_chars)
            self.warnings.append(
                f"cut the {label} section to its limit of {self.limits.section_chars} characters"
            )
        self.used.update(_sentence_key(s) for s in split_sentences(text))
        return text

    def _unused(self, label: str, text: str) -> str:
        fresh, seen = [], set(self.used)
        for sentence in split_sentences(text):
            if _sentence_key(sentence) in seen:
                continue
            seen.add(_sentence_key(sentence))
            fresh.append(sentence)
        if len(fresh) < len(split_sentences(text)):
            self.warnings.append(f"dropped repeated sentences from the {label} section")
        return " ".join(fresh)

    def _filled(self, label: str, *, missing: bool) -> str:
        """The offline composer's version of the section, when it has one."""
        if self._offline is None:
            self._offline, _ = parse_copy(self.offline(self.task), self.task.framework)
        fresh = self._unused(label, self._offline.get(label, ""))
        fresh, _ = drop_banned_sentences(fresh, self.banned)
        if fresh:
            what = "had no" if missing else "left nothing usable in its"
            self.warnings.append(
                f"the copy {what} {label} section; wrote it from the material offline"
            )
            self.used.update(_sentence_key(s) for s in split_sentences(fresh))
        return fresh


# -- checks ----------------------------------------------------------------------------------


def _mentions(text: str, phrase: str) -> bool:
    return " ".join(words(phrase)) in " ".join(words(text))


def check_copy(
    sections: list[CopySection],
    limits: CopyLimits,
    request: CopyRequest,
    banned: tuple[str, ...] = (),
) -> list[CopyCheck]:
    """The format's rules: every section written, each and all within their length, the
    call to action and the keyword present when asked for."""
    empty = [s.label for s in sections if not s.text]
    longest = max(sections, key=lambda s: s.chars)
    total = sum(s.chars for s in sections)
    text = " ".join(s.text for s in sections)
    checks = [
        CopyCheck(
            name="sections",
            ok=not empty,
            detail=f"empty: {', '.join(empty)}" if empty else f"all {len(sections)} written",
        ),
        CopyCheck(
            name="section length",
            ok=longest.chars <= limits.section_chars,
            detail=f"longest {longest.label}, {longest.chars} of {limits.section_chars} chars",
        ),
        CopyCheck(
            name="total length",
            ok=total <= limits.total_chars,
            detail=f"{total} of {limits.total_chars} chars",
        ),
    ]
    for name, phrase in (("call to action", request.cta), ("keyword", request.keyword)):
        if not phrase:
            continue
        found = _mentions(text, phrase)
        shown = "it uses a banned word" if find_banned(phrase, banned) else repr(phrase)
        detail = f"used {shown}" if found else f"not used ({shown})"
        checks.append(CopyCheck(name=name, ok=found, detail=detail))
    return checks


def to_markdown(sections: list[CopySection]) -> str:
    return "\n\n".join(f"**{s.label}:** {s.text}".rstrip() for s in sections) + "\n"


# -- the pipeline ------------------------------------------------------------------------------


class CopyPipeline:
    """Writes, repairs, checks and stores copy for one workbench."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: CopyRequest, on_event: OnEvent = quiet) -> CopyResult:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        banned = voice.banned_words if voice else ()
        framework = request.copy_framework
        text, passages, citations = self._material(request, on_event)
        task = CopyTask(
            framework=framework,
            format=request.format,
            text=text,
            offer=request.offer,
            audience=request.audience,
            cta=request.cta,
            keyword=request.keyword,
            max_chars=request.max_chars,
            sources=passages,
            voice=voice,
        )
        on_event(PipelineEvent(stage="generate", message=f"writing {framework.name} copy"))
        answer = self.context.models.text(task, request)
        on_event(PipelineEvent(stage="check", message="checking sections, limits, banned words"))
        limits = framework.limits(request.format, request.max_chars)
        warnings: list[str] = []
        repair = CopyRepair(task, limits, warnings, self.context.models.fallback)
        texts = repair.sections(answer)
        sections = [
            CopySection(label=label, text=texts[label], chars=len(texts[label]))
            for label in framework.labels
        ]
        empty = [s.label for s in sections if not s.text]
        reason = (
            f"the material has nothing usable for {', '.join(empty)}: "
            "give a longer text or a broader topic"
            if empty
            else None
        )
        result = CopyResult(
            framework=framework.name,
            format=request.format,
            sections=sections,
            markdown=to_markdown(sections),
            total_chars=sum(s.chars for s in sections),
            checks=check_copy(sections, limits, request, banned),
            citations=citations,
            reason=reason,
            warnings=warnings,
            provider=self.context.models.provider_of(request),
            draft_id=0,
            version=0,
        )
        return self._store(request, result, voice, on_event)

    def _material(
        self, request: CopyRequest, on_event: OnEvent
    ) -> tuple[str, tuple[SourcePassage, ...], list[Citation]]:
        """The text to write from, or the knowledge base's passages on the topic."""
        if request.text is not None:
            return request.text, (), []
        if request.draft_id is not None:
            return self._draft_text(request.draft_id), (), []
        on_event(PipelineEvent(stage="research", message=f"searching for {request.topic!r}"))
        query = " ".join(part for part in (request.topic, request.keyword) if part)
        hits = self.context.knowledge.search(query, k=TOPIC_HITS, workspace=request.workspace)
        if not hits:
            raise ValidationError(
                f"the knowledge base ({request.workspace}) has no sources on {request.topic!r}: "
                "ingest some first (aiwriter ingest PATH)"
            )
        registry = EvidenceRegistry()
        passages = registry.passages(hits)
        return "", passages, [registry.citation(p.label) for p in passages]

    def _draft_text(self, draft_id: int) -> str:
        """A stored draft's latest text, without its reference list."""
        self.context.scope.require_draft(draft_id)
        content = self.context.scope.version(draft_id).content
        content = BOLD_LABEL.sub("", REFERENCES.split(content, maxsplit=1)[0]).strip()
        if not content:
            raise ValidationError(f"draft {draft_id} is empty: there is nothing to write from")
        return content

    def _store(
        self, request: CopyRequest, result: CopyResult, voice: Voice | None, on_event: OnEvent
    ) -> CopyResult:
        on_event(PipelineEvent(stage="store", message="saving the copy"))
        banned = voice.banned_words if voice else ()
        framework = request.copy_framework
        offer = request.offer if request.offer and not find_banned(request.offer, banned) else None
        title = f"{framework.name} {request.format} copy" + (f" for {offer}" if offer else "")
        topic = request.topic if request.topic and not find_banned(request.topic, banned) else None
        # The request's own words may carry banned words; only clean ones are stored.
        stored_request = {
            name: value
            for name, value in request.model_dump(mode="json", exclude={"text"}).items()
            if not (isinstance(value, str) and find_banned(value, banned))
        }
        draft, version = self.context.drafts.save(
            f"copy:{framework.key}",
            workspace=request.workspace,
            title=title,
            topic=topic or offer or framework.title,
            content=result.markdown,
            stage="copy",
            meta={
                "request": stored_request,
                **result.model_dump(mode="json", exclude={"draft_id", "version", "markdown"}),
            },
        )
        on_event(PipelineEvent(stage="done", message=f"copy {draft.id} v{version.version}"))
        return result.model_copy(update={"draft_id": draft.id, "version": version.version})
