"""Turn files and fetched pages into plain text with a title, ready to chunk and cite.

Every source is read as bytes first, so the size limit, the empty and binary checks and
content sniffing work the same for a file on disk and a page fetched from the web. Each
format reader then returns a title and text; the text is normalised once, here, because
chunk offsets and citations point into exactly that string.

Any failure becomes a ``LoaderError`` naming the source and the problem in one line: ingest
reports show it to the user instead of a library traceback. Format libraries are imported
when a file of that format is read, so importing the kernel stays cheap.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from aiwriter_kernel.errors import AIWriterError
from aiwriter_kernel.research.models import LoadedDocument
from aiwriter_kernel.text.sentences import strip_markdown

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from pypdf import PageObject, PdfReader

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50_000_000
MAX_BYTES_SETTING = "AIWRITER_MAX_INGEST_BYTES"  # named in messages; see the report
TITLE_MAX_CHARS = 200
TITLE_SCAN_LINES = 200  # a title heading lives near the top; never scan a whole book
SNIFF_BYTES = 8192

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A DOCX is a ZIP of XML parts: its size says little about the work it makes. A file of a few
# kB can unpack to millions of empty paragraphs, so these are checked before it is parsed.
# Reading a member never goes past the size its ZIP directory declares (zipfile stops there).
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_MEMBER_BYTES = 50_000_000  # one member, unpacked
MAX_ZIP_TOTAL_BYTES = 200_000_000  # all members, unpacked
MAX_ZIP_RATIO = 100  # unpacked / packed size of one member; office XML packs about 10 times
ZIP_RATIO_MIN_BYTES = 1_000_000  # smaller members may pack as they like
MAX_DOCX_ELEMENTS = 2_000_000  # XML elements in all parts; a 1,000-page book has ~300,000
MAX_DOCX_BLOCKS = 100_000  # paragraphs and table cells; a 1,000-page book has ~20,000
DOCX_BLOCK_TAGS = frozenset(
    f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{name}"
    for name in ("p", "tc")
)
XML_READ_BYTES = 1 << 20
SUFFIX_KINDS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".ipynb": "notebook",
    ".docx": "docx",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_KINDS)
MIME_TYPES = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "rst": "text/x-rst",
    "html": "text/html",
    "pdf": "application/pdf",
    "notebook": "application/x-ipynb+json",
    "docx": DOCX_MIME,
}
CONTENT_TYPE_KINDS = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/x-rst": "rst",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/x-ipynb+json": "notebook",
    DOCX_MIME: "docx",
}
# Servers send these for anything; the bytes say more than the header.
SNIFFED_CONTENT_TYPES = {"application/octet-stream", "binary/octet-stream"}
SUPPORTED_FORMATS = "text, Markdown, reStructuredText, HTML, PDF, DOCX and Jupyter notebooks"
EMPTY_REASONS = {
    "html": "has no readable text once menus, ads and other page furniture are removed",
    "notebook": "has no Markdown or code cells with content",
    "docx": "has no text in its paragraphs or tables",
}

# (magic bytes, what the file looks like, what to do about it)
MAGIC_SIGNATURES = (
    (b"\x89PNG", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"GIF8", "a GIF image", ""),
    (b"%PDF-", "a PDF", "; give it a .pdf suffix"),
    (b"PK\x03\x04", "a ZIP archive or Office file", "; a Word file needs a .docx suffix"),
    (b"\x1f\x8b", "a gzip archive", "; unpack it first"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file", "; re-save it as .docx or PDF"),
    (b"\x7fELF", "a program", ""),
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Typographic marks common in cp1252 (Windows "ANSI") prose besides letters:
# nbsp, guillemets, curly quotes, dashes, ellipsis, bullet, € £ ° § © ® ™ · ¡ ¿ ª º ½.
# Superscripts and ± are left out: they are what Polish ł and ą turn into when cp1250 text
# is misread as cp1252.
CP1252_PUNCTUATION = frozenset(
    "\u00a0\u00ab\u00bb\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u2022"
    "\u20ac\u00a3\u00b0\u00a7\u00a9\u00ae\u2122\u00b7\u00a1\u00bf\u00aa\u00ba\u00bd"
)

NON_ASCII = re.compile(r"[^\x00-\x7f]")
ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
BLANK_LINE_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# Openings only: the closing hashes and quotes are cut in Python, since a lazy group before
# optional trailing spaces takes time quadratic in a line's length (see text.sentences).
ATX_OPENING = re.compile(r" {0,3}(#{1,6})[ \t]+")
FRONT_MATTER_TITLE = re.compile(r"^title:(.+)$", re.M)
DOCX_HEADING_STYLE = re.compile(r"^Heading (\d)$")
# Elements that are page furniture, not content, for the lxml fallback extractor.
HTML_NOISE_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside")
HTML_NOISE_TAGS += ("form", "iframe", "svg", "button")
HTML_BLOCK_TAGS = ("p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
HTML_BLOCK_TAGS += ("section", "article", "blockquote", "pre", "table", "dd", "dt", "main")


class LoaderError(AIWriterError):
    """A source cannot be turned into text; the message names it, says why and what to do."""


@dataclass(frozen=True)
class _Source:
    """Raw bytes plus what is known about them before parsing."""

    name: str  # the path or URL, as the user will recognise it in a message
    data: bytes
    fallback_title: str
    charset: str | None = None  # declared by an HTTP Content-Type header


# --- public API ----------------------------------------------------------------------------


def load_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedDocument:
    """Load one file, choosing the reader by suffix, or by content for unknown suffixes."""
    path = Path(path)
    data = _read_file(path, max_bytes)
    kind = SUFFIX_KINDS.get(path.suffix.lower()) or _sniff_kind(data)
    source = _Source(name=str(path), data=data, fallback_title=path.stem or path.name)
    return _load(source, kind)


def load_bytes(
    data: bytes,
    *,
    origin: str,
    content_type: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadedDocument:
    """Load a page fetched elsewhere; the Content-Type decides the reader, else the bytes do."""
    _check_size(origin, len(data), max_bytes)
    media_type, charset = _parse_content_type(content_type)
    if media_type is None or media_type in SNIFFED_CONTENT_TYPES:
        kind = _sniff_kind(data)
    elif media_type in CONTENT_TYPE_KINDS:
        kind = CONTENT_TYPE_KINDS[media_type]
    else:
        raise LoaderError(
            f"{origin} has content type {media_type}, which cannot be ingested; "
            f"supported: {SUPPORTED_FORMATS}."
        )
    source = _Source(origin, data, _title_from_origin(origin), charset)
    return _load(source, kind)


def iter_source_files(root: Path) -> Iterator[Path]:
    """Files under ``root`` that ``load_path`` supports, recursively, in sorted order.

    Hidden files and folders (``.git``, ``.ipynb_checkpoints``...) and Office lock files
    (``~$report.docx``) are skipped: they are never what the user meant to ingest.
    Folder symlinks are not followed, so a link loop cannot make the walk endless.
    """
    root = Path(root)
    if not root.exists():
        raise LoaderError(f"{root} does not exist; check the folder path.")
    if root.is_file():
        if _is_wanted_file(root):
            yield root
        return
    yield from _walk(root)


def normalize_text(text: str) -> str:
    """Line endings to ``\\n``, no NULs, at most one blank line in a row, no outer blanks.

    Nothing else changes: chunk offsets and citations point into the result.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return BLANK_LINE_RUNS.sub("\n\n", text).strip()


# --- reading, checking and dispatching -----------------------------------------------------


def _read_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the checks that need no parsing."""
    if not path.exists():
        raise LoaderError(f"{path} does not exist; check the path.")
    if path.is_dir():
        raise LoaderError(f"{path} is a folder, not a file; ingest the folder to load its files.")
    if not path.is_file():
        raise LoaderError(f"{path} is not a regular file (a device, pipe or socket).")
    try:
        _check_size(str(path), path.stat().st_size, max_bytes)
        return path.read_bytes()
    except OSError as error:
        raise LoaderError(f"{path} cannot be read: {error.strerror or error}.") from error


def _check_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse empty sources and sources over the limit before spending time on them."""
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    if size == 0:
        raise LoaderError(f"{name} is empty (0 bytes); there is nothing to ingest.")
    if size > max_bytes:
        raise LoaderError(
            f"{name} is {_human_size(size)}, over the {_human_size(max_bytes)} ingest limit "
            f"({MAX_BYTES_SETTING} / max_bytes); raise the limit or split the file."
        )


def _load(source: _Source, kind: str) -> LoadedDocument:
    """Run the reader for ``kind`` and check that some text came out."""
    title, raw_text = READERS[kind](source)
    text = normalize_text(raw_text)
    if not text:
        reason = EMPTY_REASONS.get(kind, "contains only whitespace, no text")
        raise LoaderError(f"{source.name} {reason}; there is nothing to ingest.")
    title = title or _text_title(text) or source.fallback_title
    return LoadedDocument(
        origin=source.name,
        title=title,
        text=text,
        mime_type=MIME_TYPES[kind],
        size_bytes=len(source.data),
    )


def _sniff_kind(data: bytes) -> str:
    """Guess the format of bytes that came without a usable suffix or content type."""
    head = data[:SNIFF_BYTES]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") and _is_docx(data):
        return "docx"
    stripped = head.lstrip().lower()
    if stripped.startswith(b"{") and b'"cells"' in data and b'"nbformat"' in data:
        return "notebook"
    if stripped.startswith((b"<!doctype html", b"<html")) or b"<html" in stripped[:1024]:
        return "html"
    return "text"  # the text reader refuses binaries with a message saying what they are


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _parse_content_type(content_type: str | None) -> tuple[str | None, str | None]:
    """``"text/html; charset=ISO-8859-1"`` → ``("text/html", "ISO-8859-1")``."""
    if not content_type or not content_type.strip():
        return None, None
    media_type, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


# --- decoding text -------------------------------------------------------------------------


def _decode(source: _Source, declared: str | None = None) -> str:
    """Bytes to text: BOM, declared charset, UTF-8, then Windows-1252, then detection.

    Windows-1252 is tried before ``charset_normalizer`` because the detector reads short
    French or German Latin-1 text as Central European (``crème`` → ``crčme``); the
    plausibility check keeps Cyrillic or Polish files away from it.
    """
    data = source.data
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_strict(source, encoding)
    _refuse_binary(source)
    for encoding in filter(None, (_whatwg_charset(declared), "utf-8")):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    text = _decode_western(data)
    if text is not None:
        return text
    return _decode_detected(source)


def _decode_strict(source: _Source, encoding: str) -> str:
    try:
        return source.data.decode(encoding)
    except UnicodeDecodeError as error:
        raise LoaderError(
            f"{source.name} starts with a {encoding} byte-order mark but is not valid "
            f"{encoding} (byte {error.start}); re-save it as UTF-8."
        ) from error


def _refuse_binary(source: _Source) -> None:
    """Raise for images, archives and other binaries, saying what they look like."""
    head = source.data[:SNIFF_BYTES]
    for magic, what, advice in MAGIC_SIGNATURES:
        if head.startswith(magic):
            raise LoaderError(
                f"{source.name} is not text: it looks like {what}{advice}. "
                f"Supported: {SUPPORTED_FORMATS}."
            )
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x0b\x1b")
    if b"\x00" in head or controls > len(head) // 20:
        raise LoaderError(
            f"{source.name} is a binary file, not text (it contains NUL or control bytes). "
            f"Supported: {SUPPORTED_FORMATS}."
        )


def _whatwg_charset(declared: str | None) -> str | None:
    """Browsers read a declared Latin-1 or ASCII page as Windows-1252; so do we."""
    if not declared:
        return None
    lowered = declared.strip().lower()
    return "cp1252" if lowered in {"iso-8859-1", "latin-1", "latin1", "us-ascii"} else lowered


def _decode_western(data: bytes) -> str | None:
    """The text as Windows-1252 (a superset of Latin-1) if that reads as Western prose."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None  # bytes cp1252 leaves undefined: some other single-byte encoding
    accented = 0
    for char in NON_ASCII.findall(text):  # few in Western text, so this loop stays short
        if char.isalpha() and ord(char) < 0x250:
            accented += 1
        elif char not in CP1252_PUNCTUATION:
            return None
    ascii_letters = len(data) - len(data.translate(None, ASCII_LETTERS))
    # Cyrillic or Greek read as cp1252 is almost all accented letters; Western text is not.
    return text if accented <= 0.3 * (ascii_letters + accented) else None


def _decode_detected(source: _Source) -> str:
    """Last resort: let charset_normalizer name the encoding (Cyrillic, Polish, CJK...)."""
    from charset_normalizer import from_bytes

    best = from_bytes(source.data).best()
    if best is None or best.encoding is None:
        raise LoaderError(
            f"{source.name} is not UTF-8 and its encoding could not be recognised; "
            "re-save it as UTF-8."
        )
    logger.info("%s decoded as %s", source.name, best.encoding)
    return str(best)


# --- format readers: each returns (title or None, text) -------------------------------------


def _read_text(source: _Source) -> tuple[str | None, str]:
    """Plain text, Markdown and reStructuredText keep their markup: it is readable as is."""
    return None, _decode(source, source.charset)


def _read_html(source: _Source) -> tuple[str | None, str]:
    """Main content only: trafilatura drops menus, ads, footers and comments."""
    html = _decode(source, source.charset or _meta_charset(source.data))
    title, text = _trafilatura_extract(source, html)
    if not text:
        fallback_title, text = _lxml_extract(source, html)
        title = title or fallback_title
    return title, text


def _meta_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _trafilatura_extract(source: _Source, html: str) -> tuple[str | None, str]:
    """Markdown keeps headings, which help both the title and paragraph-aware chunking."""
    try:
        import trafilatura

        text = trafilatura.extract(
            html,
            output_format="markdown",
            include_comments=False,
            include_tables=True,
            with_metadata=False,
        )
        metadata = trafilatura.extract_metadata(html, extensive=False)
    except Exception as error:  # a broken install or a parser crash: the fallback still works
        logger.warning("trafilatura failed on %s (%s); using plain lxml", source.name, error)
        return None, ""
    title = _clean_title(metadata.title) if metadata is not None and metadata.title else None
    return title, text or ""


def _lxml_extract(source: _Source, html: str) -> tuple[str | None, str]:
    """Every visible text block except obvious page furniture; used when trafilatura finds
    nothing it considers an article (very short pages, link lists)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:  # lxml refuses a str that still declares its byte encoding
        tree = lxml_html.document_fromstring(XML_DECLARATION.sub("", html))
    except (etree.ParserError, ValueError) as error:
        raise LoaderError(f"{source.name} is not readable HTML ({_brief(error)}).") from error
    title = _clean_title(tree.findtext(".//title") or "") or None
    etree.strip_elements(tree, *HTML_NOISE_TAGS, etree.Comment, with_tail=False)
    for element in tree.iter(*HTML_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    body = tree.find("body")
    content = (body if body is not None else tree).text_content()
    lines = (" ".join(line.split()) for line in content.splitlines())
    return title, "\n\n".join(line for line in lines if line)


def _read_pdf(source: _Source) -> tuple[str | None, str]:
    """Text page by page, separated by blank lines; metadata title when it is meaningful."""
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise LoaderError(
                f"{source.name} is encrypted (password-protected); remove the password, "
                "for example by printing it to a new PDF, and ingest that copy."
            )
        if len(reader.pages) == 0:
            raise LoaderError(f"{source.name} has no pages; download or export it again.")
        pages = [_pdf_page_text(source, number, page) for number, page in enumerate(reader.pages)]
        title = _pdf_title(reader)
    except LoaderError:
        raise
    except Exception as error:  # pypdf raises many types on damaged files
        raise LoaderError(
            f"{source.name} is not a readable PDF ({_brief(error)}); it may be damaged or "
            "truncated: download or export it again."
        ) from error
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise LoaderError(
            f"{source.name} has no extractable text: it looks like a scanned or image-only "
            "PDF; run OCR on it (for example with ocrmypdf) and ingest the result."
        )
    return title, text


def _pdf_page_text(source: _Source, number: int, page: PageObject) -> str:
    """One page's text; a page pypdf cannot parse is skipped rather than losing the file."""
    try:
        return (page.extract_text() or "").strip()
    except Exception as error:
        logger.warning("%s: page %d skipped (%s)", source.name, number + 1, _brief(error))
        return ""


def _pdf_title(reader: PdfReader) -> str | None:
    """The document-information title, unless it is empty or a placeholder like "untitled"."""
    raw = reader.metadata.title if reader.metadata is not None else None
    title = _clean_title(str(raw)) if raw else ""
    return title if title and title.lower() not in {"untitled", "title"} else None


def _read_notebook(source: _Source) -> tuple[str | None, str]:
    """Markdown and code cells in order, code fenced; outputs are results, not sources."""
    text = _decode(source)
    try:
        import nbformat

        notebook = nbformat.reads(text, as_version=4)
        language = _notebook_language(notebook.metadata)
        blocks = [_notebook_block(cell, language) for cell in notebook.cells]
    except ImportError as error:
        raise LoaderError(
            f"{source.name} is a notebook and reading it needs nbformat: "
            "pip install 'aiwriter-workbench[notebook]'."
        ) from error
    except Exception as error:
        raise LoaderError(
            f"{source.name} is not a readable Jupyter notebook ({_brief(error)}); "
            "check that it is valid notebook JSON."
        ) from error
    markdown = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return _heading_title(markdown, any_level=True), "\n\n".join(filter(None, blocks))


def _notebook_language(metadata: dict[str, Any]) -> str:
    language = (metadata.get("language_info") or {}).get("name")
    language = language or (metadata.get("kernelspec") or {}).get("language")
    return str(language or "python").lower()


def _notebook_block(cell: dict[str, Any], language: str) -> str:
    source = str(cell.get("source") or "").strip("\n")
    if not source.strip() or cell.get("cell_type") not in {"markdown", "code"}:
        return ""
    return source if cell["cell_type"] == "markdown" else f"```{language}\n{source}\n```"


def _read_docx(source: _Source) -> tuple[str | None, str]:
    """Paragraphs in order, headings as Markdown ``#``, tables as one line of cells per row."""
    try:
        import docx

        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            _check_zip_sizes(source.name, archive)
            _check_xml_elements(source.name, archive)
        document = docx.Document(io.BytesIO(source.data))
        styles = _DocxStyles.of(document)
        blocks = [_docx_block(item, styles) for item in document.iter_inner_content()]
        title = _clean_title(document.core_properties.title or "") or None
    except LoaderError:
        raise
    except Exception as error:  # python-docx raises zip, XML and key errors on bad files
        raise LoaderError(
            f"{source.name} is not a readable Word document ({_brief(error)}); it may be "
            "damaged, or an old .doc renamed: open it in Word and save it as .docx."
        ) from error
    text = "\n\n".join(block for block in blocks if block)
    return title or _heading_title(text, any_level=True), text


def _check_zip_sizes(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a ZIP that unpacks out of proportion (a zip bomb) before a member is read."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise LoaderError(
            f"{name} holds {len(members):,} files, over the limit of {MAX_ZIP_MEMBERS:,}; "
            "it is not an ordinary document."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_ZIP_MEMBER_BYTES:
            raise LoaderError(
                f"{name} has a part ({member.filename}) that unpacks to "
                f"{_human_size(member.file_size)}, over the {_human_size(MAX_ZIP_MEMBER_BYTES)} "
                "limit; split the document."
            )
        if member.file_size > ZIP_RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            raise LoaderError(
                f"{name} looks like a zip bomb: {member.filename} unpacks {ratio:,.0f} times "
                f"its packed size (at most {MAX_ZIP_RATIO} is accepted)."
            )
    total = sum(member.file_size for member in members)
    if total > MAX_ZIP_TOTAL_BYTES:
        raise LoaderError(
            f"{name} unpacks to {_human_size(total)}, over the "
            f"{_human_size(MAX_ZIP_TOTAL_BYTES)} limit; split the document."
        )


class _XmlCounter:
    """An lxml parser target that counts elements and stops at a cap: no tree is built, so
    counting a bloated part costs neither memory nor more work than the cap allows."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.elements = 0
        self.blocks = 0

    def start(self, tag: str, attributes: Any) -> None:
        self.elements += 1
        self.blocks += tag in DOCX_BLOCK_TAGS
        if self.blocks > MAX_DOCX_BLOCKS:
            raise LoaderError(
                f"{self.name} has over {MAX_DOCX_BLOCKS:,} paragraphs and table cells, more "
                "than is ingested from one document; split it."
            )
        if self.elements > MAX_DOCX_ELEMENTS:
            raise LoaderError(
                f"{self.name} has over {MAX_DOCX_ELEMENTS:,} XML elements, more than is "
                "ingested from one document; split it."
            )

    def close(self) -> None:
        return None


def _check_xml_elements(name: str, archive: zipfile.ZipFile) -> None:
    """Count the elements and paragraphs of every part that parses as XML, in any encoding:
    python-docx picks parts by content type, not by name. An image fails at its first bytes."""
    from lxml import etree

    counter = _XmlCounter(name)
    for member in archive.infolist():
        parser = etree.XMLParser(target=counter, resolve_entities=False, no_network=True)
        with archive.open(member) as stream:
            try:
                while chunk := stream.read(XML_READ_BYTES):
                    parser.feed(chunk)
                parser.close()
            except etree.XMLSyntaxError:
                continue  # not XML, or broken XML: python-docx says so if it reads the part


@dataclass(frozen=True)
class _DocxStyles:
    """Paragraph style names by style id, read once. ``paragraph.style`` searches the
    styles part for every paragraph, which made a 3,000-paragraph file take seconds."""

    names: dict[str, str]
    default: str

    @classmethod
    def of(cls, document: DocxDocument) -> _DocxStyles:
        from docx.enum.style import WD_STYLE_TYPE

        paragraph = WD_STYLE_TYPE.PARAGRAPH
        names = {s.style_id: s.name or "" for s in document.styles if s.type == paragraph}
        default = document.styles.default(paragraph)
        return cls(names, default.name or "" if default is not None else "")

    def name_of(self, paragraph: Paragraph) -> str:
        """The style name, as ``paragraph.style.name`` gives it (unknown ids: the default)."""
        style_id = paragraph._p.style  # the w:pStyle id, read without a lookup
        return self.names.get(style_id, self.default) if style_id else self.default


def _docx_block(item: Paragraph | Table, styles: _DocxStyles) -> str:
    """One paragraph or table as Markdown-ish text."""
    from docx.table import Table

    if isinstance(item, Table):
        return _docx_table(item)
    text = item.text.strip()
    style = styles.name_of(item)
    heading = DOCX_HEADING_STYLE.match(style or "")
    if text and heading:
        return f"{'#' * int(heading.group(1))} {text}"
    if text and style == "Title":
        return f"# {text}"
    if text and (style or "").startswith("List"):
        return f"- {text}"
    return text


def _docx_table(table: Table) -> str:
    """Rows as ``cell | cell``; a merged cell repeats in python-docx, so repeats are dropped."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            if value and (not cells or cells[-1] != value):
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


READERS = {
    "text": _read_text,
    "markdown": _read_text,
    "rst": _read_text,
    "html": _read_html,
    "pdf": _read_pdf,
    "notebook": _read_notebook,
    "docx": _read_docx,
}


# --- titles --------------------------------------------------------------------------------


def _text_title(text: str) -> str | None:
    """Front-matter title, else the first ``# `` heading, else the first line with words."""
    front = _front_matter_title(text)
    if front:
        return front
    heading = _heading_title(text, any_level=False)
    if heading:
        return heading
    for line in text.split("\n", TITLE_SCAN_LINES)[:TITLE_SCAN_LINES]:
        title = _clean_title(line)
        if title and any(char.isalnum() for char in title) and not line.startswith("```"):
            return title
    return None


def _front_matter_title(text: str) -> str | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    match = FRONT_MATTER_TITLE.search(text, 4, end) if end > 0 else None
    return _clean_title(_unquote(match.group(1))) if match else None


def _unquote(value: str) -> str:
    """A YAML value without its spaces and one opening and one closing quote (never the
    last character: a lone quote stays)."""
    value = value.lstrip(" \t")
    if len(value) > 1 and value[0] in "\"'":
        value = value[1:]
    value = value.rstrip(" \t")
    if len(value) > 1 and value[-1] in "\"'":
        value = value[:-1]
    return value


def _heading_title(text: str, *, any_level: bool) -> str | None:
    """The first level-1 (or, with ``any_level``, any) ATX heading outside code fences."""
    in_fence = False
    for line in text.split("\n", TITLE_SCAN_LINES)[:TITLE_SCAN_LINES]:
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        heading = None if in_fence else _atx_heading(line)
        if heading and (any_level or heading[0] == 1):
            return _clean_title(heading[1]) or None
    return None


def _atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a "## Text ##" line, else None; closing hashes count only after a
    space ("# C#" is about C#)."""
    match = ATX_OPENING.match(line)
    if not match:
        return None
    text = line[match.end() :].rstrip(" \t")
    unclosed = text.rstrip("#")
    if unclosed and unclosed != text and unclosed[-1] in " \t":
        text = unclosed.rstrip(" \t")
    return len(match.group(1)), text


def _clean_title(raw: str) -> str:
    """One line of plain words, no Markdown, at most TITLE_MAX_CHARS characters."""
    line = raw.strip().lstrip("#").strip()
    title = " ".join(strip_markdown(line).split()) if line else ""
    title = "".join(char for char in title if unicodedata.category(char) != "Cc")
    if len(title) <= TITLE_MAX_CHARS:
        return title
    return title[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _title_from_origin(origin: str) -> str:
    """A readable fallback title for a URL: its last path segment's stem, else its host."""
    parsed = urlparse(origin)
    if not parsed.scheme or not parsed.netloc:
        return Path(origin).stem or origin
    segment = unquote(parsed.path.rstrip("/").rsplit("/", 1)[-1])
    return Path(segment).stem or parsed.netloc


# --- folders -------------------------------------------------------------------------------


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as error:
        logger.warning("skipping unreadable folder %s (%s)", folder, error)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink():
                yield from _walk(entry)
        elif entry.is_file() and _is_wanted_file(entry):
            yield entry


def _is_wanted_file(path: Path) -> bool:
    name = path.name
    hidden = name.startswith((".", "~$"))
    return not hidden and path.suffix.lower() in SUPPORTED_SUFFIXES


# --- small helpers -------------------------------------------------------------------------


def _human_size(size: int) -> str:
    """Sizes as people say them: 512 bytes, 3.2 kB, 80 MB (decimal units, like file managers)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            value = size / scale
            return (
                f"{value:.1f} {unit}".replace(".0 ", " ") if value < 10 else f"{value:.0f} {unit}"
            )
    return f"{size} bytes"


def _brief(error: BaseException) -> str:
    """An exception as a short phrase for a one-line message."""
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    detail = detail[:120] + ("…" if len(detail) > 120 else "")
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
