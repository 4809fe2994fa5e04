"""The whole workbench in one widget: a tab per panel, with the current draft handed from
panel to panel (planned in the outline, written in the draft editor, rewritten, analysed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
from aiwriter_widgets.analysis import AnalysisPanel
from aiwriter_widgets.batch import BatchMonitor
from aiwriter_widgets.draft import DraftEditor
from aiwriter_widgets.outline import OutlineEditor
from aiwriter_widgets.research import ResearchPanel
from aiwriter_widgets.rewrite import RewritePanel

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench


class WorkbenchApp(w.Tab):
    """Research, Outline, Draft, Rewrite, Analysis and Batch tabs over one workbench."""

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        self.research = ResearchPanel(workbench)
        self.outline = OutlineEditor(workbench)
        self.draft = DraftEditor(workbench)
        self.rewrite = RewritePanel(workbench)
        self.analysis = AnalysisPanel(workbench)
        self.batch = BatchMonitor(workbench)
        panels = (self.research, self.outline, self.draft, self.rewrite, self.analysis, self.batch)
        super().__init__(children=panels, **kwargs)
        self.titles = ("Research", "Outline", "Draft", "Rewrite", "Analysis", "Batch")
        self.outline.observe(self._outline_written, names="result")
        self.draft.observe(self._draft_written, names="result")
        self.outline.observe(self._current_draft, names="draft_id")
        self.draft.observe(self._current_draft, names="draft_id")

    @property
    def panels(self) -> tuple[w.Widget, ...]:
        return tuple(self.children)

    def wait(self, timeout: float | None = None) -> None:
        """Block until no panel has work running (the batch monitor's polling aside)."""
        for panel in (self.research, self.outline, self.draft, self.rewrite, self.analysis):
            panel.wait(timeout)

    def _outline_written(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.draft.show_result(change["new"])

    def _draft_written(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            keyword = self.draft.keyword.value.strip() or self.outline.keyword.value.strip()
            self.analysis.analyze_result(change["new"], keyword or None)

    def _current_draft(self, change: dict[str, Any]) -> None:
        self.rewrite.draft_id = change["new"]
