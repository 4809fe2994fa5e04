"""Key-phrase quality against an outside gold set: SemEval-2010 Task 5 (99 ACM papers).

Scores ``aiwriter_kernel.text.keyphrases.extract_keyphrases`` beside YAKE (dev dependency
``yake``), a TF-IDF baseline over the same candidates the task's baseline used (1-3 word
runs between stop words, IDF over the 99 texts), and the extractor as it was before issue
15 (``benchmarks/keyphrases_old.py``). Each extractor sees one text at a time, as
``analyze`` does. The metric is the task's: lower-case, Porter-stem every word (each
hyphen-separated part on its own), exact phrase match against the official stemmed combined
gold (any listed alternative matches), micro-averaged precision, recall and F1 at 5 and 10.

Two views: the full papers, and their title + abstract (the short texts ``analyze`` sees
most), scored against all the gold and against the gold phrases that occur in that short
text (what any extractor could find there).

    PYTHONPATH=. .venv/bin/python benchmarks/keyphrase_quality.py [--data DIR]

Runs in about two minutes on two cores (YAKE and TF-IDF on the full papers take most of it).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yake
from nltk.stem.porter import PorterStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

sys.path.insert(0, str(Path(__file__).resolve().parent))

from keyphrases_old import extract_keyphrases as old_extract

from aiwriter_kernel.text.keyphrases import extract_keyphrases

DATA = Path("/work/shared/data/keyphrases-semeval2010")
ABSTRACT_END = re.compile(
    r"^(categories and subjects? descriptors|general terms|keywords|1\.?\s)", re.I
)
WORD = re.compile(r"[a-z][a-z0-9'-]*[a-z0-9]|[a-z]")
BREAK = re.compile(r"[^\w\s'-]|\s-\s|_")
PORTER = PorterStemmer()
Extractor = Callable[[str, Sequence[str]], list[str]]


@dataclass
class Paper:
    id: str
    text: str
    title: str
    abstract: str  # title line + abstract, or "" when the paper has no ABSTRACT heading
    gold: list[set[str]]  # each gold key: its stemmed alternatives


def stem_phrase(phrase: str) -> str:
    """The task's normal form: lower case, every word (and hyphen part) Porter-stemmed."""
    return " ".join(
        "-".join(PORTER.stem(part) for part in word.split("-")) for word in phrase.lower().split()
    )


def load(data: Path) -> list[Paper]:
    gold = {}
    for line in (data / "gold-official-stemmed.jsonl").read_text().splitlines():
        row = json.loads(line)
        gold[row["id"]] = [set(alternatives) for alternatives in row["keyphrases"]]
    papers = []
    for path in sorted((data / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        title = lines[0].strip().rstrip("*")
        papers.append(Paper(path.stem, text, title, _abstract(title, lines), gold[path.stem]))
    return papers


def _abstract(title: str, lines: list[str]) -> str:
    starts = [i for i, line in enumerate(lines) if line.strip().upper() == "ABSTRACT"]
    if not starts:
        return ""
    body = []
    for line in lines[starts[0] + 1 :]:
        if ABSTRACT_END.match(line.strip()):
            break
        body.append(line)
    return f"{title}\n\n" + "\n".join(body)


# ------------------------------------------------------------------------------ extractors


def ours(text: str, _corpus: Sequence[str]) -> list[str]:
    return [k.phrase for k in extract_keyphrases([text], top=10)]


def ours_with_title(text: str, _corpus: Sequence[str]) -> list[str]:
    """As ``analyze`` calls it on a Markdown draft: the first line is the title."""
    title, _, body = text.partition("\n")
    return [k.phrase for k in extract_keyphrases([body], top=10, headings=[title])]


def old(text: str, _corpus: Sequence[str]) -> list[str]:
    return [k.phrase for k in old_extract([text], top=10)]


def yake_extractor(text: str, _corpus: Sequence[str]) -> list[str]:
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    return [phrase for phrase, _ in extractor.extract_keywords(text)]


def _ngrams(text: str) -> list[str]:
    """1-3 word runs between stop words and punctuation, stemmed (the task's baseline)."""
    found = []
    for segment in BREAK.split(text.lower()):
        run: list[str] = []
        for word in [*WORD.findall(segment), ""]:
            if word and word not in ENGLISH_STOP_WORDS:
                run.append(word)
                continue
            for size in range(1, 4):
                found += [" ".join(run[i : i + size]) for i in range(len(run) - size + 1)]
            run = []
    return [stem_phrase(gram) for gram in found]


def tfidf_factory(corpus: Sequence[str]) -> Extractor:
    frequency: Counter[str] = Counter()
    for text in corpus:
        frequency.update(set(_ngrams(text)))

    def extract(text: str, _corpus: Sequence[str]) -> list[str]:
        counts = Counter(_ngrams(text))
        idf = {gram: math.log(len(corpus) / frequency.get(gram, 1)) for gram in counts}
        ranked = sorted(counts, key=lambda gram: (-counts[gram] * idf[gram], gram))
        return ranked[:10]

    return extract


# ---------------------------------------------------------------------------------- metric


def matches(predicted: Sequence[str], gold: list[set[str]], k: int) -> int:
    """Gold keys matched by the top ``k`` distinct predictions (each key at most once)."""
    unique: list[str] = []
    for phrase in (stem_phrase(p) for p in predicted):
        if phrase not in unique:
            unique.append(phrase)
    return sum(1 for alternatives in gold if alternatives & set(unique[:k]))


def micro_f1(rows: list[tuple[list[str], list[set[str]]]], k: int) -> float:
    hit = sum(matches(predicted, gold, k) for predicted, gold in rows)
    predicted = sum(min(k, len(p)) for p, _ in rows)
    expected = sum(len(gold) for _, gold in rows)
    precision = hit / predicted if predicted else 0.0
    recall = hit / expected if expected else 0.0
    return 100 * 2 * precision * recall / (precision + recall) if hit else 0.0


def present(gold: list[set[str]], text: str) -> list[set[str]]:
    """The gold keys one of whose alternatives occurs in ``text`` (stemmed)."""
    stemmed = f" {' '.join(stem_phrase(w) for w in WORD.findall(text.lower()))} "
    return [alts for alts in gold if any(f" {alt} " in stemmed for alt in alts)]


def single_word_share(rows: list[tuple[list[str], list[set[str]]]]) -> float:
    predicted = [phrase for p, _ in rows for phrase in p[:10]]
    return 100 * sum(1 for phrase in predicted if " " not in phrase.strip()) / len(predicted)


def evaluate(name: str, extract: Extractor, texts: list[str], golds: list[list[set[str]]]):
    started = time.perf_counter()
    predictions = [extract(text, texts) for text in texts]
    seconds = time.perf_counter() - started
    rows = list(zip(predictions, golds, strict=True))
    print(
        f"| {name} | {micro_f1(rows, 5):.2f} | {micro_f1(rows, 10):.2f} | "
        f"{single_word_share(rows):.0f}% | {seconds:.1f} s |"
    )
    return predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", default="", help="print each extractor's phrases for this id")
    args = parser.parse_args()
    papers = load(args.data)
    short = [p for p in papers if p.abstract]
    views = [
        ("full papers", [p.text for p in papers], [p.gold for p in papers]),
        ("title + abstract, all gold", [p.abstract for p in short], [p.gold for p in short]),
        (
            "title + abstract, gold present in it",
            [p.abstract for p in short],
            [present(p.gold, p.abstract) for p in short],
        ),
    ]
    for view, texts, golds in views:
        print(f"\n{view}: {len(texts)} texts, {sum(map(len, golds))} gold keys\n")
        print("| extractor | F1@5 | F1@10 | single words in top 10 | time |")
        print("| --- | ---: | ---: | ---: | ---: |")
        extractors: list[tuple[str, Extractor]] = [
            ("ours (issue 15)", ours),
            ("ours, first line as title", ours_with_title),
            ("TF-IDF 1-3 grams", tfidf_factory(texts)),
            ("YAKE (n=3)", yake_extractor),
            ("old extractor", old),
        ]
        for name, extract in extractors:
            predictions = evaluate(name, extract, texts, golds)
            if args.show:
                ids = [p.id for p in (papers if view == "full papers" else short)]
                if args.show in ids:
                    print(f"    {args.show}: {predictions[ids.index(args.show)]}")


if __name__ == "__main__":
    main()
