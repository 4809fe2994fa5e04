"""SEO metadata: titles and descriptions within what search engines display, a clean slug,
Open Graph tags and JSON-LD that parses from its script tag, for drafts and pasted text,
offline and through a chat model whose over-long answers are cut or dropped."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai_server import openai_workbench

from aiwriter_kernel import Workbench
from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.pipelines.seo_metadata import make_slug
from aiwriter_kernel.text.banned import find_banned

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
SCRIPT = re.compile(r'^<script type="application/ld\+json">\n(.*)\n</script>$', re.DOTALL)
TEA = """# Brewing Green Tea at Home

Green tea tastes best when the water is well below boiling, at about 80 degrees Celsius. Steep \
the leaves for two to three minutes and then lift them out.

## Choosing the leaves

Loose leaves usually give a fuller flavour than tea bags. Store the leaves in an airtight tin \
away from light and heat.
"""


def parsed_script(script: str) -> dict:
    match = SCRIPT.match(script)
    assert match, script
    assert "</" not in match[1] and "<!--" not in match[1]
    return json.loads(match[1])


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[Workbench]:
    with Workbench.open(home=tmp_path) as opened:
        yield opened


# -- pure pieces -------------------------------------------------------------------------------


def test_slug_by_hand() -> None:
    assert make_slug("Café Crème: The Beginner\u2019s Guide to 10 Recipes!") == (
        "cafe-creme-beginners-guide-10-recipes"
    )
    assert make_slug("How to Write It") == "write"  # stop words go...
    assert make_slug("How to") == "how-to"  # ...unless nothing else is left
    assert make_slug("日本語") == ""
    long = make_slug(" ".join(["readability"] * 12))
    assert len(long) <= 60 and long.endswith("readability") and "--" not in long


# -- a hand-worked text, offline ---------------------------------------------------------------


def test_a_hand_worked_text(offline) -> None:
    result = offline.seo_metadata(
        markdown=TEA,
        keyword="green tea",
        count=4,
        base_url="https://tea.example/guides/",
        author="Mei Lin",
        site_name="Tea & Co",
        image="https://tea.example/cup.png",
    )
    # The main heading holds the keyword; then the keyword with the one subheading, then
    # the general patterns; each within 60 characters and with the keyword.
    assert result.titles == [
        "Brewing Green Tea at Home",
        "Green Tea: Choosing the Leaves",
        "A Practical Guide to Green Tea",
        "Green Tea: What You Need to Know",
    ]
    # No single sentence reaches 120 characters; the first two, as written, make 154.
    assert result.meta_descriptions == [
        "Green tea tastes best when the water is well below boiling, at about 80 degrees "
        "Celsius. Steep the leaves for two to three minutes and then lift them out."
    ]
    assert result.slug == "green-tea"
    assert result.canonical_url == "https://tea.example/guides/green-tea"
    assert result.open_graph == {
        "og:type": "article",
        "og:title": "Brewing Green Tea at Home",
        "og:description": result.meta_descriptions[0],
        "og:url": "https://tea.example/guides/green-tea",
        "og:image": "https://tea.example/cup.png",
        "og:site_name": "Tea & Co",
    }
    data = parsed_script(result.json_ld_script)
    assert data == result.json_ld
    assert data["@context"] == "https://schema.org" and data["@type"] == "BlogPosting"
    assert data["headline"] == "Brewing Green Tea at Home"
    assert data["author"] == {"@type": "Person", "name": "Mei Lin"}
    assert data["mainEntityOfPage"] == {
        "@type": "WebPage",
        "@id": "https://tea.example/guides/green-tea",
    }
    assert data["image"] == "https://tea.example/cup.png"
    assert data["keywords"].startswith("green tea, ")
    assert data["wordCount"] == 51 == word_count(TEA)  # 16+13+10+12 body words, no headings
    assert "datePublished" not in data  # pasted text has no stored dates, and it says so
    assert any("no publication dates" in w for w in result.warnings)
    assert "\\u0026" in result.json_ld_script  # "Tea & Co", escaped in the script


def test_text_that_cannot_give_a_description_says_why(offline) -> None:
    short = "# Tea\n\nGreen tea is best brewed with water below boiling point.\n"
    result = offline.seo_metadata(markdown=short)
    assert result.meta_descriptions == []
    assert "og:description" not in result.open_graph
    assert "description" not in result.json_ld
    assert any("no meta description of 120-160 characters" in w for w in result.warnings)
    assert result.titles and all(len(t) <= 60 for t in result.titles)


def test_the_script_cannot_be_closed_from_a_value(offline) -> None:
    result = offline.seo_metadata(markdown=TEA, author="Eve </script><script>alert(1)</script>")
    data = parsed_script(result.json_ld_script)
    assert data["author"]["name"] == "Eve </script><script>alert(1)</script>"
    assert result.json_ld_script.count("</script>") == 1


def test_the_result_is_stored_as_a_draft(offline) -> None:
    result = offline.seo_metadata(markdown=TEA, keyword="green tea", schema_type="Article")
    stored = offline.db.drafts.get_draft(result.draft_id)
    version = offline.version(result.draft_id)
    assert stored.kind == "seo-metadata" and result.version == version.version == 1
    assert result.json_ld["@type"] == "Article"
    assert result.json_ld_script in version.content
    assert version.meta["titles"] == result.titles
    assert version.meta["json_ld"] == result.json_ld


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "exactly one of draft_id or markdown"),
        ({"markdown": TEA, "draft_id": 1}, "exactly one of draft_id or markdown"),
        ({"markdown": "   "}, "markdown is empty"),
        ({"markdown": TEA, "url": "example.com/tea"}, "absolute http(s) URL"),
        ({"markdown": TEA, "url": "https://a.b/x", "base_url": "https://a.b"}, "not both"),
        ({"markdown": TEA, "count": 0}, "count"),
        ({"markdown": TEA, "schema_type": "NewsArticle"}, "schema_type"),
    ],
)
def test_bad_requests_fail_before_any_work(offline, fields, message) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        offline.seo_metadata(**fields)
    assert offline.drafts() == []


def test_an_unknown_draft_or_persona_is_an_error(offline) -> None:
    with pytest.raises(NotFoundError, match="no draft 42"):
        offline.seo_metadata(draft_id=42)
    with pytest.raises(ValidationError, match="unknown persona"):
        offline.seo_metadata(markdown=TEA, persona="nobody")


def test_a_persona_s_banned_words_never_appear(offline) -> None:
    offline.save_persona(name="plain", banned_words=("leaves", "boiling"))
    result = offline.seo_metadata(markdown=TEA, persona="plain", keyword="green tea")
    said = json.dumps(result.model_dump(mode="json"))
    assert not find_banned(said, ["leaves", "boiling"])
    assert not find_banned(offline.version(result.draft_id).content, ["leaves", "boiling"])
    assert "Brewing Green Tea at Home" in result.titles
    with pytest.raises(ValidationError, match="keyword uses the persona's banned words"):
        offline.seo_metadata(markdown=TEA, persona="plain", keyword="tea leaves")


# -- the demo article, from a stored draft -----------------------------------------------------


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Iterator[tuple[Workbench, int]]:
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        opened.ingest(CORPUS)
        result = opened.write("How to write readable web content", keywords=("readability",))
        yield opened, result.draft_id


@pytest.mark.slow
@pytest.mark.parametrize("keyword", [None, "readability", "plain words"])
def test_the_demo_article_gets_metadata_within_the_limits(article, keyword) -> None:
    workbench, draft_id = article
    result = workbench.seo_metadata(draft_id=draft_id, keyword=keyword, url="https://x.io/a")
    assert len(result.titles) == 5
    assert len({t.lower() for t in result.titles}) == 5
    assert all(len(title) <= 60 for title in result.titles)
    assert result.meta_descriptions
    assert all(120 <= len(d) <= 160 for d in result.meta_descriptions)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", result.slug) and len(result.slug) <= 60
    if keyword:
        assert all(keyword in title.lower() for title in result.titles)
        assert result.slug == keyword.replace(" ", "-")
    data = parsed_script(result.json_ld_script)
    draft = workbench.db.drafts.get_draft(draft_id)
    latest = workbench.version(draft_id)
    assert data["headline"] == draft.title and len(data["headline"]) <= 110
    assert data["datePublished"] == draft.created_at.replace(microsecond=0).isoformat()
    assert data["dateModified"] == latest.created_at.replace(microsecond=0).isoformat()
    assert data["mainEntityOfPage"]["@id"] == "https://x.io/a"
    assert data["description"] == result.meta_descriptions[0]
    assert 300 < data["wordCount"] < len(latest.content.split())  # references not counted
    assert result.source_draft_id == draft_id
    # The draft's citation markers and references never leak into the metadata.
    assert "[1]" not in json.dumps(result.json_ld) and "References" not in result.titles[0]


# -- a chat model ------------------------------------------------------------------------------


LONG_TITLE = (
    "Green Tea Brewing Temperatures Steeping Times and Leaf Storage Advice For Every Tea Kettle"
)
FIRST = (
    "Green tea tastes best brewed well below boiling, at about 80 degrees Celsius, and steeped "
    "for two to three minutes before the leaves come out."
)
SECOND = (
    "Loose leaves give a fuller flavour than bags, and they keep their aroma for many months "
    "when they are stored in an airtight tin away from light and dampness."
)


@pytest.fixture
def chat(tmp_path: Path, fake_openai) -> Iterator[Workbench]:
    with openai_workbench(tmp_path, fake_openai) as opened:
        yield opened


def test_a_model_s_over_long_title_and_description_are_dropped_and_cut(chat, fake_openai):
    assert len(LONG_TITLE) == 90 and len(f"{FIRST} {SECOND}") == 300
    assert 120 <= len(FIRST) <= 160
    fake_openai.reply(
        f'1. "{LONG_TITLE}"\n2. **Green Tea Without Bitterness**\n3. green tea without '
        "bitterness\n4. Why Loose Leaves Matter",
        f"Meta description: {FIRST} {SECOND}",
    )
    result = chat.seo_metadata(markdown=TEA, keyword="green tea", count=3)
    assert result.titles[0] == "Green Tea Without Bitterness"
    # Topped up from the text itself: the model gave only one usable title.
    assert result.titles[1:] == ["Brewing Green Tea at Home", "Green Tea: Choosing the Leaves"]
    assert result.meta_descriptions == [FIRST]
    assert result.json_ld["description"] == FIRST
    warnings = "\n".join(result.warnings)
    assert "dropped a 90-character title (over 60)" in warnings
    assert "dropped a title without the keyword: 'Why Loose Leaves Matter'" in warnings
    assert "the model gave 1 usable titles of 3; added 2 taken from the text" in warnings
    assert f"cut a 300-character meta description to {len(FIRST)}" in warnings
    title_prompt, description_prompt = (
        r.json["messages"][-1]["content"] for r in fake_openai.requests
    )
    assert '<keywords untrusted="true">\ngreen tea\n</keywords>' in title_prompt
    assert "at most 60 characters" in title_prompt
    assert "Brewing Green Tea at Home" in title_prompt and "untrusted" in title_prompt
    assert "120 to 160 characters" in description_prompt
    assert result.provider == "openai"


def test_a_title_with_a_natural_break_is_cut_there(chat, fake_openai) -> None:
    long_title = "Green Tea at Home: Temperatures, Steeping Times, Storage and Every Other Detail"
    fake_openai.reply(long_title, f"{FIRST} {SECOND}")
    result = chat.seo_metadata(markdown=TEA, keyword="green tea", count=1)
    assert result.titles == ["Green Tea at Home"]
    assert any("cut a 79-character title to 'Green Tea at Home'" in w for w in result.warnings)


def test_when_no_model_description_fits_the_text_s_own_is_used(chat, fake_openai) -> None:
    fake_openai.reply("Green Tea Guide", "Tea is nice.")
    result = chat.seo_metadata(markdown=TEA, count=1)
    assert result.meta_descriptions[0].startswith("Green tea tastes best")
    assert any("dropped a 12-character meta description" in w for w in result.warnings)
    assert any("instead of the model's" in w for w in result.warnings)
