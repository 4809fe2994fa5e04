"""Outline editor: plan an article, edit its sections, and (re)write only what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets
from aiwriter_widgets.panel import Panel, allow_thin_checkbox
from aiwriter_widgets.render import escape

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import ArticleResult, Outline, OutlineSection

if TYPE_CHECKING:
    from aiwriter_kernel.pipelines.article_models import PipelineEvent
    from aiwriter_kernel.workbench import Workbench


class SectionRow(w.HBox):
    """One editable section; keeps the section it came from so its source labels survive."""

    def __init__(self, section: OutlineSection) -> None:
        super().__init__()
        self.original = section
        self.heading = w.Text(value=section.heading, description="Heading")
        self.heading.add_class("aiw-heading")
        self.points = w.Textarea(
            value="\n".join(section.points),
            placeholder="one point per line",
            layout=w.Layout(width="45%", height="5em"),
        )
        # words, not arrow symbols: a font without the glyph shows an empty box
        self.up, self.down, self.remove = (
            w.Button(description=d, layout=w.Layout(width="6em")) for d in ("Up", "Down", "Remove")
        )
        self.children = (self.heading, self.points, self.up, self.down, self.remove)

    def section(self) -> OutlineSection:
        points = [line.strip() for line in self.points.value.splitlines() if line.strip()]
        return OutlineSection(
            heading=self.heading.value.strip(),
            points=points,
            source_labels=list(self.original.source_labels),
        )


class OutlineEditor(Panel):
    """Topic -> outline; edit, reorder, add or remove sections; write or re-write the draft."""

    draft_id = traitlets.Int(None, allow_none=True)
    result = traitlets.Instance(ArticleResult, allow_none=True)

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.topic = w.Text(placeholder="what the article is about", description="Topic")
        self.topic.add_class("aiw-outline-topic")
        self.keyword = w.Text(placeholder="optional focus keyword", description="Keyword")
        self.allow_thin = allow_thin_checkbox()
        self.title = w.Text(description="Title", layout=w.Layout(width="70%"))
        self.rows: list[SectionRow] = []
        self.rows_box = w.VBox()
        self.regenerated = w.HTML()
        self.plan_button = self.button("Plan", self.plan, "aiw-plan")
        self.add_button = self.button("Add section", self.add_section, "aiw-add-section")
        self.regenerate_button = self.button(
            "Write / Regenerate", self.regenerate, "aiw-regenerate"
        )
        self.children = (
            w.HTML("<h3>Outline</h3>"),
            w.HBox([self.topic, self.keyword, self.allow_thin, self.plan_button]),
            self.title,
            self.rows_box,
            w.HBox(
                [
                    self.add_button,
                    self.regenerate_button,
                ]
            ),
            self.status,
            self.warnings_html,
            self.regenerated,
        )

    # -- planning -----------------------------------------------------------------------------

    def plan(self) -> None:
        topic = self.topic.value.strip()
        if not topic:
            raise ValidationError("the topic is empty: say what the article is about")
        keywords = (self.keyword.value.strip(),) if self.keyword.value.strip() else ()
        allow_thin = self.allow_thin.value
        self.run(
            f"planning {topic!r}", lambda: self._plan(topic, keywords, allow_thin), self._planned
        )

    def _plan(
        self, topic: str, keywords: tuple[str, ...], allow_thin: bool
    ) -> tuple[int, Outline, list[str]]:
        """The new draft, its outline and the warnings it was planned with. A topic the
        knowledge base does not cover fails here, leaving the outline shown untouched."""
        draft_id, outline = self.wb.outline(
            topic, keywords=keywords, allow_thin=allow_thin, on_event=self._event
        )
        return draft_id, outline, self.wb.version(draft_id, 1).meta.get("warnings", [])

    def _planned(self, planned: tuple[int, Outline, list[str]]) -> None:
        draft_id, outline, warnings = planned
        self.result = None
        self.draft_id = draft_id
        self.load(outline)
        self.show_warnings(warnings)
        self.show_done(f"draft {draft_id}: {len(outline.sections)} sections planned")

    def load(self, outline: Outline) -> None:
        """Show ``outline`` for editing (replacing whatever was shown)."""
        self.title.value = outline.title
        self.rows = [self._row(section) for section in outline.sections]
        self._redraw()

    # -- editing ------------------------------------------------------------------------------

    def edited(self) -> Outline:
        """The outline as edited; a ValidationError when a heading is empty."""
        if not self.rows:
            raise ValidationError("the outline needs at least one section")
        sections = []
        for number, row in enumerate(self.rows, 1):
            if not row.heading.value.strip():
                raise ValidationError(f"section {number} has no heading")
            sections.append(row.section())
        if not self.title.value.strip():
            raise ValidationError("the outline has no title")
        return Outline(title=self.title.value.strip(), sections=sections)

    def add_section(self) -> None:
        self.rows.append(self._row(OutlineSection(heading="New section")))
        self._redraw()

    def move(self, row: SectionRow, step: int) -> None:
        index = self.rows.index(row)
        target = index + step
        if 0 <= target < len(self.rows):
            self.rows[index], self.rows[target] = self.rows[target], self.rows[index]
            self._redraw()

    def remove(self, row: SectionRow) -> None:
        self.rows.remove(row)
        self._redraw()

    def _row(self, section: OutlineSection) -> SectionRow:
        row = SectionRow(section)
        row.up.on_click(lambda _: self.move(row, -1))
        row.down.on_click(lambda _: self.move(row, 1))
        row.remove.on_click(lambda _: self.remove(row))
        return row

    def _redraw(self) -> None:
        self.rows_box.children = tuple(self.rows)

    # -- writing ------------------------------------------------------------------------------

    def regenerate(self) -> None:
        """Write the draft from the edited outline; after the first time, only the sections
        whose heading or points changed are re-written."""
        if self.draft_id is None:
            raise ValidationError("plan an outline first")
        outline, draft_id = self.edited(), self.draft_id
        self.run(
            "writing the draft",
            lambda: self.wb.draft(draft_id, outline=outline, on_event=self._event),
            self._written,
        )

    def _written(self, result: ArticleResult) -> None:
        self.result = result
        changed = ", ".join(result.regenerated_sections) or "none"
        self.regenerated.value = f"Sections written: {escape(changed)}"
        self.show_warnings(result.warnings)
        self.show_done(f"draft {result.draft_id} v{result.version} saved")

    def _event(self, event: PipelineEvent) -> None:
        self.progress(event.message)
