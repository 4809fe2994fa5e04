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
from collections.abc import Iterable, Sequence
from typing import Any

# The plan (evidence grouped and ordered by aspect), its framing (title, coverage sentence,
# ending) and takeaways are evidence organisation, not a model: both paths share them, so a
# chat model's outline stage receives the same grouped, ordered evidence as the offline one.
from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.compose.framing import (
    article_title,
    bare_heading,
    coverage_sentence,
    ending,
    ending_heading,
)
from aiwriter_kernel.compose.ordering import opening
from aiwriter_kernel.compose.plan import ArticlePlan, PlannedSection, plan_article
from aiwriter_kernel.compose.takeaways import takeaway
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import (
    NO_EVIDENCE,
    MetaDescriptionTask,
    OutlineTask,
    PlannedGroup,
    SectionTask,
    SummaryTask,
    Voice,
)
from aiwriter_kernel.pipelines.article_models import (
    ArticleRequest,
    ArticleResult,
    Outline,
    OutlineSection,
    PipelineEvent,
)
from aiwriter_kernel.pipelines.citations_markup import CITED, keep_only, labels_in, rewrite_markers
from aiwriter_kernel.pipelines.context import Knowledge, OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.evidence import EvidenceRegistry
from aiwriter_kernel.pipelines.outline_parser import OutlineParseError, parse_outline
from aiwriter_kernel.research.models import SearchHit
from aiwriter_kernel.text.banned import count_phrase, drop_banned_sentences, find_banned
from aiwriter_kernel.text.counts import counted
from aiwriter_kernel.text.headings import without_headings
from aiwriter_kernel.text.sentences import split_sentences

SECTION_HITS = 6
INTRO_WORDS = 60  # the opening paragraph's evidence
ENDING_WORDS = 25  # a takeaway, per section (four at most)
LENGTH_TOLERANCE = 0.15
META_MIN_CHARS, META_MAX_CHARS = 120, 160


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


class KnowledgeBaseLibrary:
    """The planner's view of one workspace of the knowledge base (``EvidenceLibrary``)."""

    def __init__(self, knowledge: Knowledge, workspace: str) -> None:
        self.knowledge, self.workspace = knowledge, workspace

    def search(self, query: str, k: int) -> list[SearchHit]:
        return self.knowledge.search(query, k=k, workspace=self.workspace)

    def vectors_of(self, chunk_ids: Iterable[str]) -> Any:
        return self.knowledge.vectors_of(chunk_ids, self.workspace)

    def encode(self, texts: Sequence[str]) -> Any:
        return self.knowledge.encode(texts)

    def source_text(self, source_id: int) -> str:
        return self.knowledge.source_text(source_id)


def body_words(request: ArticleRequest, sections: int) -> int:
    """The words the sections share: the target less the opening and the ending."""
    return max(100, request.target_words - INTRO_WORDS - ENDING_WORDS * min(sections, 4))


def matched_groups(outline: Outline, plan: ArticlePlan | None) -> list[PlannedSection | None]:
    """The planned evidence of each outline section: by heading, or by place when the
    outline still has the plan's number of sections (a reworded heading keeps its
    evidence); a section the writer added has none and is researched on its own."""
    if plan is None:
        return [None] * len(outline.sections)
    by_heading = {bare_heading(s.heading).lower(): s for s in plan.sections}
    same_shape = len(outline.sections) == len(plan.sections)
    found: list[PlannedSection | None] = []
    for index, section in enumerate(outline.sections):
        match = by_heading.get(bare_heading(section.heading).lower())
        found.append(match or (plan.sections[index] if same_shape else None))
    return found


class ArticlePipeline:
    """Runs and re-runs the article pipeline for one owner."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    # -- stage 1 and 2: research and outline ----------------------------------------------

    def outline(self, request: ArticleRequest, on_event: OnEvent = quiet) -> tuple[int, Outline]:
        """Research the topic and plan the article; stored as version 1 (stage "outline").

        An unknown persona is a ValidationError before any search; a topic the knowledge
        base does not cover is a ``TopicNotCoveredError`` (unless ``allow_thin``)."""
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        on_event(
            PipelineEvent(stage="research", message=f"searching sources for {request.topic!r}")
        )
        plan = plan_article(
            KnowledgeBaseLibrary(self.context.knowledge, request.workspace),
            topic=request.topic,
            keywords=request.keywords,
            style=request.format,
            sections=request.sections,
            body_words=body_words(request, request.section_count),
            allow_thin=request.allow_thin,
        )
        registry = EvidenceRegistry()
        passages = registry.passages(plan.hits)
        on_event(
            PipelineEvent(
                stage="outline",
                message=f"planning {counted(len(plan.sections), 'section')} "
                f"from {counted(len(passages), 'source')}",
                sections=len(plan.sections),
            )
        )
        task = OutlineTask(
            topic=request.topic,
            audience=request.audience or (voice.audience if voice else None),
            tone=tone_of(request, voice),
            keywords=request.keywords,
            sections=len(plan.sections),
            style=request.format,
            sources=passages,
            voice=voice,
            plan=tuple(self._group(section, registry) for section in plan.sections),
        )
        warnings = list(plan.warnings)
        outline = self._planned(task, request, registry, warnings)
        outline = clean_outline(outline, voice_banned(voice), request.topic, warnings)
        draft, _ = self.context.drafts.save(
            request.format,
            workspace=request.workspace,
            title=outline.title,
            topic=request.topic,
            content=outline.to_markdown(),
            stage="outline",
            meta={
                "request": request.model_dump(mode="json"),
                "outline": outline.model_dump(mode="json"),
                "evidence": registry.model_dump(mode="json"),
                "plan": plan.model_dump(mode="json", exclude={"hits"}),
                "warnings": warnings,
            },
        )
        return draft.id, outline

    @staticmethod
    def _group(section: PlannedSection, registry: EvidenceRegistry) -> PlannedGroup:
        """A planned section as the outline task sees it: points end in their citation."""
        source_of = {s.text: s.source_id for s in section.sentences}
        labels = dict.fromkeys(registry.label_of(s.source_id) for s in section.sentences)
        points = tuple(
            f"{point.rstrip('.!?')} [{registry.label_of(source_of[point])}]"
            for point in section.points
        )
        return PlannedGroup(heading=section.heading, points=points, labels=tuple(labels))

    def _planned(self, task, request, registry, warnings) -> Outline:
        completion = self.context.models.run(task, request)
        valid = {entry.label for entry in registry.sources}
        least = min(2, len(task.plan))
        try:
            outline = parse_outline(
                completion.text,
                fallback_title=request.topic,
                valid_labels=valid,
                min_sections=least,
            )
        except OutlineParseError as error:
            warnings.append(f"the model's outline was unusable ({error}); used the offline one")
            outline = parse_outline(
                self.context.models.fallback(task),
                fallback_title=request.topic,
                valid_labels=valid,
                min_sections=least,
            )
        sections = outline.sections[: len(task.plan)]
        for number, section in enumerate(sections, 1):
            section.heading = styled_heading(section.heading, request.format, number)
        keyword = request.keywords[0] if request.keywords else None
        title = outline.title
        if title.lower() == request.topic.lower() or (keyword and not count_phrase(title, keyword)):
            title = article_title(request.topic, keyword)
        return Outline(title=title, sections=sections)

    # -- stage 3 and 4: sections and review ----------------------------------------------

    def draft(
        self, draft_id: int, *, outline: Outline | None = None, on_event: OnEvent = quiet
    ) -> ArticleResult:
        """Write (or re-write) the draft from its outline; unchanged sections are kept."""
        stored = self.context.scope.require_draft(draft_id)
        versions = self.context.scope.drafts.list_versions(draft_id)
        planned = next((v for v in versions if v.stage == "outline"), None)
        if planned is None:
            raise ValidationError(
                f"draft {draft_id} is a {stored.kind} draft with no outline: only an article "
                "planned with outline() can be written from its outline"
            )
        latest = versions[-1]
        request = ArticleRequest.model_validate(planned.meta["request"])
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        registry = EvidenceRegistry.model_validate(
            latest.meta.get("evidence", planned.meta["evidence"])
        )
        plan = (
            ArticlePlan.model_validate({**planned.meta["plan"], "hits": []})
            if "plan" in planned.meta
            else None
        )
        outline = outline or Outline.model_validate(
            latest.meta.get("outline", planned.meta["outline"])
        )
        previous = latest.meta.get("sections", {}) if latest.stage == "draft" else {}
        warnings = list(planned.meta.get("warnings", []))
        outline = clean_outline(outline, voice_banned(voice), request.topic, warnings)
        groups = matched_groups(outline, plan)
        words_each = body_words(request, len(outline.sections)) // len(outline.sections)

        intro = self._intro(request, voice, registry, groups, outline, warnings, on_event)
        used = plain_sentences(intro)
        texts: dict[str, str] = {}
        regenerated: list[str] = []
        for index, section in enumerate(outline.sections, 1):
            on_event(
                PipelineEvent(
                    stage="section",
                    message=f"section {index}/{len(outline.sections)}: {section.heading}",
                    section=section.heading,
                    sections=len(outline.sections),
                )
            )
            key = section_key(section)
            if key in previous:
                texts[key] = self._reused(previous[key], voice, warnings)
            else:
                group = groups[index - 1]
                texts[key] = self._section(
                    request, voice, section, group, registry, used, words_each, warnings
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
        closing = self._ending(request, voice, outline, groups, registry, used)
        return self._finish(
            draft_id,
            request,
            voice,
            outline,
            registry,
            intro,
            texts,
            closing,
            regenerated,
            warnings,
            on_event,
            plan,
        )

    def _intro(self, request, voice, registry, groups, outline, warnings, on_event) -> str:
        """An opening paragraph: the lead of the first section (which the plan put first
        because it says what the topic is), then what the article covers."""
        planned = [group for group in groups if group is not None]
        if planned:
            # at most a third of the section, so a short one keeps most of its evidence
            lead = opening(planned[0].sentences, min(INTRO_WORDS, planned[0].evidence_words // 3))
            sources = registry.section_passages(lead)
        else:
            sources = registry.passages(
                self.context.knowledge.search(
                    request.topic, k=4, workspace=request.workspace, per_source=request.per_source
                )
            )
        task = SummaryTask(sources=sources, max_words=INTRO_WORDS, voice=voice)
        text = self.context.models.text(task, request)
        text = "" if text.strip() == NO_EVIDENCE else self._checked(text, task, warnings)
        keyword = request.keywords[0] if request.keywords else None
        headings = [section.heading for section in outline.sections]
        covers = coverage_sentence(headings, keyword, request.format)
        # one opening paragraph, so the reader (and the SEO audit) meets the keyword in it
        intro = " ".join([*text.split(), covers]).strip()
        on_event(
            PipelineEvent(
                stage="section",
                message="wrote the introduction",
                section="Introduction",
                text=intro,
            )
        )
        return intro

    def _section(self, request, voice, section, group, registry, used, words, warnings) -> str:
        if group is not None:  # the plan's own evidence for this section, in reading order
            sources = registry.section_passages(group.sentences)
            words = group.target_words or words
        else:  # a section the writer added: research it
            query = " ".join([section.heading, *section.points, request.topic])
            hits = self.context.knowledge.search(
                query, k=SECTION_HITS, workspace=request.workspace, per_source=request.per_source
            )
            sources = registry.passages(hits)
        task = SectionTask(
            topic=request.topic,
            heading=section.heading,
            points=tuple(section.points),
            target_words=max(40, min(words, 5000)),
            tone=tone_of(request, voice),
            sources=sources,
            avoid_sentences=tuple(used),
            voice=voice,
            planned=group is not None,
        )
        text = self.context.models.text(task, request)
        if text.strip() == NO_EVIDENCE or not text.strip():
            warnings.append(f"no evidence found for section {section.heading!r}")
            return ""
        return self._checked(text, task, warnings)

    @staticmethod
    def _ending(request, voice, outline, groups, registry, used) -> str:
        """The format's closing section (see ``compose.framing.ending``)."""
        headings = [section.heading for section in outline.sections]
        takeaways = [
            takeaway(registry.section_passages(group.sentences), used, voice_banned(voice))
            if group is not None and request.format != "how-to"
            else None
            for group in groups
        ]
        return ending(request.format, headings, takeaways)

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
        paragraphs, seen, repeated = [], set(), 0
        for paragraph in "\n".join(without_headings(cleaned)).split("\n\n"):
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
        closing,
        regenerated,
        warnings,
        on_event,
        plan,
    ) -> ArticleResult:
        from aiwriter_kernel.analysis import citation_report

        body = [f"# {outline.title}", "", intro] if intro else [f"# {outline.title}"]
        for section in outline.sections:
            if texts[section_key(section)]:
                body += ["", f"## {section.heading}", "", texts[section_key(section)]]
        if closing:
            body += ["", f"## {ending_heading(request.format)}", "", closing]
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
        on_event(PipelineEvent(stage="review", message="checking citations and length"))
        review = citation_report(markdown, valid_labels=[c.label for c in citations])
        count = word_count(markdown)  # the number every front end shows for this draft
        warnings = [*warnings, *self._length_warnings(request, count)]
        description = self._description(request, voice, article, warnings)
        on_event(PipelineEvent(stage="store", message="saving the draft"))
        version = self.context.scope.drafts.add_version(
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
                "meta_description": description,
                "word_count": count,
            },
        )
        provider = self.context.models.provider_of(request)
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
            meta_description=description,
            word_count=count,
            target_words=request.target_words,
            coverage=plan.coverage.score if plan is not None else None,
        )

    @staticmethod
    def _length_warnings(request: ArticleRequest, count: int) -> list[str]:
        """Say so when the article falls short of its length: the evidence ran out."""
        if count >= (1 - LENGTH_TOLERANCE) * request.target_words:
            return []
        return [
            f"the article has {count} words of the {request.target_words} asked: the sources "
            f"on {request.topic!r} support no more (ingest more to write a longer one)"
        ]

    def _description(self, request, voice, article: str, warnings: list[str]) -> str | None:
        """The meta description stored with the draft (for its SEO audit and exports)."""
        keyword = request.keywords[0] if request.keywords else None
        task = MetaDescriptionTask(text=article, keyword=keyword, voice=voice)
        text = self.context.models.text(task, request)
        text = " ".join(text.split())
        if not META_MIN_CHARS <= len(text) <= META_MAX_CHARS:
            warnings.append(
                f"no meta description of {META_MIN_CHARS}-{META_MAX_CHARS} characters could be "
                "made from the article: write one for it"
            )
        return text or None
