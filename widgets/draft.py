"""Draft editor: write an article while watching each section arrive, then browse its
versions and the diff between any two of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets
from aiwriter_widgets.panel import Panel, allow_thin_checkbox
from aiwriter_widgets.render import diff_html, markdown_html

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import ArticleResult, PipelineEvent

if TYPE_CHECKING:
    from aiwriter_kernel.records import DraftVersionRecord
    from aiwriter_kernel.workbench import Workbench

INTRODUCTION = "Introduction"  # the section the article pipeline writes without a heading


class DraftEditor(Panel):
    """The "Write" button streams the draft section by section; below, its history and diffs."""

    draft_id = traitlets.Int(None, allow_none=True)
    result = traitlets.Instance(ArticleResult, allow_none=True)

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        # the topic box takes the row's free width: a long topic stays readable
        self.topic = w.Text(
            placeholder="what the article is about",
            description="Topic",
            layout=w.Layout(flex="1 1 auto", width="auto", min_width="20em"),
        )
        self.topic.add_class("aiw-topic")
        self.keyword = w.Text(placeholder="optional focus keyword", description="Keyword")
        self.keyword.add_class("aiw-keyword")
        self.allow_thin = allow_thin_checkbox()
        self.text = w.HTML()
        self.text.add_class("aiw-draft-text")
        self.streamed: list[PipelineEvent] = []  # the section events of the last write
        self._sections: dict[str, str] = {}
        self.old = w.Dropdown(description="From")
        self.new = w.Dropdown(description="To")
        self.diff_html = w.HTML()
        self.diff_html.add_class("aiw-diff")
        self.write_button = self.button("Write", self.write, "aiw-write")
        self.diff_button = self.button("Show diff", self.show_diff, "aiw-show-diff")
        self.children = (
            w.HTML("<h3>Draft</h3>"),
            w.HBox(
                [self.topic, self.keyword, self.allow_thin, self.write_button],
                layout=w.Layout(width="100%"),
            ),
            self.status,
            self.warnings_html,
            self.text,
            w.HTML("<h4>Versions</h4>"),
            w.HBox([self.old, self.new, self.diff_button]),
            self.diff_html,
        )

    # -- writing ------------------------------------------------------------------------------

    def keywords(self) -> tuple[str, ...]:
        keyword = self.keyword.value.strip()
        return (keyword,) if keyword else ()

    def write(self) -> None:
        topic = self.topic.value.strip()
        if not topic:
            raise ValidationError("the topic is empty: say what the article is about")
        keywords, allow_thin = self.keywords(), self.allow_thin.value
        self.streamed, self._sections = [], {}
        self.run(
            f"writing {topic!r}",
            lambda: self.wb.write(
                topic, keywords=keywords, allow_thin=allow_thin, on_event=self._event
            ),
            self.show_result,
        )

    def _event(self, event: PipelineEvent) -> None:
        """Called in the worker for each pipeline step: a written section is shown at once.
        The draft shown before stays until then, so a refused topic does not wipe it."""
        self.progress(event.message)
        if event.stage == "section" and event.text:
            if not self.streamed:
                self.diff_html.value = ""
            self.streamed.append(event)
            self._sections[event.section or ""] = event.text
            self.text.value = markdown_html(self._streamed_markdown())

    def _streamed_markdown(self) -> str:
        parts = []
        for heading, body in self._sections.items():
            parts.append(body if heading in ("", INTRODUCTION) else f"## {heading}\n\n{body}")
        return "\n\n".join(parts)

    # -- showing a draft and its history ----------------------------------------------------

    def show_result(self, result: ArticleResult) -> None:
        """Show a finished draft (written here or elsewhere) and its history."""
        self.text.value = markdown_html(result.markdown)
        self.draft_id = result.draft_id
        self.result = result
        self.load_history()
        self.show_warnings(result.warnings)
        self.show_done(
            f"draft {result.draft_id} v{result.version} saved: {result.word_count} words"
        )

    def load_history(self) -> None:
        """Fill the version pickers: from the previous version to the latest by default."""
        if self.draft_id is None:
            return
        versions = self.wb.versions(self.draft_id)
        options = [(_version_label(v), v.version) for v in versions]
        self.old.options, self.new.options = options, options
        if versions:
            self.new.value = versions[-1].version
            self.old.value = versions[max(0, len(versions) - 2)].version

    def show_diff(self) -> None:
        if self.draft_id is None or self.old.value is None or self.new.value is None:
            raise ValidationError("write or open a draft first")
        draft_id, old, new = self.draft_id, self.old.value, self.new.value
        self.run(
            f"comparing v{old} and v{new}",
            lambda: self.wb.diff(draft_id, old, new),
            self._show_diff,
        )

    def _show_diff(self, diff: str) -> None:
        self.diff_html.value = diff_html(diff)
        self.show_done(f"diff of v{self.old.value} and v{self.new.value}")


def _version_label(version: DraftVersionRecord) -> str:
    when = version.created_at.strftime("%Y-%m-%d %H:%M")
    return f"v{version.version} · {version.stage} · {when}"
