"""One slug rule for export file names, the SEO audit and the SEO metadata's slug."""

from __future__ import annotations

import pytest

from aiwriter_kernel.analysis.seo import url_slug
from aiwriter_kernel.pipelines.exports import file_slug
from aiwriter_kernel.pipelines.seo_metadata import make_slug
from aiwriter_kernel.text.slugs import slugify


def test_slugify_keeps_ascii_letters_and_digits_between_single_hyphens() -> None:
    assert slugify("  Python Tips, 2024!  ") == "python-tips-2024"
    assert slugify("Café — Crème") == "caf-cr-me"  # not transliterated: that is make_slug's job
    assert slugify("a" * 10 + " b", limit=11) == "a" * 10  # no trailing hyphen after the cut
    assert slugify("!!!") == ""


def test_each_use_keeps_its_own_preparation() -> None:
    assert file_slug("Python's Best Tips") == "python-s-best-tips"  # file names as before
    assert file_slug("日本語") == "draft"
    assert url_slug("https://example.com/blog/Python's-Best-Tips/") == "pythons-best-tips"
    assert make_slug("Café Crème: The Beginner\u2019s Guide") == "cafe-creme-beginners-guide"


@pytest.mark.parametrize(
    "title", ["How to Brew Green Tea", "Café Crème: The Beginner's Guide", "10 SEO Tips (2024)"]
)
def test_the_audit_reads_the_metadata_slug_as_written(title: str) -> None:
    slug = make_slug(title)
    assert slug and url_slug(slug) == slug
