"""The offline composer: each writing task executed extractively from its sources.

Outlines come from the sources' headings and key phrases, sections and summaries from
the most relevant source sentences (MMR, none repeated) with inline citations, rewrites
by extractive compression to the channel's rules, titles and meta descriptions within
their limits. Deterministic: the same task always gives the same text.
"""

from __future__ import annotations

import re

from aiwriter_kernel.channels import CHANNELS, ChannelRules
from aiwriter_kernel.llm.offline.evidence import CITATION, EvidencePool, Sentence, cite
from aiwriter_kernel.llm.tasks import (
    AnswerTask,
    MetaDescriptionTask,
    OutlineTask,
    RewriteTask,
    SectionTask,
    SourcePassage,
    SummaryTask,
    Task,
    TitleTask,
)
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.words import cosine, terms

NO_EVIDENCE = "The sources provided do not contain enough evidence to answer this."
SENTENCES_PER_PARAGRAPH = 3
ANSWER_MIN_RELEVANCE = 0.12
SECTION_MIN_RELEVANCE = 0.1  # below this a sentence is off the section's subject
HEADING_LINE = re.compile(r"^\s{0,3}#{1,3}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def title_case(text: str) -> str:
    """Capitalise a phrase for a heading, leaving acronyms and small words alone."""
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
    out = []
    for index, word in enumerate(text.split()):
        if word.isupper() or any(ch.isupper() for ch in word[1:]):
            out.append(word)
        elif index > 0 and word.lower() in small:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def fit(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary so it is at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-— ")
    return cut + "…"


def banned_words(task: Task) -> tuple[str, ...]:
    """The words the task's persona never uses (none without a persona)."""
    return task.voice.banned_words if task.voice else ()


def paragraphs(sentences: list[str]) -> str:
    groups = [
        " ".join(sentences[start : start + SENTENCES_PER_PARAGRAPH])
        for start in range(0, len(sentences), SENTENCES_PER_PARAGRAPH)
    ]
    return "\n\n".join(groups)


def in_source_order(sentences: list[Sentence]) -> list[Sentence]:
    """Chosen sentences read best in the order their sources wrote them."""
    return sorted(sentences, key=lambda sentence: sentence.position)


class OfflineComposer:
    """Executes tasks without a model. One instance can serve many tasks."""

    def run(self, task: Task) -> str:
        handlers = {
            OutlineTask: self.outline,
            SectionTask: self.section,
            RewriteTask: self.rewrite,
            TitleTask: self.titles,
            MetaDescriptionTask: self.meta_description,
            SummaryTask: self.summary,
            AnswerTask: self.answer,
        }
        handler = handlers.get(type(task))
        if handler is None:
            raise TypeError(f"the offline composer cannot run {type(task).__name__}")
        return handler(task)

    # -- outline ---------------------------------------------------------------------------

    def outline(self, task: OutlineTask) -> str:
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
                    f"- {fit(CITATION.sub('', sentence.text).rstrip('.!?'), 90)} [{sentence.label}]"
                )
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def _choose_headings(
        self, task: OutlineTask, pool: EvidencePool, topic_vector: dict[str, float]
    ) -> list[str]:
        source_headings = [
            match.strip()
            for source in task.sources
            for match in HEADING_LINE.findall(source.text)
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
        pool = EvidencePool(task.sources, banned=banned_words(task))
        query = pool.query_vector(" ".join([task.heading, task.heading, *task.points, task.topic]))
        chosen = pool.select(
            query,
            word_budget=task.target_words,
            exclude=task.avoid_sentences,
            min_relevance=SECTION_MIN_RELEVANCE,
        )
        if not chosen:
            return NO_EVIDENCE
        return paragraphs([cite(sentence) for sentence in in_source_order(chosen)])

    def summary(self, task: SummaryTask) -> str:
        pool = EvidencePool(task.sources, banned=banned_words(task))
        chosen = pool.select(pool.centroid(), word_budget=task.max_words, diversity=0.4)
        while chosen and sum(s.word_count for s in chosen) > task.max_words and len(chosen) > 1:
            chosen.pop()
        if not chosen:
            return NO_EVIDENCE
        return paragraphs([cite(sentence) for sentence in in_source_order(chosen)])

    def answer(self, task: AnswerTask) -> str:
        pool = EvidencePool(task.sources, banned=banned_words(task))
        chosen = pool.select(
            pool.query_vector(task.question), word_budget=120, min_relevance=ANSWER_MIN_RELEVANCE
        )
        if not chosen:
            return NO_EVIDENCE
        return paragraphs([cite(sentence) for sentence in in_source_order(chosen)])

    # -- short copy ------------------------------------------------------------------------

    def titles(self, task: TitleTask) -> str:
        text = task.text
        phrases = [title_case(k.phrase) for k in extract_keyphrases([text], top=6)]
        lead = title_case(task.keyword) if task.keyword else (phrases[0] if phrases else "")
        others = [p for p in phrases if p.lower() != lead.lower()]
        heading = next(iter(HEADING_LINE.findall(text)), "")
        patterns = [
            heading,
            f"{lead}: What You Need to Know",
            f"A Practical Guide to {lead}",
            *[f"{lead} and {other}" for other in others[:3]],
            f"How {lead} Works",
            f"Understanding {lead}",
            *[f"{lead}: {other} Explained" for other in others[:3]],
        ]
        keyword = (task.keyword or "").lower()
        options: list[str] = []
        for option in patterns:
            option = option.strip()
            if not option or len(option) > task.max_chars or option in options:
                continue
            if keyword and keyword not in option.lower():
                continue
            options.append(option)
        if not options:
            options.append(fit(lead or heading or text, task.max_chars))
        return "\n".join(options[: task.count])

    def meta_description(self, task: MetaDescriptionTask) -> str:
        sentences = self._central_sentences(task.text, banned_words(task))
        keyword = (task.keyword or "").lower()
        if keyword:
            with_keyword = [s for s in sentences if keyword in s.lower()]
            sentences = with_keyword + [s for s in sentences if s not in with_keyword]
        description = ""
        for sentence in sentences:
            candidate = f"{description} {sentence}".strip()
            if len(candidate) > task.max_chars:
                if len(description) >= task.min_chars:
                    break
                candidate = fit(candidate, task.max_chars)
            description = candidate
            if len(description) >= task.min_chars:
                break
        return description

    # -- channel rewrites ------------------------------------------------------------------

    def rewrite(self, task: RewriteTask) -> str:
        rules = CHANNELS[task.channel]
        limit = min(task.max_chars or rules.max_chars, rules.max_chars)
        sentences = self._central_sentences(task.text, banned_words(task))
        hashtags = self._hashtags(task.text, rules.max_hashtags)
        formatter = getattr(self, f"_format_{task.channel.replace('-', '_')}")
        return formatter(sentences, rules, min(limit, max(rules.target_chars, 1)), hashtags, limit)

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
    def _hashtags(text: str, limit: int) -> list[str]:
        if limit == 0:
            return []
        tags = []
        for keyphrase in extract_keyphrases([strip_markdown(text)], top=limit * 2):
            tag = "#" + "".join(word[:1].upper() + word[1:] for word in keyphrase.phrase.split())
            tag = re.sub(r"[^#\w]", "", tag)
            if len(tag) > 2 and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return tags[:limit]

    @staticmethod
    def _take(sentences: list[str], budget: int) -> list[str]:
        taken: list[str] = []
        for sentence in sentences:
            if sum(len(s) + 1 for s in taken) + len(sentence) > budget:
                break
            taken.append(sentence)
        return taken or [fit(sentences[0], budget)] if sentences else []

    def _format_linkedin(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        tag_line = " ".join(tags[:3])
        body = self._take(sentences, target - len(tag_line) - 4)
        hook, rest = (body[0], body[1:]) if body else ("", [])
        text = "\n\n".join(part for part in [hook, "\n\n".join(rest), tag_line] if part)
        return fit(text, limit)

    def _format_facebook(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        body = " ".join(self._take(sentences, target))
        return fit(" ".join(part for part in [body, " ".join(tags)] if part), limit)

    def _format_instagram(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        tag_line = " ".join(tags[:12])
        body = "\n\n".join(self._take(sentences, target - len(tag_line) - 2))
        return fit(f"{body}\n\n{tag_line}".strip(), limit)

    def _format_x_thread(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        per_post = (rules.post_max_chars or 280) - len("12/12 ")
        posts: list[str] = []
        for sentence in self._take(sentences, target):
            sentence = fit(sentence, per_post)
            if posts and len(posts[-1]) + 1 + len(sentence) <= per_post:
                posts[-1] = f"{posts[-1]} {sentence}"
            else:
                posts.append(sentence)
        posts = posts[: rules.max_posts]
        return "\n\n".join(f"{n}/{len(posts)} {post}" for n, post in enumerate(posts, 1))

    def _format_email(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        subject = fit(sentences[0].rstrip(".!?") if sentences else "An update", 60)
        preview = fit(sentences[1] if len(sentences) > 1 else subject, 90)
        body = paragraphs(self._take(sentences, target))
        return (
            f"Subject: {subject}\nPreview: {preview}\n\n{body}\n\n"
            "Reply to this email to tell us what you think."
        )

    def _format_product(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        taken = self._take(sentences, target)
        lead, features = (taken[0], taken[1:6]) if taken else ("", [])
        bullets = "\n".join(f"- {feature}" for feature in features)
        return fit(f"{lead}\n\n{bullets}".strip(), limit)

    def _format_youtube(self, sentences, rules: ChannelRules, target, tags, limit) -> str:
        taken = self._take(sentences, target)
        hook = taken[0] if taken else ""
        beats = "\n".join(f"{n}. {sentence}" for n, sentence in enumerate(taken[1:], 1))
        return fit(
            f"Hook: {hook}\n\nOutline:\n{beats}\n\nClose: ask viewers to comment and subscribe.",
            limit,
        )
