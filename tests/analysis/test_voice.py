"""voice_match(): hand-worked drafts against personas, check by check, and the score."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.analysis import analyze, voice_check_bars, voice_match
from aiwriter_kernel.analysis.figures import GOOD, POOR
from aiwriter_kernel.analysis.markup import prose
from aiwriter_kernel.analysis.readability import offline_textstat
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.personas import Persona

# Sentences of 4, 6 and 12 words: 22 words, mean 7.33.
THREE = (
    "Dogs bark at night. Cats sleep most of the day. "
    "The old farmer walked slowly to the barn every morning before sunrise."
)


def check(report, check_id: str):
    return next(c for c in report.checks if c.id == check_id)


def test_banned_words_are_counted_whole_and_in_any_case() -> None:
    text = (
        "# Synergy at work\n\nSynergy drives us. We love SYNERGY. Synergystic is no word. "
        "A deep\ndive helps. Deep-dive is hyphenated."
    )
    persona = Persona(name="Plain", banned_words=("synergy", "deep dive"))
    report = voice_match(text, persona)
    found = {w.word: w.count for w in report.banned_words}
    # The heading counts, "Synergystic" does not; the phrase matches across a line break,
    # and not where a hyphen joins its words.
    assert found == {"synergy": 3, "deep dive": 1}
    banned = check(report, "banned_words")
    assert not banned.passed
    assert "'synergy' (3x)" in banned.detail and "'deep dive' (1x)" in banned.detail
    assert "synergy" in banned.fix and "deep dive" in banned.fix
    assert report.score == 0  # the only check that ran failed


def test_the_references_section_is_not_the_writers_voice() -> None:
    text = "A clear guide helps readers [1].\n\n## References\n\n[1] Synergy handbook — x.org\n"
    report = voice_match(text, Persona(name="Plain", banned_words=("synergy",)))
    assert report.banned_words == []
    assert check(report, "banned_words").passed and report.score == 100


def test_tone_words_per_thousand_words() -> None:
    # 20 words; "clear" twice and "Plain" once.
    text = (
        "Clear writing wins. Plain words help every reader. Keep it clear and short. "
        "Nobody likes a long and winding sentence."
    )
    persona = Persona(name="Plain", tone_words=("clear", "plain", "friendly"))
    report = voice_match(text, persona)
    assert report.word_count == 20
    assert {w.word: w.count for w in report.tone_words} == {"clear": 2, "plain": 1}
    assert report.tone_words_missing == ["friendly"]
    assert report.tone_words_per_1000 == 150.0  # 3 uses in 20 words
    assert check(report, "tone_words").passed


def test_no_tone_word_fails_the_tone_check() -> None:
    persona = Persona(name="Warm", tone_words=("friendly",))
    report = voice_match(THREE, persona)
    tone = check(report, "tone_words")
    assert not tone.passed and report.tone_words_per_1000 == 0.0
    assert "friendly" in tone.fix
    assert report.score == round(100 * 40 / 55)  # banned words (40) passed, tone (15) failed


def test_sentence_lengths_against_the_limit() -> None:
    report = voice_match(THREE, Persona(name="Short", max_sentence_words=10))
    assert (report.sentence_count, report.sentence_mean, report.sentence_max) == (3, 7.33, 12)
    assert report.long_sentences == [
        "The old farmer walked slowly to the barn every morning before sunrise."
    ]
    assert report.long_share == pytest.approx(1 / 3, abs=1e-4)
    length = check(report, "sentence_length")
    assert not length.passed and "1 of 3 sentences" in length.detail
    assert "The old farmer" in length.fix
    relaxed = voice_match(THREE, Persona(name="Short", max_sentence_words=12))
    assert relaxed.long_sentences == [] and check(relaxed, "sentence_length").passed
    assert relaxed.score == 100 and report.score == round(100 * 40 / 60)


def test_without_a_limit_lengths_are_reported_but_not_checked() -> None:
    report = voice_match(THREE, Persona(name="Any"))
    assert report.sentence_max == 12 and report.long_share is None
    assert [c.id for c in report.checks] == ["banned_words"]


def test_reading_grade_is_textstats_flesch_kincaid_within_two_grades() -> None:
    grade = offline_textstat().flesch_kincaid_grade(prose(THREE).text)
    report = voice_match(THREE, Persona(name="G", reading_level=grade + 1.9))
    assert report.reading_grade == pytest.approx(grade, abs=0.01)
    assert check(report, "reading_level").passed
    above = voice_match(THREE, Persona(name="G", reading_level=grade + 2.1))
    assert not check(above, "reading_level").passed
    assert "simpler than this reader expects" in check(above, "reading_level").fix
    assert above.score == round(100 * 40 / 65)


def test_a_text_too_hard_for_the_persona_is_told_to_simplify() -> None:
    hard = (
        "Comprehensive interdisciplinary methodologies necessitate considerable organisational "
        "commitment. Institutional stakeholders evaluate implementation strategies "
        "systematically and continuously."
    )
    grade = offline_textstat().flesch_kincaid_grade(prose(hard).text)
    report = voice_match(hard, Persona(name="Kids", reading_level=6))
    assert report.reading_grade == pytest.approx(grade, abs=0.01) and grade > 8
    level = check(report, "reading_level")
    assert not level.passed and "Simplify" in level.fix
    assert f"{grade:.1f}" in level.detail


def test_every_check_and_the_score() -> None:
    persona = Persona(
        name="Full",
        banned_words=("barn",),
        tone_words=("night",),
        reading_level=5,
        max_sentence_words=12,
    )
    report = voice_match(THREE, persona)
    assert [c.id for c in report.checks] == [
        "banned_words",
        "reading_level",
        "sentence_length",
        "tone_words",
    ]
    assert sum(c.weight for c in report.checks) == 100
    assert report.score == sum(c.weight for c in report.checks if c.passed)
    assert not check(report, "banned_words").passed
    assert report.failed()[0].id == "banned_words"  # the heaviest failure first
    clean = voice_match(THREE.replace("barn", "shed"), persona)
    assert check(clean, "banned_words").passed
    assert clean.score == report.score + 40
    assert all(c.fix == "" for c in clean.checks if c.passed)


def test_an_empty_draft_is_rejected() -> None:
    with pytest.raises(ValidationError, match="empty"):
        voice_match("# Only a heading\n", Persona(name="Plain"))


def test_analyze_adds_the_voice_only_with_a_persona() -> None:
    persona = Persona(name="Plain", banned_words=("barn",))
    assert analyze(THREE).voice is None
    report = analyze(THREE, persona=persona)
    assert report.voice is not None and report.voice.persona == "Plain"
    assert [w.word for w in report.voice.banned_words] == ["barn"]
    assert report.model_dump(mode="json")["voice"]["score"] == 0


def test_voice_check_bars_colour_failed_checks() -> None:
    persona = Persona(name="Full", banned_words=("barn",), max_sentence_words=12)
    report = voice_match(THREE, persona)
    figure = voice_check_bars(report)
    assert isinstance(figure, go.Figure)
    bars = figure.data[0]
    # Drawn bottom-up: the last check first.
    assert list(bars.y) == [c.label for c in reversed(report.checks)]
    assert list(bars.marker.color) == [
        POOR if not c.passed else GOOD for c in reversed(report.checks)
    ]
    assert "Full" in figure.layout.title.text


def test_workbench_analyze_loads_the_persona_by_name(tmp_path: Path) -> None:
    with Workbench.open(home=tmp_path) as workbench:
        workbench.save_persona(name="Plain", banned_words=("barn",), workspace="agency")
        report = workbench.analyze(THREE, persona="Plain", workspace="agency")
        assert report.voice is not None and report.voice.banned_words[0].count == 1
        with pytest.raises(ValidationError, match="unknown persona 'Plain'"):
            workbench.analyze(THREE, persona="Plain")  # not in the default workspace
        assert workbench.analyze(THREE).voice is None
