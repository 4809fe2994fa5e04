"""The fact-check pipeline: a text (or a stored draft) -> its checkable claims -> a verdict
on each from the knowledge base (and the web, when asked and available) -> a stored report.

Each claim is marked ``supported``, ``contradicted`` or ``no_evidence``; a verdict that
rests on evidence quotes it word for word from the passage it cites. A model's answers are
JSON that is parsed and checked (verdict in the allowed set, the label one it was given,
the quote really in that passage); an unusable answer is replaced by the offline judgement
and a warning says so, so nothing unverified is ever stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import VERDICTS, ClaimsTask, SourcePassage, VerdictTask, Voice
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.claims import unsourced_reason
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.quotes import locate

Verdict = Literal["supported", "contradicted", "no_evidence"]
WEB_RESULTS = 3
MIN_QUOTE_WORDS = 3
REDACTED = "[redacted]"
NO_CLAIMS = (
    "no checkable claims: the text states no figures, dates, names, comparisons or causes "
    "a source could confirm (questions, instructions, opinions and headings are not checked)"
)


# -- the request and the result --------------------------------------------------------------


class FactCheckRequest(BaseModel):
    """What to check: pasted ``text`` or a stored draft (exactly one), and where to look."""

    model_config = ConfigDict(frozen=True)

    text: str | None = Field(default=None, max_length=200_000)
    draft_id: int | None = Field(default=None, ge=1)
    k: int = Field(default=5, ge=1, le=50)  # knowledge-base passages retrieved per claim
    use_web: bool = False
    max_claims: int = Field(default=30, ge=1, le=200)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    @model_validator(mode="after")
    def _one_input(self) -> FactCheckRequest:
        if (self.text is None) == (self.draft_id is None):
            raise ValueError("give exactly one of text or draft_id")
        if self.text is not None and not self.text.strip():
            raise ValueError("the text is empty: paste the text to check")
        return self


class Evidence(BaseModel):
    """The passage a verdict rests on, quoted word for word; ``chunk_id`` is None for a web
    snippet. ``label`` numbers the passage for the whole report."""

    quote: str
    label: int
    title: str
    origin: str
    chunk_id: str | None = None


class ClaimCheck(BaseModel):
    claim: str
    verdict: Verdict
    reason: str
    evidence: Evidence | None = None


class FactCheckResult(BaseModel):
    """Every claim with its verdict; ``reason`` says why the list is empty when it is."""

    claims: list[ClaimCheck]
    counts: dict[str, int]
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)
    draft_id: int
    version: int
    source_draft_id: int | None = None
    provider: str

    def to_markdown(self, title: str) -> str:
        """The report as it is stored: verdicts, quotes and the passages they cite."""
        lines = [f"# {title}", ""]
        lines.append(" · ".join(f"{v.replace('_', ' ')}: {self.counts[v]}" for v in VERDICTS))
        if self.reason:
            lines += ["", self.reason]
        cited: dict[int, Evidence] = {}
        for number, check in enumerate(self.claims, 1):
            lines += ["", f"{number}. **{check.verdict.replace('_', ' ')}**: {check.claim}"]
            if check.evidence is not None:
                cited.setdefault(check.evidence.label, check.evidence)
                lines.append(
                    f"   > {' '.join(check.evidence.quote.split())} [{check.evidence.label}]"
                )
            lines.append(f"   {check.reason}")
        if cited:
            lines += ["", "## References", ""]
            lines += [f"[{label}] {e.title} — {e.origin}" for label, e in sorted(cited.items())]
        return "\n".join(lines).rstrip() + "\n"


# -- reading a model's (or the composer's) JSON ----------------------------------------------


class FactCheckParseError(ValueError):
    """The answer is not the JSON the prompt asked for, or it cites what it was not given."""


class ParsedVerdict(BaseModel):
    verdict: Verdict
    reason: str
    passage: SourcePassage | None = None
    quote: str | None = None


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in an answer, tolerating a code fence or words around it."""
    cleaned = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end < start:
        raise FactCheckParseError("the answer holds no JSON object")
    try:
        data = json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as error:
        raise FactCheckParseError(f"the answer is not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise FactCheckParseError("the answer is not a JSON object")
    return data


def parse_claims(text: str, max_claims: int) -> list[str]:
    """``{"claims": [...]}`` as a list of distinct, non-empty claims, at most ``max_claims``."""
    claims = json_object(text).get("claims")
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise FactCheckParseError('"claims" is not a list of strings')
    cleaned = [" ".join(claim.split()) for claim in claims]
    return list(dict.fromkeys(c for c in cleaned if c))[:max_claims]


def parse_verdict(
    text: str, passages: Sequence[SourcePassage], banned: Sequence[str] = ()
) -> ParsedVerdict:
    """A verdict checked against the passages it was judged on: the label must be one of
    theirs and the quote must occur in that passage (it is returned as the passage writes it)."""
    data = json_object(text)
    verdict = data.get("verdict")
    if verdict not in VERDICTS:
        raise FactCheckParseError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    reason = data.get("reason")
    reason = " ".join(reason.split()) if isinstance(reason, str) and reason.strip() else verdict
    if verdict == "no_evidence":
        return ParsedVerdict(verdict=verdict, reason=reason)
    label = data.get("label")
    passage = next((p for p in passages if not isinstance(label, bool) and p.label == label), None)
    if passage is None:
        raise FactCheckParseError(f"it cites source {label!r}, which it was not given")
    quote = data.get("quote")
    exact = locate(quote, passage.text) if isinstance(quote, str) else None
    if exact is None or len(exact.split()) < MIN_QUOTE_WORDS:
        raise FactCheckParseError(f"its quote does not occur in source [{passage.label}]")
    if find_banned(exact, banned):
        raise FactCheckParseError(f"its quote from source [{passage.label}] uses a banned word")
    return ParsedVerdict(verdict=verdict, reason=reason, passage=passage, quote=exact)


def redact(text: str, banned: Sequence[str]) -> str:
    """``text`` with each banned word or phrase replaced, so it is never shown or stored."""
    for word in find_banned(text, banned):
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, word.split())) + r"(?!\w)"
        text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
    return text


# -- the pipeline ----------------------------------------------------------------------------


class _PassageLabels:
    """One number per passage (a chunk or a web page) for the whole report."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        return self.numbers.setdefault(key, len(self.numbers) + 1)


class FactCheckPipeline:
    """Checks a text's claims against one workbench's knowledge base."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context
        self.web_on = False  # set per run; turned off when the web proves unavailable

    def run(self, request: FactCheckRequest, on_event: OnEvent = quiet) -> FactCheckResult:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        text, title = self._text(request)
        warnings: list[str] = []
        on_event(PipelineEvent(stage="generate", message="finding the checkable claims"))
        claims = self._claims(text, request, voice, warnings)
        labels = _PassageLabels()
        self.web_on = request.use_web
        checks: list[ClaimCheck] = []
        for number, claim in enumerate(claims, 1):
            on_event(PipelineEvent(stage="research", message=f"claim {number}/{len(claims)}"))
            passages = self._passages(claim, request, labels, warnings)
            checks.append(self._verdict(claim, passages, request, voice, warnings))
        if claims and not labels.numbers:
            warnings.append(
                f"the knowledge base ({request.workspace}) returned no passages: "
                "ingest sources first (aiwriter ingest PATH)"
            )
        on_event(PipelineEvent(stage="check", message="keeping banned words out of the report"))
        banned = voice.banned_words if voice else ()
        checks = self._without_banned(checks, banned, warnings)
        return self._store(request, redact(title, banned), checks, warnings, on_event)

    def _text(self, request: FactCheckRequest) -> tuple[str, str]:
        """The text to check and a title for the report."""
        if request.text is not None:
            first = request.text.strip().splitlines()[0].lstrip("# ").strip()
            return request.text, fit(first, 60)
        draft = self.context.scope.require_draft(request.draft_id)
        stored = self.context.scope.version(request.draft_id)
        if not stored.content.strip():
            raise ValidationError(f"draft {request.draft_id} is empty: there is nothing to check")
        return stored.content, f"draft {request.draft_id}, {draft.title}"

    def _claims(
        self, text: str, request: FactCheckRequest, voice: Voice | None, warnings: list[str]
    ) -> list[str]:
        task = ClaimsTask(text=text, max_claims=request.max_claims, voice=voice)
        answer = self.context.models.text(task, request)
        try:
            return parse_claims(answer, request.max_claims)
        except FactCheckParseError as error:
            warnings.append(f"the model's claim list was unusable ({error}); used the offline one")
            return parse_claims(self.context.models.fallback(task), request.max_claims)

    def _passages(
        self,
        claim: str,
        request: FactCheckRequest,
        labels: _PassageLabels,
        warnings: list[str],
    ) -> tuple[SourcePassage, ...]:
        """One passage per retrieved chunk (and web snippet), numbered for the report."""
        hits = self.context.knowledge.search(claim, k=request.k, workspace=request.workspace)
        passages = [
            SourcePassage(
                label=labels(f"chunk:{hit.chunk_id}"),
                title=hit.source_title,
                origin=hit.origin,
                text=hit.text,
                chunk_id=hit.chunk_id,
            )
            for hit in hits
            if hit.text.strip()
        ]
        if self.web_on:
            passages += self._web_passages(claim, labels, warnings)
        unique = {passage.label: passage for passage in passages}  # a page listed twice
        return tuple(unique.values())

    def _web_passages(
        self, claim: str, labels: _PassageLabels, warnings: list[str]
    ) -> list[SourcePassage]:
        """The web results' snippets as passages; once the web is unavailable, it stays off."""
        from aiwriter_kernel.research.web.search import WebSearchUnavailable

        try:
            results = self.context.knowledge.web_search(claim, max_results=WEB_RESULTS)
        except WebSearchUnavailable as error:
            self.web_on = False
            warnings.append(f"{error}; checked against the knowledge base only")
            return []
        return [
            SourcePassage(
                label=labels(f"web:{result.url}\n{result.snippet}"),
                title=result.title,
                origin=result.url,
                text=result.snippet,
            )
            for result in results
            if result.snippet.strip()
        ]

    def _verdict(
        self,
        claim: str,
        passages: tuple[SourcePassage, ...],
        request: FactCheckRequest,
        voice: Voice | None,
        warnings: list[str],
    ) -> ClaimCheck:
        banned = voice.banned_words if voice else ()
        if not passages:
            return ClaimCheck(claim=claim, verdict="no_evidence", reason=unsourced_reason(claim))
        task = VerdictTask(claim=claim, sources=passages, voice=voice)
        answer = self.context.models.text(task, request)
        try:
            parsed = parse_verdict(answer, passages, banned)
        except FactCheckParseError as error:
            warnings.append(
                f"the model's verdict on {fit(claim, 60)!r} was unusable ({error}); "
                "used the offline judgement"
            )
            parsed = parse_verdict(self.context.models.fallback(task), passages, banned)
        evidence = None
        if parsed.passage is not None and parsed.quote is not None:
            evidence = Evidence(
                quote=parsed.quote,
                label=parsed.passage.label,
                title=parsed.passage.title,
                origin=parsed.passage.origin,
                chunk_id=parsed.passage.chunk_id,
            )
        return ClaimCheck(
            claim=claim, verdict=parsed.verdict, reason=parsed.reason, evidence=evidence
        )

    @staticmethod
    def _without_banned(
        checks: list[ClaimCheck], banned: Sequence[str], warnings: list[str]
    ) -> list[ClaimCheck]:
        """Claims and reasons come from the writer's text and the model: redact banned words."""
        cleaned = [
            check.model_copy(
                update={
                    "claim": redact(check.claim, banned),
                    "reason": redact(check.reason, banned),
                }
            )
            for check in checks
        ]
        changed = sum(1 for old, new in zip(checks, cleaned, strict=True) if old != new)
        if changed:
            warnings.append(
                f"{changed} claims or reasons used words the persona bans; shown as {REDACTED}"
            )
        return cleaned

    def _store(
        self,
        request: FactCheckRequest,
        title: str,
        checks: list[ClaimCheck],
        warnings: list[str],
        on_event: OnEvent,
    ) -> FactCheckResult:
        title = f"Fact check: {title}" if title else "Fact check"
        counts = {verdict: sum(1 for c in checks if c.verdict == verdict) for verdict in VERDICTS}
        provider = self.context.models.provider_of(request)
        result = FactCheckResult(
            claims=checks,
            counts=counts,
            reason=None if checks else NO_CLAIMS,
            warnings=warnings,
            draft_id=0,
            version=0,
            source_draft_id=request.draft_id,
            provider=provider,
        )
        on_event(PipelineEvent(stage="store", message="saving the fact check"))
        draft, version = self.context.drafts.save(
            "fact-check",
            workspace=request.workspace,
            title=title,
            topic=title.removeprefix("Fact check: "),
            content=result.to_markdown(title),
            stage="fact-check",
            meta={
                # The checked text itself is not stored: it may use the persona's banned words.
                "request": request.model_dump(mode="json", exclude={"text"}),
                "checked_chars": len(request.text or ""),
                **result.model_dump(mode="json", exclude={"draft_id", "version"}),
            },
        )
        on_event(PipelineEvent(stage="done", message=f"fact check {draft.id}"))
        return result.model_copy(update={"draft_id": draft.id, "version": version.version})
