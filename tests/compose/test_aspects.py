"""A topic's wording promises parts in an order; the planner must find them."""

from __future__ import annotations

import pytest

from aiwriter_kernel.compose.aspects import topic_aspects


@pytest.mark.parametrize(
    ("topic", "kind", "queries"),
    [
        (
            "How tea is grown, processed and brewed",
            "list",
            ("How tea is grown", "How tea is processed", "How tea is brewed"),
        ),
        (
            "The history, science and future of volcanoes",
            "list",
            ("The history of volcanoes", "The science of volcanoes", "The future of volcanoes"),
        ),
        (
            "Planning, writing, editing and publishing a blog post",
            "list",
            (
                "Planning a blog post",
                "writing a blog post",
                "editing a blog post",
                "publishing a blog post",
            ),
        ),
        ("How tea is grown and brewed", "list", ("How tea is grown", "How tea is brewed")),
        ("Growing and brewing tea", "list", ("Growing tea", "brewing tea")),
        ("Electric vs petrol cars", "comparison", ("Electric cars", "petrol cars")),
        ("Rent or buy a home?", "comparison", ("Rent a home", "buy a home")),
        ("How to plant a tree", "steps", ()),
        ("Honeybees", "single", ()),
        ("Salt and pepper", "single", ()),
        ("Tea, a history", "single", ()),
    ],
)
def test_aspects_are_read_from_the_wording(topic, kind, queries) -> None:
    found = topic_aspects(topic)
    assert (found.kind, found.queries) == (kind, queries)
    assert len(found.labels) == len(queries)


def test_the_how_to_format_means_steps() -> None:
    assert topic_aspects("Puncture repair", "how-to").kind == "steps"
