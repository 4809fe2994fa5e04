"""Rewrite panel: the current draft rewritten for the chosen channels, each post shown with
its channel's limit checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets
from aiwriter_widgets.panel import Panel
from aiwriter_widgets.render import escape, passed_mark, preformatted, status_mark, table

from aiwriter_kernel.channels import names as channel_names
from aiwriter_kernel.errors import ValidationError, one_line

if TYPE_CHECKING:
    from aiwriter_kernel.pipelines.rewrite import RewriteResult
    from aiwriter_kernel.workbench import Workbench

Outcome = tuple[str, "RewriteResult | str"]  # a channel and its result or one-line error


class RewritePanel(Panel):
    """Checkboxes of channels; "Rewrite" runs each chosen channel on ``draft_id``."""

    draft_id = traitlets.Int(None, allow_none=True)

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.channels = {
            name: w.Checkbox(description=name, indent=False) for name in channel_names()
        }
        self.draft_label = w.HTML()
        self.results: dict[str, RewriteResult] = {}
        self.errors: dict[str, str] = {}
        self.output = w.HTML()
        self.output.add_class("aiw-rewrites")
        self.rewrite_button = self.button("Rewrite", self.rewrite, "aiw-rewrite")
        self.children = (
            w.HTML("<h3>Rewrite for channels</h3>"),
            self.draft_label,
            w.HBox(list(self.channels.values()), layout=w.Layout(flex_flow="row wrap")),
            self.rewrite_button,
            self.status,
            self.output,
        )
        self._show_draft({"new": self.draft_id})
        self.observe(self._show_draft, names="draft_id")

    def chosen(self) -> list[str]:
        return [name for name, box in self.channels.items() if box.value]

    def rewrite(self) -> None:
        if self.draft_id is None:
            raise ValidationError("write a draft first: there is nothing to rewrite")
        channels = self.chosen()
        if not channels:
            raise ValidationError("choose at least one channel")
        draft_id = self.draft_id
        self.run(
            f"rewriting draft {draft_id} for {', '.join(channels)}",
            lambda: self._rewrite_all(draft_id, channels),
            self._show,
        )

    def _rewrite_all(self, draft_id: int, channels: list[str]) -> list[Outcome]:
        """Every channel is tried: one channel failing does not hide the others."""
        outcomes: list[Outcome] = []
        for channel in channels:
            self.progress(f"rewriting for {channel}")
            try:
                outcomes.append((channel, self.wb.rewrite(channel=channel, draft_id=draft_id)))
            except Exception as error:
                outcomes.append((channel, one_line(error)))
        return outcomes

    def _show(self, outcomes: list[Outcome]) -> None:
        self.results = {c: r for c, r in outcomes if not isinstance(r, str)}
        self.errors = {c: r for c, r in outcomes if isinstance(r, str)}
        self.output.value = "".join(_outcome_html(c, r) for c, r in outcomes)
        if self.errors:
            self.show_error(f"{len(self.errors)} of {len(outcomes)} channels failed")
        else:
            self.show_done(f"{len(outcomes)} posts written")

    def _show_draft(self, change: dict[str, Any]) -> None:
        draft_id = change["new"]
        self.draft_label.value = (
            "<i>No draft yet: write one first.</i>"
            if draft_id is None
            else f"Rewriting draft {draft_id}"
        )


def _outcome_html(channel: str, outcome: RewriteResult | str) -> str:
    if isinstance(outcome, str):
        return f"<h4>{escape(channel)}</h4><p>{status_mark('error')} {escape(outcome)}</p>"
    checks = table(
        ("limit", "maximum", "actual", "result"),
        ((c.name, c.limit, c.actual, passed_mark(c.passed)) for c in outcome.checks),
    )
    warnings = "".join(f"<li>{escape(text)}</li>" for text in outcome.warnings)
    return (
        f"<div class='aiw-rewrite aiw-rewrite-{escape(channel)}'>"
        f"<h4>{escape(channel)}: {escape(outcome.title)}</h4>"
        f"{preformatted(outcome.text)}{checks}"
        + (f"<ul>{warnings}</ul>" if warnings else "")
        + "</div>"
    )
