"""SEO metadata for a draft or a Markdown text: title options, meta descriptions, a slug,
Open Graph tags and schema.org JSON-LD, stored as a draft of kind ``seo-metadata``.

Titles and descriptions come from the model (or the offline composer) and are checked
against the limits search engines display (titles <= 60 characters, descriptions 120-160):
an over-long one is cut at a natural break when that leaves a whole phrase, otherwise
dropped, and a warning says which. Nothing is padded to reach a length; when the text
cannot give a description, the warnings say why. Everything else (slug, tags, JSON-LD)
is computed from the text, the request and the draft's stored times.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import MetaDescriptionTask, TitleTask, Voice
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import CITED
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.text.banned import find_banned
from aiwriter_kernel.text.cut import fit
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.sentences import find_headings, split_sentences, strip_markdown
from aiwriter_kernel.text.slugs import APOSTROPHES, slugify
from aiwriter_kernel.text.words import STOP_WORDS

TITLE_MAX = 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 120, 160
HEADLINE_MAX = 110  # schema.org Article headline, as Google reads it
SLUG_MAX = 60
JSON_LD_KEYWORDS = 6
REFERENCES = re.compile(r"^\s{0,3}#{1,6}\s+(references|sources)\s*$", re.I | re.M)
H1 = re.compile(r"^\s{0,3}#\s+(.+)$", re.MULTILINE)  # closing hashes: find_headings
LIST_PREFIX = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|title\s*\d*\s*:|meta description\s*:)\s*", re.I)
TITLE_BREAKS = (": ", " \u2014 ", " \u2013 ", " - ", " | ")  # colon, dashes, bar


def _absolute_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value.strip()


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()) or None


# -- the request and the result --------------------------------------------------------------


class SeoMetadataRequest(BaseModel):
    """What to describe (a stored draft or Markdown, exactly one) and what is known about
    where it will be published."""

    model_config = ConfigDict(frozen=True)

    draft_id: int | None = Field(default=None, ge=1)
    markdown: str | None = Field(default=None, max_length=500_000)
    keyword: str | None = Field(default=None, max_length=100)
    count: int = Field(default=5, ge=1, le=10)  # title options
    url: str | None = Field(default=None, max_length=2000)  # the canonical URL
    base_url: str | None = Field(default=None, max_length=2000)  # the URL is base_url/slug
    author: str | None = Field(default=None, max_length=200)
    site_name: str | None = Field(default=None, max_length=200)
    image: str | None = Field(default=None, max_length=2000)
    schema_type: Literal["Article", "BlogPosting"] = "BlogPosting"
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    _urls = field_validator("url", "base_url", "image")(_absolute_url)
    _names = field_validator("keyword", "author", "site_name")(_one_line)

    @model_validator(mode="after")
    def _consistent(self) -> SeoMetadataRequest:
        if (self.draft_id is None) == (self.markdown is None):
            raise ValueError("give exactly one of draft_id or markdown")
        if self.markdown is not None and not self.markdown.strip():
            raise ValueError("the markdown is empty: paste the text to describe")
        if self.url and self.base_url:
            raise ValueError("give url (the canonical URL) or base_url (+ slug), not both")
        return self


class SeoMetadata(BaseModel):
    """Everything a page's <head> needs, checked against the limits; ``draft_id`` and
    ``version`` are those of the stored result."""

    titles: list[str]
    meta_descriptions: list[str]
    slug: str
    canonical_url: str | None = None
    open_graph: dict[str, str]
    json_ld: dict[str, Any]
    json_ld_script: str
    warnings: list[str] = Field(default_factory=list)
    draft_id: int
    version: int
    source_draft_id: int | None = None
    provider: str

    def head_html(self) -> str:
        """The tags to paste into the page's <head>."""
        tags = []
        if self.titles:
            tags.append(f"<title>{html.escape(self.titles[0])}</title>")
        if self.meta_descriptions:
            description = html.escape(self.meta_descriptions[0])
            tags.append(f'<meta name="description" content="{description}">')
        if self.canonical_url:
            tags.append(f'<link rel="canonical" href="{html.escape(self.canonical_url)}">')
        tags += [
            f'<meta property="{name}" content="{html.escape(value)}">'
            for name, value in self.open_graph.items()
        ]
        return "\n".join([*tags, self.json_ld_script])


class Document(BaseModel):
    """The text being described, with what the store knows about it."""

    text: str  # Markdown without references or citation markers
    headline: str
    published: datetime | None = None
    modified: datetime | None = None
    source_draft_id: int | None = None


# -- pure helpers: slug, limits, JSON-LD -------------------------------------------------------


def make_slug(text: str, limit: int = SLUG_MAX) -> str:
    """Lowercase ASCII words joined by hyphens, without stop words (unless nothing else is
    left), cut at a word so it is at most ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    tokens = [t for t in slugify(APOSTROPHES.sub("", ascii_text)).split("-") if t]
    tokens = [t for t in tokens if t not in STOP_WORDS] or tokens
    slug = ""
    for token in tokens:
        longer = f"{slug}-{token}" if slug else token
        if len(longer) > limit:
            break
        slug = longer
    return slug or (tokens[0][:limit] if tokens else "")


def json_ld_script(data: dict[str, Any]) -> str:
    """The JSON-LD in a script tag; ``<``, ``>`` and ``&`` are escaped as JSON unicode
    escapes so no value can close the tag (``</script>``) or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{safe}\n</script>'


def answer_lines(text: str) -> list[str]:
    """A model's options, one per line, without numbering, bullets, quotes or bold."""
    lines = []
    for line in text.splitlines():
        line = LIST_PREFIX.sub("", line.strip()).strip().strip("*").strip().strip("\"'“”")
        if line:
            lines.append(" ".join(line.split()))
    return lines


def shortened_title(title: str) -> str | None:
    """An over-long title cut at its first natural break (``Main: rest``) when the part
    before it fits and is a phrase of at least three words; else None (drop it)."""
    for mark in TITLE_BREAKS:
        head = title.split(mark, 1)[0].strip()
        if head != title and len(head) <= TITLE_MAX and len(head.split()) >= 3:
            return head
    return None


def shortened_description(description: str) -> str | None:
    """An over-long description cut to its whole first sentences when they make 120-160
    characters, else cut at a word with an ellipsis if that keeps at least 120."""
    kept = ""
    for sentence in split_sentences(description):
        longer = f"{kept} {sentence}".strip()
        if len(longer) > DESCRIPTION_MAX:
            break
        kept = longer
    if len(kept) >= DESCRIPTION_MIN:
        return kept
    cut = fit(description, DESCRIPTION_MAX)
    return cut if len(cut) >= DESCRIPTION_MIN else None


def iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment else None


# -- the pipeline ------------------------------------------------------------------------------


class SeoMetadataPipeline:
    """Describes drafts and texts of one workbench for search engines and social cards."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: SeoMetadataRequest, on_event: OnEvent = quiet) -> SeoMetadata:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona else None
        banned = voice.banned_words if voice else ()
        refuse_banned_inputs(request, banned)
        on_event(PipelineEvent(stage="research", message="reading the text"))
        document = self._document(request)
        warnings: list[str] = []
        on_event(PipelineEvent(stage="generate", message="writing titles and descriptions"))
        titles = self._titles(request, document.text, voice, warnings)
        descriptions = self._descriptions(request, document.text, voice, warnings)
        on_event(PipelineEvent(stage="check", message="building the slug, tags and JSON-LD"))
        slug = self._slug(request, document, titles, warnings)
        canonical = request.url
        if request.base_url:
            canonical = f"{request.base_url.rstrip('/')}/{slug}"
        headline = document.headline
        if not headline or find_banned(headline, banned):
            headline = titles[0] if titles else ""
        title = titles[0] if titles else headline
        json_ld = self._json_ld(
            request, document, headline, descriptions, canonical, banned, warnings
        )
        # Not yet stored: the stored report is rendered from it, then it gets its ids.
        unsaved = SeoMetadata(
            titles=titles,
            meta_descriptions=descriptions,
            slug=slug,
            canonical_url=canonical,
            open_graph=open_graph(request, title, descriptions, canonical),
            json_ld=json_ld,
            json_ld_script=json_ld_script(json_ld),
            warnings=warnings,
            draft_id=0,
            version=0,
            source_draft_id=document.source_draft_id,
            provider=self.context.models.provider_of(request),
        )
        return self._store(request, headline, unsaved, on_event)

    # -- the text ----------------------------------------------------------------------------

    def _document(self, request: SeoMetadataRequest) -> Document:
        """The Markdown to describe, without its references and citation markers; a stored
        draft also gives its title and its times (published: created; modified: latest)."""
        if request.draft_id is None:
            return _document_from(request.markdown or "", fallback_title="")
        draft = self.context.scope.draft_in(request.draft_id, request.workspace)
        latest = self.context.scope.drafts.get_version(draft.id)
        if latest is None or not latest.content.strip():
            raise ValidationError(f"draft {draft.id} has no text to describe yet")
        document = _document_from(latest.content, fallback_title=draft.title)
        return document.model_copy(
            update={
                "published": draft.created_at,
                "modified": latest.created_at,
                "source_draft_id": draft.id,
            }
        )

    # -- titles and descriptions -------------------------------------------------------------

    def _run(self, request: SeoMetadataRequest, task: TitleTask | MetaDescriptionTask):
        return self.context.models.run(task, request)

    def _titles(self, request, text: str, voice: Voice | None, warnings: list[str]) -> list[str]:
        """The model's title options that pass the checks, topped up with the composer's when
        the model gave too few usable ones."""
        keyword = request.keyword
        if keyword and len(keyword) > TITLE_MAX:
            warnings.append(f"the keyword is longer than {TITLE_MAX} characters: titles omit it")
            keyword = None
        task = TitleTask(
            text=text, keyword=keyword, count=request.count, max_chars=TITLE_MAX, voice=voice
        )
        completion = self._run(request, task)
        banned = voice.banned_words if voice else ()
        titles = checked_titles(answer_lines(completion.text), keyword, banned, warnings)
        if len(titles) < request.count and completion.provider != "offline":
            extra = checked_titles(
                self.context.models.fallback(task).splitlines(), keyword, banned, [], taken=titles
            )
            added = extra[: request.count - len(titles)]
            if added:
                warnings.append(
                    f"the model gave {len(titles)} usable titles of {request.count}; "
                    f"added {len(added)} taken from the text"
                )
            titles += added
        if len(titles) < request.count:
            warnings.append(
                f"only {len(titles)} distinct titles of at most {TITLE_MAX} characters"
                + (f" containing {keyword!r}" if keyword else "")
                + " could be made from this text"
            )
        return titles[: request.count]

    def _descriptions(self, request, text: str, voice: Voice | None, warnings) -> list[str]:
        """The model's meta description if it passes the checks, else the composer's; when
        neither is within 120-160 characters, none, and a warning saying why."""
        task = MetaDescriptionTask(
            text=text,
            keyword=request.keyword,
            min_chars=DESCRIPTION_MIN,
            max_chars=DESCRIPTION_MAX,
            voice=voice,
        )
        completion = self._run(request, task)
        banned = voice.banned_words if voice else ()
        found = checked_descriptions(answer_lines(completion.text), banned, warnings)
        if not found and completion.provider != "offline":
            found = checked_descriptions(
                self.context.models.fallback(task).splitlines(), banned, []
            )
            if found:
                warnings.append("used a description taken from the text instead of the model's")
        if not found:
            warnings.append(
                f"no meta description of {DESCRIPTION_MIN}-{DESCRIPTION_MAX} characters: the "
                "text has no sentence, or pair of sentences, of that length to build it from "
                "(add a sentence saying what the page offers, or write one by hand)"
            )
        elif request.keyword and request.keyword.lower() not in found[0].lower():
            warnings.append(f"the meta description does not contain {request.keyword!r}")
        return found

    # -- slug and JSON-LD --------------------------------------------------------------------

    @staticmethod
    def _slug(request, document: Document, titles: list[str], warnings: list[str]) -> str:
        """From the keyword when given, else the page's headline or first title option."""
        for source in (request.keyword, document.headline, *titles):
            slug = make_slug(source or "")
            if slug:
                return slug
        fallback = f"draft-{document.source_draft_id}" if document.source_draft_id else "page"
        warnings.append(f"no ASCII words to make a slug from; used {fallback!r}")
        return fallback

    @staticmethod
    def _json_ld(request, document, headline, descriptions, canonical, banned, warnings):
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": request.schema_type,
            "headline": fit(headline, HEADLINE_MAX),
        }
        if descriptions:
            data["description"] = descriptions[0]
        if request.author:
            data["author"] = {"@type": "Person", "name": request.author}
        if document.published:
            data["datePublished"] = iso(document.published)
            data["dateModified"] = iso(document.modified or document.published)
        else:
            warnings.append(
                "no publication dates: the text was not a stored draft (give draft_id for them)"
            )
        keywords = json_ld_keywords(request.keyword, document.text, banned)
        if keywords:
            data["keywords"] = ", ".join(keywords)
        data["wordCount"] = word_count(document.text)  # the count every front end shows
        if canonical:
            data["mainEntityOfPage"] = {"@type": "WebPage", "@id": canonical}
        if request.image:
            data["image"] = request.image
        if request.site_name:
            data["publisher"] = {"@type": "Organization", "name": request.site_name}
        return data

    # -- storing -----------------------------------------------------------------------------

    def _store(self, request, headline: str, unsaved: SeoMetadata, on_event) -> SeoMetadata:
        on_event(PipelineEvent(stage="store", message="saving the metadata"))
        fields = unsaved.model_dump(mode="json", exclude={"draft_id", "version"})
        draft, version = self.context.drafts.save(
            "seo-metadata",
            workspace=request.workspace,
            title=f"SEO metadata: {headline}"[:300],
            topic=request.keyword or headline,
            content=report(headline, unsaved),
            stage="seo-metadata",
            meta={"request": request.model_dump(mode="json"), **fields},
        )
        on_event(PipelineEvent(stage="done", message=f"seo metadata draft {draft.id}"))
        return unsaved.model_copy(update={"draft_id": draft.id, "version": version.version})


# -- checks and pieces the pipeline assembles --------------------------------------------------


def refuse_banned_inputs(request: SeoMetadataRequest, banned: tuple[str, ...]) -> None:
    """What the writer typed ends up verbatim in the tags, so it may not use a banned word."""
    for name in ("keyword", "author", "site_name", "url", "base_url", "image"):
        found = find_banned(getattr(request, name) or "", banned)
        if found:
            raise ValidationError(f"{name} uses the persona's banned words: {', '.join(found)}")


def _document_from(markdown: str, fallback_title: str) -> Document:
    body = REFERENCES.split(markdown, maxsplit=1)[0]
    text = CITED.sub("", body).strip()
    headline = next(iter(find_headings(H1, text)), "") or fallback_title
    if not text:
        raise ValidationError("the text has nothing but references to describe")
    return Document(text=text, headline=" ".join(strip_markdown(headline).split()))


def checked_titles(
    options: list[str],
    keyword: str | None,
    banned: tuple[str, ...],
    warnings: list[str],
    taken: Sequence[str] = (),
) -> list[str]:
    """Options within the limit (over-long ones cut at a natural break or dropped), with the
    keyword, without banned words, each once (ignoring case)."""
    kept: list[str] = []
    seen = {title.lower() for title in taken}
    for option in options:
        title = option
        if len(title) > TITLE_MAX:
            title = shortened_title(option) or ""
            if title and (not keyword or keyword.lower() in title.lower()):
                warnings.append(f"cut a {len(option)}-character title to {title!r}")
            else:
                warnings.append(f"dropped a {len(option)}-character title (over {TITLE_MAX})")
                continue
        if keyword and keyword.lower() not in title.lower():
            warnings.append(f"dropped a title without the keyword: {title!r}")
        elif find_banned(title, banned):
            warnings.append("dropped a title using the persona's banned words")
        elif title.lower() not in seen:
            seen.add(title.lower())
            kept.append(title)
    return kept


def checked_descriptions(
    options: list[str], banned: tuple[str, ...], warnings: list[str]
) -> list[str]:
    """Descriptions within 120-160 characters: longer ones cut at a sentence (or a word)
    when that stays within the range, shorter ones and banned words dropped."""
    kept: list[str] = []
    for option in options:
        description = option
        if len(option) > DESCRIPTION_MAX:
            description = shortened_description(option) or ""
            if not description:
                warnings.append(f"dropped a {len(option)}-character meta description")
                continue
            warnings.append(f"cut a {len(option)}-character meta description to {len(description)}")
        if len(description) < DESCRIPTION_MIN:
            warnings.append(
                f"dropped a {len(description)}-character meta description (under {DESCRIPTION_MIN})"
            )
        elif find_banned(description, banned):
            warnings.append("dropped a meta description using the persona's banned words")
        elif description not in kept:
            kept.append(description)
    return kept


def json_ld_keywords(keyword: str | None, text: str, banned: tuple[str, ...]) -> list[str]:
    """The keyword first, then the text's key phrases, none banned, each once."""
    phrases = [k.phrase for k in extract_keyphrases([strip_markdown(text)], top=12)]
    found: list[str] = []
    for phrase in [keyword, *phrases]:
        if phrase and not find_banned(phrase, banned) and phrase.lower() not in found:
            found.append(phrase.lower())
    return found[:JSON_LD_KEYWORDS]


def open_graph(
    request: SeoMetadataRequest, title: str, descriptions: list[str], canonical: str | None
) -> dict[str, str]:
    """Open Graph tags for link previews; only those whose value is known."""
    tags = {"og:type": "article", "og:title": title}
    if descriptions:
        tags["og:description"] = descriptions[0]
    if canonical:
        tags["og:url"] = canonical
    if request.image:
        tags["og:image"] = request.image
    if request.site_name:
        tags["og:site_name"] = request.site_name
    return tags


def report(headline: str, metadata: SeoMetadata) -> str:
    """The stored draft: the options to choose from and the <head> to paste."""
    lines = [f"# SEO metadata: {headline}", "", "## Title options", ""]
    lines += [f"{n}. {title} ({len(title)} chars)" for n, title in enumerate(metadata.titles, 1)]
    lines += ["", "## Meta descriptions", ""]
    lines += [f"- {d} ({len(d)} chars)" for d in metadata.meta_descriptions] or ["- (none)"]
    lines += ["", "## Slug", "", f"`{metadata.slug}`", "", "## HTML head", "", "```html"]
    lines += [metadata.head_html(), "```"]
    if metadata.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in metadata.warnings]
    return "\n".join(lines) + "\n"
