"""Reading a model's copy: exactly the framework's sections, whatever else it wrote."""

from __future__ import annotations

import pytest

from aiwriter_kernel.copywriting import resolve_framework
from aiwriter_kernel.pipelines.copywriting import parse_copy, trim_to

PAS = resolve_framework("pas")


def test_the_asked_for_shape_is_read_as_is() -> None:
    texts, warnings = parse_copy(
        "Problem: Plans live in five places.\nAgitate: Work slips.\nSolution: One board.", PAS
    )
    assert texts == {
        "Problem": "Plans live in five places.",
        "Agitate": "Work slips.",
        "Solution": "One board.",
    }
    assert warnings == []


def test_markdown_labels_continuation_lines_and_case_are_understood() -> None:
    answer = (
        "**Problem:** Plans live\nin five places.\n\n- agitate: Work slips.\n"
        "## SOLUTION: One board."
    )
    texts, warnings = parse_copy(answer, PAS)
    assert texts == {
        "Problem": "Plans live in five places.",
        "Agitate": "Work slips.",
        "Solution": "One board.",
    }
    assert warnings == []


def test_stray_text_extra_and_repeated_sections_are_left_out_and_reported() -> None:
    answer = (
        "Sure! Here is your PAS copy.\n"
        "Headline: Plan better\n"
        "Problem: Plans live in five places.\n"
        "Problem: A second problem.\n"
        "Solution: One board."
    )
    texts, warnings = parse_copy(answer, PAS)
    assert texts == {"Problem": "Plans live in five places.", "Solution": "One board."}
    assert warnings == [
        "dropped the model's text outside the copy's sections",
        "dropped sections the PAS framework has not: ['Headline']",
        "kept the first of repeated sections ['Problem']",
    ]


def test_plural_and_singular_labels_are_the_same_section() -> None:
    texts, _ = parse_copy("Feature: A.\nAdvantage: B.\nBenefit: C.", resolve_framework("fab"))
    assert list(texts) == ["Features", "Advantages", "Benefits"]


def test_trimming_keeps_whole_sentences_within_the_limit() -> None:
    text = "One two three. Four five six. Seven eight nine."
    assert trim_to(text, 30) == "One two three. Four five six."
    assert trim_to("A very long single sentence indeed.", 20) == "A very long single…"


@pytest.mark.timeout(60)
def test_labels_after_long_runs_of_spaces_are_read_in_linear_time() -> None:
    """Two plain ``\\s*`` around an optional part split such a run in every way: hours."""
    gap = " " * 200_000
    answer = f"##{gap}Problem{gap}:{gap}Plans slip.\nAgitate: Work{gap}waits.\n# a{gap}b"
    texts, _ = parse_copy(answer, PAS)
    assert texts["Problem"] == "Plans slip."
    assert texts["Agitate"].split() == ["Work", "waits.", "#", "a", "b"]
