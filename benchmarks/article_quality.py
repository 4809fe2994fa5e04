"""How well the offline article organises its extractive sentences.

The offline writer (``Workbench.write`` with no model) builds an article out of sentences
copied from the knowledge base. This script hides the structure of known documents, asks
the writer for an article on each document's title, and checks how much of the original
organisation the writer recovers: which sentences it puts together (section purity), in
what order, under which headings, how many come from other documents (off-topic), and how
long the article is. A run takes 10 to 70 s per corpus on a 2-core CPU, most of it in
``wb.write``.

    .venv/bin/python benchmarks/article_quality.py [--corpus demo|structured|all]
        [--sources blocks|interleaved] [--json out.json]

Method
------
Corpora: ``data/demo_corpus`` (8 guides) and ``benchmarks/corpora/structured/*.md`` (its
README.md is not a document). A document is a Markdown, HTML or text file. Title = the H1
(HTML: ``<h1>``; a plain-text file without Markdown headings: its first line when that is
short and unpunctuated). Sections = the H2 blocks in order; text before the first H2 is
section 0 "intro" when non-empty; H3-H6 lines are dropped and their text stays in the
enclosing H2 section; fenced code is dropped; HTML ``nav``/``header``/``footer``/``aside``
/``script``/``style`` are page furniture and ignored. Markdown is stripped with
``strip_markdown``; each paragraph is split with the kernel's own ``split_sentences`` (the
splitter the writer uses, so extracted sentences match exactly); each sentence gets
(document, section index, order index in the document). A document without a title, or with
fewer than two sections of which at least one is an H2, has no derivable structure: it is
not scored (no article is written for it) but its sources are still ingested as a
neighbour, so sentences the writer takes from it count as off-topic. In the demo corpus
this is ``content-calendar.txt`` (a title line and paragraphs, no headings).

Sources, structure hidden: the body paragraphs (headings removed) are cut into contiguous
blocks of about three paragraphs, at least three blocks per document (fewer only when the
document has fewer paragraphs), each written as a ``.txt`` file without headings and named
by a short hash of (document, block index), so file-name order is not document order.
``--sources interleaved`` deals the paragraphs round-robin into three files instead, each
keeping the paragraphs' relative order. One fresh home per corpus; all its documents'
sources go into one workspace, so every topic has near neighbours.

Writing: for each scored document, ``wb.write(title, workspace="bench",
target_words=max(300, body words))`` (capped at 6000, the request's limit), with
``allow_thin=True`` when ``ArticleRequest`` has that field. A ``ValidationError`` from the
writer (the knowledge base does not cover the topic) counts as "refused"; refused documents
are left out of the averages and counted. One warm-up write precedes the timed ones; the
time reported is the median wall time of ``wb.write`` per document.

Reading the article: the H1 is skipped; the intro (text before the first H2) is group
"intro"; each H2 is a group; "References" is skipped; a closing summary ("Key takeaways",
"Summary", "Conclusion", "In summary", "Wrapping up", "Final thoughts", "Bottom line",
"Recap", "TL;DR") is its own group, and every figure is also reported without it. List
bullets become their own paragraphs; sentences are split with ``split_sentences``;
citation markers (`` [3]``, ``[1, 2]``) are noted, then removed; text is normalised (case,
quotes, punctuation, whitespace). Each output sentence maps to a source sentence of the
corpus by exact normalised match (a tie between documents goes to the article's own
document), else by the best ``difflib`` ratio >= 0.9; the rest are template or generated
sentences, counted, with how many of them carry a citation marker (should be 0).

Figures per document, then macro-averaged over documents (NaN values left out):
- ARI: ``adjusted_rand_score`` over the output sentences matched to THIS document, true =
  original section, predicted = output group.
- Kendall tau: ``kendalltau`` between output position and original order index, same
  sentences.
- heading soft recall: for each true H2 heading, the max cosine similarity (packaged
  embedder, rows normalised) to any output H2 heading (not References or the closing
  summary), averaged; 0 when the article has no such heading. The floor beside it scores
  the same true headings against the output headings of the next written document of the
  corpus (rotating by one): what unrelated headings get.
- off-topic rate: share of the matched output sentences that come from another document.
- words: ``wb.analyze(...).readability.word_count`` (body words if analysis fails), and
  words / target.
- coverage: share of the document's sentences that appear in the article.
Baseline, same run: concatenate the document's own source files in file-name order; groups
= files, order = file-name order then sentence order; ARI and tau computed the same way.
Its off-topic rate is 0 and its coverage 100 % by construction.

Demo-only extras: (a) the ``make demo`` article (topic "How to write readable web
content", keyword "readability", default target) on a fresh home where
``data/demo_corpus`` was ingested as is: its SEO score and word count; (b) on that home,
topics the corpus does not cover should be refused, and topics it covers should not be
(written with the request's defaults, no ``allow_thin``): refused or not, and otherwise the
number of output sentences and the share of them copied from the corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import hashlib
import json
import math
import re
import statistics
import tempfile
import time
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import kendalltau
from sklearn.metrics import adjusted_rand_score

import aiwriter_kernel
from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import ArticleRequest
from aiwriter_kernel.research.embeddings import Embedder
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    "demo": ROOT / "data" / "demo_corpus",
    "structured": ROOT / "benchmarks" / "corpora" / "structured",
}
SUFFIXES = {".md", ".markdown", ".html", ".htm", ".txt"}
WORKSPACE = "bench"
FUZZY = 0.9
NAN = float("nan")

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
CITATION = re.compile(r"\s*\[\d+(?:\s*[,;\u2013-]\s*\d+)*\]")
REFERENCES = re.compile(r"^references?$", re.IGNORECASE)
CLOSING = re.compile(
    r"^(key takeaways?|takeaways|summary|in summary|conclusions?|in conclusion|wrapping up"
    r"|final thoughts|(the )?bottom line|recap|tl;?dr|steps at a glance|quick answers)\b",
    re.IGNORECASE,
)
QUOTES = str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--")

DEMO_TOPIC, DEMO_KEYWORD = "How to write readable web content", "readability"
OFF_TOPICS = (
    "How to brew cold brew coffee",
    "The rules of cricket",
    "Repairing a diesel engine",
    "Caring for orchids",
    "The history of the Roman Empire",
)
ON_TOPICS = (
    "How to write email subject lines people open",
    "Writing readable web content",
    "Planning a content calendar",
    "Repurposing a blog post for social media",
)


# --- documents: title, sections, sentences ---------------------------------------------


@dataclass
class Sentence:
    """A source sentence and where it sat in its document: the ground truth."""

    doc: int
    section: int
    order: int
    text: str


@dataclass
class Document:
    """A parsed document; ``scored`` is False when its structure could not be derived."""

    index: int
    name: str
    title: str
    headings: list[str]  # one per section; "intro" for a section 0 without a heading
    paragraphs: list[str]
    sentences: list[list[Sentence]]  # per paragraph
    scored: bool
    note: str = ""

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    @property
    def h2(self) -> list[str]:
        return [h for i, h in enumerate(self.headings) if not (i == 0 and h == "intro")]


def markdown_events(text: str) -> list[tuple[str, str]]:
    """(kind, text) per heading and paragraph, so every format parses into the same shape."""
    events: list[tuple[str, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        block = strip_markdown("\n".join(lines))
        lines.clear()
        if block:
            events.append(("p", block))

    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            flush()
        elif in_fence:
            continue
        elif heading := ATX.match(line):
            flush()
            events.append((f"h{len(heading.group(1))}", strip_markdown(heading.group(2))))
        elif line.strip():
            lines.append(line)
        else:
            flush()
    flush()
    return events


class HtmlEvents(HTMLParser):
    """Headings and paragraphs of the page's content, without its menus and footers."""

    SKIP = frozenset({"nav", "header", "footer", "aside", "script", "style", "noscript", "form"})
    KEEP = {f"h{n}": f"h{n}" for n in range(1, 7)} | {"p": "p", "li": "p"}

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []
        self.skip, self.kind, self.buffer = 0, "", []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.KEEP and not self.skip:
            self.flush()
            self.kind = self.KEEP[tag]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.KEEP:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.kind and not self.skip:
            self.buffer.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if self.kind and text:
            self.events.append((self.kind, text))
        self.kind, self.buffer = "", []


def text_events(text: str) -> list[tuple[str, str]]:
    """Plain text is Markdown when it has headings; else a short first line is the title."""
    events = markdown_events(text)
    if any(kind != "p" for kind, _ in events) or not events:
        return events
    first = events[0][1]
    if "\n" not in first and len(first.split()) <= 15 and first[-1:] not in ".!?:":
        events[0] = ("h1", first)
    return events


def file_events(path: Path) -> list[tuple[str, str]]:
    """Events of one file, by its suffix."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in {".html", ".htm"}:
        parser = HtmlEvents()
        parser.feed(text)
        parser.close()
        parser.flush()
        return parser.events
    return text_events(text) if path.suffix.lower() == ".txt" else markdown_events(text)


def build_document(index: int, name: str, events: list[tuple[str, str]]) -> Document:
    """Sections from the events: the H1 is the title, H2s open sections, other headings go."""
    titles = [text for kind, text in events if kind == "h1"]
    sections: list[tuple[str, list[str]]] = [("intro", [])]
    for kind, text in events:
        if kind == "h2":
            sections.append((text, []))
        elif kind == "p":
            sections[-1][1].append(text)
    sections = [s for s in sections if s[1]]
    doc = Document(index, name, titles[0] if titles else "", [], [], [], scored=False)
    for number, (heading, paragraphs) in enumerate(sections):
        doc.headings.append(heading)
        for paragraph in paragraphs:
            doc.paragraphs.append(paragraph)
            doc.sentences.append(
                [Sentence(index, number, 0, s) for s in split_sentences(paragraph)]
            )
    for order, sentence in enumerate(s for para in doc.sentences for s in para):
        sentence.order = order
    doc.scored = bool(doc.title) and len(sections) >= 2 and bool(doc.h2)
    if not doc.scored:
        doc.note = "no title and H2 sections derivable: neighbour only, not scored"
    return doc


def load_corpus(folder: Path) -> list[Document]:
    """Every document file of the folder in name order (a README is not a document)."""
    paths = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUFFIXES and p.name.lower() != "readme.md"
    )
    return [build_document(i, p.name, file_events(p)) for i, p in enumerate(paths)]


# --- sources with the structure hidden --------------------------------------------------


def source_split(doc: Document, mode: str) -> list[tuple[str, list[int]]]:
    """(file name, paragraph indices) per source file: contiguous blocks or round-robin."""
    count = len(doc.paragraphs)
    if mode == "blocks":
        parts = min(count, max(3, round(count / 3)))
        groups = [list(map(int, g)) for g in np.array_split(np.arange(count), parts)]
    else:
        parts = min(3, count)
        groups = [list(range(start, count, parts)) for start in range(parts)]
    digest = lambda i: hashlib.sha1(f"{doc.name}:{i}".encode()).hexdigest()[:12]  # noqa: E731
    return [(f"{digest(i)}.txt", group) for i, group in enumerate(groups)]


def write_sources(docs: list[Document], mode: str, folder: Path) -> dict[int, list]:
    """Write every document's source files (no headings) and return their split per doc."""
    folder.mkdir(parents=True, exist_ok=True)
    splits = {}
    for doc in docs:
        splits[doc.index] = source_split(doc, mode)
        for name, group in splits[doc.index]:
            text = "\n\n".join(doc.paragraphs[i] for i in group)
            (folder / name).write_text(text + "\n", encoding="utf-8")
    return splits


# --- reading the article ----------------------------------------------------------------


@dataclass
class OutSentence:
    """An article sentence, its group (intro = 0, then each H2) and its citation marker."""

    group: int
    closing: bool
    text: str
    cited: bool


def normalise(text: str) -> str:
    """Case, quotes, punctuation and spacing do not decide whether two sentences match."""
    text = CITATION.sub("", text).translate(QUOTES).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def article_groups(markdown: str) -> tuple[list[str], list[OutSentence]]:
    """The article's body H2 headings and its sentences by group, References left out."""
    groups: list[tuple[str, list[str]]] = [("intro", [])]
    for line in markdown.splitlines():
        heading = ATX.match(line)
        if heading and len(heading.group(1)) == 2:
            groups.append((heading.group(2).strip(), []))
        elif not heading:
            groups[-1][1].append(line)
    headings, sentences = [], []
    for number, (heading, lines) in enumerate(groups):
        if REFERENCES.match(heading):
            continue
        closing = bool(CLOSING.match(heading))
        if number and not closing:
            headings.append(heading)
        text = BULLET.sub("\n\n", "\n".join(lines))
        for sentence in split_sentences(strip_markdown(text)):
            clean = " ".join(CITATION.sub("", sentence).split())
            if clean:
                sentences.append(
                    OutSentence(number, closing, clean, bool(CITATION.search(sentence)))
                )
    return headings, sentences


class SentenceIndex:
    """Source sentences by normalised text, for exact then fuzzy matching."""

    def __init__(self, docs: list[Document]) -> None:
        self.exact: dict[str, list[Sentence]] = {}
        for doc in docs:
            for sentence in (s for para in doc.sentences for s in para):
                self.exact.setdefault(normalise(sentence.text), []).append(sentence)

    def match(self, text: str, doc: int) -> Sentence | None:
        """Exact normalised match, else the best difflib ratio >= 0.9; ties go to ``doc``."""
        key = normalise(text)
        found = self.exact.get(key) or self._fuzzy(key)
        if not found:
            return None
        return next((s for s in found if s.doc == doc), found[0])

    def _fuzzy(self, key: str) -> list[Sentence]:
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        best, found = FUZZY, []
        for candidate, sentences in self.exact.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
                continue
            ratio = matcher.ratio()
            if ratio > best:
                best, found = ratio, list(sentences)
            elif ratio == best:
                found += sentences
        return found


# --- figures ----------------------------------------------------------------------------


def ari_tau(true: list[int], predicted: list[Any], order: list[int]) -> tuple[float, float]:
    """Section purity and order agreement; NaN when fewer than two sentences (or constant)."""
    if len(true) < 2:
        return NAN, NAN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tau = kendalltau(list(range(len(order))), order).statistic
    return float(adjusted_rand_score(true, predicted)), float(tau)


def organisation(doc: Document, matched: list[tuple[OutSentence, Sentence | None]]) -> dict:
    """ARI, tau and off-topic rate, with and without the closing summary."""
    figures: dict[str, float] = {}
    for suffix, keep in (("", lambda o: True), ("_no_closing", lambda o: not o.closing)):
        pairs = [(o, s) for o, s in matched if s is not None and keep(o)]
        own = [(o, s) for o, s in pairs if s.doc == doc.index]
        ari, tau = ari_tau(
            [s.section for _, s in own], [o.group for o, _ in own], [s.order for _, s in own]
        )
        figures["ari" + suffix], figures["tau" + suffix] = ari, tau
        off = sum(s.doc != doc.index for _, s in pairs)
        figures["off_topic" + suffix] = off / len(pairs) if pairs else NAN
    return figures


def score_article(doc: Document, markdown: str, index: SentenceIndex) -> dict:
    """Every per-document figure that the article's Markdown alone decides."""
    headings, out = article_groups(markdown)
    matched = [(o, index.match(o.text, doc.index)) for o in out]
    used = {s.order for _, s in matched if s is not None and s.doc == doc.index}
    total = sum(len(p) for p in doc.sentences)
    return {
        **organisation(doc, matched),
        "output_headings": headings,
        "output_sentences": len(out),
        "closing_sentences": sum(o.closing for o in out),
        "unmatched": sum(s is None for _, s in matched),
        "unmatched_cited": sum(s is None and o.cited for o, s in matched),
        "coverage": len(used) / total if total else NAN,
    }


def baseline(doc: Document, split: list[tuple[str, list[int]]]) -> dict:
    """Sources concatenated in file-name order: what the hidden structure gives for free."""
    true, groups, order = [], [], []
    for rank, (_, paragraphs) in enumerate(sorted(split)):
        for sentence in (s for i in paragraphs for s in doc.sentences[i]):
            true.append(sentence.section)
            groups.append(rank)
            order.append(sentence.order)
    ari, tau = ari_tau(true, groups, order)
    return {"ari": ari, "tau": tau, "off_topic": 0.0, "coverage": 1.0}


def unit_rows(texts: list[str], embedder: Embedder) -> np.ndarray:
    """Embeddings with rows normalised here, whatever the embedder already does."""
    vectors = np.asarray(embedder.encode(texts), dtype=float)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def soft_recall(true: list[str], output: list[str], embedder: Embedder) -> float:
    """Mean over true headings of the best cosine to any output heading (0 with none)."""
    if not true:
        return NAN
    if not output:
        return 0.0
    similarity = unit_rows(true, embedder) @ unit_rows(output, embedder).T
    return float(similarity.max(axis=1).mean())


def add_heading_recall(rows: list[dict], docs: dict[int, Document], embedder: Embedder) -> None:
    """Heading recall per written document, and the floor from the next one's headings."""
    written = [row for row in rows if not row["refused"]]
    for position, row in enumerate(written):
        other = written[(position + 1) % len(written)]
        true = docs[row["doc_index"]].h2
        row["heading_recall"] = soft_recall(true, row["output_headings"], embedder)
        row["heading_floor"] = soft_recall(true, other["output_headings"], embedder)


# --- running the writer -----------------------------------------------------------------


def thin_fields() -> dict[str, bool]:
    """``allow_thin=True`` for the new writer; the old request has no such field."""
    return {"allow_thin": True} if "allow_thin" in ArticleRequest.model_fields else {}


def word_count(wb: Workbench, result: Any, keyword: str | None) -> tuple[int, float]:
    """Words and SEO score from the analysis (SEO only with a keyword); body words and NaN
    if the analysis fails, so one bad draft does not stop the run."""
    try:
        report = wb.analyze(result.markdown, keyword=keyword, draft=result)
    except Exception:  # a benchmark reports what it can
        body = CITATION.sub("", result.markdown.split("\n## References", 1)[0])
        return len(strip_markdown(body).split()), NAN
    seo = float(report.seo.score) if report.seo is not None else NAN
    return report.readability.word_count, seo


def write_one(wb: Workbench, doc: Document, index: SentenceIndex) -> dict:
    """One article for the document's title, scored; a refusal is recorded, not raised."""
    target = min(6000, max(300, doc.words))
    row: dict[str, Any] = {"doc": doc.name, "doc_index": doc.index, "title": doc.title}
    row |= {"target_words": target, "refused": False}
    start = time.perf_counter()
    try:
        result = wb.write(doc.title, workspace=WORKSPACE, target_words=target, **thin_fields())
    except ValidationError as error:
        return row | {"refused": True, "refusal": str(error)}
    row["write_seconds"] = time.perf_counter() - start
    row["words"], row["seo_score"] = word_count(wb, result, None)
    row["words_ratio"] = row["words"] / target
    row["warnings"], row["markdown"] = list(result.warnings), result.markdown
    return row | score_article(doc, result.markdown, index)


def warm_up(wb: Workbench, doc: Document) -> None:
    """One untimed write so model loading and caches do not count in the timings."""
    with contextlib.suppress(ValidationError):
        wb.write(doc.title, workspace=WORKSPACE, target_words=300, **thin_fields())


def run_corpus(docs: list[Document], mode: str, embedder: Embedder) -> dict:
    """Fresh home, all sources in one workspace, an article per scored document."""
    index = SentenceIndex(docs)
    scored = [d for d in docs if d.scored]
    with tempfile.TemporaryDirectory(prefix="article-quality-") as scratch:
        splits = write_sources(docs, mode, Path(scratch) / "sources")
        with Workbench.open(home=Path(scratch) / "home") as wb:
            ingest = wb.ingest([Path(scratch) / "sources"], workspace=WORKSPACE)
            warm_up(wb, scored[0])
            rows = [write_one(wb, doc, index) for doc in scored]
    add_heading_recall(rows, {d.index: d for d in docs}, embedder)
    for row in rows:
        row["sources"] = len(splits[row["doc_index"]])
        row["baseline"] = baseline(docs[row["doc_index"]], splits[row["doc_index"]])
    failed = [item.origin for item in ingest.items if item.status not in {"added", "updated"}]
    skipped = [{"doc": d.name, "note": d.note} for d in docs if not d.scored]
    return {"documents": rows, "skipped": skipped, "ingest_failures": failed}


def demo_article(wb: Workbench) -> dict:
    """The ``make demo`` article: default target, keyword "readability"."""
    result = wb.write(DEMO_TOPIC, keywords=(DEMO_KEYWORD,))
    report = wb.analyze(result.markdown, keyword=DEMO_KEYWORD, draft=result)
    return {"seo_score": report.seo.score, "words": report.readability.word_count}


def probe_topic(wb: Workbench, topic: str, index: SentenceIndex, expected: str) -> dict:
    """Did the writer refuse, and if not, how much of the article is copied corpus text."""
    row: dict[str, Any] = {"topic": topic, "expected": expected}
    try:
        result = wb.write(topic)
    except ValidationError as error:
        return row | {"refused": True, "refusal": str(error)}
    _, out = article_groups(result.markdown)
    copied = sum(index.match(o.text, -1) is not None for o in out)
    row |= {"refused": False, "sentences": len(out)}
    return row | {"corpus_share": copied / len(out) if out else NAN}


def demo_extras(docs: list[Document]) -> dict:
    """``make demo`` on the corpus as is, then the off- and on-topic refusal probes."""
    index = SentenceIndex(docs)
    with (
        tempfile.TemporaryDirectory(prefix="article-quality-demo-") as home,
        Workbench.open(home=home) as wb,
    ):
        wb.ingest([CORPORA["demo"]])
        extras = {"make_demo": demo_article(wb)}
        probes = [probe_topic(wb, t, index, "refuse") for t in OFF_TOPICS]
        probes += [probe_topic(wb, t, index, "write") for t in ON_TOPICS]
    return extras | {"probes": probes}


# --- summary and tables -----------------------------------------------------------------


def mean(values: list[float]) -> float:
    """Macro average that leaves NaN out (NaN when nothing is left)."""
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.fmean(kept) if kept else NAN


def summarise(run: dict) -> dict:
    """Macro averages over the written documents, for the writer and the baseline."""
    rows = [r for r in run["documents"] if not r["refused"]]
    keys = ("ari", "ari_no_closing", "tau", "tau_no_closing", "heading_recall")
    keys += ("heading_floor", "off_topic", "off_topic_no_closing", "coverage", "words")
    keys += ("words_ratio", "output_sentences", "unmatched", "closing_sentences")
    summary = {key: mean([r[key] for r in rows]) for key in keys}
    summary["unmatched_cited_total"] = sum(r["unmatched_cited"] for r in rows)
    summary["baseline"] = {k: mean([r["baseline"][k] for r in rows]) for k in ("ari", "tau")}
    times = [r["write_seconds"] for r in rows]
    summary["median_write_seconds"] = statistics.median(times) if times else NAN
    summary["written"], summary["refused"] = len(rows), len(run["documents"]) - len(rows)
    return summary


def fmt(value: float, percent: bool = False) -> str:
    """Two decimals, or a percentage; an em dash for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2014"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def corpus_table(name: str, run: dict, mode: str) -> list[str]:
    """The Markdown table of one corpus: metric | writer | baseline | target."""
    s, b = run["summary"], run["summary"]["baseline"]
    skipped = ", ".join(item["doc"] for item in run["skipped"]) or "none"
    rows = [
        ("documents written / refused", f"{s['written']} / {s['refused']}", "", ""),
        ("ARI, sections vs original", fmt(s["ari"]), fmt(b["ari"]), "\u2265 0.5"),
        ("ARI without closing summary", fmt(s["ari_no_closing"]), "", "\u2265 0.5"),
        ("Kendall tau, order", fmt(s["tau"]), fmt(b["tau"]), "\u2265 0.5"),
        ("Kendall tau without closing summary", fmt(s["tau_no_closing"]), "", "\u2265 0.5"),
        (
            "heading soft recall (floor: unrelated headings)",
            fmt(s["heading_recall"]),
            f"floor {fmt(s['heading_floor'])}",
            "",
        ),
        ("off-topic sentences", fmt(s["off_topic"], True), "0% (by construction)", "\u2264 10%"),
        (
            "off-topic without closing summary",
            fmt(s["off_topic_no_closing"], True),
            "",
            "\u2264 10%",
        ),
        ("coverage of the document's sentences", fmt(s["coverage"], True), "100%", ""),
        ("words (mean)", f"{s['words']:.0f}", "", ""),
        ("words / target", fmt(s["words_ratio"]), "", ""),
        ("output sentences per article", f"{s['output_sentences']:.1f}", "", ""),
        ("of which closing summary", f"{s['closing_sentences']:.1f}", "", ""),
        ("unmatched (template) sentences per article", f"{s['unmatched']:.1f}", "", ""),
        ("unmatched sentences with a citation (total)", str(s["unmatched_cited_total"]), "", "0"),
        ("median write time, s", fmt(s["median_write_seconds"]), "", ""),
    ]
    lines = [f"### Corpus `{name}`, sources `{mode}` (not scored: {skipped})", ""]
    lines += ["| metric | writer | baseline | target |", "| --- | --- | --- | --- |"]
    return lines + [f"| {' | '.join(row)} |" for row in rows] + [""]


def extras_table(extras: dict) -> list[str]:
    """``make demo`` figures and the refusal probes."""
    demo = extras["make_demo"]
    lines = [
        "### Demo extras",
        "",
        f"`make demo` article: SEO score {demo['seo_score']}, {demo['words']} words",
        "",
        "| topic | expected | refused | sentences | copied from corpus |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in extras["probes"]:
        refused = "yes" if p["refused"] else "no"
        sentences = "" if p["refused"] else str(p["sentences"])
        share = "" if p["refused"] else fmt(p["corpus_share"], True)
        lines.append(f"| {p['topic']} | {p['expected']} | {refused} | {sentences} | {share} |")
    return [*lines, ""]


def jsonable(value: Any) -> Any:
    """NaN becomes null so the JSON stays standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--corpus", choices=("demo", "structured", "all"), default="all")
    parser.add_argument("--sources", choices=("blocks", "interleaved"), default="blocks")
    parser.add_argument("--json", type=Path, help="dump every per-document figure here")
    args = parser.parse_args()
    names = ("demo", "structured") if args.corpus == "all" else (args.corpus,)
    started, embedder = time.perf_counter(), Embedder()
    print(f"kernel: {Path(aiwriter_kernel.__file__).parent}; allow_thin: {bool(thin_fields())}\n")
    dump: dict[str, Any] = {"kernel": str(Path(aiwriter_kernel.__file__).parent)}
    dump |= {"sources": args.sources, "corpora": {}}
    for name in names:
        docs = load_corpus(CORPORA[name])
        run = run_corpus(docs, args.sources, embedder)
        run["summary"] = summarise(run)
        dump["corpora"][name] = run
        print("\n".join(corpus_table(name, run, args.sources)))
        if name == "demo":
            dump["demo_extras"] = demo_extras(docs)
            print("\n".join(extras_table(dump["demo_extras"])))
    dump["seconds"] = time.perf_counter() - started
    print(f"total time: {dump['seconds']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(jsonable(dump), indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
