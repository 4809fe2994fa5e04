"""ipywidgets panels over the Workbench: each usable alone, or all together in
``WorkbenchApp``. They call only Workbench methods, and run long work in a thread."""

from widgets.analysis import AnalysisPanel
from widgets.app import WorkbenchApp
from widgets.batch import BatchMonitor
from widgets.batch_results import BatchResultsPanel
from widgets.draft import DraftEditor
from widgets.outline import OutlineEditor
from widgets.research import ResearchPanel
from widgets.rewrite import RewritePanel

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
