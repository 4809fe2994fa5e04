"""Loaders: real files of every supported format made in tmp_path, and every kind of bad input.

Each bad input must raise a LoaderError whose one-line message names the file and the problem.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import zipfile
from pathlib import Path

import docx
import nbformat
import pytest
from fpdf import FPDF
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader, PdfWriter
from support import WORD_NAMESPACE, docx_bomb, minimal_docx

from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.research import loaders
from aiwriter_kernel.research.loaders import (
    DOCX_MIME,
    MAX_DOCX_BLOCKS,
    SUPPORTED_SUFFIXES,
    LoaderError,
    iter_source_files,
    load_bytes,
    load_path,
    normalize_text,
)

ARTICLE = [
    "Composting turns kitchen scraps and garden waste into rich, dark soil. The process "
    "relies on bacteria and fungi that break down organic matter over several months.",
    "A good heap balances green materials, such as vegetable peelings and fresh grass, with "
    "brown materials, such as dry leaves and cardboard. Aim for three parts brown to one green.",
    "Keep the heap as moist as a wrung-out sponge and turn it every week or two so that air "
    "reaches the centre. A hot heap can be ready in three months.",
]
PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Home Composting Guide | Green Blog</title>
  <script>window.tracker = "should never appear";</script>
  <style>body {{ font-family: serif; }}</style>
</head>
<body>
  <header><div class="logo">Green Blog</div>
    <nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/shop">Shop</a></nav>
  </header>
  <div class="ad banner">BUY CHEAP GARDEN TOOLS NOW - 50% OFF</div>
  <main><article>
    <h1>Home Composting Guide</h1>
    <p>{ARTICLE[0]}</p>
    <p>{ARTICLE[1]}</p>
    <p>{ARTICLE[2]}</p>
  </article></main>
  <aside class="sidebar"><h3>Popular posts</h3>
    <ul><li><a href="/p1">Ten tomato tips</a></li><li><a href="/p2">Raised beds</a></li></ul>
  </aside>
  <footer><p>Copyright 2024 Green Blog. All rights reserved.</p>
    <p>Subscribe to our newsletter for weekly tips!</p></footer>
</body>
</html>
"""
BOILERPLATE = ["About us", "BUY CHEAP", "Popular posts", "Copyright 2024", "newsletter", "tracker"]
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"


# --- builders of real files ------------------------------------------------------------------


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Composting at Home", level=1)
    document.add_paragraph("Compost turns scraps into soil. It needs air and water.")
    document.add_heading("Materials", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("Material", "Ratio"), ("Greens", "1 part"), ("Browns", "3")]):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    document.add_paragraph("Turn the heap weekly.", style="List Bullet")
    document.save(path)
    return path


def make_notebook(path: Path) -> Path:
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Soil Analysis\n\nWe measure the pH of each sample."),
            new_code_cell(
                "ph = [6.5, 7.1]\nprint(sum(ph) / len(ph))",
                outputs=[new_output("stream", name="stdout", text="OUTPUT_MUST_NOT_APPEAR")],
            ),
            new_markdown_cell("## Results\n\nThe soil is neutral."),
            new_code_cell(""),
        ]
    )
    nbformat.write(notebook, str(path))
    return path


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def load_error(path: Path, **kwargs: int) -> str:
    with pytest.raises(LoaderError) as caught:
        load_path(path, **kwargs)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    return message


# --- formats -----------------------------------------------------------------------------------


def test_loader_error_is_an_aiwriter_error() -> None:
    assert issubclass(LoaderError, AIWriterError)


def test_markdown_title_is_the_first_level_one_heading(tmp_path: Path) -> None:
    text = "Some intro line.\n\n```bash\n# not a heading\n```\n\n# Composting *Basics*\n\nBody."
    document = load_path(write(tmp_path / "notes.md", text))
    assert document.title == "Composting Basics"
    assert document.mime_type == "text/markdown"
    assert document.text == text
    assert document.origin == str(tmp_path / "notes.md")
    assert document.size_bytes == len(text.encode())


def test_markdown_front_matter_title_wins(tmp_path: Path) -> None:
    path = write(tmp_path / "post.markdown", '---\ntitle: "Worm Farms"\n---\n\n# Intro\n\nText.')
    assert load_path(path).title == "Worm Farms"


def test_text_title_is_the_first_line_with_words_else_the_stem(tmp_path: Path) -> None:
    assert load_path(write(tmp_path / "a.txt", "\n\n  Field notes, May  \nMore.")).title == (
        "Field notes, May"
    )
    rst = load_path(write(tmp_path / "guide.rst", "=====\nGuide\n=====\n\nBody text."))
    assert (rst.title, rst.mime_type) == ("Guide", "text/x-rst")
    assert load_path(write(tmp_path / "dashes.txt", "----\n1 2\n")).title == "1 2"
    assert load_path(write(tmp_path / "symbols.txt", "*** --- ***\n")).title == "symbols"


def test_text_is_normalised_but_otherwise_unchanged(tmp_path: Path) -> None:
    raw = "Title\r\n\r\n\r\n\r\nFirst  paragraph\twith tabs.\r\nSame paragraph.\r\n\n\n\nEnd.\r\n"
    document = load_path(write(tmp_path / "crlf.txt", raw.encode()))
    assert document.text == "Title\n\nFirst  paragraph\twith tabs.\nSame paragraph.\n\nEnd."
    assert document.mime_type == "text/plain"


def test_normalize_text_strips_nul_and_collapses_blank_runs() -> None:
    assert normalize_text("a\x00b\r\rc\n \n\t\n\nd\n\ne  ") == "ab\n\nc\n\nd\n\ne"


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", "\ufeffHello BOM world.".encode())
    document = load_path(path)
    assert document.text == "Hello BOM world."
    assert document.title == "Hello BOM world."


def test_utf16_with_bom_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "utf16.txt", "Grüße aus Köln.".encode("utf-16"))
    assert load_path(path).text == "Grüße aus Köln."


def test_latin1_text_keeps_its_accents(tmp_path: Path) -> None:
    text = "café crème brûlée\nUne recette française, très appréciée à Noël."
    document = load_path(write(tmp_path / "recette.txt", text.encode("latin-1")))
    assert document.text == text
    assert document.title == "café crème brûlée"


def test_cp1252_smart_quotes_load(tmp_path: Path) -> None:
    text = "“Smart quotes” – and an ellipsis… cost 5 €."  # noqa: RUF001
    assert load_path(write(tmp_path / "win.txt", text.encode("cp1252"))).text == text


def test_cyrillic_legacy_encoding_is_detected(tmp_path: Path) -> None:
    text = "Компост получается из кухонных отходов. Его нужно регулярно перемешивать."  # noqa: RUF001
    assert load_path(write(tmp_path / "ru.txt", text.encode("cp1251"))).text == text


def test_html_keeps_the_article_and_drops_boilerplate(tmp_path: Path) -> None:
    document = load_path(write(tmp_path / "page.html", PAGE))
    assert document.mime_type == "text/html"
    assert document.title == "Home Composting Guide"
    for paragraph in ARTICLE:
        assert paragraph in document.text
    for noise in BOILERPLATE:
        assert noise not in document.text


def test_html_without_an_article_falls_back_to_visible_text(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Tiny</title></head><body><nav>Menu</nav>"
        "<p>Just one line.</p><script>var x = 1;</script></body></html>"
    )
    document = load_path(write(tmp_path / "tiny.htm", page))
    assert document.title == "Tiny"
    assert "Just one line." in document.text
    assert "var x" not in document.text


def test_html_still_loads_when_trafilatura_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes "import trafilatura" fail
    document = load_path(write(tmp_path / "page.html", PAGE))
    assert document.title == "Home Composting Guide | Green Blog"
    for paragraph in ARTICLE:
        assert paragraph in document.text
    for noise in ["About us", "Popular posts", "Copyright 2024", "tracker"]:
        assert noise not in document.text


def test_html_declared_latin1_charset_is_honoured(tmp_path: Path) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').replace(
        "Home Composting Guide</h1>", "Compost: café et crème</h1>"
    )
    document = load_path(write(tmp_path / "latin.html", page.encode("latin-1")))
    assert "café et crème" in document.text


def test_pdf_pages_are_joined_and_the_metadata_title_used(tmp_path: Path) -> None:
    data = make_pdf(
        ["Compost needs greens and browns. Keep it moist.", "Turn the heap every week."],
        title="Composting Field Guide",
    )
    document = load_path(write(tmp_path / "guide.pdf", data))
    assert document.title == "Composting Field Guide"
    assert document.mime_type == "application/pdf"
    assert document.text == (
        "Compost needs greens and browns. Keep it moist.\n\nTurn the heap every week."
    )
    assert document.size_bytes == len(data)


def test_pdf_without_a_metadata_title_uses_its_first_line(tmp_path: Path) -> None:
    data = make_pdf(["Worm farming basics\nWorms eat scraps."])
    assert load_path(write(tmp_path / "worms.pdf", data)).title == "Worm farming basics"


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    document = load_path(make_docx(tmp_path / "guide.docx"))
    assert document.mime_type == DOCX_MIME
    assert document.title == "Composting at Home"
    assert document.text == (
        "# Composting at Home\n\n"
        "Compost turns scraps into soil. It needs air and water.\n\n"
        "## Materials\n\n"
        "Material | Ratio\nGreens | 1 part\nBrowns | 3\n\n"
        "- Turn the heap weekly."
    )


def test_notebook_cells_in_order_code_fenced_outputs_skipped(tmp_path: Path) -> None:
    document = load_path(make_notebook(tmp_path / "analysis.ipynb"))
    assert document.mime_type == "application/x-ipynb+json"
    assert document.title == "Soil Analysis"
    assert document.text == (
        "# Soil Analysis\n\nWe measure the pH of each sample.\n\n"
        "```python\nph = [6.5, 7.1]\nprint(sum(ph) / len(ph))\n```\n\n"
        "## Results\n\nThe soil is neutral."
    )
    assert "OUTPUT_MUST_NOT_APPEAR" not in document.text


def test_unknown_or_missing_suffix_is_sniffed(tmp_path: Path) -> None:
    assert load_path(write(tmp_path / "README", "# Readme\n\nHi.")).mime_type == "text/plain"
    assert load_path(write(tmp_path / "page", PAGE)).mime_type == "text/html"
    pdf = make_pdf(["Sniffed text."])
    assert load_path(write(tmp_path / "download.bin", pdf)).text == "Sniffed text."
    docx_bytes = make_docx(tmp_path / "real.docx").read_bytes()
    assert load_path(write(tmp_path / "attachment", docx_bytes)).mime_type == DOCX_MIME
    notebook = make_notebook(tmp_path / "real.ipynb").read_bytes()
    assert load_path(write(tmp_path / "nb.json", notebook)).title == "Soil Analysis"


# --- load_bytes --------------------------------------------------------------------------------


def test_load_bytes_html_with_charset_in_content_type() -> None:
    page = PAGE.replace('<meta charset="utf-8">', "").replace("rich, dark", "riche, foncé")
    document = load_bytes(
        page.encode("latin-1"),
        origin="https://example.org/compost",
        content_type="text/html; charset=ISO-8859-1",
    )
    assert document.origin == "https://example.org/compost"
    assert document.mime_type == "text/html"
    assert "riche, foncé" in document.text
    assert "BUY CHEAP" not in document.text


def test_load_bytes_plain_text_and_pdf() -> None:
    text = load_bytes(b"Plain words.", origin="https://x.org/a.txt", content_type="text/plain")
    assert (text.text, text.mime_type) == ("Plain words.", "text/plain")
    pdf = load_bytes(
        make_pdf(["Fetched PDF text."]),
        origin="https://x.org/papers/field-report.pdf?v=2",
        content_type="application/pdf",
    )
    assert pdf.text == "Fetched PDF text."
    assert pdf.mime_type == "application/pdf"


def test_load_bytes_sniffs_missing_or_generic_content_types() -> None:
    data = make_pdf(["Octet stream."])
    for content_type in (None, "application/octet-stream"):
        document = load_bytes(data, origin="https://x.org/dl", content_type=content_type)
        assert document.mime_type == "application/pdf"


def test_load_bytes_title_falls_back_to_the_url() -> None:
    document = load_bytes(b"* * *", origin="https://x.org/docs/My%20Notes.txt", content_type=None)
    assert document.title == "My Notes"


def test_load_bytes_refuses_unsupported_content_types() -> None:
    with pytest.raises(LoaderError, match=r"https://x\.org/logo\.png has content type image/png"):
        load_bytes(PNG_HEADER, origin="https://x.org/logo.png", content_type="image/png")


def test_load_bytes_refuses_empty_and_oversized_data() -> None:
    with pytest.raises(LoaderError, match=r"https://x\.org/e is empty"):
        load_bytes(b"", origin="https://x.org/e", content_type="text/html")
    with pytest.raises(LoaderError, match=r"is 2\.5 MB, over the 1 MB ingest limit"):
        load_bytes(
            b"a" * 2_500_000, origin="https://x.org/big", content_type="text/plain", max_bytes=10**6
        )


# --- bad input ---------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    assert "does not exist" in load_error(tmp_path / "nowhere.md")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    assert "is a folder, not a file" in load_error(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    assert "is empty (0 bytes)" in load_error(write(tmp_path / "empty.txt", b""))


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert "contains only whitespace" in load_error(write(tmp_path / "blank.md", " \n\t\r\n  "))


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "word " * 1000)
    message = load_error(path, max_bytes=1000)
    assert "is 5 kB, over the 1 kB ingest limit" in message
    assert "AIWRITER_MAX_INGEST_BYTES / max_bytes" in message


def test_png_renamed_to_txt(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.txt", PNG_HEADER + bytes(range(256)) * 4)
    assert "is not text: it looks like a PNG image" in load_error(path)


def test_pdf_renamed_to_txt_suggests_the_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "paper.txt", make_pdf(["x"]))
    assert "looks like a PDF; give it a .pdf suffix" in load_error(path)


def test_unknown_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "blob.txt", b"abc\x00\x01\x02def" * 50)
    assert "is a binary file, not text" in load_error(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.pdf", encrypt_pdf(make_pdf(["Hidden."]), "secret"))
    assert "is encrypted" in load_error(path)


def test_pdf_encrypted_with_an_empty_user_password_opens(tmp_path: Path) -> None:
    path = write(tmp_path / "open.pdf", encrypt_pdf(make_pdf(["Readable anyway."]), ""))
    assert load_path(path).text == "Readable anyway."


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", make_pdf([""]))
    message = load_error(path)
    assert "has no extractable text" in message
    assert "OCR" in message


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\nthis is not really a pdf\n", b"not a pdf at all", "truncated"],
    ids=["garbage", "no-header", "truncated"],
)
def test_corrupted_pdf(tmp_path: Path, data: bytes | str) -> None:
    if data == "truncated":
        full = make_pdf(["Some text that will be cut off."])
        data = full[: len(full) // 3]
    assert "is not a readable PDF" in load_error(write(tmp_path / "broken.pdf", data))


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04 not really a zip", b"plain text pretending"], ids=["zip", "text"]
)
def test_corrupted_docx(tmp_path: Path, data: bytes) -> None:
    assert "is not a readable Word document" in load_error(write(tmp_path / "bad.docx", data))


def test_docx_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert "has no text in its paragraphs or tables" in load_error(path)


def claim_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the unpacked size its ZIP directory declares for ``member`` changed."""
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        (name_length,) = struct.unpack_from("<H", data, entry + 28)
        if data[entry + 46 : entry + 46 + name_length] == member.encode():
            patched = bytearray(data)
            struct.pack_into("<I", patched, entry + 24, size)
            return bytes(patched)
        entry = data.find(b"PK\x01\x02", entry + 4)
    raise AssertionError(f"{member} is not in the archive")


def test_a_docx_zip_bomb_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    message = load_error(write(tmp_path / "bomb.docx", docx_bomb()))
    assert "looks like a zip bomb: word/document.xml unpacks" in message


@pytest.mark.parametrize(
    ("paragraph", "encoding"),
    [("<w:p/>", "utf-8"), (f'<x:p xmlns:x="{WORD_NAMESPACE}"/>', "utf-8"), ("<w:p/>", "utf-16")],
    ids=["w", "other-prefix", "utf-16"],
)
def test_a_docx_with_too_many_paragraphs_is_refused_even_unpacked(
    tmp_path: Path, paragraph: str, encoding: str
) -> None:
    body = paragraph * (MAX_DOCX_BLOCKS + 1)
    data = minimal_docx(body, compression=zipfile.ZIP_STORED, encoding=encoding)
    message = load_error(write(tmp_path / "long.docx", data))
    assert f"over {MAX_DOCX_BLOCKS:,} paragraphs and table cells" in message


def test_a_docx_with_too_many_elements_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loaders, "MAX_DOCX_ELEMENTS", 1_000)
    body = "<w:p><w:r><w:t>word</w:t></w:r></w:p>" * 400
    message = load_error(write(tmp_path / "dense.docx", minimal_docx(body)))
    assert "over 1,000 XML elements" in message


def test_a_docx_part_claiming_a_huge_unpacked_size_is_refused(tmp_path: Path) -> None:
    data = claim_size(
        minimal_docx("<w:p><w:r><w:t>hi</w:t></w:r></w:p>"), "word/document.xml", 3 * 10**9
    )
    message = load_error(write(tmp_path / "claims.docx", data))
    assert "word/document.xml) that unpacks to 3 GB, over the 50 MB limit" in message


def test_a_long_styled_docx_loads_with_its_headings_lists_and_a_binary_part(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    document.add_heading("Field Notes", level=0)
    for number in range(3_000):
        if number % 100 == 0:
            document.add_heading(f"Week {number // 100}", level=2)
        elif number % 10 == 0:
            document.add_paragraph(f"Check item {number}", style="List Bullet")
        else:
            document.add_paragraph(f"Observation {number}: the heap is warm.")
    path = tmp_path / "notes.docx"
    document.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/media/photo.bin", b"\x89PNG" + os.urandom(2_000_000))

    loaded = load_path(path)

    lines = loaded.text.split("\n\n")
    assert loaded.title == "Field Notes" and lines[0] == "# Field Notes"
    assert [line for line in lines if line.startswith("## ")] == [
        f"## Week {week}" for week in range(30)
    ]
    assert lines.count("- Check item 10") == 1 and len(lines) == 1 + 30 + 3_000 - 30
    assert lines[-1] == "Observation 2999: the heap is warm."


def test_corrupted_notebook(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.ipynb", '{"cells": [ oops')
    assert "is not a readable Jupyter notebook" in load_error(path)


def test_html_without_content(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><head><title>T</title></head><body></body></html>")
    assert "has no readable text" in load_error(path)


# --- folders -----------------------------------------------------------------------------------


def test_iter_source_files_walks_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in [
        "b.md",
        "a.txt",
        "image.png",
        "README",
        ".hidden.md",
        "~$lock.docx",
        ".git/config.txt",
        ".ipynb_checkpoints/nb-checkpoint.ipynb",
        "sub/c.PDF",
        "sub/deeper/d.html",
        "sub/.cache/e.txt",
        "z/notes.rst",
    ]:
        write(tmp_path / name, "x")
    found = [path.relative_to(tmp_path).as_posix() for path in iter_source_files(tmp_path)]
    assert found == ["a.txt", "b.md", "sub/c.PDF", "sub/deeper/d.html", "z/notes.rst"]


def test_iter_source_files_on_a_file_and_on_a_missing_root(tmp_path: Path) -> None:
    path = write(tmp_path / "one.md", "x")
    assert list(iter_source_files(path)) == [path]
    with pytest.raises(LoaderError, match="does not exist"):
        list(iter_source_files(tmp_path / "missing"))


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".ipynb", ".docx"} == (
        SUPPORTED_SUFFIXES
    )


# Lines on which the title patterns backtracked from every character (minutes each).
GAP = " " * 400_000


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("---\ntitle: 'Worm' " + GAP + "\n---\nText.", "Worm"),
        ("# Worm ##" + GAP + "\n\nText.", "Worm"),
        ("# C#" + GAP + "\n\nText.", "C#"),
        ("# Worm" + GAP + "farms\n\nText.", "Worm farms"),
        ("Worm " + "[" * 200_000 + "]" * 200_000, "Worm…"),
        ("*a " * 130_000, "*a *a"),
    ],
)
def test_titles_of_long_lines_are_found_in_linear_time(text: str, title: str) -> None:
    document = load_bytes(text.encode(), origin="notes.md", content_type="text/markdown")
    assert document.title.startswith(title)
    assert len(document.title) <= 200
