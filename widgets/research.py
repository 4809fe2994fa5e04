"""Research: add sources (an upload or a path) to the knowledge base and search it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from aiwriter_widgets.panel import Panel
from aiwriter_widgets.render import escape

from aiwriter_kernel.errors import ValidationError

if TYPE_CHECKING:
    from aiwriter_kernel.research.models import IngestProgress, IngestReport, SearchHit
    from aiwriter_kernel.workbench import Workbench

SNIPPET_CHARS = 400


class ResearchPanel(Panel):
    """Ingest by upload or path, then search with each hit's citation label."""

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.upload = w.FileUpload(
            accept=".md,.txt,.pdf,.docx,.html,.htm,.ipynb", multiple=True, description="Upload"
        )
        self.path = w.Text(placeholder="a file, a folder or a URL", description="Path")
        self.path.add_class("aiw-ingest-path")
        self.query = w.Text(placeholder="what are you looking for?", description="Search")
        self.query.add_class("aiw-query")
        self.k = w.BoundedIntText(value=5, min=1, max=50, description="Hits")
        self.report = w.HTML()
        self.hits_html = w.HTML()
        self.hits_html.add_class("aiw-hits")
        self.hits: list[SearchHit] = []
        self.upload_button = self.button("Add uploads", self.ingest_uploads, "aiw-upload")
        self.ingest_button = self.button("Add path", self.ingest_path, "aiw-ingest")
        self.search_button = self.button("Search", self.search, "aiw-search")
        self.children = (
            w.HTML("<h3>Research</h3>"),
            w.HBox([self.upload, self.upload_button]),
            w.HBox([self.path, self.ingest_button]),
            self.report,
            w.HBox([self.query, self.k, self.search_button]),
            self.status,
            self.hits_html,
        )

    def ingest_path(self) -> None:
        target = self.path.value.strip()
        if not target:
            raise ValidationError("type a file, folder or URL to add")
        self.run(f"adding {target}", lambda: self._ingest(target), self._show_report)

    def ingest_uploads(self) -> None:
        """Each uploaded file goes through ``Workbench.ingest_bytes``, as in the app and the
        API: stored as the source ``upload:<name>``, so uploading it again is recognised as
        unchanged (or replaces it), and the panel never writes into the home itself."""
        files = [
            (Path(item["name"]).name, bytes(item["content"]), item.get("type") or None)
            for item in self.upload.value
        ]
        if not files:
            raise ValidationError("choose files to upload first")
        self.run(
            f"adding {len(files)} uploaded files", lambda: self._ingest_uploads(files), self._done
        )

    def _ingest_uploads(self, files: list[tuple[str, bytes, str | None]]) -> IngestReport:
        """One report for all the files, saying in the status line which one is being added."""
        from aiwriter_kernel.research.models import IngestReport

        report = IngestReport()
        for number, (name, data, content_type) in enumerate(files, 1):
            self.progress(f"adding {name} ({number} of {len(files)} uploaded files)")
            added = self.wb.ingest_bytes(data, name, content_type=content_type)
            report.items.extend(added.items)
        return report

    def _ingest(self, targets: str) -> IngestReport:
        """Ingest, showing in the status line how many chunks are stored (in the job's thread,
        as ipywidgets allow)."""

        def show(step: IngestProgress) -> None:
            self.progress(
                f"stored {step.chunks_done} of {step.chunks_total} chunks so far, "
                f"from {step.sources_done} of {step.sources_total} sources"
            )

        return self.wb.ingest(targets, progress=show)

    def _done(self, report: IngestReport) -> None:
        self.upload.value = ()
        self._show_report(report)

    def search(self) -> None:
        query = self.query.value.strip()
        if not query:
            raise ValidationError("type something to search for")
        self.run(f"searching {query!r}", lambda: self.wb.search(query, k=self.k.value), self._hits)

    def _show_report(self, report: IngestReport) -> None:
        counts = ", ".join(
            f"{report.count(s)} {s}" for s in ("added", "replaced", "unchanged", "failed")
        )
        failures = "".join(
            f"<li>{escape(item.origin)}: {escape(item.error)}</li>"
            for item in report.items
            if item.status == "failed"
        )
        self.report.value = f"Sources: {escape(counts)}" + (
            f"<ul>{failures}</ul>" if failures else ""
        )
        self.show_done(f"{len(report.items)} sources processed")

    def _hits(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        if not hits:
            self.hits_html.value = "<i>No passage matches; add sources or rephrase.</i>"
        else:
            self.hits_html.value = "".join(_hit_html(n, hit) for n, hit in enumerate(hits, 1))
        self.show_done(f"{len(hits)} hits")


def _hit_html(number: int, hit: SearchHit) -> str:
    snippet = hit.text if len(hit.text) <= SNIPPET_CHARS else hit.text[:SNIPPET_CHARS] + "…"
    return (
        "<div class='aiw-hit' style='margin-bottom: 0.8em'>"
        f"<b>[{number}] {escape(hit.source_title)}</b><br>"
        f"<small>{escape(hit.citation)}</small><br>{escape(snippet)}</div>"
    )
