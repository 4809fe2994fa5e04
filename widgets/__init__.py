"""ipywidgets panels over the Workbench: each usable alone, or all together in
``WorkbenchApp``. They call only Workbench methods, and run long work in a thread."""

from aiwriter_widgets.analysis import AnalysisPanel
from aiwriter_widgets.app import WorkbenchApp
from aiwriter_widgets.batch import BatchMonitor
from aiwriter_widgets.batch_results import BatchResultsPanel
from aiwriter_widgets.draft import DraftEditor
from aiwriter_widgets.outline import OutlineEditor
from aiwriter_widgets.research import ResearchPanel
from aiwriter_widgets.rewrite import RewritePanel

__all__ = [
    "AnalysisPanel",
    "BatchMonitor",
    "BatchResultsPanel",
    "DraftEditor",
    "OutlineEditor",
    "ResearchPanel",
    "RewritePanel",
    "WorkbenchApp",
]
