"""SEO & readability: a pasted text or a saved draft scored for readability, audited for a
focus keyword, matched against a persona's voice, with Plotly charts of each."""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.session import page_header
from aiwriter_apps.streamlit.tables import sized_columns

from aiwriter_kernel.analysis import AnalysisReport, figures
from aiwriter_kernel.errors import AIWriterError, one_line

FROM_TEXT, FROM_DRAFT = "Pasted text", "A saved draft"
NO_PERSONA = "(none)"
REPORT = "seo_report"
# Short columns narrow, so the checks' detail and fix (sentences) get the room.
SEO_CHECK_COLUMNS = sized_columns(
    {
        "check": "medium",
        "result": "small",
        "weight": "small",
        "detail": "large",
        "how to fix": "large",
    }
)


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "SEO & readability", "Readability scores, an SEO audit for a keyword, and the voice match."
    )

    source = st.radio("Analyse", [FROM_TEXT, FROM_DRAFT], horizontal=True)
    markdown = ""
    if source == FROM_TEXT:
        markdown = st.text_area("Markdown to analyse", height=240)
    else:
        drafts = wb.drafts()
        by_id = {d.id: d for d in drafts}
        if not drafts:
            st.info("No drafts yet: write one on the Write page, or paste a text.")
        draft_id = st.selectbox(
            "Draft", list(by_id), format_func=lambda i: f"{i}: {by_id[i].title} ({by_id[i].kind})"
        )
        if draft_id is not None:
            try:
                markdown = wb.version(draft_id).content
            except AIWriterError as error:  # e.g. deleted from another page or session meanwhile
                st.error(escape_html(one_line(error)))
    left, right = st.columns(2)
    keyword = left.text_input("Focus keyword (for the SEO audit)")
    personas = [NO_PERSONA, *(p.name for p in wb.personas())]
    persona = right.selectbox("Persona (for the voice match)", personas)

    if st.button("Analyze", type="primary"):
        if not markdown.strip():
            st.error("There is no text to analyse: paste a text or choose a draft.")
        else:
            try:
                st.session_state[REPORT] = wb.analyze(
                    markdown,
                    keyword=keyword.strip() or None,
                    persona=None if persona == NO_PERSONA else persona,
                )
            except AIWriterError as error:
                st.session_state.pop(REPORT, None)
                st.error(escape_html(one_line(error)))

    def show_seo(report: AnalysisReport) -> None:
        seo = report.seo
        if seo is None:
            st.info("Give a focus keyword to get an SEO score.")
            return
        st.subheader(escape_html(f"SEO score: {seo.score} / 100 for “{seo.keyword}”"))
        st.plotly_chart(figures.score_gauge(seo.score, "SEO score"), key="seo_gauge")
        st.dataframe(
            [
                {
                    "check": c.label,
                    "result": "pass" if c.passed else "fail",
                    "weight": c.weight,
                    "detail": c.detail,
                    "how to fix": c.fix,
                }
                for c in seo.checks
            ],
            hide_index=True,
            height="content",  # every check, without scrolling
            column_config=SEO_CHECK_COLUMNS,
        )
        if fixes := [c.fix for c in seo.checks if not c.passed and c.fix]:
            st.markdown("**To improve the score**")  # in full: a table cell cuts a sentence
            st.markdown("\n".join(f"- {escape_html(fix)}" for fix in fixes))
        for warning in seo.warnings:
            st.warning(escape_html(warning))

    def show_readability(report: AnalysisReport) -> None:
        r = report.readability
        st.subheader("Readability")
        columns = st.columns(4)
        columns[0].metric("Flesch reading ease", f"{r.flesch_reading_ease:.1f}")
        columns[1].metric("Flesch-Kincaid grade", f"{r.flesch_kincaid_grade:.1f}")
        columns[2].metric("Words", report.word_count)  # the one word count
        columns[3].metric("Reading time (min)", f"{r.reading_time_minutes:.1f}")
        st.dataframe(
            [
                {"measure": "Gunning fog", "value": f"{r.gunning_fog:.1f}"},
                {"measure": "SMOG", "value": f"{r.smog_index:.1f}"},
                {"measure": "Sentences", "value": str(r.sentence_count)},
                {"measure": "Passive sentences", "value": f"{r.passive_rate:.0%}"},
                {
                    "measure": f"Sentences over {r.long_sentence_words} words",
                    "value": str(len(r.long_sentences)),
                },
            ],
            hide_index=True,
        )
        st.plotly_chart(figures.readability_bars(r), key="readability_bars")
        st.plotly_chart(figures.sentence_length_histogram(r), key="sentence_lengths")

    def show_keywords(report: AnalysisReport) -> None:
        if not report.keywords.keywords:
            return
        st.subheader("Key phrases")
        st.dataframe(
            [
                {"phrase": k.phrase, "count": k.count, "density %": round(k.density, 2)}
                for k in report.keywords.keywords
            ],
            hide_index=True,
        )
        st.plotly_chart(figures.keyword_density_bars(report.keywords), key="keyword_density")

    def show_voice(report: AnalysisReport) -> None:
        if report.voice is None:
            return
        voice = report.voice
        st.subheader(escape_html(f"Voice match with {voice.persona}: {voice.score} / 100"))
        st.plotly_chart(figures.voice_check_bars(report.voice), key="voice_checks")

    report: AnalysisReport | None = st.session_state.get(REPORT)
    if report is not None:
        show_seo(report)
        show_readability(report)
        show_keywords(report)
        show_voice(report)


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
