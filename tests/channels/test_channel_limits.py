"""Channel limits hold for any input: over-long, misnumbered, over-tagged parts are parsed,
repaired (with a warning for each repair) and measured."""

from __future__ import annotations

import re

import pytest

from aiwriter_kernel.channels import get, resolve_channel
from aiwriter_kernel.channels.common import cut_at_word, fit_sentences, normalize_hashtag
from aiwriter_kernel.channels.email import EmailParts
from aiwriter_kernel.channels.instagram import InstagramParts
from aiwriter_kernel.channels.linkedin import LinkedInParts
from aiwriter_kernel.channels.product import Bullet, ProductParts
from aiwriter_kernel.channels.x_thread import ThreadParts
from aiwriter_kernel.channels.youtube import YouTubeParts
from aiwriter_kernel.errors import ValidationError

SENTENCE = "Short posts about one idea are easier to read on a phone than long ones."
LONG_POST = " ".join(f"Word{n} leads to another clause number {n}." for n in range(12))
NUMBERED = re.compile(r"^(\d+)/(\d+) ")


def failed(parts, channel: str, max_chars: int | None = None) -> set[str]:
    checks = get(channel).check(parts, max_chars or get(channel).rules.max_chars)
    return {c.name for c in checks if not c.passed}


def test_cut_at_word_stays_within_the_limit_and_ends_on_a_whole_word() -> None:
    cut = cut_at_word(SENTENCE, 30)
    assert len(cut) <= 30 and cut.endswith("…")
    assert SENTENCE.startswith(cut[:-1]) and SENTENCE[len(cut) - 1] == " "
    assert cut_at_word(SENTENCE, 500) == SENTENCE


def test_fit_sentences_keeps_whole_sentences_and_paragraphs() -> None:
    text = f"{SENTENCE} Second sentence here.\n\nA new paragraph follows."
    assert fit_sentences(text, len(SENTENCE) + 5) == SENTENCE
    assert fit_sentences(text, len(text) - 1) == f"{SENTENCE} Second sentence here."
    assert len(fit_sentences(text, 20)) <= 20


def test_an_over_long_misnumbered_thread_is_split_and_renumbered_without_losing_words() -> None:
    raw = f"1/3 {SENTENCE}\n\n2/3 {LONG_POST}\n\n5/3 The end of the thread."
    parts = get("x-thread").parse(raw)
    assert {"longest post", "misnumbered posts"} <= failed(parts, "x-thread")
    fixed, warnings = get("x-thread").enforce(parts, get("x-thread").rules.max_chars)
    assert not failed(fixed, "x-thread")
    assert isinstance(fixed, ThreadParts) and len(fixed.posts) >= 4
    for number, post in enumerate(fixed.posts, 1):
        assert len(post) <= 280
        assert NUMBERED.match(post).groups() == (str(number), str(len(fixed.posts)))
    words = " ".join(NUMBERED.sub("", post) for post in fixed.posts).split()
    assert words == f"{SENTENCE} {LONG_POST} The end of the thread.".split()
    assert any("split" in w for w in warnings) and any("renumbered" in w for w in warnings)


def test_a_thread_keeps_at_most_the_channel_number_of_posts() -> None:
    parts = ThreadParts(posts=[f"Post number {n} stands on its own." for n in range(20)])
    fixed, warnings = get("x-thread").enforce(parts, get("x-thread").rules.max_chars)
    assert len(fixed.posts) == 12 and fixed.posts[-1].startswith("12/12 Post number 11 ")
    assert any("dropped 8 posts" in w for w in warnings)


def test_unnumbered_lines_starting_with_a_number_keep_it() -> None:
    parsed = get("x-thread").parse("5 ways to write a hook.\n\n3 mistakes to avoid.")
    fixed, _ = get("x-thread").enforce(parsed, 3360)
    assert fixed.posts == ["1/2 5 ways to write a hook.", "2/2 3 mistakes to avoid."]


def test_hashtags_are_normalised_deduplicated_and_capped() -> None:
    tags = ["#seo tips", "#SEO", "#seo", "#", "#123", "#Writing!", *[f"#Tag{n}" for n in range(40)]]
    parts = InstagramParts(caption=SENTENCE, hashtags=tags)
    assert {"hashtags", "malformed or repeated hashtags"} <= failed(parts, "instagram")
    fixed, warnings = get("instagram").enforce(parts, 2200)
    assert not failed(fixed, "instagram")
    assert fixed.hashtags[:3] == ["#SeoTips", "#SEO", "#Writing"]
    assert len(fixed.hashtags) == 30
    assert len({t.lower() for t in fixed.hashtags}) == 30
    assert all(re.fullmatch(r"#[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*", t) for t in fixed.hashtags)
    assert len(re.findall(r"#\w+", fixed.render())) == 30
    assert {"dropped 2 malformed hashtags", "dropped 1 repeated hashtags"} <= set(warnings)


@pytest.mark.parametrize("raw", ["#", "#123", "# !"])
def test_a_tag_without_letters_is_not_a_hashtag(raw: str) -> None:
    assert normalize_hashtag(raw) is None


def test_email_subject_and_preview_are_cut_or_filled_from_the_body() -> None:
    long = EmailParts(
        subject=SENTENCE * 2, preview=SENTENCE * 3, body=SENTENCE, call_to_action="Reply."
    )
    assert {"subject", "preview"} <= failed(long, "email")
    fixed, warnings = get("email").enforce(long, 20000)
    assert len(fixed.subject) <= 60 and len(fixed.preview) <= 90 and not failed(fixed, "email")
    assert len(warnings) == 2
    empty = EmailParts(body=f"{SENTENCE} Second sentence of the body.")
    filled, warnings = get("email").enforce(empty, 20000)
    assert filled.subject == cut_at_word(SENTENCE.rstrip("."), 60)
    assert filled.preview == "Second sentence of the body."
    assert any("no call to action" in w for w in warnings)


def test_a_long_linkedin_hook_moves_its_extra_sentences_to_the_body() -> None:
    parts = LinkedInParts(hook=f"{SENTENCE} {SENTENCE} {SENTENCE}", body="The body.")
    fixed, warnings = get("linkedin").enforce(parts, 3000)
    assert fixed.hook == f"{SENTENCE} {SENTENCE}"
    assert fixed.body == f"{SENTENCE}\n\nThe body."
    assert not failed(fixed, "linkedin") and warnings


def test_the_whole_post_is_shortened_to_the_limit() -> None:
    parts = LinkedInParts(hook=SENTENCE, body=" ".join([SENTENCE] * 60), hashtags=["#Writing"])
    assert "characters" in failed(parts, "linkedin")
    fixed, warnings = get("linkedin").enforce(parts, 3000)
    assert len(fixed.render()) <= 3000 and fixed.hook == SENTENCE
    assert fixed.hashtags == ["#Writing"] and fixed.body.endswith(".")
    tight, _ = get("linkedin").enforce(parts, 400)
    assert len(tight.render()) <= 400 and not failed(tight, "linkedin", 400)
    assert any("within 3000" in w for w in warnings)


def test_product_bullets_and_video_beats_are_capped() -> None:
    bullets = [Bullet(feature=f"Feature {n}", benefit=SENTENCE) for n in range(12)]
    product, _ = get("product").enforce(ProductParts(lead=SENTENCE, bullets=bullets), 2000)
    assert len(product.bullets) == 7 and not failed(product, "product")
    video = YouTubeParts(hook=SENTENCE * 5, beats=[SENTENCE] * 14, close="Subscribe.")
    assert {"hook", "beats"} <= failed(video, "youtube")
    fixed, _ = get("youtube").enforce(video, 5000)
    assert len(fixed.beats) == 10 and len(fixed.hook) <= 250 and not failed(fixed, "youtube")


def test_parsing_reads_labels_bullets_and_inline_hashtags() -> None:
    email = get("email").parse(
        "**Subject:** Hello there\nPreview: A short line [2]\n\nBody text [1].\n\nCTA: Reply",
    )
    assert email == EmailParts(
        subject="Hello there", preview="A short line", body="Body text.", call_to_action="Reply"
    )
    product = get("product").parse(
        "The lead.\n\n- Fast setup: you start in minutes\n- Plain bullet"
    )
    assert product.bullets == [
        Bullet(feature="Fast setup", benefit="you start in minutes"),
        Bullet(benefit="Plain bullet"),
    ]
    post = get("linkedin").parse("## A hook\n\nLearn #SEO today.\n\n#Writing #Tips")
    assert post == LinkedInParts(
        hook="A hook", body="Learn SEO today.", hashtags=["#SEO", "#Writing", "#Tips"]
    )
    video = get("youtube").parse("Hook: Look.\n\nOutline:\n1. One\n2. Two\n\nClose: Bye.")
    assert video == YouTubeParts(hook="Look.", beats=["One", "Two"], close="Bye.")
    thread = get("x-thread").parse("1/2 First post.\n2/2 Second post.")
    assert thread.posts == ["1/2 First post.", "2/2 Second post."]


def test_channels_resolve_aliases_and_name_the_valid_ones() -> None:
    assert [resolve_channel(n) for n in ("thread", "Twitter", "x", "newsletter", "email")] == [
        "x-thread",
        "x-thread",
        "x-thread",
        "email",
        "email",
    ]
    with pytest.raises(ValidationError, match="linkedin, x-thread, facebook"):
        resolve_channel("myspace")
