"""The CLI's own words, without a process: the write progress's stages and total, counts in
the right number, and which flag an input error names."""

from __future__ import annotations

import typer

from aiwriter_kernel.cli.error_message import error_line, flag_for
from aiwriter_kernel.cli.main import app
from aiwriter_kernel.cli.write_progress import WriteProgress
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.text.counts import counted


class RecordingBar:
    """The part of tqdm ``WriteProgress`` moves, remembering what a person would see."""

    def __init__(self) -> None:
        self.n, self.total, self.seen = 0, None, []

    def set_description_str(self, text: str, refresh: bool = True) -> None:
        self.description = text

    def update(self, steps: int) -> None:
        self.n += steps
        self.seen.append((self.description, self.n, self.total))


def test_write_progress_names_each_stage_against_a_total() -> None:
    bar = RecordingBar()
    progress = WriteProgress(bar)
    events = [
        PipelineEvent(stage="research", message="searching sources for 'x'"),
        PipelineEvent(stage="outline", message="planning 2 sections from 3 sources", sections=2),
        PipelineEvent(stage="section", message="wrote the introduction", section="Introduction"),
        PipelineEvent(stage="section", message="section 1/2: A", section="A", sections=2),
        PipelineEvent(stage="section", message="wrote A", section="A", text="..."),
        PipelineEvent(stage="section", message="section 2/2: B", section="B", sections=2),
        PipelineEvent(stage="review", message="checking citations and length"),
        PipelineEvent(stage="store", message="saving the draft"),
        PipelineEvent(stage="done", message="draft 1 v2"),
    ]
    for event in events:
        progress(event)
    assert bar.seen == [
        ("write: searching", 0, None),
        ("write: outlining", 1, 7),
        ("write: section 1/2", 3, 7),
        ("write: section 2/2", 4, 7),
        ("write: reviewing", 5, 7),
        ("write: saving", 6, 7),
        ("write: done", 7, 7),
    ]


def test_counts_take_the_noun_in_the_right_number() -> None:
    assert counted(1, "chunk") == "1 chunk"
    assert counted(0, "chunk") == "0 chunks"
    assert counted(3, "entry", "entries") == "3 entries"


def test_an_input_error_names_the_flag_of_the_running_command() -> None:
    root = typer.main.get_command(app)
    assert flag_for("topic", root, ["write", "x"]) == "TOPIC"
    assert flag_for("format", root, ["--debug", "write", "x"]) == "--type"
    assert flag_for("target_words", root, ["write", "x"]) == "--words"
    assert flag_for("channel", root, ["rewrite"]) == "--channel"
    assert flag_for("nothing_like_it", root, ["write"]) is None
    error = ValidationError("channel: unknown channel 'tiktok'", field="channel", reason="unknown")
    assert error_line(error, root, ["rewrite", "-c", "tiktok"]) == "--channel: unknown"
    assert error_line(error, root, ["ask", "q"]) == "channel: unknown channel 'tiktok'"
