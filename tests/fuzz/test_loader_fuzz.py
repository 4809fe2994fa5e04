"""Property fuzzing of the loaders: whatever bytes a user uploads or a page serves, loading
either gives a document or a one-line LoaderError, never another exception.

Inputs are random bytes under every content type we accept, and structured inputs that get
past the first checks: DOCX archives with generated paragraphs, tables and junk XML, PDFs
with a valid header and broken bodies, notebooks with JSON of any shape, HTML soup. Sizes
are small and the example count fixed, so the run is bounded; the size and element caps
themselves are pinned in tests/research/test_loaders.py.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiwriter_kernel.research.loaders import CONTENT_TYPE_KINDS, LoaderError, load_bytes

FUZZ = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
WORD_XML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@functools.cache
def _blank_docx() -> dict[str, bytes]:
    """The members of python-docx's own blank document (its template ships in the package)."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _load_or_refuse(data: bytes, content_type: str | None) -> None:
    """The one contract: a document whose text is a str, or a LoaderError saying why."""
    try:
        document = load_bytes(data, origin="https://example.org/page", content_type=content_type)
    except LoaderError as error:
        message = str(error)
        assert message.strip() and "\n" not in message.strip()
        return
    assert isinstance(document.text, str)
    assert document.title.strip()
    assert document.size_bytes == len(data)


content_types = st.one_of(st.none(), st.sampled_from(sorted(CONTENT_TYPE_KINDS)))


@FUZZ
@given(data=st.binary(max_size=4000), content_type=content_types)
def test_random_bytes_load_or_are_refused(data: bytes, content_type: str | None) -> None:
    _load_or_refuse(data, content_type)


xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'"),
    max_size=40,
)
paragraph = st.builds(
    lambda style, text: (
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'
    ),
    st.sampled_from(["Heading1", "Title", "ListParagraph", "Normal", "x"]),
    xml_text.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
)
table = st.lists(paragraph, min_size=1, max_size=4).map(
    lambda cells: "<w:tbl><w:tr>" + "".join(f"<w:tc>{c}</w:tc>" for c in cells) + "</w:tr></w:tbl>"
)
body_part = st.one_of(paragraph, table, xml_text)  # raw text may break the XML: refused


def _docx(body: str) -> bytes:
    members = dict(_blank_docx())
    members["word/document.xml"] = (
        f'<w:document xmlns:w="{WORD_XML}"><w:body>{body}</w:body></w:document>'
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@FUZZ
@given(parts=st.lists(body_part, max_size=30), cut=st.integers(min_value=0, max_value=400))
def test_docx_archives_load_or_are_refused(parts: list[str], cut: int) -> None:
    data = _docx("".join(parts))
    _load_or_refuse(data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    _load_or_refuse(data[: len(data) - cut], None)  # a truncated archive, sniffed


@FUZZ
@given(body=st.binary(max_size=2000))
def test_pdfs_with_broken_bodies_load_or_are_refused(body: bytes) -> None:
    _load_or_refuse(b"%PDF-1.4\n" + body + b"\n%%EOF", "application/pdf")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
cells = st.lists(
    st.fixed_dictionaries(
        {"cell_type": st.sampled_from(["markdown", "code", "raw", 7]), "source": json_values}
    ),
    max_size=6,
)


@pytest.mark.filterwarnings("ignore::nbformat.validator.DuplicateCellId")
@FUZZ
@given(
    notebook=st.one_of(
        json_values, st.fixed_dictionaries({"cells": cells, "metadata": json_values})
    )
)
def test_notebooks_of_any_shape_load_or_are_refused(notebook: object) -> None:
    data = json.dumps(notebook).encode()
    _load_or_refuse(data, "application/x-ipynb+json")


html_soup = st.lists(
    st.sampled_from(["<p>", "</p>", "<h1>", "</h1>", "<script>", "<title>", "<meta charset=x>"])
    | st.text(max_size=30),
    max_size=40,
).map("".join)


@FUZZ
@given(html=html_soup, charset=st.sampled_from(["", "; charset=utf-8", "; charset=nope"]))
def test_html_soup_loads_or_is_refused(html: str, charset: str) -> None:
    _load_or_refuse(html.encode("utf-8", "surrogatepass"), "text/html" + charset)
