"""The offline composer: each writing task executed extractively from its sources.

Outlines come from the sources' headings and key phrases, sections and summaries from
the most relevant source sentences (MMR, none repeated) with inline citations, rewrites
by extractive compression to the channel's rules, titles and meta descriptions within
their limits. Deterministic: the same task always gives the same text.
"""

from __future__ import annotations

import re

from aiwriter_kernel.channels import OfflineMaterial, get
from aiwriter_kernel.channels.common import paragraphs
from aiwriter_kernel.compose.copywriting import compose_copy
from aiwriter_kernel.compose.fact_check import compose_claims, compose_verdict
from aiwriter_kernel.compose.sentence_pool import CITATION, EvidencePool, Sentence, cite
from aiwriter_kernel.llm.tasks import (
    NO_EVIDENCE,
    AnswerTask,
    ClaimsTask,
    CopyTask,
    MetaDescriptionTask,
    OutlineTask,
    RewriteTask,
    SectionTask,
    SourcePassage,
    SummaryTask,
    Task,
    TitleTask,
    VerdictTask,
)
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.sentences import (
    find_headings,
    leans_on_previous,
    split_sentences,
    strip_markdown,
)
from aiwriter_kernel.text.titles import title_case
from aiwriter_kernel.text.words import cosine, terms

SENTENCES_PER_PARAGRAPH = 3
MAX_PARAGRAPH_SENTENCES = 5
MAX_SECTION_SENTENCES = 60
ANSWER_MIN_RELEVANCE = 0.12
ANSWER_RELATIVE_RELEVANCE = 0.5  # an answer's sentences are at least half as relevant as its best
ANSWER_WORDS = 120
SECTION_MIN_RELEVANCE = 0.1  # below this a sentence is off the section's subject
# Closing hashes are cut by find_headings (a regex for them took cubic time).
# the text of each level 1-3 heading: the parts a document is divided into
TOP_HEADING = re.compile(r"^\s{0,3}#{1,3}\s+(.+)$", re.MULTILINE)
H1_LINE = re.compile(r"^\s{0,3}#\s+(.+)$", re.MULTILINE)
NOT_TITLE_HEADINGS = {"references", "sources", "introduction", "conclusion", "summary"}
DESCRIPTION_POOL = 12  # the most central sentences a meta description is built from
QUESTION_OPENERS = {"how", "what", "why", "when", "where", "who", "which", "is", "are", "can", "do"}


def banned_words(task: Task) -> tuple[str, ...]:
    """The words the task's persona never uses (none without a persona)."""
    return task.voice.banned_words if task.voice else ()


def in_source_order(sentences: list[Sentence]) -> list[Sentence]:
    """Chosen sentences read best in the order their sources wrote them."""
    return sorted(sentences, key=lambda sentence: sentence.position)


def standing_alone(chosen: list[Sentence]) -> list[Sentence]:
    """``chosen`` (in source order) without the sentences that lean on a predecessor
    ("This...", "However...") which was left out: read after an unrelated sentence,
    they would point at the wrong thing."""
    kept: list[Sentence] = []
    for sentence in chosen:
        previous = kept[-1] if kept else None
        follows = (
            previous is not None
            and previous.label == sentence.label
            and sentence.position - previous.position == 1
        )
        if follows or not leans_on_previous(sentence.text):
            kept.append(sentence)
    return kept


def source_paragraphs(sentences: list[Sentence]) -> str:
    """Cited sentences in paragraphs: a new paragraph where the source changes, or after
    ``MAX_PARAGRAPH_SENTENCES`` (never before a sentence that leans on the one before)."""
    blocks: list[list[Sentence]] = []
    for sentence in sentences:
        current = blocks[-1] if blocks else None
        same_source = current is not None and current[-1].label == sentence.label
        full = current is not None and len(current) >= MAX_PARAGRAPH_SENTENCES
        if current is not None and same_source and (not full or leans_on_previous(sentence.text)):
            current.append(sentence)
        else:
            blocks.append([sentence])
    return "\n\n".join(" ".join(cite(s) for s in block) for block in blocks)


def blend(first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
    """The normalised sum of two unit term vectors: relevant to both."""
    total = dict(first)
    for term, value in second.items():
        total[term] = total.get(term, 0.0) + value
    norm = sum(value * value for value in total.values()) ** 0.5 or 1.0
    return {term: value / norm for term, value in total.items()}


class OfflineComposer:
    """Executes tasks without a model. One instance can serve many tasks."""

    def run(self, task: Task) -> str:
        handlers = {
            OutlineTask: self.outline,
            SectionTask: self.section,
            RewriteTask: self.rewrite,
            CopyTask: compose_copy,
            TitleTask: self.titles,
            MetaDescriptionTask: self.meta_description,
            SummaryTask: self.summary,
            AnswerTask: self.answer,
            ClaimsTask: compose_claims,
            VerdictTask: compose_verdict,
        }
        handler = handlers.get(type(task))
        if handler is None:
            raise TypeError(f"the offline composer cannot run {type(task).__name__}")
        return handler(task)

    # -- outline ---------------------------------------------------------------------------

    def outline(self, task: OutlineTask) -> str:
        if task.plan:
            return self._planned_outline(task)
        pool = EvidencePool(task.sources, banned=banned_words(task))
        topic_vector = pool.query_vector(" ".join([task.topic, *task.keywords]))
        headings = self._choose_headings(task, pool, topic_vector)
        lines = [f"# {title_case(task.topic)}", ""]
        used: list[str] = []
        for heading in headings:
            lines.append(f"## {heading}")
            query = pool.query_vector(f"{heading} {task.topic}")
            support = pool.select(query, word_budget=40, exclude=used, min_relevance=0.0)[:2]
            for sentence in support:
                used.append(sentence.text)
                lines.append(
                    f"- {CITATION.sub('', sentence.text).rstrip('.!?')} [{sentence.label}]"
                )
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    @staticmethod
    def _planned_outline(task: OutlineTask) -> str:
        """The planner already grouped, ordered and named the sections: write them out."""
        banned = banned_words(task)
        lines = [f"# {title_case(task.topic)}", ""]
        for group in task.plan:
            lines.append(f"## {group.heading}")
            lines += [f"- {point}" for point in group.points if not find_banned(point, banned)]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def _choose_headings(
        self, task: OutlineTask, pool: EvidencePool, topic_vector: dict[str, float]
    ) -> list[str]:
        source_headings = [
            match.strip()
            for source in task.sources
            for match in find_headings(TOP_HEADING, source.text)
            if 2 <= len(match.split()) <= 8
        ]
        keyphrases = extract_keyphrases(
            [source.text for source in task.sources], top=40, headings=source_headings
        )
        # Multi-word phrases make headings a reader understands; single words come last.
        phrases = [k.phrase for k in keyphrases if " " in k.phrase] + [
            k.phrase for k in keyphrases if " " not in k.phrase
        ]
        topic_terms = set(terms(task.topic))
        candidates: list[str] = []
        seen: set[frozenset[str]] = set()
        for candidate in [*task.keywords, *source_headings, *phrases]:
            candidate_terms = frozenset(terms(candidate))
            if (
                not candidate_terms
                or len(candidate_terms & topic_terms) >= 0.6 * len(candidate_terms)
                or candidate_terms in seen
            ):
                continue  # empty, mostly repeats the title, or already a candidate
            seen.add(candidate_terms)
            candidates.append(title_case(candidate))
        chosen: list[str] = []
        vectors = {c: pool.query_vector(c) for c in candidates}
        while candidates and len(chosen) < task.sections:

            def score(candidate: str) -> float:
                redundancy = max(
                    (cosine(vectors[candidate], vectors[c]) for c in chosen), default=0.0
                )
                support = sum(
                    1 for s in pool.sentences if cosine(vectors[candidate], s.vector) > 0.1
                )
                return (
                    0.8 * cosine(topic_vector, vectors[candidate])
                    + 0.02 * min(support, 6)
                    - 0.6 * redundancy
                )

            best = max(candidates, key=lambda c: (score(c), -candidates.index(c)))
            candidates.remove(best)
            chosen.append(best)
        return chosen

    # -- prose -----------------------------------------------------------------------------

    def section(self, task: SectionTask) -> str:
        """The section's most relevant sentences up to its length, read in the order of
        its sources (a paragraph per source), none leaning on a sentence left out."""
        pool = EvidencePool(task.sources, banned=banned_words(task))
        query = pool.query_vector(" ".join([task.heading, task.heading, *task.points, task.topic]))
        if task.planned:  # every sentence is the section's own: what is most central matters
            query = blend(query, pool.centroid())
        chosen = pool.select(
            query,
            word_budget=task.target_words,
            exclude=task.avoid_sentences,
            min_relevance=0.0 if task.planned else SECTION_MIN_RELEVANCE,
            max_sentences=MAX_SECTION_SENTENCES,
        )
        chosen = standing_alone(in_source_order(chosen))
        if not chosen:
            return NO_EVIDENCE
        return source_paragraphs(chosen)

    def summary(self, task: SummaryTask) -> str:
        pool = EvidencePool(task.sources, banned=banned_words(task))
        chosen = pool.select(pool.centroid(), word_budget=task.max_words, diversity=0.4)
        while chosen and sum(s.word_count for s in chosen) > task.max_words and len(chosen) > 1:
            chosen.pop()
        chosen = standing_alone(in_source_order(chosen))
        if not chosen:
            return NO_EVIDENCE
        return paragraphs([cite(sentence) for sentence in chosen])

    def answer(self, task: AnswerTask) -> str:
        """The sentences that best answer the question, cited; only those nearly as relevant
        as the best one, so an answer does not wander off into what the sources also say.
        ``NO_EVIDENCE`` when no sentence is about the question at all."""
        pool = EvidencePool(task.sources, banned=banned_words(task))
        query = pool.query_vector(task.question)
        best = max((cosine(query, sentence.vector) for sentence in pool.sentences), default=0.0)
        if best <= ANSWER_MIN_RELEVANCE:
            return NO_EVIDENCE
        chosen = pool.select(
            query,
            word_budget=ANSWER_WORDS,
            min_relevance=max(ANSWER_MIN_RELEVANCE, ANSWER_RELATIVE_RELEVANCE * best),
            diversity=0.2,
        )
        return paragraphs([cite(sentence) for sentence in in_source_order(chosen)])

    # -- short copy ------------------------------------------------------------------------

    def titles(self, task: TitleTask) -> str:
        """Title options built from the text's own headings and key phrases (so they promise
        only what the text covers), each within the limit, carrying the keyword when given,
        free of the persona's banned words, most specific first."""
        keyword = " ".join((task.keyword or "").split())
        main = next(iter(find_headings(H1_LINE, task.text)), "")
        # "Subject: how to ..." headings lead with their subject, not the whole line
        subject = main.split(": ", 1)[0] if ": " in main else main
        lead = title_case(keyword) if keyword else subject or self._title_lead(task.text)
        subheads = [
            title_case(heading)
            for heading in find_headings(TOP_HEADING, task.text)
            if heading != main
            and 1 <= len(heading.split()) <= 7
            and heading.lower() not in NOT_TITLE_HEADINGS
            and not set(terms(heading)) <= set(terms(lead))
        ]
        phrases = [
            title_case(k.phrase)
            for k in extract_keyphrases([strip_markdown(task.text)], top=12, headings=subheads)
            # a phrase said twice or more is a term of the text, not a chance word pair
            if " " in k.phrase and k.count >= 2 and not set(terms(k.phrase)) & set(terms(lead))
        ]
        generic = lead.split(maxsplit=1)[0].lower() not in QUESTION_OPENERS if lead else False
        patterns = [
            main,
            f"{lead}: {main}" if main and lead.lower() not in main.lower() else "",
            *[f"{lead}: {subhead}" for subhead in subheads[:2]],
            f"A Practical Guide to {lead}" if generic else "",
            f"{lead}: What You Need to Know",
            *[f"{lead} and {phrase}" for phrase in phrases[:3] if generic],
            f"Understanding {lead}" if generic else "",
            *[f"{lead}: {subhead}" for subhead in subheads[2:]],
        ]
        options = self._title_options(patterns, keyword, task.max_chars, banned_words(task))
        if not options and lead and not find_banned(lead, banned_words(task)):
            options.append(fit(lead, task.max_chars))
        return "\n".join(options[: task.count])

    @staticmethod
    def _title_lead(text: str) -> str:
        """Without a keyword or a main heading, the text's subject: its best key phrase."""
        found = extract_keyphrases([strip_markdown(text)], top=12)
        phrases = [k.phrase for k in found if " " in k.phrase] or [k.phrase for k in found]
        return title_case(phrases[0]) if phrases else ""

    @staticmethod
    def _title_options(
        patterns: list[str], keyword: str, max_chars: int, banned: tuple[str, ...]
    ) -> list[str]:
        """The usable patterns: not empty, within the limit, with the keyword, no banned
        word, none the same as another (ignoring case)."""
        options: list[str] = []
        for option in (" ".join(pattern.split()) for pattern in patterns):
            if not option or len(option) > max_chars or find_banned(option, banned):
                continue
            if keyword.lower() not in option.lower():
                continue
            if option.lower() not in {seen.lower() for seen in options}:
                options.append(option)
        return options

    def meta_description(self, task: MetaDescriptionTask) -> str:
        """One description made of whole sentences of the text: a single sentence, one with
        its neighbour, or a sentence's first clause, within the limits, preferring the
        keyword's and the most central sentences. Never padded or cut mid-sentence: when
        nothing fits, the longest whole option under the maximum (or nothing) is returned
        and the caller reports it."""
        usable = self._central_sentences(task.text, banned_words(task))
        # Sentences that lean on the one before them do not stand alone as a description.
        ranked = [s for s in usable if not leans_on_previous(s)]
        options = self._description_options(
            ranked[:DESCRIPTION_POOL], set(usable), CITATION.sub("", strip_markdown(task.text))
        )
        keyword = " ".join((task.keyword or "").split()).lower()
        within = [o for o in options if task.min_chars <= len(o) <= task.max_chars]
        with_keyword = [o for o in within if keyword and keyword in o.lower()]
        if with_keyword or within:
            return (with_keyword or within)[0]
        shorter = [o for o in options if len(o) <= task.max_chars]
        return max(shorter, key=len, default="")

    @staticmethod
    def _description_options(ranked: list[str], usable: set[str], plain: str) -> list[str]:
        """Candidate descriptions, best first: single sentences, then each with the sentence
        that follows it in the text (so the two read as written), then first clauses of
        sentences that hold several (cut at a semicolon)."""
        order = [" ".join(s.split()) for s in split_sentences(plain)]
        pairs = []
        for sentence in ranked:
            at = order.index(sentence) if sentence in order else -1
            following = order[at + 1] if 0 <= at < len(order) - 1 else ""
            if following in usable:
                pairs.append(f"{sentence} {following}")
        clauses = [s.split("; ", 1)[0].rstrip(",:") + "." for s in ranked if "; " in s]
        return [*ranked, *pairs, *clauses]

    # -- channel rewrites ------------------------------------------------------------------

    def rewrite(self, task: RewriteTask) -> str:
        """The text's most representative sentences arranged in the channel's shape (the
        shape the rewrite prompt asks a model for), within the channel's limits, with
        hashtags from its key phrases; no citation markers, no banned words. The channel's
        module decides the shape (``offline_format``); this picks and orders the sentences."""
        channel = get(task.channel)
        rules = channel.rules
        limit = min(task.max_chars or rules.max_chars, rules.max_chars)
        banned = banned_words(task)
        sentences = self._central_sentences(task.text, banned)
        plain = CITATION.sub("", strip_markdown(task.text))
        reading = [" ".join(s.split()) for s in split_sentences(plain)]
        headings = [h for h in find_headings(TOP_HEADING, task.text) if not find_banned(h, banned)]
        title = headings[0] if headings else ""
        tags = self._hashtags(task.text, rules.target_hashtags, banned)
        tag_room = len(" ".join(tags)) + 2 if tags else 0
        if tag_room > limit // 3:
            tags, tag_room = [], 0
        target = min(limit, rules.target_chars) - tag_room
        material = OfflineMaterial(sentences, reading, max(target, 1), tags, title)
        text = channel.offline_format(material)
        return text if len(text) <= limit else fit(text, limit)

    def _central_sentences(self, text: str, banned: tuple[str, ...] = ()) -> list[str]:
        """The text's sentences, most representative first (no citations, no Markdown)."""
        plain = CITATION.sub("", strip_markdown(text))
        passage = SourcePassage(label=1, title="text", origin="text", text=plain)
        pool = EvidencePool([passage], banned=banned)
        chosen = pool.select(pool.centroid(), word_budget=10_000, diversity=0.3)
        if chosen:
            return [sentence.text for sentence in chosen]
        return [s for s in split_sentences(plain) if s.strip() and not find_banned(s, banned)]

    @staticmethod
    def _hashtags(text: str, limit: int, banned: tuple[str, ...] = ()) -> list[str]:
        """Up to ``limit`` tags from the text's key phrases, CamelCased, none repeated and
        none made of a banned word; phrases its headings use come first (they name what the
        text is about), then the rest by score."""
        if limit == 0:
            return []
        headings = find_headings(TOP_HEADING, text)
        heading_terms = set(terms(" ".join(headings)))
        found = extract_keyphrases([strip_markdown(text)], top=limit * 4, headings=headings)
        ranked = sorted(found, key=lambda k: not set(terms(k.phrase)) & heading_terms)
        tags: list[str] = []
        for keyphrase in ranked:
            words = re.findall(r"[^\W_]+", keyphrase.phrase)
            if find_banned(keyphrase.phrase, banned) or sum(map(len, words)) < 4:
                continue
            tag = "#" + "".join(word[:1].upper() + word[1:] for word in words)
            if tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return tags[:limit]
