"""``aiwriter write``'s progress: named stages with a total, drawn on a terminal only.

The article pipeline reports what it starts (searching, planning, each section, reviewing,
saving); a bar counting those steps with the stage's name says where the run is and how
much is left, which a bare count of events and a rate in "s/step" did not. On a pipe (a
script, a log) nothing is drawn: tqdm's ``disable=None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiwriter_kernel.pipelines.article_models import PipelineEvent

BEFORE_SECTIONS = 3  # searching, outlining, the introduction
AFTER_SECTIONS = 2  # reviewing, saving
BAR_FORMAT = "{desc} |{bar}| {n_fmt}/{total_fmt} [{elapsed}]"


class WriteProgress:
    """Moves a tqdm bar to the step each pipeline event starts, named after it."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.sections = 0
        self.started = 0  # sections started so far

    def __call__(self, event: PipelineEvent) -> None:
        if event.sections is not None:
            self.sections = event.sections
            self.bar.total = BEFORE_SECTIONS + self.sections + AFTER_SECTIONS
        step = self.step(event)
        if step is None:
            return
        done, name = step
        self.bar.set_description_str(f"write: {name}", refresh=False)
        self.bar.update(max(0, done - self.bar.n))

    def step(self, event: PipelineEvent) -> tuple[int, str] | None:
        """(steps done before this one, its name) for an event that starts a step."""
        after_sections = BEFORE_SECTIONS + self.sections
        if event.stage == "research":
            return 0, "searching"
        if event.stage == "outline":
            return 1, "outlining"
        if event.stage == "section" and event.sections is not None:  # a section starts
            self.started += 1
            return BEFORE_SECTIONS + self.started - 1, f"section {self.started}/{self.sections}"
        if event.stage == "check":
            return after_sections, "checking the voice"
        if event.stage == "review":
            return after_sections, "reviewing"
        if event.stage == "store":
            return after_sections + 1, "saving"
        if event.stage == "done":
            return after_sections + AFTER_SECTIONS, "done"
        return None


def progress_bar(file: Any) -> Any:
    """The bar ``WriteProgress`` moves: on ``file`` when it is a terminal, else switched off."""
    from tqdm import tqdm

    return tqdm(
        desc="write: starting",
        total=BEFORE_SECTIONS + AFTER_SECTIONS,
        bar_format=BAR_FORMAT,
        file=file,
        disable=None,
    )
