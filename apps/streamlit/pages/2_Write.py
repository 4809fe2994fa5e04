"""Write: the article form, an editable outline, the draft streamed as it is written, and
the draft's versions with a diff between any two."""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.safe_markdown import escape_html, show_markdown
from aiwriter_apps.streamlit.session import page_header
from aiwriter_apps.streamlit.streaming import EventStream

from aiwriter_kernel.errors import AIWriterError, ValidationError, one_line
from aiwriter_kernel.pipelines.article_models import ARTICLE_FORMATS, ArticleResult, Outline
from aiwriter_kernel.pipelines.outline_text import outline_to_text, text_to_outline
from aiwriter_kernel.workbench import Workbench

NO_PERSONA = "(none)"
DRAFT_ID, OUTLINE, OUTLINE_TEXT, RESULT, PLAN_WARNINGS = (
    "write_draft_id",
    "write_outline",
    "write_outline_text",
    "write_result",
    "write_plan_warnings",  # {draft id: the warnings its outline was planned with}
)
THIN_HELP = (
    "Write even when the knowledge base covers the topic only thinly: the article uses only "
    "the little that is about it, and says so in a warning."
)


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header("Write", "Plan an outline from your sources, edit it, then write the draft.")

    # -- 1. the request ---------------------------------------------------------------------------

    personas = [NO_PERSONA, *(p.name for p in wb.personas())]
    with st.form("write_request"):
        topic = st.text_input("Topic", placeholder="what the article is about", max_chars=300)
        keywords = st.text_input("Keywords (comma-separated)")
        left, middle, right = st.columns(3)
        audience = left.text_input("Audience", max_chars=200)
        tone = middle.text_input("Tone", max_chars=100)
        persona = right.selectbox("Persona", personas)
        left, right = st.columns(2)
        article_format = left.selectbox("Format", ARTICLE_FORMATS)
        words = right.number_input(
            "Target words", min_value=150, max_value=6000, value=900, step=50
        )
        allow_thin = st.checkbox("Allow a thin article", help=THIN_HELP)
        plan = st.form_submit_button("Plan the outline")

    if plan:
        if not topic.strip():
            st.error("The topic is empty: say what the article is about.")
        else:
            fields = {
                "keywords": tuple(k.strip() for k in keywords.split(",") if k.strip()),
                "audience": audience.strip() or None,
                "tone": tone.strip() or None,
                "persona": None if persona == NO_PERSONA else persona,
                "format": article_format,
                "target_words": int(words),
                "allow_thin": allow_thin,
            }
            try:
                with st.spinner(f"Researching and planning {topic.strip()!r}…"):
                    draft_id, outline = wb.outline(topic, **fields)
                    warnings = wb.version(draft_id, 1).meta.get("warnings", [])
            except AIWriterError as error:  # e.g. a topic the knowledge base does not cover
                st.error(escape_html(one_line(error)))  # what is on screen stays there
            else:
                st.session_state.setdefault(PLAN_WARNINGS, {})[draft_id] = list(warnings)
                st.session_state[DRAFT_ID] = draft_id
                st.session_state[OUTLINE] = outline
                st.session_state[OUTLINE_TEXT] = outline_to_text(outline)
                st.session_state.pop(RESULT, None)

    # -- 2. the outline, editable ---------------------------------------------------------------

    draft_id: int | None = st.session_state.get(DRAFT_ID)
    if draft_id is not None:
        st.subheader(f"Outline of draft {draft_id}")
        plan_notes = st.container()  # filled below, once it is known whether it was written
        st.text_area(
            "Edit the outline: '# Title', then '## Section' lines with '- point' bullets. "
            "Rename, add, remove or move sections; only changed sections are re-written.",
            key=OUTLINE_TEXT,
            height=300,
        )
        write = st.button("Write the draft", type="primary")
        if write:
            try:
                original: Outline | None = st.session_state.get(OUTLINE)
                edited = text_to_outline(st.session_state[OUTLINE_TEXT], original)
            except ValidationError as error:
                st.error(escape_html(one_line(error)))
            else:
                status = st.status("Writing the draft…", expanded=True)
                stream: EventStream[ArticleResult] = EventStream(
                    lambda on_event: wb.draft(draft_id, outline=edited, on_event=on_event),
                    on_message=lambda message: status.update(label=f"{message}…"),
                )
                with status:
                    st.write_stream(stream)
                try:
                    result = stream.outcome()
                except AIWriterError as error:
                    status.update(label="The draft could not be written", state="error")
                    st.error(escape_html(one_line(error)))
                else:
                    status.update(
                        label=f"Draft {result.draft_id} v{result.version} saved",
                        state="complete",
                        expanded=False,
                    )
                    st.session_state[RESULT] = result
                    st.session_state[OUTLINE] = result.outline
        written: ArticleResult | None = st.session_state.get(RESULT)
        if written is None or written.draft_id != draft_id:  # a draft shows its own, below
            with plan_notes:
                show_warnings(st.session_state.get(PLAN_WARNINGS, {}).get(draft_id, []))

    # -- 3. the draft and its history -------------------------------------------------------------

    result: ArticleResult | None = st.session_state.get(RESULT)
    if result is not None and result.draft_id == draft_id:
        st.subheader("Draft")
        with st.container(border=True, key="aiw-article"):
            show_markdown(result.markdown)
        show_warnings(result.warnings)
        if result.uncited_claims:
            with st.expander(f"{len(result.uncited_claims)} sentences without a citation"):
                for claim in result.uncited_claims:
                    st.text(claim)

    if draft_id is not None:
        try:
            versions = wb.versions(draft_id)
        except AIWriterError as error:
            st.error(escape_html(one_line(error)))
            versions = []
        if versions:
            st.subheader("Versions")
            st.dataframe(
                [
                    {
                        "version": v.version,
                        "stage": v.stage,
                        "saved": v.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "characters": len(v.content),
                    }
                    for v in versions
                ],
                hide_index=True,
            )
            if len(versions) > 1:
                show_diff(wb, draft_id, [v.version for v in versions])
            else:
                st.caption("Once the draft has a second version, you can compare the two here.")


def show_diff(wb: Workbench, draft_id: int, numbers: list[int]) -> None:
    """Pick two versions and show what changed; only offered once there are two to compare."""
    left, right = st.columns(2)
    old = left.selectbox("From version", numbers, index=len(numbers) - 2)
    new = right.selectbox("To version", numbers, index=len(numbers) - 1)
    if st.button("Show the diff"):
        try:
            diff = wb.diff(draft_id, old, new)
        except AIWriterError as error:  # e.g. deleted from the Library meanwhile
            st.error(escape_html(one_line(error)))
        else:
            if diff:
                st.code(diff, language="diff")
            else:
                st.info("The two versions are identical.")


def show_warnings(warnings: list[str]) -> None:
    """Each warning of the plan or the draft as an alert of its own: a thin or partly
    covered topic, a short article... is something the writer must see, not a log line."""
    for warning in warnings:
        st.warning(escape_html(warning))


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
