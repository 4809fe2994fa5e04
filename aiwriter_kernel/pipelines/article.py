"""The article pipeline: research -> outline -> cited sections -> review -> stored draft.

The same steps run offline (the composer) and with any chat model (templates); model
output is parsed and checked (outline shape, citation labels) and repaired or reported,
never stored as garbage. Each stage is a draft version, so a writer can edit the outline
and re-run only the sections it changed.

With a persona, every task carries its voice, and nothing with one of its banned words is
stored: outline points and headings that use one are dropped, and so is every sentence of
the draft that does, each time with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.offline.composer import NO_EVIDENCE, OfflineComposer
from aiwriter_kernel.llm.tasks import OutlineTask, SectionTask, SummaryTask, Voice
from aiwriter_kernel.pipelines.article_models import (
    ArticleRequest,
    ArticleResult,
    Outline,
    OutlineSection,
    PipelineEvent,
)
from aiwriter_kernel.pipelines.citations_markup import CITED, keep_only, labels_in, rewrite_markers
from aiwriter_kernel.pipelines.evidence import EvidenceRegistry
from aiwriter_kernel.pipelines.outline_parser import OutlineParseError, parse_outline
from aiwriter_kernel.pipelines.personas import load_persona
from aiwriter_kernel.text.banned import drop_banned_sentences, find_banned
from aiwriter_kernel.text.sentences import split_sentences

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench

OnEvent = Callable[[PipelineEvent], None]
RESEARCH_HITS, SECTION_HITS = 12, 6
INTRO_SHARE = 0.15
HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s")


def _quiet(event: PipelineEvent) -> None:
    """The default listener: nobody is watching."""


def section_key(section: OutlineSection) -> str:
    """What a section's text depends on: change the heading or points and it is rewritten."""
    return (
        section.heading.strip().lower() + "|" + "|".join(p.strip().lower() for p in section.points)
    )


def plain_sentences(text: str) -> list[str]:
    """Sentences without citation markers, to keep later sections from repeating them."""
    return [CITED.sub("", sentence).strip() for sentence in split_sentences(text)]


def styled_heading(heading: str, style: str, number: int) -> str:
    """Headings as each format expects them (steps, numbered items, questions)."""
    bare = re.sub(r"^(step \d+:|\d+\.)\s*", "", heading, flags=re.IGNORECASE).strip()
    if style == "how-to":
        return f"Step {number}: {bare}"
    if style == "listicle":
        return f"{number}. {bare}"
    if style == "faq" and not bare.endswith("?"):
        return f"What should you know about {bare[:1].lower() + bare[1:]}?"
    return bare


def remove_words(text: str, banned: tuple[str, ...]) -> str:
    """``text`` with each banned word or phrase cut out (whole words, any case), for the
    few places where a whole sentence cannot go: a title, a source's name."""
    for phrase in banned:
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"
        text = re.sub(pattern, "", text, flags=re.IGNORECASE)
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def clean_outline(
    outline: Outline, banned: tuple[str, ...], topic: str, warnings: list[str]
) -> Outline:
    """The outline without a banned word: points using one are dropped, so are sections
    whose heading uses one (when every heading does, the words are cut out instead), and a
    title using one becomes the topic."""
    if not banned or not find_banned(outline.to_markdown(), banned):
        return outline
    sections = [
        section.model_copy(
            update={"points": [p for p in section.points if not find_banned(p, banned)]}
        )
        for section in outline.sections
    ]
    clean = [s for s in sections if not find_banned(s.heading, banned)]
    if not clean:
        clean = [
            s.model_copy(update={"heading": remove_words(s.heading, banned) or f"Part {n}"})
            for n, s in enumerate(sections, 1)
        ]
    title = outline.title
    if find_banned(title, banned):
        title = topic if not find_banned(topic, banned) else remove_words(topic, banned)
    warnings.append("removed banned words of the persona from the outline")
    return Outline(title=title or "Untitled", sections=clean)


def voice_banned(voice: Voice | None) -> tuple[str, ...]:
    """The persona's banned words; none without a persona."""
    return voice.banned_words if voice else ()


def tone_of(request: ArticleRequest, voice: Voice | None) -> str | None:
    """The request's tone, else the persona's."""
    return request.tone or (voice.tone if voice else None)


class ArticlePipeline:
    """Runs and re-runs the article pipeline for one workbench."""

    def __init__(self, workbench: Workbench) -> None:
        self.wb = workbench

    # -- stage 1 and 2: research and outline ----------------------------------------------

    def outline(self, request: ArticleRequest, on_event: OnEvent = _quiet) -> tuple[int, Outline]:
        """Research the topic and plan the article; stored as version 1 (stage "outline").

        An unknown persona is a ValidationError before any search."""
        persona = load_persona(self.wb, request.persona, request.workspace)
        voice = persona.voice() if persona else None
        registry = EvidenceRegistry()
        on_event(
            PipelineEvent(stage="research", message=f"searching sources for {request.topic!r}")
        )
        hits = self.wb.search(
            " ".join([request.topic, *request.keywords]),
            k=RESEARCH_HITS,
            workspace=request.workspace,
            diversify=True,
        )
        if not hits:
            raise ValidationError(
                f"the knowledge base ({request.workspace}) has no sources on {request.topic!r}: "
                "ingest some first (aiwriter ingest PATH)"
            )
        passages = registry.passages(hits)
        on_event(PipelineEvent(stage="outline", message=f"planning from {len(passages)} sources"))
        task = OutlineTask(
            topic=request.topic,
            audience=request.audience or (voice.audience if voice else None),
            tone=tone_of(request, voice),
            keywords=request.keywords,
            sections=request.section_count,
            style=request.format,
            sources=passages,
            voice=voice,
        )
        warnings: list[str] = []
        outline = self._planned(task, request, registry, warnings)
        outline = clean_outline(outline, voice_banned(voice), request.topic, warnings)
        workspace = self.wb.workspace(request.workspace)
        draft, _ = self.wb.db.drafts.create_draft(
            workspace.id,
            kind=request.format,
            title=outline.title,
            topic=request.topic,
            content=outline.to_markdown(),
            stage="outline",
            meta={
                "request": request.model_dump(mode="json"),
                "outline": outline.model_dump(mode="json"),
                "evidence": registry.model_dump(mode="json"),
                "warnings": warnings,
            },
        )
        return draft.id, outline

    def _planned(self, task, request, registry, warnings) -> Outline:
        completion = self.wb.llm.run_task(task, provider=request.provider, model=request.model)
        valid = {entry.label for entry in registry.sources}
        try:
            outline = parse_outline(
                completion.text, fallback_title=request.topic, valid_labels=valid
            )
        except OutlineParseError as error:
            warnings.append(f"the model's outline was unusable ({error}); used the offline one")
            try:
                outline = parse_outline(
                    OfflineComposer().run(task), fallback_title=request.topic, valid_labels=valid
                )
            except OutlineParseError:
                raise ValidationError(
                    f"the knowledge base has too little on {request.topic!r} to plan an "
                    "article: ingest more sources on it"
                ) from None
        sections = outline.sections[: request.section_count]
        for number, section in enumerate(sections, 1):
            section.heading = styled_heading(section.heading, request.format, number)
        return Outline(title=outline.title, sections=sections)

    # -- stage 3 and 4: sections and review ----------------------------------------------

    def draft(
        self, draft_id: int, *, outline: Outline | None = None, on_event: OnEvent = _quiet
    ) -> ArticleResult:
        """Write (or re-write) the draft from its outline; unchanged sections are kept."""
        stored = self.wb.require_draft(draft_id)
        versions = self.wb.db.drafts.list_versions(draft_id)
        planned = next((v for v in versions if v.stage == "outline"), None)
        if planned is None:
            raise ValidationError(
                f"draft {draft_id} is a {stored.kind} draft with no outline: only an article "
                "planned with outline() can be written from its outline"
            )
        latest = versions[-1]
        request = ArticleRequest.model_validate(planned.meta["request"])
        persona = load_persona(self.wb, request.persona, request.workspace)
        voice = persona.voice() if persona else None
        registry = EvidenceRegistry.model_validate(
            latest.meta.get("evidence", planned.meta["evidence"])
        )
        outline = outline or Outline.model_validate(
            latest.meta.get("outline", planned.meta["outline"])
        )
        previous = latest.meta.get("sections", {}) if latest.stage == "draft" else {}
        warnings = list(planned.meta.get("warnings", []))
        outline = clean_outline(outline, voice_banned(voice), request.topic, warnings)
        words_each = int(request.target_words * (1 - INTRO_SHARE) / len(outline.sections))

        intro = self._intro(request, voice, registry, warnings, on_event)
        used = plain_sentences(intro)
        texts: dict[str, str] = {}
        regenerated: list[str] = []
        for section in outline.sections:
            key = section_key(section)
            if key in previous:
                texts[key] = self._reused(previous[key], voice, warnings)
            else:
                texts[key] = self._section(
                    request, voice, section, registry, used, words_each, warnings
                )
                regenerated.append(section.heading)
            used.extend(plain_sentences(texts[key]))
            on_event(
                PipelineEvent(
                    stage="section",
                    message=f"wrote {section.heading}",
                    section=section.heading,
                    text=texts[key],
                )
            )
        return self._finish(
            draft_id,
            request,
            voice,
            outline,
            registry,
            intro,
            texts,
            regenerated,
            warnings,
            on_event,
        )

    def _intro(self, request, voice, registry, warnings, on_event) -> str:
        hits = self.wb.search(request.topic, k=4, workspace=request.workspace)
        task = SummaryTask(
            sources=registry.passages(hits),
            max_words=max(40, int(request.target_words * INTRO_SHARE)),
            voice=voice,
        )
        text = self.wb.llm.run_task(task, provider=request.provider, model=request.model).text
        on_event(
            PipelineEvent(
                stage="section", message="wrote the introduction", section="Introduction", text=text
            )
        )
        return "" if text == NO_EVIDENCE else self._checked(text, task, warnings)

    def _section(self, request, voice, section, registry, used, words, warnings) -> str:
        query = " ".join([section.heading, *section.points, request.topic])
        hits = self.wb.search(query, k=SECTION_HITS, workspace=request.workspace)
        task = SectionTask(
            topic=request.topic,
            heading=section.heading,
            points=tuple(section.points),
            target_words=max(40, words),
            tone=tone_of(request, voice),
            sources=registry.passages(hits),
            avoid_sentences=tuple(used),
            voice=voice,
        )
        text = self.wb.llm.run_task(task, provider=request.provider, model=request.model).text
        if text.strip() == NO_EVIDENCE or not text.strip():
            warnings.append(f"no evidence found for section {section.heading!r}")
            return ""
        return self._checked(text, task, warnings)

    @staticmethod
    def _checked(text: str, task, warnings: list[str]) -> str:
        """Repair model prose before it is stored: no headings of its own (the outline owns
        the structure), no sentence said twice, no citation to a source it was not given,
        no sentence with a banned word of the persona."""
        cleaned, removed = keep_only(text.strip(), [source.label for source in task.sources])
        if removed:
            warnings.append(f"removed citations to unknown sources {removed} in a section")
        cleaned, banned = drop_banned_sentences(cleaned, voice_banned(task.voice))
        if banned:
            warnings.append(f"dropped {banned} sentences using a banned word from a section")
        kept_lines = [line for line in cleaned.splitlines() if not HEADING_LINE.match(line)]
        paragraphs, seen, repeated = [], set(), 0
        for paragraph in "\n".join(kept_lines).split("\n\n"):
            sentences = []
            for sentence in split_sentences(paragraph):
                key = " ".join(CITED.sub("", sentence).lower().split())
                if key in seen:
                    repeated += 1
                    continue
                seen.add(key)
                sentences.append(sentence)
            if sentences:
                paragraphs.append(" ".join(sentences))
        if repeated:
            warnings.append(f"dropped {repeated} repeated sentences from a section")
        return "\n\n".join(paragraphs)

    @staticmethod
    def _reused(text: str, voice, warnings: list[str]) -> str:
        """A section kept from the last version, checked again: the persona may have banned
        more words since it was written."""
        text, dropped = drop_banned_sentences(text, voice_banned(voice))
        if dropped:
            warnings.append(f"dropped {dropped} sentences using a banned word from a section")
        return text

    @staticmethod
    def _without_banned(article: str, voice, warnings: list[str], on_event: OnEvent) -> str:
        """The last check before storing: no sentence, heading or list item of the whole
        article may use a banned word, whichever version of a section it came from."""
        if voice is None or not voice.banned_words:
            return article
        on_event(PipelineEvent(stage="check", message=f"checking the voice of {voice.persona}"))
        article, dropped = drop_banned_sentences(article, voice.banned_words)
        if dropped:
            warnings.append(f"dropped {dropped} sentences using a banned word of {voice.persona}")
        return article

    @staticmethod
    def _reference_title(citation, voice, warnings: list[str]) -> str:
        """A source's title for the reference list, with the persona's banned words cut out.
        The origin (a path or URL) is left whole: a citation must still lead to its source."""
        banned = voice_banned(voice)
        if not find_banned(citation.title, banned):
            return citation.title
        warnings.append(f"cut banned words out of the title of reference [{citation.label}]")
        return remove_words(citation.title, banned) or "Untitled source"

    def _finish(
        self,
        draft_id,
        request,
        voice,
        outline,
        registry,
        intro,
        texts,
        regenerated,
        warnings,
        on_event,
    ) -> ArticleResult:
        from aiwriter_kernel.analysis import citation_report

        body = [f"# {outline.title}", "", intro] if intro else [f"# {outline.title}"]
        for section in outline.sections:
            if texts[section_key(section)]:
                body += ["", f"## {section.heading}", "", texts[section_key(section)]]
        article = self._without_banned("\n".join(body).strip(), voice, warnings, on_event)
        order = labels_in(article)
        numbering = {old: new for new, old in enumerate(order, 1)}
        article = rewrite_markers(article, numbering.get)
        citations = [
            registry.citation(old).model_copy(update={"label": new})
            for old, new in numbering.items()
        ]
        # A blank line between references: Markdown joins adjacent lines into one paragraph.
        references = "\n\n".join(
            f"[{c.label}] {self._reference_title(c, voice, warnings)} — {c.origin}"
            for c in citations
        )
        markdown = f"{article}\n\n## References\n\n{references}\n"
        on_event(PipelineEvent(stage="review", message="checking citations"))
        review = citation_report(markdown, valid_labels=[c.label for c in citations])
        on_event(PipelineEvent(stage="store", message="saving the draft"))
        version = self.wb.db.drafts.add_version(
            draft_id,
            content=markdown,
            stage="draft",
            meta={
                "outline": outline.model_dump(mode="json"),
                "sections": texts,
                "evidence": registry.model_dump(mode="json"),
                "citations": [c.model_dump(mode="json") for c in citations],
                "uncited_claims": review.uncited_claims,
                "warnings": warnings,
                "regenerated": regenerated,
                "persona": request.persona,
            },
        )
        provider = request.provider or self.wb.settings.provider
        on_event(PipelineEvent(stage="done", message=f"draft {draft_id} v{version.version}"))
        return ArticleResult(
            draft_id=draft_id,
            version=version.version,
            title=outline.title,
            markdown=markdown,
            outline=outline,
            citations=citations,
            uncited_claims=review.uncited_claims,
            warnings=warnings,
            provider=provider,
            regenerated_sections=regenerated,
        )
